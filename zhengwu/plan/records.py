"""The figures' monthly records (docs/plan.md): what the dashboard's trends draw and what
gives a snapshot figure a history at all.

The `plan.record` sweep computes, for every figure a target names:
- the current month, when its record is missing or older than `FRESH` (so the public
  dashboard computes nothing a visitor waits for that the sweep computed within the hour);
- a monthly figure's earlier months of the dashboard's window (`TREND_MONTHS`) when missing,
  from their sources (backfill: the sources keep the history), and the month just ended
  again while it settles (`SETTLE_DAYS`: late 12345 callbacks and 好差评 still arrive); after
  that a closed month's record stands, as a monthly statistics report does once issued;
- never a snapshot's earlier months: the state then is not known, so none is invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from zhengwu.core.audit import SYSTEM, audit_record
from zhengwu.plan import figures
from zhengwu.plan.models import FigureRecord, Target
from zhengwu.workdays.calendar import SHANGHAI

TREND_MONTHS = 6
FRESH = dt.timedelta(hours=1)
SETTLE_DAYS = 5  # the month just ended is recomputed until the 5th of the next (Beijing)


def current_month(now: dt.datetime) -> str:
    return figures.month_of(now.astimezone(SHANGHAI).date())


def due(name: str, *, monthly: bool, now: dt.datetime, recorded: dict[str, dt.datetime],
        months: int = TREND_MONTHS) -> list[str]:
    """The months of figure `name` to compute now, oldest first, given when each of its
    months was last recorded (`recorded`: month → recorded_at)."""
    today = now.astimezone(SHANGHAI).date()
    this_month = figures.month_of(today)
    window = figures.months_back(this_month, months) if monthly else [this_month]
    previous = figures.months_back(this_month, 2)[0]
    found = []
    for month in window:
        at = recorded.get(month)
        open_month = month == this_month or (month == previous and today.day <= SETTLE_DAYS)
        if at is None or (open_month and at < now - FRESH):
            found.append(month)
    return found


def named() -> list[str]:
    """The figures the plan's targets name (with their arguments), each once."""
    return sorted(set(Target.objects.exclude(figure="").values_list("figure", flat=True)))


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def record(now: dt.datetime) -> int:
    """Compute and store the figures' months that are due (one transaction, one audit row
    when anything was recorded); how many records were written."""
    names = named()
    existing: dict[str, dict[str, dt.datetime]] = {}
    for key, month, at in FigureRecord.objects.filter(key__in=names).values_list(
            "key", "month", "recorded_at"):
        existing.setdefault(key, {})[month] = at
    written = 0
    with transaction.atomic():
        for name in names:
            figure, argument = figures.parse_key(name)
            for month in due(name, monthly=figure.monthly, now=now,
                             recorded=existing.get(name, {})):
                FigureRecord.objects.update_or_create(
                    key=name, month=month,
                    defaults={"value": _decimal(figure.compute(month, argument)),
                              "recorded_at": now})
                written += 1
        if written:
            audit_record(actor=SYSTEM, action="plan.record", object_type="plan.FigureRecord",
                         object_repr="实时指标月度记录",
                         after={"records": written, "month": current_month(now)})
    return written


def of(names: Iterable[str], months: Iterable[str]) -> dict[tuple[str, str], FigureRecord]:
    """The records of `names` in `months`, by (key, month)."""
    return {(r.key, r.month): r for r in FigureRecord.objects.filter(
        key__in=list(names), month__in=list(months))}


def value(found: FigureRecord) -> float | None:
    return None if found.value is None else float(found.value)

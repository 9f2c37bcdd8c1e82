"""The figures' monthly records (plan.records): which months the sweep computes — the current
month while it runs (refreshed hourly), a monthly figure's past months of the dashboard's window
once (backfilled from their sources) and the month just ended until its settling days are
over; a snapshot's past months are never invented. The dashboard reads closed months from the
records, so what it showed for a closed month does not move."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import time_machine

from zhengwu.core.models import AuditEvent
from zhengwu.plan import figures, records, selectors
from zhengwu.plan.models import FigureRecord
from zhengwu.workdays.calendar import SHANGHAI

NOW = dt.datetime(2026, 12, 3, 10, tzinfo=SHANGHAI)
HOUR = dt.timedelta(hours=1)


def test_a_monthly_figure_is_backfilled_then_frozen_once_settled() -> None:
    due = records.due("hotline_response_rate", monthly=True, now=NOW, recorded={}, months=3)
    assert due == ["2026-10", "2026-11", "2026-12"]
    recorded = dict.fromkeys(due, NOW - 2 * HOUR)
    # 3 December: November is still settling (late callbacks count), and this month is stale.
    assert records.due("hotline_response_rate", monthly=True, now=NOW, recorded=recorded,
                       months=3) == ["2026-11", "2026-12"]
    # Within the hour nothing is computed again.
    fresh = dict.fromkeys(due, NOW - dt.timedelta(minutes=10))
    assert records.due("hotline_response_rate", monthly=True, now=NOW, recorded=fresh,
                       months=3) == []
    # On 6 December November is closed: only this month is refreshed.
    later = NOW + dt.timedelta(days=3)
    assert records.due("hotline_response_rate", monthly=True, now=later, recorded=recorded,
                       months=3) == ["2026-12"]


def test_a_snapshot_is_recorded_only_for_the_month_it_is_in() -> None:
    assert records.due("online_availability", monthly=False, now=NOW, recorded={},
                       months=6) == ["2026-12"]
    stale = {"2026-12": NOW - 2 * HOUR}
    assert records.due("online_availability", monthly=False, now=NOW, recorded=stale,
                       months=6) == ["2026-12"]


@time_machine.travel(NOW, tick=False)
def test_the_sweep_records_each_named_figure_once_with_one_audit_row(db: Any) -> None:
    count = records.record(NOW)
    names = {t.figure_key for m in selectors.overview().measures for t in m.targets
             if t.figure_key}
    monthly = {n for n in names if figures.parse_key(n)[0].monthly}
    assert count == len(monthly) * records.TREND_MONTHS + len(names - monthly)
    assert FigureRecord.objects.count() == count
    assert AuditEvent.objects.filter(action="plan.record").count() == 1
    assert records.record(NOW) == 0  # within the hour: nothing again, no audit row
    assert AuditEvent.objects.filter(action="plan.record").count() == 1
    live = figures.read("online_availability").value
    stored = FigureRecord.objects.get(key="online_availability", month="2026-12").value
    assert (None if stored is None else float(stored)) == live


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_reads_closed_months_from_the_records(db: Any) -> None:
    records.record(NOW)
    FigureRecord.objects.filter(key="hotline_satisfaction_rate", month="2026-09").update(
        value=Decimal("87.5"))
    FigureRecord.objects.filter(key="online_availability", month="2026-12").update(
        recorded_at=NOW - 2 * HOUR)
    FigureRecord.objects.create(key="online_availability", month="2026-11",
                                value=Decimal("61.2"), recorded_at=NOW - dt.timedelta(days=5))
    trends = selectors.trends(["hotline_satisfaction_rate", "online_availability"], months=6)
    assert dict(trends["hotline_satisfaction_rate"])["2026-09"] == 87.5
    # A snapshot has a trend from its records: the months before it was recorded are empty,
    # and the current month is computed now when its record is older than the hour.
    snapshot = dict(trends["online_availability"])
    assert snapshot["2026-11"] == 61.2 and snapshot["2026-10"] is None
    assert snapshot["2026-12"] == figures.read("online_availability").value


@time_machine.travel(NOW, tick=False)
def test_a_reading_within_the_hour_comes_from_its_record(db: Any) -> None:
    records.record(NOW - dt.timedelta(minutes=20))
    FigureRecord.objects.filter(key="online_availability", month="2026-12").update(
        value=Decimal("12.3"))
    target = next(t for m in selectors.overview().measures for t in m.targets
                  if t.figure_key == "online_availability")
    assert target.reading is not None
    assert (target.reading.value, target.reading.as_of) == (12.3, NOW - dt.timedelta(minutes=20))

"""惠企政策 KPIs (issue 14 §1): per benefit, how many enterprises were granted without applying,
how much, how much of it is paid, and how fast — the working days (official calendar) from
the day an enterprise became eligible (Grant.eligible_since) to the day its list was confirmed
(Beijing date). Counted over confirmed lists only: a prepared or withdrawn list granted
nothing.

**Share granted without application** (issue 14 §1's KPI, measure [32]'s 免申即享): per benefit,
the enterprises granted on a confirmed 免申即享 list against the cases of the benefit's
catalogue item (any implementation of it) granted (准予 or 超时默认准予) since the benefit's
first rule version took effect — the 即申即享 / applied grants; and over all benefits, each
case counted once however many benefits share its item. A benefit without an item has no way
to apply on the platform: its applied count is 0. No grant either way: no share (None), never
0 % or 100 %.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from zhengwu.cases.models import Case, Decision
from zhengwu.core import clock
from zhengwu.policies.models import Benefit, Grant, GrantListStatus
from zhengwu.workdays.calendar import WorkdayCalendar


@dataclass(frozen=True)
class BenefitFigures:
    code: str
    name: str
    department: str
    granted: int
    amount: Decimal
    paid: int
    paid_amount: Decimal
    median_workdays: float | None  # eligibility → confirmation
    max_workdays: int | None
    on_application: int = 0  # granted cases of the benefit's item (即申即享 / applied)
    share_without_application: float | None = None  # granted / (granted + on_application)

    @property
    def share_percent(self) -> str:
        return percent(self.share_without_application)


@dataclass(frozen=True)
class ApplicationShare:
    """Over every benefit: grants without application, granted applications, the share."""

    without_application: int
    on_application: int
    share: float | None

    @property
    def share_percent(self) -> str:
        return percent(self.share)


GRANTED = (Decision.GRANTED, Decision.DEEMED_APPROVED)


def percent(share: float | None) -> str:
    """75.0% for 0.75; "" for no share (the page shows a dash)."""
    return "" if share is None else f"{share * 100:.1f}%"


def _share(without: int, applied: int) -> float | None:
    return without / (without + applied) if without + applied else None


def _applied_cases(benefits: list[Benefit]) -> dict[int, set[int]]:
    """Benefit pk → pks of the granted cases of its item since its first version's day."""
    found: dict[int, set[int]] = {}
    for benefit in benefits:
        if benefit.implementation is None:
            continue
        starts = [rule.effective_from for rule in benefit.rules.all()]
        if not starts:
            continue
        since = dt.datetime.combine(min(starts), dt.time(), tzinfo=clock.SHANGHAI)
        found[benefit.pk] = set(Case.objects.filter(
            implementation__item_id=benefit.implementation.item_id, decision__in=GRANTED,
            decided_at__gte=since).values_list("pk", flat=True))
    return found


def _benefits() -> list[Benefit]:
    return list(Benefit.objects.filter(published=True).select_related(
        "department", "implementation").prefetch_related("rules").order_by("code"))


def application_share() -> ApplicationShare:
    """The share of grants made without application, over every published benefit."""
    benefits = _benefits()
    without = Grant.objects.filter(grant_list__status=GrantListStatus.CONFIRMED,
                                   grant_list__benefit__in=benefits).count()
    applied = len(set().union(*_applied_cases(benefits).values()))
    return ApplicationShare(without, applied, _share(without, applied))


def benefit_figures(calendar: WorkdayCalendar) -> list[BenefitFigures]:
    """Per benefit with a grant either way (without application, or an applied case)."""
    rows = Grant.objects.filter(grant_list__status=GrantListStatus.CONFIRMED).select_related(
        "grant_list__benefit__department").order_by("grant_list__benefit__code", "pk")
    by_code: dict[str, list[Grant]] = {}
    for grant in rows:
        by_code.setdefault(grant.grant_list.benefit.code, []).append(grant)
    benefits = _benefits()
    cases = _applied_cases(benefits)
    applied = {b.code: len(cases.get(b.pk, ())) for b in benefits}
    found = []
    for benefit in benefits:
        grants = by_code.get(benefit.code, [])
        if not grants and not applied[benefit.code]:
            continue
        days = []
        for grant in grants:
            confirmed = grant.grant_list.confirmed_at
            assert confirmed is not None  # a confirmed list has its moment (grants.py)
            days.append(calendar.workdays_between(
                grant.eligible_since, confirmed.astimezone(clock.SHANGHAI).date()))
        paid = [g for g in grants if g.paid_on is not None]
        found.append(BenefitFigures(
            code=benefit.code, name=benefit.name, department=benefit.department.name,
            on_application=applied[benefit.code],
            share_without_application=_share(len(grants), applied[benefit.code]),
            granted=len(grants), amount=sum((g.amount or Decimal(0) for g in grants), Decimal(0)),
            paid=len(paid), paid_amount=sum((g.amount or Decimal(0) for g in paid), Decimal(0)),
            median_workdays=statistics.median(days) if days else None,
            max_workdays=max(days) if days else None))
    return found

"""惠企政策 KPIs (issue 14 §1): per benefit, how many enterprises were granted without applying,
how much, how much of it is paid, and how fast — the working days (official calendar) from
the day an enterprise became eligible (Grant.eligible_since) to the day its list was confirmed
(Beijing date). Counted over confirmed lists only: a prepared or withdrawn list granted
nothing.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from zhengwu.core import clock
from zhengwu.policies.models import Grant, GrantListStatus
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


def benefit_figures(calendar: WorkdayCalendar) -> list[BenefitFigures]:
    rows = Grant.objects.filter(grant_list__status=GrantListStatus.CONFIRMED).select_related(
        "grant_list__benefit__department").order_by("grant_list__benefit__code", "pk")
    by_code: dict[str, list[Grant]] = {}
    for grant in rows:
        by_code.setdefault(grant.grant_list.benefit.code, []).append(grant)
    found = []
    for code, grants in by_code.items():
        benefit = grants[0].grant_list.benefit
        days = []
        for grant in grants:
            confirmed = grant.grant_list.confirmed_at
            assert confirmed is not None  # a confirmed list has its moment (grants.py)
            days.append(calendar.workdays_between(
                grant.eligible_since, confirmed.astimezone(clock.SHANGHAI).date()))
        paid = [g for g in grants if g.paid_on is not None]
        found.append(BenefitFigures(
            code=code, name=benefit.name, department=benefit.department.name,
            granted=len(grants), amount=sum((g.amount or Decimal(0) for g in grants), Decimal(0)),
            paid=len(paid), paid_amount=sum((g.amount or Decimal(0) for g in paid), Decimal(0)),
            median_workdays=statistics.median(days) if days else None,
            max_workdays=max(days) if days else None))
    return found

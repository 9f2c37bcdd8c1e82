"""The workbench's counts (工作台, issue 16): what waits for each role now — 待受理, 补正中,
待出件, 一件事待受理, 审批待办, 待我办理, 即将超期, 已超期, 待核查, 12345 工单待签收 — each with a link to the page
that lists exactly those rows, and how many arrived since yesterday (Beijing time).

Each count is the `.count()` of the very queryset its page lists (cases.selectors,
bundles.selectors, hotline.selectors), so a figure and its rows cannot disagree; the
"since yesterday" figure narrows the same queryset by the moment each row entered it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.bundles import selectors as bundle_selectors
from zhengwu.bundles.models import BundleCaseStatus as BundleStatus
from zhengwu.cases import selectors as case_selectors
from zhengwu.cases.access import reviewer_departments, serves_window, window_prefixes
from zhengwu.cases.models import Card, VerificationStatus
from zhengwu.cases.verification import verification_worklist
from zhengwu.core import clock
from zhengwu.hotline import selectors as hotline_selectors
from zhengwu.hotline.models import Status as OrderStatus


@dataclass(frozen=True)
class Tally:
    """One figure of the workbench."""

    group: str  # the card it is shown on: 综合窗口, 审批, 12345热线
    label: str
    value: int
    url: str
    since: int | None = None  # how many entered it since yesterday 00:00 (None: not tracked)
    tone: str = ""  # "warn" (yellow) or "bad" (red) when the figure is not 0
    more: bool = False  # the figure is a lower bound (待我办理 reads MINE_SCAN cases)


def yesterday_start(now: dt.datetime) -> dt.datetime:
    """00:00 yesterday, Beijing time: "since yesterday" covers yesterday and today."""
    day = now.astimezone(clock.SHANGHAI).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, clock.SHANGHAI)


def _since(rows: QuerySet[Any], field: str, start: dt.datetime) -> int:
    return rows.filter(**{f"{field}__gte": start}).count()


def tallies(user: User, now: dt.datetime) -> list[Tally]:
    """The figures for the roles `user` holds, in the order of the cards."""
    start = yesterday_start(now)
    found: list[Tally] = []
    # Each group behind the guard of the page it links to (the page's own rule).
    if serves_window(user):
        window = reverse("cases:window")
        for part, (label, _) in case_selectors.WINDOW_PARTS.items():
            rows = case_selectors.window_part(user=user, part=part)
            found.append(Tally("综合窗口", label, rows.count(), f"{window}?part={part}",
                               since=_since(rows, "submitted_at", start) if part == "new"
                               else None))
    if window_prefixes(user):  # the 一件事 window: the comprehensive window's clerks
        bundles = bundle_selectors.window_queue(user, status=BundleStatus.SUBMITTED)
        found.append(Tally("综合窗口", "一件事待受理", bundles.count(),
                           reverse("bundles:window") + f"?status={BundleStatus.SUBMITTED}",
                           since=_since(bundles, "submitted_at", start)))
    if reviewer_departments(user):
        todo = reverse("cases:todo")
        open_cases = case_selectors.reviewer_todo(user=user)
        mine, more = case_selectors.reviewer_todo_mine(user=user)
        red = case_selectors.reviewer_todo(user=user, card=Card.RED)
        yellow = case_selectors.reviewer_todo(user=user, card=Card.YELLOW)
        pending = verification_worklist(user=user).filter(status=VerificationStatus.PENDING)
        found += [
            Tally("审批", "审批待办", open_cases.count(), todo,
                  since=_since(open_cases, "accepted_at", start)),
            Tally("审批", "待我办理", mine.count(), f"{todo}?mine=1", more=more),
            Tally("审批", "即将超期", yellow.count(), f"{todo}?card={Card.YELLOW}", tone="warn"),
            Tally("审批", "已超期", red.count(), f"{todo}?card={Card.RED}", tone="bad",
                  since=_since(red, "due_at", start)),
            Tally("审批", "待核查（告知承诺事后核查）", pending.count(),
                  reverse("cases:verifications"))]
    orders = hotline_selectors.orders_for(user, status=OrderStatus.SIGNING)
    if hotline_selectors.sees_all(user) or orders.exists():
        found.append(Tally("12345热线", "工单待签收", orders.count(),
                           reverse("hotline:orders") + f"?status={OrderStatus.SIGNING}",
                           since=_since(orders, "dispatched_at", start)))
    return found

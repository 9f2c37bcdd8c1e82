"""Periodic work of 一件事 (run by `zhengwu sweep`, after the cases sweeps): idempotent and
safe when two workers run it at once.

- 行政许可法 art. 32 for a whole bundle: unanswered 5 working days after receipt, it counts
  as accepted from receipt (member cases are left to the bundle by the cases sweep).
- Member cases decided in bulk by the deemed-approval sweep are closed here one by one, which
  moves their bundles on (the cases hook runs for each).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhengwu.bundles.models import BundleCase, BundleCaseStatus
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.cases import deadlines
from zhengwu.cases.models import Case, CaseStatus
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.core.errors import Conflict
from zhengwu.workdays.selectors import calendar_get


def accept_unanswered(now: dt.datetime) -> int:
    calendar = calendar_get()
    candidates = BundleCase.objects.filter(status=BundleCaseStatus.SUBMITTED,
                                           submitted_at__lt=now - dt.timedelta(days=5))
    count = 0
    for number, submitted in candidates.values_list("number", "submitted_at").iterator():
        if deadlines.acceptance_by_law_due(calendar, submitted) < now:
            try:
                bundle_move(number=number, user=None, move=BundleMoveIn(
                    action="accept",
                    reason="收到申请5日内未作处理，依行政许可法第三十二条视为受理"), now=now)
            except Conflict:
                continue  # another worker answered it first
            count += 1
    return count


def close_decided_members(now: dt.datetime) -> int:
    count = 0
    decided = Case.objects.filter(status=CaseStatus.DECIDED).exclude(bundle_number="")
    for pk in decided.values_list("pk", flat=True).iterator():
        try:
            with transaction.atomic():
                case_transition(case_id=pk, user=None, move=MoveIn(
                    action="close", reason="一件事成员事项已作出决定"), now=now)
        except Conflict:
            continue
        count += 1
    return count


def run(now: dt.datetime) -> str:
    accepted = accept_unanswered(now)
    closed = close_decided_members(now)
    return f"一件事依法视为受理 {accepted} 件，成员办件办结 {closed} 件"

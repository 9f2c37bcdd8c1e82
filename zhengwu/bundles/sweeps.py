"""Periodic work of 一件事 (run by `zhengwu sweep`, after the cases sweeps): idempotent and
safe when two workers run it at once.

- 行政许可法 art. 32 for a whole bundle: unanswered 5 working days after receipt, it counts
  as accepted from receipt (member cases are left to the bundle by the cases sweep).

Member cases decided in bulk by the deemed-approval sweep move their bundles on in that sweep:
it tells the case process's listeners (engine.tell), as every single move does (ADR 0013).
"""

from __future__ import annotations

import datetime as dt

from zhengwu.bundles.models import BundleCase, BundleCaseStatus
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.cases import deadlines
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


def run(now: dt.datetime) -> str:
    return f"一件事依法视为受理 {accept_unanswered(now)} 件"

"""Inspection results and their public disclosure (一公开, issue 15 §3), as moves of the
inspection's process (process.py).

- One of the two drawn inspectors records the result (合格 / 未发现问题 / 责令整改 / 立案查处 /
  无法联系) with the findings; 责令整改 sets a rectification due (working days) and waits for
  the 复查, recorded by one of the inspectors (整改到位 or not). 立案查处, or a 复查 finding it
  not remedied, writes a 失信记录 (cases.credit) in the same move.
- The result is due for public disclosure rules.DISCLOSURE_WORKDAYS working days after it was
  made (rules.py gives the source and says what is not confirmed). An officer of the plan's
  department publishes it: it then shows on /inspections/results/ (enterprise, USCC, item,
  result, date — never the inspectors) and is appended to the transparency log as
  `inspection.result` (no names at all: the enterprise by its USCC).
- The sweep `inspections.disclosure` warns once of each result not published by its due day
  (the move `warn`: its event and audit row; 逾期未公示 on the department's page).
"""

from __future__ import annotations

import datetime as dt

from zhengwu.accounts.models import User
from zhengwu.core.clock import SHANGHAI
from zhengwu.inspections import rules
from zhengwu.inspections.models import Inspection, InspectionResult
from zhengwu.inspections.process import INSPECTION_PROCESS, PUBLISHABLE, InspectionMoveIn
from zhengwu.process import engine
from zhengwu.workdays.selectors import calendar_get


def result_record(*, user: User, pk: int, result: str, findings: str,
                  result_on: dt.date | None = None, rectify_workdays: int = 0) -> Inspection:
    action = "rectify" if result == InspectionResult.RECTIFY else "record"
    return engine.transition(INSPECTION_PROCESS, pk, user, InspectionMoveIn(
        action=action, result=result, findings=findings, result_on=result_on,
        rectify_workdays=rectify_workdays))


def recheck_record(*, user: User, pk: int, findings: str,
                   remedied: bool | None) -> Inspection:
    """复查 of a 责令整改: what the inspector found on returning, and whether it was remedied
    (not remedied: a 失信记录, process._dishonest)."""
    return engine.transition(INSPECTION_PROCESS, pk, user, InspectionMoveIn(
        action="recheck", findings=findings, remedied=remedied))


def result_publish(*, user: User, pk: int) -> Inspection:
    """An officer of the plan's department publishes the result: public page and the log."""
    return engine.transition(INSPECTION_PROCESS, pk, user, InspectionMoveIn(action="publish"))


def disclosure_sweep(now: dt.datetime) -> str:
    """Warn once of each result still unpublished after its disclosure due day."""
    today = now.astimezone(SHANGHAI).date()
    late = Inspection.objects.filter(status__in=PUBLISHABLE, published_at=None,
                                     overdue_warned_at=None, disclosure_due__lt=today)
    warned = 0
    for pk in late.values_list("pk", flat=True):
        engine.transition(INSPECTION_PROCESS, pk, None, InspectionMoveIn(action="warn"),
                          now=now)
        warned += 1
    return f"检查结果逾期未公示预警 {warned} 项"


def overdue(row: Inspection, today: dt.date) -> bool:
    """Shown on the pages: unpublished and past its disclosure due day."""
    return bool(row.published_at is None and row.disclosure_due
                and rules.disclosure_overdue(calendar_get(), row.result_on or today, today))

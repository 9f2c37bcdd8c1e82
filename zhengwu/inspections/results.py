"""Inspection results and their public disclosure (一公开, issue 15 §3).

- One of the two drawn inspectors records the result (合格 / 未发现问题 / 责令整改 / 立案查处 /
  无法联系) with the findings, on or after the assignment; 责令整改 sets a rectification due
  (working days) and waits for the 复查, recorded by one of the inspectors.
- The result is due for public disclosure rules.DISCLOSURE_WORKDAYS working days after it was
  made (rules.py gives the source and says what is not confirmed). An officer of the plan's
  department publishes it: it then shows on /inspections/results/ (enterprise, USCC, item,
  result, date — never the inspectors) and is appended to the transparency log as
  `inspection.result` (no personal data: the enterprise by its USCC, no names at all).
- The sweep `inspections.disclosure` marks each result not published by its due day (a
  warning on the department's and 电子监察's pages, and an audit row), once.

Each change is one transaction with its audit row.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, audit_record
from zhengwu.core.errors import Conflict, FieldsInvalid, NotAllowed
from zhengwu.inspections import rules
from zhengwu.inspections.models import Inspection, InspectionResult
from zhengwu.inspections.models import InspectionStatus as S
from zhengwu.inspections.services import officer_actor, officer_department_ids
from zhengwu.ledger.services import ledger_append
from zhengwu.workdays.selectors import calendar_get


def _locked(pk: int) -> Inspection:
    return Inspection.objects.select_for_update().select_related(
        "plan__item", "plan__department").get(pk=pk)


def _require_inspector(row: Inspection, user: User) -> None:
    if not row.inspectors.filter(user=user).exists():
        raise NotAllowed("只有抽中的检查人员可以记录检查结果。", code="inspections.forbidden")


@transaction.atomic
def result_record(*, user: User, pk: int, result: str, findings: str,
                  result_on: dt.date | None = None, rectify_workdays: int = 0) -> Inspection:
    row = _locked(pk)
    _require_inspector(row, user)
    if row.status != S.ASSIGNED:
        raise Conflict("该检查已记录结果或尚未选派检查人员。", code="inspections.state")
    today = clock.today()
    day = result_on or today
    problems: dict[str, str] = {}
    if result not in InspectionResult.values:
        problems["result"] = "请选择检查结果。"
    if not findings.strip():
        problems["findings"] = "请填写检查情况。"
    if row.assigned_on and not row.assigned_on <= day <= today:
        problems["result_on"] = "结果日期应在选派之后、不晚于今天。"
    if result == InspectionResult.RECTIFY and not 1 <= rectify_workdays <= 60:
        problems["rectify_workdays"] = "责令整改应给出1至60个工作日的整改期限。"
    if problems:
        raise FieldsInvalid(problems, code="inspections.result_invalid")
    calendar = calendar_get()
    row.result, row.findings, row.result_on = result, findings.strip(), day
    row.disclosure_due = rules.disclosure_due(calendar, day)
    if result == InspectionResult.RECTIFY:
        row.status, row.rectify_due = S.RECTIFYING, rules.due_after(calendar, day,
                                                                   rectify_workdays)
    else:
        row.status = S.INSPECTED
    row.save(update_fields=["result", "findings", "result_on", "disclosure_due", "status",
                            "rectify_due"])
    audit_record(actor=actor_for(user, department=row.plan.department),
                 action="inspections.result_record", obj=row,
                 before={"status": S.ASSIGNED},
                 after={"status": row.status, "result": result, "result_on": str(day),
                        "disclosure_due": str(row.disclosure_due),
                        "rectify_due": str(row.rectify_due or "")})
    return row


@transaction.atomic
def recheck_record(*, user: User, pk: int, findings: str) -> Inspection:
    """复查 of a 责令整改: what the inspector found on returning."""
    row = _locked(pk)
    _require_inspector(row, user)
    if row.status != S.RECTIFYING:
        raise Conflict("只有责令整改的检查需要复查。", code="inspections.state")
    if not findings.strip():
        raise FieldsInvalid({"findings": "请填写复查情况。"}, code="inspections.recheck_invalid")
    row.status, row.recheck_findings, row.rechecked_on = (S.RECHECKED, findings.strip(),
                                                          clock.today())
    row.save(update_fields=["status", "recheck_findings", "rechecked_on"])
    audit_record(actor=actor_for(user, department=row.plan.department),
                 action="inspections.recheck_record", obj=row,
                 before={"status": S.RECTIFYING}, after={"status": row.status})
    return row


PUBLISHABLE = (S.INSPECTED, S.RECTIFYING, S.RECHECKED)


@transaction.atomic
def result_publish(*, user: User, pk: int) -> Inspection:
    """An officer of the plan's department publishes the result: public page and the log."""
    row = _locked(pk)
    if row.plan.department_id not in officer_department_ids(user):
        raise NotAllowed("只有抽查部门的工作人员可以公示检查结果。", code="inspections.forbidden")
    if row.status not in PUBLISHABLE or row.published_at is not None:
        raise Conflict("该检查尚无结果或已公示。", code="inspections.state")
    now = clock.now()
    row.published_at = now
    row.ledger_index = ledger_append(kind="inspection.result", data={
        "plan": row.plan.number, "uscc": row.uscc, "item": row.plan.item.code,
        "result": row.result, "result_on": str(row.result_on),
        "department": row.plan.department.name}, ref=f"inspections.Inspection:{row.pk}",
        at=now).index
    row.save(update_fields=["published_at", "ledger_index"])
    audit_record(actor=officer_actor(user, row.plan.department),
                 action="inspections.result_publish", obj=row,
                 after={"published_at": now.isoformat(), "ledger_index": row.ledger_index,
                        "late": clock.today() > (row.disclosure_due or clock.today())})
    return row


def disclosure_sweep(now: dt.datetime) -> str:
    """Warn once of each result still unpublished after its disclosure due day."""
    today = now.astimezone(clock.SHANGHAI).date()
    late = Inspection.objects.filter(status__in=PUBLISHABLE, published_at=None,
                                     overdue_warned_at=None, disclosure_due__lt=today)
    warned = 0
    for pk in late.values_list("pk", flat=True):
        with transaction.atomic():
            row = Inspection.objects.select_for_update().get(pk=pk)
            if row.published_at is not None or row.overdue_warned_at is not None:
                continue
            row.overdue_warned_at = now
            row.save(update_fields=["overdue_warned_at"])
            audit_record(actor=SYSTEM, action="inspections.disclosure_overdue", obj=row,
                         after={"disclosure_due": str(row.disclosure_due)})
            warned += 1
    return f"检查结果逾期未公示预警 {warned} 项"


def overdue(row: Inspection, today: dt.date) -> bool:
    """Shown on the pages: unpublished and past its disclosure due day."""
    return bool(row.published_at is None and row.disclosure_due
                and rules.disclosure_overdue(calendar_get(), row.result_on or today, today))

"""Writes of the plan: a department's monthly progress report on a task and a supervisor's
comment, each in one transaction with its audit row. Who may write: a report, staff of one
of the task's lead or co-departments (for that department); a comment, 电子监察."""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.base import ContentFile
from django.db import transaction

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import audit_record
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.upload_check import check_upload
from zhengwu.departments.models import Department
from zhengwu.plan.models import Comment, ProgressReport, Task
from zhengwu.plan.selectors import reporting_departments

MAX_TEXT = 5000
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)


def month_parse(text: str, *, today: dt.date) -> dt.date:
    """The first day of month "YYYY-MM": not after this month, not before 2000."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise InvalidInput(f"月份格式应为 YYYY-MM（例如 2026-11），收到“{text[:20]}”。",
                           code="plan.bad_month")
    month = dt.date(int(match.group(1)), int(match.group(2)), 1)
    if month > today.replace(day=1):
        raise InvalidInput("不能报送未来月份的进展。", code="plan.bad_month")
    return month


def _text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(f"请填写{what}。", code="plan.text_required")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{what}最多 {MAX_TEXT} 字，当前 {len(text)} 字。",
                           code="plan.text_too_long")
    return text


def report_submit(*, task: Task, user: User, month: str, text: str, completed: bool = False,
                  department_id: int | None = None, evidence_name: str = "",
                  evidence: bytes | None = None) -> ProgressReport:
    """Record a department's progress report on `task` for `month` ("YYYY-MM")."""
    allowed = reporting_departments(user, task)
    if not allowed:
        raise NotAllowed("只有该任务牵头或配合部门的工作人员可以报送进展。",
                         code="plan.not_reporter")
    if department_id is not None and department_id not in allowed:
        raise NotAllowed("您不能代该部门报送进展。", code="plan.not_reporter")
    department = Department.objects.get(pk=department_id or allowed[0])
    day = month_parse(month, today=clock.today())
    body = _text(text, "进展情况")
    checked = check_upload(evidence_name, evidence, what="佐证材料") if evidence else None
    with transaction.atomic():
        report = ProgressReport(task=task, month=day, department=department, text=body,
                                completed=completed, author=user, created_at=clock.now(),
                                evidence_name=evidence_name[:200] if checked else "")
        if checked is not None:
            report.evidence.save(f"evidence.{checked.extension}", ContentFile(checked.content),
                                 save=False)
        report.save()
        audit_record(actor=actor_for(user, department=department), action="plan.report",
                     obj=report, after={"task": str(task), "month": f"{day:%Y-%m}",
                                        "completed": completed,
                                        "evidence": checked.sha256 if checked else ""})
    return report


def is_supervisor(user: User) -> bool:
    return bool(user.is_authenticated and user.is_staff and RoleAssignment.objects.filter(
        user=user, role=Role.SUPERVISOR).exists())


def comment_add(*, task: Task, user: User, text: str) -> Comment:
    """Record a supervisor's comment (督办意见) on `task`."""
    if not is_supervisor(user):
        raise NotAllowed("只有电子监察（督查督办）人员可以填写督办意见。",
                         code="plan.not_supervisor")
    body = _text(text, "督办意见")
    with transaction.atomic():
        comment = Comment.objects.create(task=task, text=body, author=user,
                                         created_at=clock.now())
        audit_record(actor=actor_for(user, role=Role.SUPERVISOR), action="plan.comment",
                     obj=comment, after={"task": str(task), "text": body[:200]})
    return comment

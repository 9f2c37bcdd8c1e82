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
from zhengwu.accounts.selectors import is_supervisor
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, audit_record
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.upload_check import check_upload
from zhengwu.departments.models import Department
from zhengwu.notifications.services import notify
from zhengwu.plan.models import Comment, ProgressReport, Task
from zhengwu.plan.selectors import overview, reporting_departments
from zhengwu.plan.status import Status

# Taken by the app's other modules from here; defined once in accounts.selectors.
__all__ = ["is_supervisor"]

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


# --- warnings and escalation (督办) ------------------------------------------------------------


def _lead_staff(task: Task) -> list[User]:
    """Whom a task's warnings go to: the 首席代表 of its lead departments, or, in a lead
    department without one, every staff member holding a role there."""
    found: dict[int, User] = {}
    for department in task.lead_departments.all():
        rows = RoleAssignment.objects.filter(department=department, user__is_active=True,
                                             user__is_staff=True).select_related("user")
        chiefs = [r.user for r in rows if r.role == Role.CHIEF_REPRESENTATIVE]
        for user in chiefs or [r.user for r in rows]:
            found[user.pk] = user
    return list(found.values())


def _supervisors() -> list[User]:
    return list(User.objects.filter(
        is_active=True, is_staff=True,
        role_assignments__role=Role.SUPERVISOR).distinct().order_by("pk"))


def plan_warn(now: dt.datetime) -> tuple[int, int]:
    """Once a month per task (idempotent: the notifications' dedupe keys name the month):
    a task whose last month's report is missing — its lead departments are asked for it;
    a late task — its lead departments and 电子监察 are told (督办). Each notice sent has its
    audit row in the same transaction. Returns (asked for reports, escalated)."""
    today = now.astimezone(clock.SHANGHAI).date()
    month = f"{today:%Y-%m}"
    asked = escalated = 0
    supervisors = _supervisors()
    for measure in overview(today=today).measures:
        for view in measure.tasks:
            task = view.task
            link = f"/plan/tasks/{task.pk}/"
            title = f"举措{measure.measure.number}：{measure.measure.title[:40]}"
            with transaction.atomic():
                if view.verdict.status == Status.LATE:
                    sent = notify(recipients=_lead_staff(task) + supervisors,
                                  title=f"行动方案任务已逾期：{title}",
                                  body=f"该任务完成时限为{task.deadline_text}，尚未报告完成，"
                                       "已列入督办。请报送进展和佐证材料。",
                                  link=link, category="plan",
                                  dedupe_key=f"plan:task:{task.pk}:late:{month}")
                    if sent:
                        escalated += 1
                        audit_record(actor=SYSTEM, action="plan.escalate", obj=task,
                                     after={"month": month, "notices": len(sent)})
                elif "上月进展未报送" in view.verdict.reasons:
                    sent = notify(recipients=_lead_staff(task), title=f"请报送进展：{title}",
                                  body="该任务上月进展尚未报送，请在任务页面报送月度进展。",
                                  link=link, category="plan",
                                  dedupe_key=f"plan:task:{task.pk}:report:{month}")
                    if sent:
                        asked += 1
                        audit_record(actor=SYSTEM, action="plan.ask_report", obj=task,
                                     after={"month": month, "notices": len(sent)})
    return asked, escalated

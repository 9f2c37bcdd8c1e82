"""投诉 (issue 15 §1 "disputes") on the process engine (ADR 0013).

Any signed-in account files a complaint about an agency, a project, or an agency on a
project: the project's owner, an agency (about a project it registered for, or about another
agency), or any member of the public (社会公众) — the 审改办 decides, so a complaint by itself
changes nothing. Filed (待处理), it is due for a decision within COMPLAINT_WORKDAYS working
days on the official calendar. The 审改办 (catalog.edit_catalog) decides:

| state | moves |
|---|---|
| 待处理 (`filed`) | `uphold` with a reason → 成立; `dismiss` with a reason → 不成立 (审改办) |

An upheld complaint against an agency counts in its credit (credit.py: −10 each) and is a
transparency-log entry `market.complaint` {complaint, agency (USCC), agency_name, project,
reason} — the reason is written by the 审改办 knowing it is public; the complaint's text and
the complainant are never logged nor shown publicly (they may name people).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.accounts.selectors import is_supervisor
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import FieldsInvalid, InvalidInput, NotAllowed
from zhengwu.core.numbering import next_value
from zhengwu.core.text import TextError, check_text
from zhengwu.ledger.services import ledger_append
from zhengwu.market.agencies import is_admin
from zhengwu.market.models import (
    Agency,
    AgencyStatus,
    ComplainantRole,
    Complaint,
    ComplaintEvent,
    Project,
)
from zhengwu.market.models import ComplaintStatus as S
from zhengwu.market.selectors import agency_of
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Move, Process, Step, Table
from zhengwu.workdays.selectors import calendar_get

COMPLAINT_WORKDAYS = 10  # the 审改办 decides within ten working days of the filing
COMPLAINANT = "complainant"
ADMIN = "admin"
SYSTEM_ROLE = "system"


def roles_on(user: User | None, row: Complaint) -> frozenset[str]:
    if user is None:
        return frozenset({SYSTEM_ROLE})
    roles = set()
    if row.complainant_id == user.pk:
        roles.add(COMPLAINANT)
    if is_admin(user):
        roles.add(ADMIN)
    return frozenset(roles)


COMPLAINT_TABLE: Table[Complaint] = Table(
    name="complaint", noun="投诉", status_field="status",
    status_label=lambda status: str(S(status).label), roles_on=roles_on, moves={
        "uphold": Move(frozenset({S.FILED}), S.UPHELD, frozenset({ADMIN}), "投诉成立"),
        "dismiss": Move(frozenset({S.FILED}), S.DISMISSED, frozenset({ADMIN}), "投诉不成立"),
    })


@dataclass
class ComplaintIn:
    text: str
    project: str = ""   # the project's number
    agency: str = ""    # the agency's USCC


@dataclass
class ComplaintMoveIn:
    action: str
    reason: str = ""


def may_read(user: User | None, row: Complaint) -> bool:
    """The complainant, the 审改办 and 电子监察 read a complaint; nobody else."""
    return user is not None and user.is_authenticated and (
        row.complainant_id == user.pk or is_admin(user) or is_supervisor(user))


@transaction.atomic
def complaint_file(*, user: User, data: ComplaintIn) -> Complaint:
    if user is None or not user.is_authenticated:
        raise NotAllowed("请先登录再投诉。", code="complaint.anonymous")
    problems: dict[str, str] = {}
    number, uscc = data.project.strip().upper(), data.agency.strip().upper()
    project = Project.objects.filter(number=number.replace("\x00", "?")).first() \
        if number else None
    if number and project is None:
        problems["project"] = "没有这个项目编号。"
    agency = Agency.objects.filter(uscc=uscc.replace("\x00", "?"),
                                   status=AgencyStatus.LISTED).first() if uscc else None
    if uscc and agency is None:
        problems["agency"] = "没有这家已入驻的中介机构（请核对统一社会信用代码）。"
    if not number and not uscc:
        problems["project"] = "请填写所涉项目编号或被投诉机构的统一社会信用代码（至少一项）。"
    own = agency_of(user)
    if agency is not None and own is not None and own.pk == agency.pk:
        problems["agency"] = "不能投诉本机构。"
    if agency is not None and project is not None and not (
            project.registrations.filter(agency=agency).exists()
            or project.winner_id == agency.pk):
        problems["agency"] = "该机构未参与这个项目：请核对，或只填写其中一项。"
    text = data.text.strip()
    if not text:
        problems["text"] = "请写明投诉事项与理由。"
    elif len(text) > 2000:
        problems["text"] = "投诉事项与理由至多2000个字符。"
    else:
        try:
            check_text(text, label="投诉事项与理由", multiline=True)
        except TextError as error:
            problems["text"] = error.message + "。"
    if problems:
        raise FieldsInvalid(problems, code="complaint.invalid")
    role = (ComplainantRole.OWNER if project is not None and project.owner_id == user.pk
            else ComplainantRole.AGENCY if own is not None else ComplainantRole.PUBLIC)
    now, today = clock.now(), clock.today()
    due_on, provisional = calendar_get().add_workdays(today, COMPLAINT_WORKDAYS)
    row = Complaint.objects.create(
        number=f"TS{today.year}{next_value(f'market.complaint.{today.year}'):05d}",
        complainant=user, complainant_role=role, project=project, agency=agency, text=text,
        filed_at=now, due_on=due_on, due_provisional=provisional)
    base = actor_for(user)
    _record(row, Step(action="file", before="", actor=Actor(
        user=user, label=base.label, role=COMPLAINANT, department_id=None,
        department_label=""), reason="", data={
        "project": project.number if project else "", "agency": agency.uscc if agency else "",
        "complainant_role": role, "due_on": due_on.isoformat()}, at=now))
    return row


def _reason(move: ComplaintMoveIn) -> str:
    reason = move.reason.strip()
    if not reason:
        raise FieldsInvalid({"reason": "请填写处理理由（将公开）。"}, code="complaint.reason_required")
    if len(reason) > 1000:
        raise FieldsInvalid({"reason": "处理理由至多1000个字符。"}, code="complaint.reason_long")
    return reason


def _decide(row: Complaint, move: ComplaintMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    row.decision_reason, row.decided_at = _reason(move), attempt.now
    late = attempt.now.astimezone(clock.SHANGHAI).date() > row.due_on
    data: dict[str, Any] = {"late": late}
    if move.action == "uphold" and row.agency is not None:
        # Public forever: the agency (an enterprise), the project, the 审改办's reason.
        entry = ledger_append(kind="market.complaint", data={
            "complaint": row.number, "agency": row.agency.uscc, "agency_name": row.agency.name,
            "project": row.project.number if row.project else "",
            "reason": row.decision_reason}, ref=f"market.Complaint:{row.pk}", at=attempt.now)
        row.ledger_index = entry.index
        data["ledger_index"] = entry.index
    return data


def _lock(number: str, user: User | None) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related(
        "agency", "project").get(number=number.replace("\x00", "?"))


def _actor(user: User | None, row: Complaint, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    base = actor_for(user)
    return Actor(user=user, label=base.label, role=role, department_id=base.department_id,
                 department_label=base.department_label)


def _record(row: Complaint, step: Step) -> None:
    ComplaintEvent.of_move(complaint=row, action=step.action, before=step.before,
                           after=row.status, actor=step.actor, reason=step.reason,
                           data=step.data, at=step.at).save()
    audit_record(actor=step.actor, action=f"market.complaint.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


def _text_check(move: ComplaintMoveIn) -> None:
    try:
        check_text(move.reason, label="处理理由", multiline=True)
    except TextError as error:
        raise InvalidInput(error.message + "。", code="complaint.text") from error


COMPLAINT_PROCESS: Process[Complaint, ComplaintMoveIn] = Process(
    table=COMPLAINT_TABLE, lock=_lock, actor=_actor, record=_record, text_check=_text_check,
    handlers={"uphold": _decide, "dismiss": _decide},
    reason_of=lambda move: move.reason.strip(), action_of=lambda move: move.action)


@transaction.atomic
def complaint_move(*, number: str, user: User, move: ComplaintMoveIn) -> Complaint:
    if move.action not in COMPLAINT_TABLE.moves:
        raise InvalidInput("未知的操作。", code="complaint.action_invalid")
    return engine.transition(COMPLAINT_PROCESS, number, user, move)

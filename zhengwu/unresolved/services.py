"""Writes of 办不成事反映: opening a ticket (online, at the window, by phone), the moves of the
process (engine.transition), the logged staff read, and the overdue sweep.

Rules held here, once:
- a ticket says what was asked, what the person was told and where, and how to reach them;
  the responsible department is the item's, or the one named;
- contact is due in rules.contact_workdays() and the outcome in rules.resolve_workdays()
  working days on the official calendar;
- an outcome is one of: 已办成 (with the case number when a case was filed), 依法不能办理 (its
  legal basis required), 推动制度完善 (the proposal required; the catalogue has no change
  request object, so the proposal is recorded and sent to the 审改办's catalogue admins);
- overdue is computed by the sweep on the server: the officer is warned once as the limit
  nears; past a limit the ticket is escalated once to the centre's director.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.phone_codes import contact_phone_field
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.accounts.services import actor_for
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock, numbering
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import FieldsInvalid, InvalidInput
from zhengwu.core.text import TextError, check_text, field_text
from zhengwu.departments.models import Department
from zhengwu.notifications.services import notify
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Process, Step
from zhengwu.unresolved import rules
from zhengwu.unresolved.models import (
    ContactHow,
    Outcome,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketRead,
    WhereTold,
)
from zhengwu.unresolved.models import TicketStatus as S
from zhengwu.unresolved.selectors import visible_q
from zhengwu.unresolved.workflow import (
    DIRECTOR_ROLES,
    TICKET_TABLE,
    Role,
    department_has_chief,
)
from zhengwu.workdays.calendar import SHANGHAI
from zhengwu.workdays.selectors import calendar_get

TEXT_MAX = 1000
CASE_NUMBER = re.compile(r"^[0-9A-Za-z-]{6,40}$")


class TicketInvalid(FieldsInvalid):
    """What the person typed breaks a rule: one message per field (`fields`), the first as
    the error's message (422 with {"code","detail"} to the API)."""

    code = "ticket.invalid"


@dataclass
class OpenIn:
    asked: str
    told: str
    where: str
    name: str = ""
    phone: str = ""
    implementation: str = ""  # 实施编码, optional
    department_id: int | None = None  # when no item is named
    told_by: str = ""
    case_number: str = ""


@dataclass(frozen=True)
class Cleaned:
    asked: str
    told: str
    told_by: str
    where: str
    name: str
    phone: str
    case_number: str
    implementation: ItemImplementation | None
    department: Department


def clean(data: OpenIn, *, person: User | None) -> Cleaned:
    """`data` checked, each problem next to its field (TicketInvalid)."""
    problems: dict[str, str] = {}
    asked = field_text(data.asked, label="想办的事", key="asked", problems=problems,
                       required=True, most=TEXT_MAX)
    told = field_text(data.told, label="被告知的情况", key="told", problems=problems,
                      required=True, most=TEXT_MAX)
    told_by = field_text(data.told_by, label="告知人", key="told_by", problems=problems,
                         required=False, most=100)
    if data.where not in WhereTold.values:
        problems["where"] = "请选择在哪里被告知办不成。"
    name = (data.name.strip() or (person.display_name if person is not None else "")).strip()
    field_text(name, label="姓名", key="name", problems=problems,
               required=True, most=50)
    given = data.phone or (person.phone or "" if person is not None else "")
    phone = contact_phone_field(given, key="phone", problems=problems,
                                missing="请填写联系电话，以便首席代表联系您。")
    case_number = data.case_number.strip()
    if case_number and not CASE_NUMBER.match(case_number):
        problems["case_number"] = "办件编号只能包含数字、字母和短横线。"
    implementation = None
    department = None
    code = data.implementation.strip()
    if code:
        implementation = ItemImplementation.objects.select_related("department", "item").filter(
            code=code).first()
        if implementation is None:
            problems["implementation"] = f"没有实施编码为“{code[:40]}”的事项，可留空，在上面写明想办的事。"
        else:
            department = implementation.department
    if department is None and "implementation" not in problems:
        department = Department.objects.filter(pk=data.department_id).first() if (
            data.department_id) else None
        if department is None:
            problems["department"] = "请选择办理该事项的部门（或填写事项的实施编码）。"
    if problems:
        raise TicketInvalid(problems)
    assert department is not None
    return Cleaned(asked=asked, told=told, told_by=told_by, where=data.where, name=name,
                   phone=phone, case_number=case_number, implementation=implementation,
                   department=department)


def _number(now: dt.datetime) -> str:
    day = now.astimezone(SHANGHAI).date()
    return f"BC{day:%Y%m%d}{numbering.next_value(f'unresolved:{day:%Y%m%d}'):04d}"


def officers(department_id: int) -> list[User]:
    """Who answers a department's tickets: its 首席代表; the hall managers when it has none."""
    if department_has_chief(department_id):
        rows = RoleAssignment.objects.filter(role=AccountRole.CHIEF_REPRESENTATIVE,
                                             department_id=department_id)
    else:
        rows = RoleAssignment.objects.filter(role=AccountRole.HALL_MANAGER)
    return list({a.user_id: a.user for a in rows.select_related("user")}.values())


def directors() -> list[User]:
    return list({a.user_id: a.user for a in RoleAssignment.objects.filter(
        role__in=DIRECTOR_ROLES).select_related("user")}.values())


def _staff_link(row: Ticket) -> str:
    return reverse("unresolved:staff_detail", args=[row.number])


@transaction.atomic
def ticket_open(*, data: OpenIn, user: User | None, channel: str,
                now: dt.datetime | None = None) -> Ticket:
    """Open a ticket. Online (`channel` web) `user` is the person (None: anonymous, with name
    and phone); at the window or by phone `user` is the member of staff recording it."""
    now = now or clock.now()
    if channel not in TicketChannel.values:
        raise InvalidInput("未知的反映渠道。", code="ticket.channel")
    staff = user if user is not None and user.is_staff else None
    if channel == TicketChannel.WEB and staff is not None:
        raise InvalidInput("工作人员请通过“窗口登记”或“电话反映”代为登记。",
                           code="ticket.channel")
    if channel != TicketChannel.WEB and staff is None:
        raise InvalidInput("窗口登记和电话反映由工作人员代为登记。", code="ticket.channel")
    person = user if staff is None else None
    cleaned = clean(data, person=person)
    contact_due, resolve_due = rules.deadlines(calendar_get(), now)
    row = Ticket.objects.create(
        number=_number(now), channel=channel, opened_at=now, person=person,
        name=cleaned.name, phone=cleaned.phone, recorded_by=staff,
        implementation=cleaned.implementation, asked=cleaned.asked,
        case_number=cleaned.case_number, told=cleaned.told, told_by=cleaned.told_by,
        where=cleaned.where, department=cleaned.department, contact_due_at=contact_due,
        resolve_due_at=resolve_due)
    actor = actor_for(staff) if staff is not None else Actor(
        user=person, label="反映人", role=Role.PERSON)
    data_out = {"channel": channel, "department": cleaned.department.short_name,
                "contact_due_at": contact_due.isoformat(),
                "resolve_due_at": resolve_due.isoformat()}
    TicketEvent.of_move(ticket=row, action="open", before="", after=row.status, actor=actor,
                        data=data_out, at=now).save()
    audit_record(actor=actor, action="unresolved.ticket.open", obj=row,
                 after={"status": row.status, **data_out})
    item = cleaned.implementation.item.name if cleaned.implementation else cleaned.asked[:30]
    notify(recipients=officers(cleaned.department.pk), title=f"办不成事反映：{item}",
           body=f"收到一件“办不成事”反映（{row.number}），请于"
                f"{contact_due.astimezone(SHANGHAI):%m月%d日}前联系反映人，"
                f"{resolve_due.astimezone(SHANGHAI):%m月%d日}前办结。",
           link=_staff_link(row), category="unresolved", dedupe_key=f"ticket:{row.pk}:open")
    return row


# --- the process ---------------------------------------------------------------------------


@dataclass
class MoveIn:
    action: str
    note: str = ""
    how: str = ""  # contact: ContactHow
    outcome: str = ""  # resolve: Outcome
    legal_basis: str = ""
    case_number: str = ""
    proposal: str = ""
    summary: str = ""
    department_id: int | None = None  # reassign


def _required(value: str, message: str, code: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(message, code=code)
    return value


def _contact(row: Ticket, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    if move.how not in ContactHow.values:
        raise InvalidInput("请选择联系方式（电话、当面、短信或其他）。", code="ticket.how")
    row.contact_how = move.how
    row.contact_note = _required(move.note, "请填写联系情况。", "ticket.note_required")
    row.contacted_at = attempt.now
    return {"how": move.how, "on_time": attempt.now <= row.contact_due_at}


def _reassign(row: Ticket, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    department = Department.objects.filter(pk=move.department_id).first() if (
        move.department_id) else None
    if department is None:
        raise InvalidInput("请选择改派的部门。", code="ticket.department")
    if department.pk == row.department_id:
        raise InvalidInput("该反映单已由这个部门办理，请选择其他部门。", code="ticket.department")
    note = _required(move.note, "请填写改派理由。", "ticket.note_required")
    before = row.department.short_name
    row.department = department
    row.contacted_at, row.contact_how, row.contact_note = None, "", ""
    notify(recipients=officers(department.pk), title=f"办不成事反映改派：{row.number}",
           body=f"中心将反映单 {row.number} 改派贵部门办理（{note}），请于"
                f"{row.contact_due_at.astimezone(SHANGHAI):%m月%d日}前联系反映人，"
                f"{row.resolve_due_at.astimezone(SHANGHAI):%m月%d日}前办结。",
           link=_staff_link(row), category="unresolved",
           dedupe_key=f"ticket:{row.pk}:reassign:{department.pk}")
    return {"from": before, "to": department.short_name}


def outcome_check(move: MoveIn) -> None:
    """The outcome's rule: 依法不能办理 names its legal basis; 推动制度完善 states the
    proposal; 已办成 names the case number when one was filed (optional, but well-formed)."""
    if move.outcome not in Outcome.values:
        raise InvalidInput("请选择处理结果（已办成、依法不能办理、推动制度完善）。",
                           code="ticket.outcome")
    if move.outcome == Outcome.EXPLAINED and not move.legal_basis.strip():
        raise InvalidInput("依法不能办理的，须写明法律、法规或政策依据（名称及条款）。",
                           code="ticket.legal_basis_required")
    if move.outcome == Outcome.RULE_CHANGE and not move.proposal.strip():
        raise InvalidInput("请填写制度完善建议（需要修改的规定或事项要素）。",
                           code="ticket.proposal_required")
    number = move.case_number.strip()
    if number and not CASE_NUMBER.match(number):
        raise InvalidInput("办件编号只能包含数字、字母和短横线。", code="ticket.case_number")
    if not move.summary.strip():
        raise InvalidInput("请填写公开摘要（不含姓名、电话等个人信息），将在月度公示中显示。",
                           code="ticket.summary_required")
    if len(move.summary.strip()) > rules.SUMMARY_MAX:
        raise InvalidInput(f"公开摘要最多{rules.SUMMARY_MAX}字。", code="ticket.summary")


def _resolve(row: Ticket, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    outcome_check(move)
    row.outcome = move.outcome
    row.outcome_note = _required(move.note, "请填写处理情况。", "ticket.note_required")
    row.legal_basis = move.legal_basis.strip() if move.outcome == Outcome.EXPLAINED else ""
    row.proposal = move.proposal.strip() if move.outcome == Outcome.RULE_CHANGE else ""
    row.result_case_number = (move.case_number.strip() if move.outcome == Outcome.SOLVED
                              else "")
    row.summary = rules.anonymised(move.summary, names=(row.name,))
    row.resolved_at = attempt.now
    if row.outcome == Outcome.RULE_CHANGE:
        # The catalogue has no change-request object (its drafts are the 审改办's own
        # edits): the proposal is this event, its audit row and a message to the 审改办.
        admins = [a.user for a in RoleAssignment.objects.filter(
            role=AccountRole.CATALOG_ADMIN).select_related("user")]
        item = row.implementation.item.name if row.implementation else "（未关联事项）"
        notify(recipients=admins, title=f"制度完善建议：{item}",
               body=f"办不成事反映 {row.number} 建议：{row.proposal}",
               category="unresolved", dedupe_key=f"ticket:{row.pk}:proposal")
    if row.person is not None:
        notify(recipients=[row.person], title="您反映的“办不成事”已办结",
               body=f"反映单 {row.number}：{Outcome(row.outcome).label}。{row.outcome_note}",
               link=reverse("unresolved:mine"), category="unresolved",
               dedupe_key=f"ticket:{row.pk}:resolved")
    return {"outcome": row.outcome, "legal_basis": row.legal_basis,
            "case_number": row.result_case_number, "proposal": row.proposal,
            "on_time": attempt.now <= row.resolve_due_at}


def _lock(number: str, user: User | None) -> Ticket:
    rows = Ticket.objects.all()
    if user is not None:
        rows = rows.filter(visible_q(user))
    return rows.select_for_update(of=("self",)).select_related(
        "implementation__item", "person", "department").get(number=number)


def _actor(user: User | None, row: Ticket, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    base = actor_for(user)
    return Actor(user=user, label=base.label, role=role, department_id=base.department_id,
                 department_label=base.department_label)


def _record(row: Ticket, step: Step) -> None:
    TicketEvent.of_move(ticket=row, action=step.action, before=step.before, after=row.status,
                        actor=step.actor, reason=step.reason, data=step.data,
                        at=step.at).save()
    audit_record(actor=step.actor, action=f"unresolved.ticket.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


def _text_check(move: MoveIn) -> None:
    for label, value in (("说明", move.note), ("法律依据", move.legal_basis),
                         ("制度完善建议", move.proposal), ("公开摘要", move.summary)):
        try:
            check_text(value, label=label, multiline=True)
        except TextError as error:
            raise InvalidInput(error.message + "。", code="ticket.text") from error


TICKET_PROCESS: Process[Ticket, MoveIn] = Process(
    table=TICKET_TABLE, handlers={"reassign": _reassign, "contact": _contact,
                                  "resolve": _resolve},
    lock=_lock, actor=_actor, record=_record, reason_of=lambda move: move.note.strip(),
    action_of=lambda move: move.action, text_check=_text_check,
    role_order=(Role.OFFICER, Role.DIRECTOR))


@transaction.atomic
def ticket_move(*, number: str, user: User | None, move: MoveIn,
                now: dt.datetime | None = None) -> Ticket:
    return engine.transition(TICKET_PROCESS, number, user, move, now=now)


@transaction.atomic
def ticket_read(*, row: Ticket, user: User, purpose: str = "处理办不成事反映") -> None:
    """A member of staff opened the ticket with the person's name and phone: logged
    (TicketRead, quality.md #8) and audited."""
    actor = actor_for(user)
    TicketRead.objects.create(ticket=row, user=user, department_label=actor.department_label,
                              purpose=purpose[:40], at=clock.now())
    audit_record(actor=actor, action="unresolved.ticket_read", obj=row, reason=purpose)


# --- the sweep -----------------------------------------------------------------------------


def _flag(row: Ticket, field_name: str, action: str, reason: str, now: dt.datetime) -> None:
    setattr(row, field_name, now)
    row.save(update_fields=[field_name])
    TicketEvent.of_move(ticket=row, action=action, before=row.status, after=row.status,
                        actor=SYSTEM, reason=reason, at=now).save()
    audit_record(actor=SYSTEM, action=f"unresolved.ticket.{action}", obj=row, reason=reason)


def _remaining(now: dt.datetime, due: dt.datetime) -> int:
    calendar = calendar_get()
    return calendar.workdays_between(now.astimezone(SHANGHAI).date(),
                                     due.astimezone(SHANGHAI).date())


def tickets_sweep(now: dt.datetime) -> tuple[int, int]:
    """Overdue is computed here, on the server, once per ticket and limit (idempotent):
    - not contacted by the contact limit: escalated to the director, the officer told;
    - the outcome limit near (rules.warn_workdays() working days left or fewer): the officer
      warned; past it: escalated to the director, the officer told."""
    warned = escalated = 0
    open_rows = Ticket.objects.filter(status__in=[S.OPEN, S.CONTACTED])
    for pk in open_rows.values_list("pk", flat=True):
        with transaction.atomic():
            row = Ticket.objects.select_for_update().select_related(
                "department").get(pk=pk)
            if row.status == S.CLOSED:
                continue
            link = _staff_link(row)
            who = officers(row.department_id)
            if (row.status == S.OPEN and now > row.contact_due_at
                    and row.contact_escalated_at is None):
                _flag(row, "contact_escalated_at", "escalate_contact", "超过联系反映人期限", now)
                notify(recipients=who + directors(),
                       title=f"办不成事反映未按期联系：{row.number}",
                       body=f"{row.department.short_name}未在{rules.contact_workdays()}个工作日内"
                            f"联系反映人（{row.number}），已报中心督办。",
                       link=link, category="unresolved",
                       dedupe_key=f"ticket:{row.pk}:contact_overdue")
                escalated += 1
            if now > row.resolve_due_at and row.escalated_at is None:
                _flag(row, "escalated_at", "escalate", "超过办结期限", now)
                notify(recipients=who + directors(),
                       title=f"办不成事反映已逾期：{row.number}",
                       body=f"{row.department.short_name}未在{rules.resolve_workdays()}个工作日内"
                            f"办结反映单 {row.number}，已报中心督办。",
                       link=link, category="unresolved",
                       dedupe_key=f"ticket:{row.pk}:overdue")
                escalated += 1
            elif (now <= row.resolve_due_at and row.warned_at is None
                  and _remaining(now, row.resolve_due_at) <= rules.warn_workdays()):
                _flag(row, "warned_at", "warn", "办结期限即将届满", now)
                notify(recipients=who, title=f"办不成事反映即将到期：{row.number}",
                       body=f"反映单 {row.number} 将于"
                            f"{row.resolve_due_at.astimezone(SHANGHAI):%m月%d日}到期，请按期办结。",
                       link=link, category="unresolved", dedupe_key=f"ticket:{row.pk}:warn")
                warned += 1
    return warned, escalated


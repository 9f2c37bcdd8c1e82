"""Writes of the queue (取号叫号, ADR 0020): taking a number (kiosk by ID card or phone, by
phone through staff, through the API, or from an appointment's check-in), and a number's moves
on the process engine — call next, recall, start, pass (过号), requeue, transfer, finish,
abandon. Every write is one transaction with its event and audit row, and bumps the hall's
queue version (the display's cache key). A finished number becomes a rateable service event
(好差评, kind "visit") in the finishing transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock, idempotency
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import Conflict, NotAllowed
from zhengwu.core.text import TextError, check_text
from zhengwu.hall import rules, selectors
from zhengwu.hall.models import (
    Appointment,
    Hall,
    QueueDay,
    Service,
    Ticket,
    TicketEvent,
    TicketSource,
    TicketStatus,
    Window,
)
from zhengwu.hall.services import (
    FieldError,
    clean_citizen_id,
    clean_phone,
    hall_actor,
    hall_by_code,
    person_refusal,
)
from zhengwu.hall.workflow import TICKET_TABLE
from zhengwu.hall.workflow import Role as ProcessRole
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Process, Step
from zhengwu.workdays.calendar import SHANGHAI

KIOSK = Actor(user=None, label="自助取号机", role="hall.kiosk")
VISIT = "visit"  # the kind of service event a finished number is (evaluations.events)


def visit_key(ticket: Ticket) -> str:
    """The service event's key (rules.visit_key)."""
    return rules.visit_key(ticket.hall.code, ticket.day, ticket.number)


def version_bump(hall_id: int, day: dt.date) -> None:
    QueueDay.objects.filter(hall_id=hall_id, date=day).update(version=F("version") + 1)


def _queue_day(hall: Hall, day: dt.date) -> QueueDay:
    """The hall's queue of `day`, locked: numbers are handed out one at a time."""
    row, _ = QueueDay.objects.get_or_create(hall=hall, date=day)
    return QueueDay.objects.select_for_update().get(pk=row.pk)


# --- taking a number -------------------------------------------------------------------------


@dataclass(frozen=True)
class TakeIn:
    hall: str  # hall code ("" = the city centre)
    group: str = ""  # the window group, or
    item: str = ""  # an item's implementation code (its window group)
    id_number: str = ""
    phone: str = ""
    name: str = ""
    priority: str = ""  # a key of rules.priority_groups(), or ""


def _target(hall: Hall, data: TakeIn) -> tuple[str, Service | None]:
    if data.item:
        service = Service.objects.filter(hall=hall, implementation__code=data.item) \
            .select_related("implementation__item").first()
        if service is None:
            raise FieldError("本大厅不办理该事项。", code="hall.unknown_item", field="item")
        return service.window_group, service
    if data.group not in selectors.queue_groups(hall):
        raise FieldError("请选择要办理的业务。", code="hall.unknown_group", field="group")
    return data.group, None


def _who(data: TakeIn, source: str, user: User | None, hall: Hall
         ) -> tuple[str, str, str, User | None]:
    """Name, ID number, phone and account of the person the number is for."""
    if source == TicketSource.KIOSK_ID:
        return "", clean_citizen_id(data.id_number), "", None
    if source == TicketSource.KIOSK_PHONE:
        return "", "", clean_phone(data.phone), None
    if source == TicketSource.STAFF_PHONE:
        if user is None or user.pk not in selectors.hall_staff_ids(hall):
            raise NotAllowed("只有本大厅的工作人员可以代为取号。", code="hall.forbidden")
        name = data.name.strip()
        if not name:
            raise FieldError("请填写姓名。", code="hall.name_required", field="name")
        phone = clean_phone(data.phone)
        id_number = clean_citizen_id(data.id_number) if data.id_number.strip() else ""
        return name, id_number, phone, None
    assert user is not None  # TicketSource.APP: the signed-in person, for themselves
    refusal = person_refusal(user, "取号")
    if refusal is not None:
        raise refusal
    return user.display_name or user.username, user.citizen_id, (user.phone or ""), user


def _create(hall: Hall, *, group: str, service: Service | None, source: str, name: str,
            id_number: str, phone: str, person: User | None, priority: str,
            appointment: Appointment | None, submitted_by: User | None, actor: Actor,
            now: dt.datetime, key: str | None = None, digest: str = "") -> Ticket:
    day = now.astimezone(SHANGHAI).date()
    queue = _queue_day(hall, day)
    queue.last_number += 1
    queue.version += 1
    queue.save(update_fields=["last_number", "version"])
    prefix = selectors.queue_groups(hall).get(group, "")
    with idempotency.first_insert(prefix="hall"):
        ticket = Ticket.objects.create(
            hall=hall, day=day, seq=queue.last_number,
            number=rules.ticket_number(prefix, queue.last_number), window_group=group,
            service=service, source=source, priority=priority, name=name,
            id_number=id_number, phone=phone, person=person, appointment=appointment,
            slot_start=appointment.start if appointment is not None else None,
            taken_at=now, queued_at=now, submitted_by=submitted_by, idempotency_key=key,
            request_hash=digest)
    TicketEvent.of_move(ticket=ticket, action="take", before="", after=ticket.status,
                        actor=actor, at=now,
                        data={"source": source, "group": group, "number": ticket.number,
                              "priority": priority}).save()
    audit_record(actor=actor, action="hall.ticket.take", obj=ticket,
                 after={"hall": hall.code, "number": ticket.number, "group": group,
                        "source": source, "priority": priority})
    return ticket


LABELS = {"hall": "大厅", "group": "办理业务", "item": "事项", "id_number": "身份证号码",
          "phone": "手机号码", "name": "姓名", "priority": "优先服务"}


def _clean_text(data: TakeIn) -> None:
    """Invisible or control characters (a NUL among them) are refused next to their field,
    never sent to the database."""
    for field, label in LABELS.items():
        try:
            check_text(getattr(data, field), label=label)
        except TextError as error:
            raise FieldError(error.message + "。", code="hall.text", field=field) from None


@transaction.atomic
def ticket_take(*, data: TakeIn, source: str, user: User | None = None,
                idempotency_key: str | None = None,
                now: dt.datetime | None = None) -> tuple[Ticket, bool]:
    """Take a number; returns it and whether it was taken now (False: the same request
    repeated with its Idempotency-Key). One waiting number per person and window group."""
    if source not in TicketSource.values or source == TicketSource.APPOINTMENT:
        raise FieldError("取号方式无效。", code="hall.source")
    now = now or clock.now()
    _clean_text(data)
    digest = idempotency.request_digest({**data.__dict__, "source": source})
    if user is not None:
        earlier = idempotency.replay(Ticket.objects, submitted_by=user, key=idempotency_key,
                                     digest=digest, prefix="hall")
        if earlier is not None:
            return earlier, False
    hall = hall_by_code(data.hall)
    group, service = _target(hall, data)
    name, id_number, phone, person = _who(data, source, user, hall)
    day = now.astimezone(SHANGHAI).date()
    refusal = rules.take_refusal(now, selectors.day_sessions(hall, day),
                                 early_minutes=rules.take_early_minutes())
    if refusal is not None:
        raise FieldError(refusal.message, code=refusal.code)
    same = Ticket.objects.filter(hall=hall, day=day, window_group=group,
                                 status__in=selectors.TICKET_OPEN)
    held = same.filter(id_number=id_number).first() if id_number else \
        same.filter(phone=phone).first()
    if held is not None:
        raise FieldError(f"您已有等候中的号码{held.number}，请留意叫号。",
                         code="hall.ticket_held",
                         field="id_number" if id_number and source != TicketSource.STAFF_PHONE
                         else "phone")
    priority = rules.priority_for(data.priority, id_number, day)
    actor = KIOSK if user is None else actor_for(user)
    ticket = _create(hall, group=group, service=service, source=source, name=name,
                     id_number=id_number, phone=phone, person=person, priority=priority,
                     appointment=None, submitted_by=user, actor=actor, now=now,
                     key=idempotency_key if user is not None else None, digest=digest)
    return ticket, True


def ticket_from_appointment(appointment: Appointment, *, user: User | None,
                            now: dt.datetime) -> Ticket:
    """The number of a checked-in appointment (inside the check-in's transaction): served
    first once its slot has begun (rules.queue_key)."""
    return _create(appointment.hall, group=appointment.window_group,
                   service=appointment.service, source=TicketSource.APPOINTMENT,
                   name=appointment.name, id_number=appointment.id_number,
                   phone=appointment.phone, person=appointment.person,
                   priority=rules.priority_for("", appointment.id_number,
                                               now.astimezone(SHANGHAI).date()),
                   appointment=appointment, submitted_by=None,
                   actor=KIOSK if user is None else actor_for(user), now=now)


# --- a number's moves ------------------------------------------------------------------------


@dataclass
class TicketMoveIn:
    action: str
    window: Window | None = None  # call: the window calling
    group: str = ""  # transfer: the window group it goes to
    reason: str = ""


def _lock(key: int, user: User | None) -> Ticket:
    row = Ticket.objects.select_for_update(of=("self",)).select_related(
        "hall", "window", "service__implementation__item").get(pk=key)
    if user is not None and not TICKET_TABLE.roles_on(user, row):
        raise Ticket.DoesNotExist("未找到该号码。")
    # A number called to a window is that window's: its clerk on duty or a hall manager.
    if user is not None and row.status in (TicketStatus.CALLED, TicketStatus.SERVING) and \
            row.window is not None and not selectors.may_call_at(user, row.window):
        raise Ticket.DoesNotExist("未找到该号码。")
    return row


def _record(row: Ticket, step: Step) -> None:
    TicketEvent.of_move(ticket=row, action=step.action, before=step.before, after=row.status,
                        actor=step.actor, reason=step.reason, data=step.data,
                        at=step.at).save()
    audit_record(actor=step.actor, action=f"hall.ticket.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)
    version_bump(row.hall_id, row.day)


def _window_data(row: Ticket) -> dict[str, Any]:
    return {"window": row.window.number if row.window is not None else ""}


def _call(row: Ticket, move: TicketMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    assert move.window is not None
    row.window = move.window
    row.served_by = attempt.user
    row.called_at = row.called_at or attempt.now
    row.last_called_at = attempt.now
    return _window_data(row)


def _recall(row: Ticket, move: TicketMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    row.last_called_at = attempt.now
    return _window_data(row)


def _start(row: Ticket, move: TicketMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    row.served_by = attempt.user
    return _window_data(row)


def _pass(row: Ticket, move: TicketMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    row.finished_at = attempt.now
    return _window_data(row)


def _requeue(row: Ticket, move: TicketMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    # Back in the queue from now (behind who was waiting), on any window of its group.
    row.requeues += 1
    row.queued_at = attempt.now
    row.finished_at = None
    row.window = None
    return {"requeues": row.requeues}


def _transfer(row: Ticket, move: TicketMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    group = move.group.strip()
    if group not in selectors.queue_groups(row.hall):
        raise FieldError("请选择要转往的窗口组。", code="hall.unknown_group", field="group")
    if group == row.window_group:
        raise FieldError("该号码已在此窗口组排队。", code="hall.same_group", field="group")
    before = row.window_group
    # It keeps its place in time (queued_at): the person has waited already.
    row.window_group, row.window = group, None
    return {"from": before, "to": group}


def _finish(row: Ticket, move: TicketMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    from zhengwu.evaluations.events import event_record, invitation_send

    row.finished_at = attempt.now
    row.served_by = attempt.user
    implementation = row.service.implementation if row.service is not None else None
    department_id = row.window.department_id if row.window is not None else None
    if department_id is None and implementation is not None:
        department_id = implementation.department_id
    person = row.person or (User.objects.filter(citizen_id=row.id_number).first()
                            if row.id_number else None)
    event = event_record(
        kind=VISIT, key=visit_key(row), person_id=person.pk if person else None,
        phone=row.phone, department_id=department_id,
        item_code=implementation.item.basic_code if implementation is not None else "",
        item_name=implementation.item.name if implementation is not None
        else f"{row.window_group}窗口办事", staff_id=attempt.user_id, at=attempt.now,
        window=f"{row.hall.name} {row.window.number}号窗口" if row.window is not None else "")
    invitation_send(event)
    return _window_data(row)


def _abandon(row: Ticket, move: TicketMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    row.finished_at = row.finished_at or attempt.now
    return {}


TICKET_PROCESS: Process[Ticket, TicketMoveIn] = Process(
    table=TICKET_TABLE,
    handlers={"call": _call, "recall": _recall, "start": _start, "pass": _pass,
              "requeue": _requeue, "transfer": _transfer, "finish": _finish,
              "abandon": _abandon},
    lock=_lock, actor=hall_actor, record=_record, reason_of=lambda move: move.reason.strip(),
    action_of=lambda move: move.action, role_order=(ProcessRole.STAFF, ProcessRole.SYSTEM))


def window_for(user: User, hall_code: str, number: str) -> Window:
    """The window `user` may call at: on duty there today (Duty), or a manager of its hall.
    Anyone else finds no such window (404)."""
    window = Window.objects.select_related("hall").filter(
        hall__code=hall_code, number=number, active=True).first()
    if window is None or not selectors.may_call_at(user, window):
        raise Window.DoesNotExist("未找到该窗口，或您今天不在该窗口值班。")
    return window


@transaction.atomic
def ticket_call_next(*, user: User, hall_code: str, window: str,
                     now: dt.datetime | None = None) -> Ticket:
    """Call the next number of the window's group (rules.queue_order)."""
    now = now or clock.now()
    found = window_for(user, hall_code, window)
    day = now.astimezone(SHANGHAI).date()
    _queue_day(found.hall, day)  # one call at a time per hall: no number called twice
    current = selectors.window_current(found, day)
    if current is not None:
        raise Conflict(f"本窗口的{current.number}号尚未办结或过号。", code="hall.window_busy")
    ahead = selectors.queue_of(found.hall, day, found.group, now)
    if not ahead:
        raise Conflict("当前没有等候的号码。", code="hall.queue_empty")
    return engine.transition(TICKET_PROCESS, ahead[0].pk, user,
                             TicketMoveIn(action="call", window=found), now=now)


@transaction.atomic
def ticket_move(*, user: User | None, ticket_id: int, action: str, group: str = "",
                reason: str = "", now: dt.datetime | None = None) -> Ticket:
    """Recall, start, pass, requeue, transfer, finish or abandon a number (user None: the
    platform). Finishing an appointment's number marks the appointment served."""
    if action == "call" or action not in TICKET_TABLE.moves:
        raise FieldError("未知的操作。", code="hall.action")
    row = engine.transition(TICKET_PROCESS, ticket_id, user,
                            TicketMoveIn(action=action, group=group, reason=reason), now=now)
    if action == "finish" and row.appointment_id is not None:
        from zhengwu.hall.models import AppointmentStatus
        from zhengwu.hall.services import appointment_move

        appointment = Appointment.objects.get(pk=row.appointment_id)
        if appointment.status == AppointmentStatus.CHECKED_IN:
            appointment_move(code=appointment.code, user=user, action="serve", now=now)
    return row


def tickets_sweep(now: dt.datetime) -> str:
    """Numbers left waiting, called or passed on an earlier day are abandoned (放弃)."""
    today = now.astimezone(SHANGHAI).date()
    done = 0
    for pk in Ticket.objects.filter(day__lt=today, status__in=(
            TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.PASSED)) \
            .values_list("pk", flat=True):
        with transaction.atomic():
            row = Ticket.objects.select_for_update().get(pk=pk)
            if row.status in (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.PASSED):
                engine.transition(TICKET_PROCESS, pk, None, TicketMoveIn(action="abandon"),
                                  now=now)
                done += 1
    return f"过期号码 {done}"

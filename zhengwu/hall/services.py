"""Writes of the hall (ADR 0018): booking, the appointment's moves on the process engine,
check-in by booking code, the sweep (未到, reminders) and the hall managers' edits. Every write
is one transaction with its event and audit row."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.services import actor_for
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock, idempotency
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.codes import CodeError, validate_citizen_id
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.hall import rules, selectors
from zhengwu.hall.models import (
    Appointment,
    AppointmentChannel,
    AppointmentEvent,
    AppointmentStatus,
    DayException,
    Duty,
    Hall,
    OpeningHours,
    Residence,
    Service,
    Window,
    WindowKind,
    Zone,
)
from zhengwu.hall.slots import DayType, SessionKind
from zhengwu.hall.workflow import APPOINTMENT_TABLE
from zhengwu.hall.workflow import Role as ProcessRole
from zhengwu.notifications.models import Channel as NotifyChannel
from zhengwu.notifications.services import notify, sms_notice_queue
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Process, Step
from zhengwu.workdays.calendar import SHANGHAI

CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B
PHONE = re.compile(r"^1\d{10}$")


class FieldError(InvalidInput):
    """Bad input, with the form field it belongs next to ("" = the whole form)."""

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message, code=code)
        self.field = field


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def normalize_booking_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


# --- booking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BookIn:
    hall: str  # hall code
    implementation: str  # implementation code
    start: dt.datetime
    # For a caller booked by staff; an applicant books in the name on the account.
    name: str = ""
    id_number: str = ""
    phone: str = ""


def _service(hall: Hall, code: str) -> Service:
    service = Service.objects.filter(hall=hall, implementation__code=code, bookable=True) \
        .select_related("implementation__item").first()
    if service is None:
        raise FieldError("该大厅不受理此事项的预约。", code="hall.unknown_item", field="item")
    return service


def hall_by_code(code: str) -> Hall:
    hall = Hall.objects.filter(code=code).first() if code else selectors.hall_default()
    if hall is None:
        raise FieldError(f"没有编码为“{code}”的大厅。", code="hall.unknown_hall", field="hall")
    return hall


def clean_phone(value: str) -> str:
    """A mobile number given for a person (appointments, queue numbers), or FieldError."""
    phone = value.strip()
    if not PHONE.match(phone):
        raise FieldError("请填写11位手机号码。", code="hall.phone", field="phone")
    return phone


def clean_citizen_id(value: str) -> str:
    """A citizen ID number given for a person (GB 11643 check digit), or FieldError."""
    try:
        return validate_citizen_id(value)
    except CodeError as error:
        raise FieldError(str(error), code="hall.id_number", field="id_number") from None


def person_refusal(user: User, what: str) -> FieldError | None:
    """Why a signed-in account cannot book or take a number for itself (`what`: 预约, 取号):
    the one who comes checks in with their own ID card."""
    if user.kind == UserKind.ENTERPRISE:
        return FieldError(f"企业到厅办事，请由经办人使用本人账号{what}，到厅时凭本人身份证签到。",
                          code="hall.enterprise_account")
    if not user.citizen_id:
        return FieldError(f"您的账号尚未登记身份证号码，请先完成实名认证再{what}。",
                          code="identity.unrecorded")
    return None


def _who(user: User, data: BookIn, channel: str, hall: Hall) -> tuple[User | None, str, str, str]:
    """The person booked for: the account holder (web, API), or a caller named by staff."""
    if channel == AppointmentChannel.STAFF:
        if user.pk not in selectors.hall_staff_ids(hall):
            raise NotAllowed("只有本大厅的工作人员可以代为预约。", code="hall.forbidden")
        name = data.name.strip()
        if not name:
            raise FieldError("请填写预约人姓名。", code="hall.name_required", field="name")
        return None, name, clean_citizen_id(data.id_number), clean_phone(data.phone)
    refusal = person_refusal(user, "预约")
    if refusal is not None:
        raise refusal
    phone = (user.phone or "").strip()
    if not phone:
        raise FieldError("您的账号没有手机号码，无法接收预约提醒。", code="hall.phone")
    return user, user.display_name or user.username, user.citizen_id, phone


def _digest(data: BookIn, channel: str) -> str:
    return idempotency.request_digest({"hall": data.hall, "item": data.implementation,
                                       "start": data.start.isoformat(), "name": data.name,
                                       "id_number": data.id_number, "phone": data.phone,
                                       "channel": channel})


@transaction.atomic
def appointment_book(*, user: User, data: BookIn, channel: str = AppointmentChannel.WEB,
                     idempotency_key: str | None = None,
                     now: dt.datetime | None = None) -> tuple[Appointment, bool]:
    """Book one slot; returns the appointment and whether it was made now (False: the same
    request repeated with its Idempotency-Key). Refusals are FieldErrors (422) or, for a full
    slot, a Conflict."""
    now = now or clock.now()
    digest = _digest(data, channel)
    existing = idempotency.replay(Appointment.objects, submitted_by=user, key=idempotency_key,
                                  digest=digest, prefix="hall")
    if existing is not None:
        return existing, False
    hall = hall_by_code(data.hall)
    # One booking at a time per hall: the places left are counted under this lock.
    hall = Hall.objects.select_for_update().get(pk=hall.pk)
    service = _service(hall, data.implementation)
    person, name, id_number, phone = _who(user, data, channel, hall)
    start = data.start.astimezone(SHANGHAI)
    day = start.date()
    slot = next((s for s in selectors.day_slots(hall, day, service)
                 if s.slot.start == start and s.slot.window_group == service.window_group),
                None)
    if slot is None:
        raise FieldError("该时段不可预约（非办公时间、法定节假日或已闭厅），请重新选择。",
                         code="hall.slot_unavailable", field="slot")
    open_count, restriction = selectors.person_standing(id_number, now)
    refused = rules.booking_refusal(
        now=now, start=start, open_count=open_count,
        same_item_same_day=selectors.same_item_same_day(id_number, service, day),
        restriction=restriction, rules=rules.policy())
    if refused is not None:
        raise FieldError(refused.message, code=refused.code, field=refused.field)
    if slot.available <= 0:
        raise FieldError("该时段已约满，请选择其他时段。", code="hall.slot_full", field="slot")
    with idempotency.first_insert(prefix="hall"):
        appointment = Appointment.objects.create(
            code=_new_code(), hall=hall, service=service, window_group=service.window_group,
            start=slot.slot.start, end=slot.slot.end, after_hours=slot.slot.after_hours,
            person=person, name=name, id_number=id_number, phone=phone, channel=channel,
            submitted_by=user, booked_at=now, idempotency_key=idempotency_key or None,
            request_hash=digest)
    actor = actor_for(user)
    AppointmentEvent.of_move(appointment=appointment, action="book", before="",
                             after=AppointmentStatus.BOOKED, actor=actor, at=now,
                             data={"channel": channel, "start": start.isoformat()}).save()
    audit_record(actor=actor, action="hall.appointment.book", obj=appointment,
                 after={"hall": hall.code, "item": service.implementation.code,
                        "start": start.isoformat(), "channel": channel})
    _tell(appointment, "预约成功",
          f"您已预约{hall.name}“{service.implementation.item.name}”，时间{_when(appointment)}，"
          f"预约码{appointment.code}。请按时到大厅签到。")
    return appointment, True


def _when(appointment: Appointment) -> str:
    start, end = appointment.start.astimezone(SHANGHAI), appointment.end.astimezone(SHANGHAI)
    return f"{start:%Y年%m月%d日 %H:%M}–{end:%H:%M}"


def _tell(appointment: Appointment, title: str, body: str, *, sms: bool = False,
          dedupe: str | None = None) -> None:
    """To the account booked for (in-app, and SMS when asked); to a caller without an account
    by SMS to the number they gave."""
    link = reverse("hall:appointment", args=[appointment.code])
    if appointment.person is not None:
        channels = (NotifyChannel.INAPP, NotifyChannel.SMS) if sms else (NotifyChannel.INAPP,)
        notify(recipients=[appointment.person], title=title, body=body, link=link,
               category="hall", channels=channels, dedupe_key=dedupe)
    elif sms:
        sms_notice_queue(phone=appointment.phone, title=title, body=body)


# --- the appointment's moves -------------------------------------------------------------


@dataclass
class AppointmentMoveIn:
    action: str
    reason: str = ""


def _lock(code: str, user: User | None) -> Appointment:
    row = Appointment.objects.select_for_update(of=("self",)).select_related(
        "hall", "service__implementation__item", "person").get(
        code=normalize_booking_code(code))
    if user is not None and not APPOINTMENT_TABLE.roles_on(user, row):
        raise Appointment.DoesNotExist("未找到该预约。")
    return row


def _record(row: Appointment, step: Step) -> None:
    AppointmentEvent.of_move(appointment=row, action=step.action, before=step.before,
                             after=row.status, actor=step.actor, reason=step.reason,
                             data=step.data, at=step.at).save()
    audit_record(actor=step.actor, action=f"hall.appointment.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status},
                 reason=step.reason)


def _cancel(row: Appointment, move: AppointmentMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    row.closed_at = attempt.now
    if ProcessRole.STAFF in attempt.roles and ProcessRole.PERSON not in attempt.roles:
        _tell(row, "预约已取消", f"您在{row.hall.name}{_when(row)}的预约（{row.code}）已由大厅取消："
              f"{move.reason or '大厅安排调整'}。", sms=True)
    return {}


def _check_in(row: Appointment, move: AppointmentMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    row.checked_in_at = attempt.now
    return {}


def _serve(row: Appointment, move: AppointmentMoveIn, attempt: Attempt,
           actor: Actor) -> dict[str, Any]:
    row.closed_at = attempt.now
    return {}


def _no_show(row: Appointment, move: AppointmentMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    row.closed_at = attempt.now
    return {}


def hall_actor(user: User | None, row: Any, role: str, subject: Any) -> Actor:
    """Who moves a hall process (an appointment, a queue number): the platform, or the user
    with the hall role the engine found for them ("hall.staff", "hall.person" …)."""
    if user is None:
        return SYSTEM
    found = actor_for(user)
    return Actor(user=user, label=found.label, role=f"hall.{role}",
                 department_id=found.department_id, department_label=found.department_label)


APPOINTMENT_PROCESS: Process[Appointment, AppointmentMoveIn] = Process(
    table=APPOINTMENT_TABLE,
    handlers={"cancel": _cancel, "check_in": _check_in, "serve": _serve, "no_show": _no_show},
    lock=_lock, actor=hall_actor, record=_record, reason_of=lambda move: move.reason.strip(),
    action_of=lambda move: move.action,
    role_order=(ProcessRole.STAFF, ProcessRole.PERSON, ProcessRole.SYSTEM))


@transaction.atomic
def appointment_move(*, code: str, user: User | None, action: str, reason: str = "",
                     now: dt.datetime | None = None) -> Appointment:
    """Cancel, check in or serve an appointment (user None: the platform)."""
    return engine.transition(APPOINTMENT_PROCESS, code, user,
                             AppointmentMoveIn(action=action, reason=reason), now=now)


@transaction.atomic
def appointment_check_in(code: str, *, user: User | None = None,
                         now: dt.datetime | None = None) -> Appointment:
    """Check in with the booking code: at a window (`user` the staff member) or at the kiosk
    (user None). In the same transaction the appointment gets its queue number
    (`appointment.ticket`), served first once its slot has begun (ADR 0020)."""
    from zhengwu.hall.queue import ticket_from_appointment

    cleaned = normalize_booking_code(code)
    if not cleaned:
        raise FieldError("请输入预约码。", code="hall.code_required", field="code")
    now = now or clock.now()
    row = appointment_move(code=cleaned, user=user, action="check_in", now=now)
    ticket_from_appointment(row, user=user, now=now)
    return row


# --- the sweep -----------------------------------------------------------------------------


def appointments_sweep(now: dt.datetime) -> str:
    """Record the missed appointments (未到: booked, and the slot has ended) and queue the SMS
    reminders of tomorrow's. Idempotent: a missed one is moved once, a reminder sent once."""
    missed = 0
    for code in Appointment.objects.filter(status=AppointmentStatus.BOOKED, end__lte=now) \
            .values_list("code", flat=True):
        with transaction.atomic():
            row = Appointment.objects.select_for_update().get(code=code)
            if row.status != AppointmentStatus.BOOKED:
                continue
            engine.transition(APPOINTMENT_PROCESS, code, None,
                              AppointmentMoveIn(action="no_show"), now=now)
            missed += 1
    tomorrow = now.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    low = dt.datetime.combine(tomorrow, dt.time(), SHANGHAI)
    reminded = 0
    for code in Appointment.objects.filter(
            status=AppointmentStatus.BOOKED, reminded_at__isnull=True, start__gte=low,
            start__lt=low + dt.timedelta(days=1)).values_list("code", flat=True):
        with transaction.atomic():
            # Only the appointment's row is locked: `person` may be empty (a caller booked by
            # staff), and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
            row = Appointment.objects.select_for_update(of=("self",)).select_related(
                "hall", "service__implementation__item", "person").get(code=code)
            if row.reminded_at is not None or row.status != AppointmentStatus.BOOKED:
                continue
            row.reminded_at = now
            row.save(update_fields=["reminded_at", "updated_at"])
            _tell(row, "预约提醒", f"您预约了明天{_when(row)}在{row.hall.name}办理"
                  f"“{row.service.implementation.item.name}”，预约码{row.code}。"
                  "请携带有效证件按时签到；如不能前来，请提前取消。", sms=True,
                  dedupe=f"hall:{row.pk}:remind")
            audit_record(actor=SYSTEM, action="hall.appointment.remind", obj=row)
            reminded += 1
    return f"预约未到 {missed}，明日提醒 {reminded}"


# --- the hall managers' edits ----------------------------------------------------------------


def _managed(user: User, hall_code: str) -> Hall:
    hall = selectors.managed_halls(user).filter(code=hall_code).first()
    if hall is None:
        raise Hall.DoesNotExist("未找到该大厅，或您无权管理。")
    return Hall.objects.select_for_update().get(pk=hall.pk)


def _time(value: dt.time | None, field: str) -> dt.time:
    if value is None:
        raise FieldError("请填写时间。", code="hall.time_required", field=field)
    return value


@transaction.atomic
def hours_add(*, user: User, hall_code: str, day_type: str, kind: str, start: dt.time | None,
              end: dt.time | None) -> OpeningHours:
    hall = _managed(user, hall_code)
    begin, finish = _time(start, "start"), _time(end, "end")
    if day_type not in (DayType.WORKDAY, DayType.REST_DAY):
        raise FieldError("请选择适用日。", code="hall.day_type", field="day_type")
    if kind not in set(SessionKind):
        raise FieldError("请选择类别。", code="hall.kind", field="kind")
    if finish <= begin:
        raise FieldError("结束时间应晚于开始时间。", code="hall.time_order", field="end")
    clash = OpeningHours.objects.filter(hall=hall, day_type=day_type, start__lt=finish,
                                        end__gt=begin).first()
    if clash is not None:
        raise FieldError(f"与已有时段 {clash.start:%H:%M}–{clash.end:%H:%M} 重叠。",
                         code="hall.time_overlap", field="start")
    row = OpeningHours.objects.create(hall=hall, day_type=day_type, kind=kind, start=begin,
                                      end=finish)
    audit_record(actor=actor_for(user), action="hall.hours.add", obj=hall,
                 after={"day_type": day_type, "kind": kind, "start": str(begin),
                        "end": str(finish)})
    return row


@transaction.atomic
def hours_delete(*, user: User, hall_code: str, hours_id: int) -> None:
    hall = _managed(user, hall_code)
    row = OpeningHours.objects.get(hall=hall, pk=hours_id)
    audit_record(actor=actor_for(user), action="hall.hours.delete", obj=hall,
                 before={"day_type": row.day_type, "kind": row.kind, "start": str(row.start),
                         "end": str(row.end)})
    row.delete()


@transaction.atomic
def exception_add(*, user: User, hall_code: str, date: dt.date | None, closed: bool,
                  start: dt.time | None, end: dt.time | None, reason: str) -> DayException:
    """Close the hall on a date, or open an extra session on it (周末/节假日延时)."""
    hall = _managed(user, hall_code)
    if date is None:
        raise FieldError("请填写日期。", code="hall.date_required", field="date")
    if not reason.strip():
        raise FieldError("请填写原因。", code="hall.reason_required", field="reason")
    if not closed:
        begin, finish = _time(start, "start"), _time(end, "end")
        if finish <= begin:
            raise FieldError("结束时间应晚于开始时间。", code="hall.time_order", field="end")
    row = DayException.objects.create(hall=hall, date=date, closed=closed,
                                      start=None if closed else start,
                                      end=None if closed else end, reason=reason.strip())
    audit_record(actor=actor_for(user), action="hall.exception.add", obj=hall,
                 after={"date": date.isoformat(), "closed": closed, "reason": row.reason})
    return row


@transaction.atomic
def exception_delete(*, user: User, hall_code: str, exception_id: int) -> None:
    hall = _managed(user, hall_code)
    row = DayException.objects.get(hall=hall, pk=exception_id)
    audit_record(actor=actor_for(user), action="hall.exception.delete", obj=hall,
                 before={"date": row.date.isoformat(), "closed": row.closed})
    row.delete()


@transaction.atomic
def window_save(*, user: User, hall_code: str, number: str, kind: str, group: str,
                zone: str = "", department: str = "", active: bool = True) -> Window:
    hall = _managed(user, hall_code)
    number, group = number.strip(), group.strip()
    if not number:
        raise FieldError("请填写窗口号。", code="hall.window_number", field="number")
    if kind not in WindowKind.values:
        raise FieldError("请选择窗口类别。", code="hall.window_kind", field="kind")
    if not group:
        raise FieldError("请填写窗口组。", code="hall.window_group", field="group")
    owner = None
    if department.strip():
        owner = Department.objects.filter(short_name=department.strip()).first()
        if owner is None:
            raise FieldError(f"没有名为“{department}”的部门。", code="hall.department",
                             field="department")
    zone_row = Zone.objects.get_or_create(hall=hall, name=zone.strip())[0] \
        if zone.strip() else None
    window, created = Window.objects.update_or_create(hall=hall, number=number, defaults={
        "kind": kind, "group": group, "zone": zone_row, "department": owner, "active": active})
    audit_record(actor=actor_for(user), action="hall.window.save", obj=window,
                 after={"created": created, "kind": kind, "group": group, "active": active})
    return window


@transaction.atomic
def duty_add(*, user: User, hall_code: str, window: str, date: dt.date | None,
             username: str) -> Duty:
    hall = _managed(user, hall_code)
    found = Window.objects.filter(hall=hall, number=window.strip()).first()
    if found is None:
        raise FieldError("本大厅没有该窗口号。", code="hall.window_unknown", field="window")
    if date is None:
        raise FieldError("请填写日期。", code="hall.date_required", field="date")
    staff = User.objects.filter(username=username.strip(), is_staff=True).first()
    if staff is None:
        raise FieldError("没有该工作人员账号。", code="hall.staff_unknown", field="username")
    duty, created = Duty.objects.get_or_create(window=found, date=date, user=staff)
    if created:
        audit_record(actor=actor_for(user), action="hall.duty.add", obj=found,
                     after={"date": date.isoformat(), "user": staff.username})
    return duty


@transaction.atomic
def duty_delete(*, user: User, hall_code: str, duty_id: int) -> None:
    hall = _managed(user, hall_code)
    duty = Duty.objects.select_related("window", "user").get(window__hall=hall, pk=duty_id)
    audit_record(actor=actor_for(user), action="hall.duty.delete", obj=duty.window,
                 before={"date": duty.date.isoformat(), "user": duty.user.username})
    duty.delete()


@transaction.atomic
def residence_save(*, user: User, hall_code: str, department: str, since: dt.date | None,
                   authorized: bool) -> Residence:
    """A department moves into the hall (进驻), or its entry is corrected."""
    hall = _managed(user, hall_code)
    owner = Department.objects.filter(short_name=department.strip()).first()
    if owner is None:
        raise FieldError(f"没有名为“{department}”的部门。", code="hall.department",
                         field="department")
    if since is None:
        raise FieldError("请填写进驻日期。", code="hall.date_required", field="since")
    row, created = Residence.objects.update_or_create(hall=hall, department=owner, defaults={
        "since": since, "authorized": authorized})
    audit_record(actor=actor_for(user), action="hall.residence.save", obj=hall,
                 after={"department": owner.short_name, "since": since.isoformat(),
                        "authorized": authorized, "created": created})
    return row


@transaction.atomic
def residence_delete(*, user: User, hall_code: str, residence_id: int) -> None:
    """A department moves out (撤出): its items stay listed until removed one by one."""
    hall = _managed(user, hall_code)
    row = Residence.objects.select_related("department").get(hall=hall, pk=residence_id)
    audit_record(actor=actor_for(user), action="hall.residence.delete", obj=hall,
                 before={"department": row.department.short_name,
                         "since": row.since.isoformat()})
    row.delete()


@transaction.atomic
def service_save(*, user: User, hall_code: str, implementation: str, window_group: str,
                 hall_only: bool, after_hours: bool, bookable: bool) -> Service:
    """An item handled at the hall (进驻事项), at a window group."""
    hall = _managed(user, hall_code)
    found = ItemImplementation.objects.filter(code=implementation.strip()).first()
    if found is None:
        raise FieldError("没有该实施编码的事项。", code="hall.item_unknown", field="implementation")
    group = window_group.strip()
    if not Window.objects.filter(hall=hall, group=group).exists():
        raise FieldError(f"本大厅没有“{group}”窗口组，请先添加窗口。", code="hall.window_group",
                         field="window_group")
    row, created = Service.objects.update_or_create(hall=hall, implementation=found, defaults={
        "window_group": group, "hall_only": hall_only, "after_hours": after_hours,
        "bookable": bookable})
    audit_record(actor=actor_for(user), action="hall.service.save", obj=hall,
                 after={"implementation": found.code, "window_group": group,
                        "hall_only": hall_only, "after_hours": after_hours,
                        "bookable": bookable, "created": created})
    return row


@transaction.atomic
def service_delete(*, user: User, hall_code: str, service_id: int) -> None:
    """An item no longer handled at the hall. One that has appointments stays, not bookable
    (their history keeps it)."""
    hall = _managed(user, hall_code)
    row = Service.objects.select_related("implementation").get(hall=hall, pk=service_id)
    audit_record(actor=actor_for(user), action="hall.service.delete", obj=hall,
                 before={"implementation": row.implementation.code,
                         "window_group": row.window_group})
    if row.appointments.exists():
        row.bookable = False
        row.save(update_fields=["bookable"])
    else:
        row.delete()


@transaction.atomic
def hall_settings_save(*, user: User, hall_code: str, slot_minutes: int | None,
                       per_window: int | None, phone: str, address: str) -> Hall:
    hall = _managed(user, hall_code)
    if slot_minutes is None or not 5 <= slot_minutes <= 240:
        raise FieldError("预约时段长度应为5–240分钟。", code="hall.slot_minutes",
                         field="slot_minutes")
    if per_window is None or not 0 <= per_window <= 50:
        raise FieldError("每窗口每时段预约数应为0–50。", code="hall.per_window", field="per_window")
    before = {"slot_minutes": hall.slot_minutes, "per_window": hall.per_window,
              "phone": hall.phone, "address": hall.address}
    hall.slot_minutes, hall.per_window = slot_minutes, per_window
    hall.phone, hall.address = phone.strip(), address.strip()
    hall.save()
    audit_record(actor=actor_for(user), action="hall.settings.save", obj=hall, before=before,
                 after={"slot_minutes": slot_minutes, "per_window": per_window,
                        "phone": hall.phone, "address": hall.address})
    return hall

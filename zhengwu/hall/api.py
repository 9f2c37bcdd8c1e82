"""The hall's JSON API (docs/hall.md): halls, the slots of a day, booking (with
Idempotency-Key, as the cases API), one's appointments, cancelling and check-in; the queue —
taking a number (Idempotency-Key), a hall's queue, a window's moves, the display's state —
and the queue figures for the hall's managers."""

# No `from __future__ import annotations` here: ninja resolves a view's annotations in the
# module's namespace at import time.

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, cast

from django.http import Http404, HttpRequest
from ninja import Path, Query, Router, Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core import clock, idempotency
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.masking import mask_citizen_id
from zhengwu.hall import queue, queue_figures, selectors, services
from zhengwu.hall.models import Appointment, AppointmentChannel, Hall, Service, Ticket, TicketSource
from zhengwu.hall.schemas import (
    HallAppointmentOut,
    HallAppointmentPage,
    HallBookIn,
    HallDisplayOut,
    HallMoveIn,
    HallPage,
    HallPageQuery,
    HallQueueFiguresOut,
    HallQueueFiguresQuery,
    HallQueueQuery,
    HallSlotPage,
    HallSlotQuery,
    HallTakeIn,
    HallTicketOut,
    HallTicketPage,
    HallTransferIn,
)

router = Router(tags=["hall"], auth=django_auth)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期“{value}”格式不正确，应为 YYYY-MM-DD。",
                           code="hall.date_invalid") from None


def _moment(value: str) -> dt.datetime:
    try:
        return clock.parse_instant(value)
    except ValueError:
        raise InvalidInput(f"时间“{value}”格式不正确，应为 ISO 8601（如 2026-12-01T09:00:00+08:00）。",
                           code="hall.start_invalid") from None


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


def appointment_out(row: Appointment, user: User) -> dict[str, Any]:
    own = user.pk in (row.person_id, row.submitted_by_id)
    return {"code": row.code, "hall": row.hall.code, "hall_name": row.hall.name,
            "item": row.service.implementation.code,
            "item_name": row.service.implementation.item.name,
            "window_group": row.window_group, "start": _iso(row.start), "end": _iso(row.end),
            "after_hours": row.after_hours, "status": row.status,
            "status_label": row.get_status_display(), "channel": row.channel,
            "name": row.name, "id_number": row.id_number if own else mask_citizen_id(row.id_number)}


@router.get("/halls", response=HallPage, auth=None)
def list_halls(request: HttpRequest) -> dict[str, Any]:
    """The service halls: the city centre and the townships' 便民服务中心."""
    rows = [{"code": h.code, "name": h.name, "kind": h.kind, "region_code": h.region_id,
             "address": h.address, "phone": h.phone, "illustrative": h.illustrative}
            for h in selectors.halls()]
    return {"items": rows, "count": len(rows)}


@router.get("/slots", response=HallSlotPage, auth=None)
def list_slots(request: HttpRequest, query: Query[HallSlotQuery]) -> dict[str, Any]:
    """The appointment slots of a day on the official working-day calendar: none on a
    statutory holiday, the working-day hours on a 调休 working Saturday, weekend 延时 where
    the hall holds it. `available`: places left (0 once the slot has started)."""
    day = _date(query.date)
    hall = services.hall_by_code(query.hall or "")
    service = None
    if query.item:
        service = Service.objects.filter(hall=hall, implementation__code=query.item,
                                         bookable=True).first()
        if service is None:
            raise InvalidInput("该大厅不受理此事项的预约。", code="hall.unknown_item")
    now = clock.now()
    rows = [{"start": _iso(s.slot.start), "end": _iso(s.slot.end),
             "window_group": s.slot.window_group,
             "available": s.available if s.slot.start > now else 0}
            for s in selectors.day_slots(hall, day, service)]
    return {"items": rows, "count": len(rows)}


@router.post("/appointments", response={200: HallAppointmentOut, 201: HallAppointmentOut})
def book(request: HttpRequest, body: HallBookIn) -> Status[dict[str, Any]]:
    """Book a slot for oneself (the name and ID number on the account). With an
    `Idempotency-Key` header a repeat answers 200 with the same appointment, and the same key
    with a different body 422."""
    user = _user(request)
    key = idempotency.key_from_header(request.headers.get("Idempotency-Key"), prefix="hall")
    data = services.BookIn(hall=body.hall or "", implementation=body.item,
                           start=_moment(body.start))
    row, created = idempotency.retried_on_race(lambda: services.appointment_book(
        user=user, data=data, channel=AppointmentChannel.API, idempotency_key=key),
        prefix="hall")
    return Status(201 if created else 200, appointment_out(row, user))


@router.get("/appointments", response=HallAppointmentPage)
def my_appointments(request: HttpRequest, page: Query[HallPageQuery]) -> dict[str, Any]:
    """One's own appointments, the latest first."""
    user = _user(request)
    rows = selectors.appointments_of(user)
    return {"items": [appointment_out(r, user) for r in rows[page.offset:page.offset + page.limit]],
            "count": rows.count()}


@router.post("/appointments/{code}/cancel", response=HallAppointmentOut)
def cancel(request: HttpRequest, code: str, body: HallMoveIn) -> dict[str, Any]:
    """Cancel: the person up to the cut-off before the start, hall staff until the start."""
    user = _user(request)
    row = services.appointment_move(code=code[:20], user=user, action="cancel",
                                    reason=body.reason)
    return appointment_out(row, user)


@router.post("/appointments/{code}/check-in", response=HallAppointmentOut)
def check_in(request: HttpRequest, code: str) -> dict[str, Any]:
    """Check in with the booking code (hall staff), from an hour before the start to its end."""
    user = _user(request)
    return appointment_out(services.appointment_check_in(code[:20], user=user), user)


# --- the queue (取号叫号, ADR 0020) ------------------------------------------------------------


TicketId = Annotated[int, Path(ge=1, le=2_147_483_647, description="号码编号")]
HallPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", max_length=40,
                               description="大厅编码")]
WindowPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,10}$", max_length=10,
                                 description="窗口号")]


def ticket_out(row: Ticket, ahead: int = 0) -> dict[str, Any]:
    """A number as the API shows it: no name, ID or phone (the queue is read by staff, and
    a number's holder knows who they are)."""
    return {"id": row.pk, "number": row.number, "hall": row.hall.code,
            "date": row.day.isoformat(), "window_group": row.window_group,
            "status": row.status, "status_label": row.get_status_display(),
            "source": row.source, "priority": bool(row.priority),
            "window": row.window.number if row.window is not None else "",
            "taken_at": _iso(row.taken_at),
            "called_at": _iso(row.called_at) if row.called_at else None,
            "finished_at": _iso(row.finished_at) if row.finished_at else None, "ahead": ahead}


@router.post("/tickets", response={200: HallTicketOut, 201: HallTicketOut})
def take_ticket(request: HttpRequest, body: HallTakeIn) -> Status[dict[str, Any]]:
    """Take a number: for oneself (the ID number on the account), or — hall staff, with
    `name` and `phone` — for a caller (电话取号). With an `Idempotency-Key` header a repeat
    answers 200 with the same number."""
    user = _user(request)
    key = idempotency.key_from_header(request.headers.get("Idempotency-Key"), prefix="hall")
    for_caller = bool(body.name or body.phone)
    data = queue.TakeIn(hall=body.hall or "", group=body.group, item=body.item,
                        priority=body.priority, name=body.name, id_number=body.id_number,
                        phone=body.phone)
    source = TicketSource.STAFF_PHONE if for_caller else TicketSource.APP
    row, created = idempotency.retried_on_race(lambda: queue.ticket_take(
        data=data, source=source, user=user, idempotency_key=key), prefix="hall")
    return Status(201 if created else 200,
                  ticket_out(row, selectors.ahead_of(row, clock.now())))


def _staff_of(user: User, hall: Hall) -> None:
    if user.pk not in selectors.hall_staff_ids(hall):
        raise NotAllowed("只有本大厅的工作人员可以查看队列。", code="hall.forbidden")


@router.get("/queue", response=HallTicketPage)
def hall_queue(request: HttpRequest, query: Query[HallQueueQuery]) -> dict[str, Any]:
    """The numbers waiting at a hall today, the next to call first per window group (hall
    staff)."""
    user = _user(request)
    hall = services.hall_by_code(query.hall or "")
    _staff_of(user, hall)
    now = clock.now()
    day = now.astimezone(SHANGHAI).date()
    groups = [query.group] if query.group else list(selectors.queue_groups(hall))
    rows = [ticket_out(t, ahead) for group in groups
            for ahead, t in enumerate(selectors.queue_of(hall, day, group, now))]
    return {"items": rows, "count": len(rows)}


@router.post("/windows/{hall}/{window}/call-next", response=HallTicketOut)
def call_next(request: HttpRequest, hall: HallPath, window: WindowPath) -> dict[str, Any]:
    """Call the next number at a window (the clerk on duty there today, or a hall manager)."""
    return ticket_out(queue.ticket_call_next(user=_user(request), hall_code=hall,
                                             window=window))


def _move(request: HttpRequest, ticket_id: TicketId, action: str, group: str = "",
          reason: str = "") -> dict[str, Any]:
    row = queue.ticket_move(user=_user(request), ticket_id=ticket_id, action=action,
                            group=group, reason=reason)
    return ticket_out(row)


@router.post("/tickets/{ticket_id}/recall", response=HallTicketOut)
def recall(request: HttpRequest, ticket_id: TicketId) -> dict[str, Any]:
    """Call a called number again (重呼)."""
    return _move(request, ticket_id, "recall")


@router.post("/tickets/{ticket_id}/start", response=HallTicketOut)
def start(request: HttpRequest, ticket_id: TicketId) -> dict[str, Any]:
    """The person called has come to the window: serving starts."""
    return _move(request, ticket_id, "start")


@router.post("/tickets/{ticket_id}/pass", response=HallTicketOut)
def pass_(request: HttpRequest, ticket_id: TicketId) -> dict[str, Any]:
    """过号: the person called did not come."""
    return _move(request, ticket_id, "pass")


@router.post("/tickets/{ticket_id}/requeue", response=HallTicketOut)
def requeue(request: HttpRequest, ticket_id: TicketId) -> dict[str, Any]:
    """Put a passed number back in the queue (HALL_QUEUE_REQUEUE_LIMIT times)."""
    return _move(request, ticket_id, "requeue")


@router.post("/tickets/{ticket_id}/transfer", response=HallTicketOut)
def transfer(request: HttpRequest, ticket_id: TicketId, body: HallTransferIn) -> dict[str, Any]:
    """Send a number to another window group; it keeps its place in time."""
    return _move(request, ticket_id, "transfer", group=body.group, reason=body.reason)


@router.post("/tickets/{ticket_id}/finish", response=HallTicketOut)
def finish(request: HttpRequest, ticket_id: TicketId) -> dict[str, Any]:
    """办结: the visit becomes a service event to rate (好差评)."""
    return _move(request, ticket_id, "finish")


@router.get("/display/{hall}", response=HallDisplayOut, auth=None)
def display(request: HttpRequest, hall: HallPath) -> dict[str, Any]:
    """The hall screen's state: numbers being called and where, the last called, waiting
    counts per group and the announcer's text — no personal data."""
    state = selectors.display_state(hall)
    if state is None:
        raise Hall.DoesNotExist("未找到该大厅。")
    return state
@router.get("/queue-figures", response=HallQueueFiguresOut)
def queue_figures_get(request: HttpRequest, query: Query[HallQueueFiguresQuery]
                      ) -> dict[str, Any]:
    """取号叫号统计 of a hall, for its managers: numbers taken, served, abandoned and waiting,
    average and p90 (nearest-rank) wait, average service time — in total, per window, per
    item and per hour of taking (Beijing time); `start`..`end` inclusive, today by default,
    at most 366 days. A hall one does not manage is absent (404)."""
    hall = selectors.managed_halls(_user(request)).filter(code=query.hall).first()
    if hall is None:
        raise Http404
    today = clock.today()
    start = _date(query.start) if query.start else today
    end = _date(query.end) if query.end else today
    error = queue_figures.period_error(start, end)
    if error:
        raise InvalidInput(error, code="hall.period_invalid")
    found = queue_figures.summary(selectors.ticket_times(hall, start, end))
    return {"hall": hall.code, "hall_name": hall.name, "start": start.isoformat(),
            "end": end.isoformat(), "total": asdict(found.total),
            **{part: [asdict(f) for f in getattr(found, part)]
               for part in ("windows", "items", "hours")}}

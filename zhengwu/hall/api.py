"""The hall's JSON API (docs/hall.md): halls, the slots of a day, booking (with
Idempotency-Key, as the cases API), one's appointments, cancelling and check-in, and the
queue figures for the hall's managers."""

# No `from __future__ import annotations` here: ninja resolves a view's annotations in the
# module's namespace at import time.

import datetime as dt
from dataclasses import asdict
from typing import Any, cast

from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core import clock, idempotency
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import InvalidInput
from zhengwu.core.masking import mask_citizen_id
from zhengwu.hall import queue_figures, selectors, services
from zhengwu.hall.models import Appointment, AppointmentChannel, Service
from zhengwu.hall.schemas import (
    HallAppointmentOut,
    HallAppointmentPage,
    HallBookIn,
    HallMoveIn,
    HallPage,
    HallPageQuery,
    HallQueueFiguresOut,
    HallQueueFiguresQuery,
    HallSlotPage,
    HallSlotQuery,
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

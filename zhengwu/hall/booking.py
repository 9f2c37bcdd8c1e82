"""What the applicant's and the staff's booking pages share (views, staff_views): the choices
of halls and items, the bookable slots of the chosen item and day, reading the chosen slot, and
an appointment the person may see (else 404, as an absent one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.hall import selectors, services
from zhengwu.hall.forms import BookForm
from zhengwu.hall.models import Appointment, Hall, Service
from zhengwu.hall.selectors import OpenSlot
from zhengwu.hall.workflow import APPOINTMENT_TABLE


def hall_choices() -> list[tuple[str, str]]:
    return [(h.code, h.name) for h in selectors.halls()]


def item_choices(hall: Hall | None) -> list[tuple[str, str]]:
    if hall is None:
        return []
    return [(s.implementation.code, f"{s.implementation.item.name}（{s.window_group}）")
            for s in Service.objects.filter(hall=hall, bookable=True).select_related(
                "implementation__item").order_by("window_group", "implementation__item__name")]


def chosen_hall(data: Any) -> Hall:
    code = data.get("hall", "") if data else ""
    return Hall.objects.filter(code=code).first() or selectors.hall_default()


def slots_for(form: BookForm, hall: Hall) -> list[OpenSlot]:
    """The bookable slots of the chosen item and date (form valid)."""
    service = Service.objects.filter(hall=hall, implementation__code=form.cleaned_data["item"],
                                     bookable=True).first()
    if service is None:
        return []
    now = clock.now()
    return [s for s in selectors.day_slots(hall, form.cleaned_data["date"], service)
            if s.slot.start > now]


def slot_start(value: str) -> dt.datetime | None:
    try:
        return clock.parse_instant(value)
    except ValueError:
        return None


def visible_appointment(user: User, code: str) -> Appointment:
    row = Appointment.objects.select_related("hall", "service__implementation__item").filter(
        code=services.normalize_booking_code(code)).first()
    if row is None or not APPOINTMENT_TABLE.roles_on(user, row):
        raise Http404("未找到该预约。")
    return row

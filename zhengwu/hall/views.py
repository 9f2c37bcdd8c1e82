"""The hall's public and applicant pages: the halls and their hours, booking an appointment
(choose item, date, slot; a confirmation with the booking code), one's appointments and
cancelling them."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.accounts.models import User
from zhengwu.core import clock, idempotency
from zhengwu.core.errors import DomainError
from zhengwu.hall import selectors, services
from zhengwu.hall.booking import (
    chosen_hall,
    hall_choices,
    item_choices,
    slot_start,
    slots_for,
    visible_appointment,
)
from zhengwu.hall.forms import BookForm
from zhengwu.hall.models import AppointmentChannel
from zhengwu.hall.selectors import OpenSlot
from zhengwu.hall.workflow import APPOINTMENT_TABLE, PAGE_ACTIONS
from zhengwu.process import engine
from zhengwu.workdays.calendar import SHANGHAI


def hall_list(request: HttpRequest) -> HttpResponse:
    halls = list(selectors.halls().prefetch_related("hours"))
    return render(request, "hall/list.html", {"halls": halls})


def book(request: HttpRequest) -> HttpResponse:
    """网上预约: GET lists the slots of the chosen item and day; POST books one (signed in)."""
    data = request.POST if request.method == "POST" else (request.GET or None)
    hall = chosen_hall(data)
    form = BookForm(data, halls=hall_choices(), items=item_choices(hall),
                    initial={"hall": hall.code, "date": clock.today()})
    slots: list[OpenSlot] = []
    if data is not None and form.is_valid():
        slots = slots_for(form, hall)
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            start = slot_start(form.cleaned_data["slot"] or "")
            if start is None:
                form.add_error("slot", "请选择时段。")
            else:
                try:
                    row, _ = services.appointment_book(
                        user=request.user, channel=AppointmentChannel.WEB,
                        idempotency_key=idempotency.key_from_form(request.POST) or None,
                        data=services.BookIn(hall=hall.code, implementation=form.cleaned_data[
                            "item"], start=start))
                except services.FieldError as error:
                    form.add_error(error.field if error.field in form.fields else None,
                                   error.message)
                    slots = slots_for(form, hall)
                else:
                    messages.success(request, f"预约成功，预约码 {row.code}。")
                    return redirect("hall:appointment", code=row.code)
    return render(request, "hall/book.html", {
        "form": form, "hall": hall, "slots": slots, "searched": data is not None,
        "idempotency_key": idempotency.key_from_form(request.POST) or idempotency.new_key()})


@login_required
def appointment(request: HttpRequest, code: str) -> HttpResponse:
    user = cast(User, request.user)
    row = visible_appointment(user, code)
    return render(request, "hall/appointment.html", {
        "a": row, "moves": engine.moves_open(APPOINTMENT_TABLE, row, user, actions=PAGE_ACTIONS),
        "events": row.events.order_by("id"), "start": row.start.astimezone(SHANGHAI),
        "end": row.end.astimezone(SHANGHAI)})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    rows = selectors.appointments_of(cast(User, request.user))[:100]
    return render(request, "hall/mine.html", {"rows": rows})


@login_required
@require_POST
def move(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Cancel, check in or serve from the appointment's page."""
    user = cast(User, request.user)
    row = visible_appointment(user, code)
    if action not in PAGE_ACTIONS:
        raise Http404("未知的操作。")
    try:
        services.appointment_move(code=row.code, user=user, action=action,
                                  reason=request.POST.get("reason", "")[:200])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, {"cancel": "预约已取消。", "check_in": "已签到。",
                                   "serve": "已办理完毕。"}[action])
    return redirect("hall:appointment", code=row.code)

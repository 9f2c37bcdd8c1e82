"""The hall's staff pages: the day's appointments with check-in by booking code, booking for
a caller (电话预约), and the hall managers' pages — halls, zones, windows, 进驻, hours,
exceptions, duty — the 体外循环 report and the live dashboard of the queue's figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.accounts.models import User
from zhengwu.core import clock, idempotency
from zhengwu.core.errors import DomainError
from zhengwu.hall import selectors, services
from zhengwu.hall.booking import item_choices, slot_start, slots_for
from zhengwu.hall.dashboard import dashboard
from zhengwu.hall.forms import (
    CallerForm,
    CodeForm,
    DeleteForm,
    DutyForm,
    ExceptionForm,
    HoursForm,
    PhoneTicketForm,
    QueuePeriodForm,
    ResidenceForm,
    ServiceForm,
    SettingsForm,
    WindowForm,
)
from zhengwu.hall.models import Appointment, AppointmentChannel, Duty, Hall, TicketSource
from zhengwu.hall.queue import TakeIn, ticket_take
from zhengwu.hall.workflow import APPOINTMENT_TABLE, PAGE_ACTIONS
from zhengwu.process import engine


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _staff_hall(user: User, code: str) -> Hall:
    hall = Hall.objects.select_related("region").filter(code=code).first()
    if hall is None or user.pk not in selectors.hall_staff_ids(hall):
        raise Http404("未找到该大厅。")
    return hall


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return clock.today()


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(request, "hall/staff_home.html", {
        "halls": selectors.staff_halls(user), "managed": list(selectors.managed_halls(user))})


@login_required
def staff_day(request: HttpRequest, hall_code: str) -> HttpResponse:
    user = _user(request)
    hall = _staff_hall(user, hall_code)
    return _day_page(request, hall, CodeForm())


def _groups(hall: Hall) -> list[tuple[str, str]]:
    return [(group, f"{prefix} {group}" if prefix else group)
            for group, prefix in selectors.queue_groups(hall).items()]


def _day_page(request: HttpRequest, hall: Hall, form: CodeForm, status: int = 200, *,
              phone_form: PhoneTicketForm | None = None) -> HttpResponse:
    user, day = _user(request), _day(request)
    appointments = list(selectors.appointments_at(hall, day))
    for appointment in appointments:
        appointment.hall = hall  # one hall instance: its staff are looked up once
    rows = [(a, engine.moves_open(APPOINTMENT_TABLE, a, user, actions=PAGE_ACTIONS))
            for a in appointments]
    return render(request, "hall/staff_day.html", {
        "hall": hall, "day": day, "rows": rows, "form": form,
        "phone_form": phone_form or PhoneTicketForm(groups=_groups(hall)),
        "windows": selectors.windows_callable(user, hall)}, status=status)


@login_required
@require_POST
def phone_ticket(request: HttpRequest, hall_code: str) -> HttpResponse:
    """电话取号: staff take a number for a caller; the number is told on the phone."""
    user = _user(request)
    hall = _staff_hall(user, hall_code)
    form = PhoneTicketForm(request.POST, groups=_groups(hall))
    if form.is_valid():
        data = form.cleaned_data
        try:
            row, _ = ticket_take(data=TakeIn(
                hall=hall.code, group=data["group"], name=data["name"], phone=data["phone"],
                id_number=data["id_number"], priority=data["priority"] or ""),
                source=TicketSource.STAFF_PHONE, user=user)
        except services.FieldError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已为{data['name']}取号 {row.number}，请告知来电人。")
            return redirect("hall:staff_day", hall_code=hall.code)
    return _day_page(request, hall, CodeForm(), status=422, phone_form=form)


@login_required
@require_POST
def check_in(request: HttpRequest, hall_code: str) -> HttpResponse:
    """签到 with the booking code at the window."""
    user = _user(request)
    hall = _staff_hall(user, hall_code)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            row = services.appointment_check_in(form.cleaned_data["code"], user=user)
        except Appointment.DoesNotExist:
            form.add_error("code", "没有该预约码的预约。")
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            number = row.ticket.number  # taken at the check-in (ADR 0020)
            messages.success(request, f"{row.name}已签到（{row.code}，{row.window_group}），"
                             f"排队号码 {number}。")
            return redirect("hall:staff_day", hall_code=hall.code)
    return _day_page(request, hall, form, status=422)


@login_required
def staff_book(request: HttpRequest, hall_code: str) -> HttpResponse:
    """电话预约: staff book for a caller, named with ID number and phone."""
    user = _user(request)
    hall = _staff_hall(user, hall_code)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = CallerForm(data, halls=[(hall.code, hall.name)], items=item_choices(hall),
                      initial={"hall": hall.code, "date": clock.today()})
    slots = []
    if data is not None and form.is_valid():
        slots = slots_for(form, hall)
        if request.method == "POST":
            start = slot_start(form.cleaned_data["slot"] or "")
            if start is None:
                form.add_error("slot", "请选择时段。")
            else:
                try:
                    row, _ = services.appointment_book(
                        user=user, channel=AppointmentChannel.STAFF,
                        idempotency_key=idempotency.key_from_form(request.POST) or None,
                        data=services.BookIn(
                            hall=hall.code, implementation=form.cleaned_data["item"],
                            start=start, name=form.cleaned_data["name"],
                            id_number=form.cleaned_data["id_number"],
                            phone=form.cleaned_data["phone"]))
                except services.FieldError as error:
                    form.add_error(error.field if error.field in form.fields else None,
                                   error.message)
                else:
                    messages.success(request, f"已为{row.name}预约，预约码 {row.code}。")
                    return redirect("hall:appointment", code=row.code)
    return render(request, "hall/book.html", {
        "form": form, "hall": hall, "slots": slots, "searched": data is not None,
        "for_caller": True,
        "idempotency_key": idempotency.key_from_form(request.POST) or idempotency.new_key()},
        status=422 if form.errors else 200)


# --- the hall managers' pages -------------------------------------------------------------


def _managed(user: User, code: str) -> Hall:
    hall = selectors.managed_halls(user).filter(code=code).first()
    if hall is None:
        raise Http404("未找到该大厅。")
    return hall


EDITS: dict[str, tuple[type[forms.Form], Callable[..., Any], str]] = {
    "settings": (SettingsForm, services.hall_settings_save, "大厅设置已保存。"),
    "hours": (HoursForm, services.hours_add, "办公时间已添加。"),
    "exception": (ExceptionForm, services.exception_add, "特殊安排已添加。"),
    "window": (WindowForm, services.window_save, "窗口已保存。"),
    "duty": (DutyForm, services.duty_add, "排班已添加。"),
    "residence": (ResidenceForm, services.residence_save, "进驻部门已保存。"),
    "service": (ServiceForm, services.service_save, "进驻事项已保存。"),
}
DELETES: dict[str, Callable[..., None]] = {
    "hours_delete": lambda user, hall_code, pk: services.hours_delete(
        user=user, hall_code=hall_code, hours_id=pk),
    "exception_delete": lambda user, hall_code, pk: services.exception_delete(
        user=user, hall_code=hall_code, exception_id=pk),
    "duty_delete": lambda user, hall_code, pk: services.duty_delete(
        user=user, hall_code=hall_code, duty_id=pk),
    "residence_delete": lambda user, hall_code, pk: services.residence_delete(
        user=user, hall_code=hall_code, residence_id=pk),
    "service_delete": lambda user, hall_code, pk: services.service_delete(
        user=user, hall_code=hall_code, service_id=pk),
}


def _forms(hall: Hall) -> dict[str, forms.Form]:
    return {"settings": SettingsForm(initial={"slot_minutes": hall.slot_minutes,
                                              "per_window": hall.per_window,
                                              "phone": hall.phone, "address": hall.address}),
            "hours": HoursForm(), "exception": ExceptionForm(), "window": WindowForm(),
            "duty": DutyForm(initial={"date": clock.today()}), "residence": ResidenceForm(),
            "service": ServiceForm()}


def _manage_page(request: HttpRequest, hall: Hall, edit_forms: dict[str, forms.Form],
                 status: int = 200) -> HttpResponse:
    today = clock.today()
    duties = Duty.objects.filter(window__hall=hall, date__gte=today).select_related(
        "window", "user").order_by("date", "window__number")[:200]
    return render(request, "hall/manage.html", {
        "hall": hall, **selectors.hall_detail(hall), "forms": edit_forms, "duties": duties},
        status=status)


@login_required
def manage(request: HttpRequest, hall_code: str) -> HttpResponse:
    hall = _managed(_user(request), hall_code)
    return _manage_page(request, hall, _forms(hall))


@login_required
@require_POST
def manage_edit(request: HttpRequest, hall_code: str, what: str) -> HttpResponse:
    """One edit of the manager's page; on an error the page again, with what was typed and
    the message next to its field."""
    user = _user(request)
    hall = _managed(user, hall_code)
    if what in DELETES:
        delete = DeleteForm(request.POST)
        if delete.is_valid():
            try:
                DELETES[what](user, hall.code, delete.cleaned_data["pk"])
            except ObjectDoesNotExist:
                messages.error(request, "该记录已不存在。")
            else:
                messages.success(request, "已删除。")
        return redirect("hall:manage", hall_code=hall.code)
    if what not in EDITS:
        raise Http404("未知的操作。")
    form_class, call, done = EDITS[what]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(user=user, hall_code=hall.code, **form.cleaned_data)
        except services.FieldError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, done)
            return redirect("hall:manage", hall_code=hall.code)
    edit_forms = _forms(hall)
    edit_forms[what] = form
    return _manage_page(request, hall, edit_forms, status=422)


@login_required
def outside(request: HttpRequest, hall_code: str) -> HttpResponse:
    """体外循环: items of departments in the hall still accepted in person elsewhere."""
    hall = _managed(_user(request), hall_code)
    today = clock.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today - dt.timedelta(days=90)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return render(request, "hall/outside.html", {
        "hall": hall, "rows": selectors.outside_report(hall, start, end), "start": start,
        "end": end})



@login_required
def queue_figures(request: HttpRequest, hall_code: str) -> HttpResponse:
    """取号叫号统计: the live hall dashboard, today unless a period is chosen."""
    hall = _managed(_user(request), hall_code)
    today = clock.today()
    form = QueuePeriodForm(request.GET or None, today=today,
                           initial={"start": today, "end": today})
    if form.is_bound and not form.is_valid():
        return render(request, "hall/queue_figures.html", {"hall": hall, "form": form},
                      status=422)
    start, end = (form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_bound \
        else (today, today)
    return render(request, "hall/queue_figures.html", {
        "hall": hall, "form": form, **dashboard(hall, start, end)})


@login_required
def queue_figures_live(request: HttpRequest, hall_code: str) -> HttpResponse:
    """Today's figures alone, polled by the dashboard every 30 s."""
    hall = _managed(_user(request), hall_code)
    today = clock.today()
    return render(request, "hall/_queue_live.html", {"hall": hall,
                                                     **dashboard(hall, today, today)})

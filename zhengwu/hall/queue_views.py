"""The queue's pages (取号叫号, ADR 0020): the kiosk (public: take a number by ID card or phone,
or check in with a booking code), the window's calling page (the clerk on duty or a hall
manager), 电话取号 on the staff hall page, the hall screen's display with its small JSON state
(public, numbers only), and the window's rating pad (public, offers only the number just
finished there). Every page works without JavaScript; htmx and the display's script only make
them smoother."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.masking import mask_citizen_id, mask_name, mask_phone
from zhengwu.evaluations import rules as rating_rules
from zhengwu.evaluations.indicators import is_bad
from zhengwu.evaluations.services import RatingIn, rating_at_pad
from zhengwu.hall import rules, selectors, services
from zhengwu.hall.forms import KioskForm, PadForm, TicketActionForm
from zhengwu.hall.models import Appointment, Hall, Ticket, TicketSource, TicketStatus, Window
from zhengwu.hall.queue import (
    TakeIn,
    ticket_call_next,
    ticket_move,
    ticket_take,
    visit_key,
    window_for,
)
from zhengwu.hall.workflow import TICKET_TABLE
from zhengwu.process import engine
from zhengwu.workdays.calendar import SHANGHAI


def _hall(code: str) -> Hall:
    hall = Hall.objects.filter(code=code).first()
    if hall is None:
        raise Http404("未找到该大厅。")
    return hall


def _groups(hall: Hall) -> list[tuple[str, str]]:
    return [(group, f"{prefix} {group}" if prefix else group)
            for group, prefix in selectors.queue_groups(hall).items()]


def _field(error: services.FieldError, form: Any) -> str | None:
    return error.field if error.field in form.fields else None


# --- the kiosk ----------------------------------------------------------------------------------


def kiosk(request: HttpRequest, hall_code: str) -> HttpResponse:
    """自助取号: choose the business and give an ID card or phone number; or check in with a
    booking code. Shows the number and how many are ahead."""
    hall = _hall(hall_code)
    form = KioskForm(request.POST if request.method == "POST" else None, groups=_groups(hall))
    ticket: Ticket | None = None
    code_error = ""
    if request.method == "POST" and "code" in request.POST:
        form = KioskForm(groups=_groups(hall))
        code = services.normalize_booking_code(request.POST["code"][:20])
        booked_at = Appointment.objects.filter(code=code).values_list("hall_id", flat=True)
        try:
            if code and booked_at and booked_at[0] != hall.pk:
                raise services.FieldError("该预约不在本大厅，请到预约的大厅签到。",
                                          code="hall.other_hall", field="code")
            appointment = services.appointment_check_in(code)
        except ObjectDoesNotExist:
            code_error = "没有该预约码的预约。"
        except DomainError as error:
            code_error = error.message
        else:
            ticket = Ticket.objects.select_related("hall").get(appointment=appointment)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = data["way"] == "id"
        if by_id and not data["id_number"].strip():
            form.add_error("id_number", "请输入身份证号码。")
        elif not by_id and not data["phone"].strip():
            form.add_error("phone", "请输入手机号码。")
        else:
            try:
                ticket, _ = ticket_take(data=TakeIn(
                    hall=hall.code, group=data["group"],
                    id_number=data["id_number"] if by_id else "",
                    phone="" if by_id else data["phone"], priority=data["priority"] or ""),
                    source=TicketSource.KIOSK_ID if by_id else TicketSource.KIOSK_PHONE)
            except services.FieldError as error:
                form.add_error(_field(error, form), error.message)
    ahead = selectors.ahead_of(ticket, clock.now()) if ticket is not None else 0
    status = 422 if form.errors or code_error else 200
    return render(request, "hall/kiosk.html", {
        "hall": hall, "form": form, "ticket": ticket, "ahead": ahead, "code_error": code_error,
        "code": request.POST.get("code", "")[:20] if code_error else "",
        "priority_label": rules.priority_groups().get(ticket.priority, "") if ticket else ""},
        status=status)


# --- the window's calling page ---------------------------------------------------------------


def _window(user: User, hall_code: str, number: str) -> Window:
    try:
        return window_for(user, hall_code, number)
    except Window.DoesNotExist:
        raise Http404("未找到该窗口，或您今天不在该窗口值班。") from None


def _masked(ticket: Ticket) -> dict[str, str]:
    return {"name": mask_name(ticket.name) if ticket.name else "",
            "id_number": mask_citizen_id(ticket.id_number) if ticket.id_number else "",
            "phone": mask_phone(ticket.phone) if ticket.phone else "",
            "priority": rules.priority_groups().get(ticket.priority, ticket.priority)}


def _calling_page(request: HttpRequest, window: Window, *, transfer: TicketActionForm | None
                  = None, status: int = 200) -> HttpResponse:
    user = cast(User, request.user)
    now = clock.now()
    day = now.astimezone(SHANGHAI).date()
    hall = window.hall
    current = selectors.window_current(window, day)
    moves = engine.moves_open(TICKET_TABLE, current, user, actions=(
        "recall", "start", "pass", "transfer", "finish")) if current is not None else []
    waiting = selectors.queue_of(hall, day, window.group, now)
    passed = list(selectors.passed_at(hall, day, window.group)[:20])
    limit = rules.requeue_limit()
    return render(request, "hall/calling.html", {
        "hall": hall, "window": window, "current": current,
        "current_masked": _masked(current) if current is not None else None,
        "moves": moves, "waiting": [(t, _masked(t)) for t in waiting[:30]],
        "waiting_count": len(waiting),
        "passed": [(t, t.requeues < limit) for t in passed],
        "groups": [g for g in _groups(hall) if g[0] != (current.window_group if current
                                                         else window.group)],
        "transfer": transfer or TicketActionForm(), "day": day}, status=status)


@login_required
def calling(request: HttpRequest, hall_code: str, window: str) -> HttpResponse:
    return _calling_page(request, _window(cast(User, request.user), hall_code, window))


CALL_DONE = {"call_next": "已叫号。", "recall": "已重呼。", "start": "开始办理。", "pass": "已过号。",
             "transfer": "已转窗口。", "finish": "已办结。", "requeue": "已重新排队。",
             "abandon": "已放弃。"}


@login_required
@require_POST
def calling_action(request: HttpRequest, hall_code: str, window: str,
                   action: str) -> HttpResponse:
    """One move from the calling page; on an error the page again with the message."""
    user = cast(User, request.user)
    found = _window(user, hall_code, window)
    if action not in CALL_DONE:
        raise Http404("未知的操作。")
    form = TicketActionForm(request.POST)
    form.is_valid()
    try:
        if action == "call_next":
            row = ticket_call_next(user=user, hall_code=hall_code, window=found.number)
            messages.success(request, f"请{row.number}号到{found.number}号窗口办理。")
        else:
            ticket = _window_ticket(found, form.cleaned_data.get("ticket"), action)
            ticket_move(user=user, ticket_id=ticket.pk, action=action,
                        group=form.cleaned_data.get("group") or "")
            messages.success(request, CALL_DONE[action])
    except services.FieldError as error:
        form.add_error(_field(error, form), error.message)
        return _calling_page(request, found, transfer=form, status=422)
    except ObjectDoesNotExist:
        messages.error(request, "该号码已不在本窗口。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("hall:calling", hall_code=found.hall.code, window=found.number)


def _window_ticket(window: Window, pk: int | None, action: str) -> Ticket:
    """The number a move of the calling page is about: the one called or served at this
    window, or for requeue and abandon a passed number of its group, today."""
    if pk is None:
        raise Ticket.DoesNotExist("未选择号码。")
    rows = Ticket.objects.filter(pk=pk, hall=window.hall, day=clock.today())
    if action in ("requeue", "abandon"):
        return rows.get(window_group=window.group, status=TicketStatus.PASSED)
    return rows.get(window=window)


# --- the hall's screen ---------------------------------------------------------------------------


def display(request: HttpRequest, hall_code: str) -> HttpResponse:
    """The hall screen: numbers being called and where, the last called, waiting counts."""
    state = selectors.display_state(hall_code)
    if state is None:
        raise Http404("未找到该大厅。")
    return render(request, "hall/display.html", {"state": state, "hall_code": hall_code})


@never_cache
def display_state(request: HttpRequest, hall_code: str) -> JsonResponse:
    """The screen's state as JSON, polled every 2 s: one query while nothing moved."""
    state = selectors.display_state(hall_code)
    if state is None:
        return JsonResponse({"code": "hall.unknown_hall", "detail": "未找到该大厅。"},
                            status=404)
    return JsonResponse(state, json_dumps_params={"ensure_ascii": False})


# --- the window's rating pad -------------------------------------------------------------------


def _pad_form(data: Any = None) -> PadForm:
    return PadForm(data, levels=list(rating_rules.LEVELS.items()),
                   reasons=list(rating_rules.reasons().items()))


def pad(request: HttpRequest, hall_code: str, window: str) -> HttpResponse:
    """The tablet at the window: rate the number just finished here (one rating per number).
    It never shows who was served, and the clerk never sees who rated."""
    found = Window.objects.select_related("hall").filter(hall__code=hall_code,
                                                          number=window).first()
    if found is None:
        raise Http404("未找到该窗口。")
    ticket = selectors.pad_ticket(found, clock.now())
    form = _pad_form()
    rated = False
    if request.method == "POST":
        form = _pad_form(request.POST)
        if form.is_valid():
            if ticket is None or ticket.pk != form.cleaned_data["ticket"]:
                form.add_error(None, "该号码已不能在此评价，请通过短信链接或网上评价。")
            else:
                data = form.cleaned_data
                try:
                    rating_at_pad(kind="visit", key=visit_key(ticket), data=RatingIn(
                        kind="visit", key=visit_key(ticket), level=data["level"],
                        reasons=list(data["reasons"])),
                        address=request.META.get("REMOTE_ADDR"))
                except ObjectDoesNotExist:
                    form.add_error(None, "该号码没有可评价的服务记录。")
                except DomainError as error:
                    form.add_error("reasons" if error.code.startswith("rating.reason")
                                   else None, error.message)
                else:
                    rated = True
    already = ticket is not None and not rated and selectors.pad_rated(ticket)
    return render(request, "hall/pad.html", {
        "window": found, "hall": found.hall, "ticket": None if rated or already else ticket,
        "form": form, "rated": rated, "already": already,
        "bad_levels": [level for level in rating_rules.LEVELS if is_bad(level)]},
        status=422 if form.errors else 200)

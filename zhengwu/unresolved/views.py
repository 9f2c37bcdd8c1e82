"""办不成事反映 pages, server-rendered in Chinese, working without JavaScript.

- 我要反映 (online: signed in, or anonymous with name and phone) and its receipt;
- the person's progress: 我的反映 and a ticket's page (signed in), or the lookup by ticket
  number and phone (anonymous), without staff names;
- the public monthly list and the figures per department (no personal data);
- staff: recording a ticket for a person (window, phone), the officer's list (open /
  overdue), the ticket page with the steps as forms (each opening logged as a read of
  personal data), and the director's overview.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.forms import mark_errors, refuse
from zhengwu.process import engine
from zhengwu.process.timeline import timeline_rows
from zhengwu.unresolved import rules, selectors, services
from zhengwu.unresolved.forms import (
    FIELD_OF_CODE,
    ContactForm,
    ReassignForm,
    ResolveForm,
    TicketForm,
)
from zhengwu.unresolved.models import Ticket, TicketChannel
from zhengwu.unresolved.models import TicketStatus as S
from zhengwu.unresolved.workflow import (
    ACTION_LABELS,
    ROLE_LABELS,
    STAFF_ACTIONS,
    TICKET_TABLE,
    is_director,
)

ROLES: dict[str, str] = {str(role): label for role, label in ROLE_LABELS.items()}


def _open_in(form: TicketForm) -> services.OpenIn:
    data = form.data
    return services.OpenIn(
        asked=data.get("asked", ""), told=data.get("told", ""), where=data.get("where", ""),
        name=data.get("name", ""), phone=data.get("phone", ""),
        implementation=data.get("implementation", ""), department_id=form.department_id(),
        told_by=data.get("told_by", ""), case_number=data.get("case_number", ""))


def _open(request: HttpRequest, form: TicketForm, user: User | None,
          channel: str) -> Ticket | None:
    """Open the ticket from the form; on a problem, put it next to its field."""
    if not form.is_valid():
        return None
    try:
        return services.ticket_open(data=_open_in(form), user=user, channel=channel)
    except services.TicketInvalid as problem:
        refuse(form, problem.fields)
    except DomainError as problem:
        form.add_error(None, problem.message)
        mark_errors(form)
    return None


def new(request: HttpRequest) -> HttpResponse:
    """我要反映: anyone told "can't be done"; signed in, name and phone default to the
    account's."""
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.is_staff:
        return redirect("unresolved:staff_new")
    form = TicketForm(request.POST or None)
    if request.method == "POST":
        row = _open(request, form, user, TicketChannel.WEB)
        if row is not None:
            return render(request, "unresolved/opened.html", {"row": row})
    return render(request, "unresolved/new.html", {
        "form": form, "staff": False, "contact_workdays": rules.contact_workdays(),
        "resolve_workdays": rules.resolve_workdays()},
                  status=422 if form.errors else 200)


def _progress(request: HttpRequest, row: Ticket) -> HttpResponse:
    return render(request, "unresolved/progress.html", {
        "row": row, "overdue": selectors.is_overdue(row, clock.now()),
        "timeline": timeline_rows(row.events.all(), label=lambda e: ACTION_LABELS.get(
            e.action, e.action), status=lambda s: str(S(s).label) if s else "",
            roles=ROLES, with_staff=False)})


def track(request: HttpRequest) -> HttpResponse:
    """The anonymous lookup by ticket number and phone (POST: the phone stays out of the
    access logs)."""
    error = ""
    if request.method == "POST":
        try:
            row = selectors.ticket_by_phone(request.POST.get("number", ""),
                                            request.POST.get("phone", ""))
        except Ticket.DoesNotExist:
            error = "没有找到该反映单，请核对反映单号和联系电话。"
        else:
            return _progress(request, row)
    return render(request, "unresolved/track.html", {
        "error": error, "typed": request.POST}, status=404 if error else 200)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    return render(request, "unresolved/mine.html", {"rows": selectors.mine(user)})


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    user = cast(User, request.user)
    row = selectors.mine(user).get(number=number)  # another's: 404
    return _progress(request, row)


def public(request: HttpRequest) -> HttpResponse:
    month = request.GET.get("month") or f"{clock.today():%Y-%m}"
    try:
        rows, figures = selectors.monthly(month)
    except ValueError:
        month = f"{clock.today():%Y-%m}"
        rows, figures = selectors.monthly(month)
    return render(request, "unresolved/public.html", {"month": month, "rows": rows,
                                                      "figures": figures})


# --- staff ---------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_staff:
        raise PermissionDenied("办不成事反映的办理页面仅供工作人员使用。")
    return user


@login_required
def staff_new(request: HttpRequest) -> HttpResponse:
    """Staff record a ticket for a person at the window or from a phone call."""
    user = _staff(request)
    form = TicketForm(request.POST or None, staff=True)
    if request.method == "POST":
        channel = request.POST.get("channel") or TicketChannel.WINDOW
        row = _open(request, form, user, channel)
        if row is not None:
            messages.success(request, f"已登记反映单 {row.number}，已转{row.department.short_name}"
                                      "首席代表办理。")
            return redirect("unresolved:staff_detail", number=row.number)
    return render(request, "unresolved/new.html", {
        "form": form, "staff": True, "contact_workdays": rules.contact_workdays(),
        "resolve_workdays": rules.resolve_workdays()},
                  status=422 if form.errors else 200)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    state = request.GET.get("state", "open")
    if state not in ("open", "overdue", "closed", "all"):
        state = "open"
    now = clock.now()
    rows = [(row, selectors.is_overdue(row, now)) for row in selectors.worklist(user,
                                                                                 state=state)]
    return render(request, "unresolved/staff_list.html", {
        "rows": rows, "state": state, "director": is_director(user),
        "tabs": [("open", "办理中"), ("overdue", "已逾期"), ("closed", "已办结"), ("all", "全部")]})


@login_required
def staff_overview(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not is_director(user):
        raise PermissionDenied("办不成事反映总览由中心（大厅管理员、电子监察）查看。")
    now = clock.now()
    return render(request, "unresolved/overview.html", {
        "departments": selectors.overview(now),
        "overdue": selectors.worklist(user, state="overdue"),
        "contact_workdays": rules.contact_workdays(),
        "resolve_workdays": rules.resolve_workdays()})


def _move_in(action: str, data: Any) -> services.MoveIn:
    return services.MoveIn(
        action=action, note=data.get("note", ""), how=data.get("how", ""),
        outcome=data.get("outcome", ""), legal_basis=data.get("legal_basis", ""),
        case_number=data.get("case_number", ""), proposal=data.get("proposal", ""),
        summary=data.get("summary", ""),
        department_id=int(data["department"]) if str(data.get("department", "")).isdigit()
        else None)


@login_required
def staff_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _staff(request)
    row = selectors.ticket_for(user, number)  # not theirs: 404
    kinds: dict[str, type[django_forms.Form]] = {
        "reassign": ReassignForm, "contact": ContactForm, "resolve": ResolveForm}
    forms = {action: kind() for action, kind in kinds.items()}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            services.ticket_move(number=number, user=user, move=_move_in(action, request.POST))
        except DomainError as problem:
            status = problem.http_status if problem.http_status < 500 else 409
            bound = kinds.get(action, ResolveForm)(request.POST)
            if action in forms and bound.is_valid():
                field = FIELD_OF_CODE.get(problem.code)
                bound.add_error(field if field in bound.fields else None, problem.message)
                mark_errors(bound)
                forms[action] = bound
            else:
                messages.error(request, problem.message)
        else:
            messages.success(request, "已办理。")
            return redirect("unresolved:staff_detail", number=number)
        row = selectors.ticket_for(user, number)
    # The page shows the person's name and phone: every showing is a logged read.
    services.ticket_read(row=row, user=user)
    moves = engine.moves_open(TICKET_TABLE, row, user, actions=STAFF_ACTIONS)
    return render(request, "unresolved/staff_detail.html", {
        "row": row, "overdue": selectors.is_overdue(row, clock.now()),
        "moves": [(action, TICKET_TABLE.moves[action].label, forms[action])
                  for action in moves],
        "timeline": timeline_rows(row.events.all(), label=lambda e: ACTION_LABELS.get(
            e.action, e.action), status=lambda s: str(S(s).label) if s else "",
            roles=ROLES)}, status=status)

"""政务公开 pages, server-rendered in Chinese, working without JavaScript.

- the requester: 申请公开 (signed in), 我的公开申请, and a request's page with its timeline
  (without staff names), the answer and its attachments, and the 补正 form when one is asked;
- the 信息公开专栏 (主动公开), public, and the department's page to publish and withdraw its
  entries;
- staff: recording a request received by post, fax or in person, the agency's worklist, and the
  request page with a form for every move the engine offers (each opening logged as a read of
  personal data).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, InvalidInput
from zhengwu.core.forms import mark_errors, refuse
from zhengwu.core.masking import mask_citizen_id, mask_phone
from zhengwu.departments.models import Department
from zhengwu.openness import column_figures, selectors, services
from zhengwu.openness.forms import (
    ATTACHMENT_SLOTS,
    FIELD_OF_CODE,
    MOVE_FORMS,
    EntryForm,
    PersonSupplementForm,
    RequestForm,
)
from zhengwu.openness.models import ColumnCategory, ColumnEntry, OpennessRequest
from zhengwu.openness.models import RequestStatus as S
from zhengwu.openness.workflow import (
    ACTION_LABELS,
    PERSON_ACTIONS,
    REQUEST_TABLE,
    ROLE_LABELS,
    STAFF_ACTIONS,
    officer_department_ids,
)
from zhengwu.process import engine
from zhengwu.process.timeline import timeline_rows

ROLES: dict[str, str] = {str(role): label for role, label in ROLE_LABELS.items()}


def _timeline(row: OpennessRequest, *, with_staff: bool) -> list[Any]:
    return timeline_rows(row.events.all(), label=lambda e: ACTION_LABELS.get(e.action, e.action),
                         status=lambda s: str(S(s).label) if s else "", roles=ROLES,
                         with_staff=with_staff)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        raise InvalidInput("日期格式不正确。", code="openness.date") from None


def _submit(form: RequestForm, user: User) -> OpennessRequest | None:
    """Submit from the form; on a problem, put it next to its field."""
    if not form.is_valid():
        return None
    data = form.data
    try:
        department = str(data.get("department", "") or "")
        return services.request_submit(data=services.SubmitIn(
            information=data.get("information", ""),
            department_id=int(department) if department.isdigit() else None,
            purpose=data.get("purpose", ""), delivery=data.get("delivery", "electronic"),
            name=data.get("name", ""), id_number=data.get("id_number", ""),
            phone=data.get("phone", ""), address=data.get("address", ""),
            requester_kind=data.get("requester_kind", ""),
            channel=data.get("channel", "online"),
            submitted_on=form.cleaned_data.get("submitted_on"),
            signed_for_on=form.cleaned_data.get("signed_for_on")), user=user)
    except services.RequestInvalid as problem:
        refuse(form, problem.fields)
    except DomainError as problem:
        form.add_error(None, problem.message)
        mark_errors(form)
    return None


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """申请公开政府信息: a signed-in citizen or enterprise; staff record on their own page."""
    user = cast(User, request.user)
    if user.is_staff:
        return redirect("openness:staff_new")
    form = RequestForm(request.POST or None)
    if request.method == "POST":
        row = _submit(form, user)
        if row is not None:
            messages.success(request, f"申请已提交（编号 {row.number}）。受理机关确认收到后，"
                                      "将在20个工作日内答复。")
            return redirect("openness:detail", number=row.number)
    return render(request, "openness/new.html", {"form": form, "staff": False},
                  status=422 if form.errors else 200)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "openness/mine.html", {"rows": selectors.mine(request.user)})


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """The requester's page: the request, its due date, the timeline, the answer; the 补正 form
    when one is asked. Another's request is absent (404)."""
    user = cast(User, request.user)
    row = selectors.request_for_person(user, number)
    form = PersonSupplementForm()
    status = 200
    if request.method == "POST":
        form = PersonSupplementForm(request.POST)
        try:
            services.request_move(number=number, user=user, move=services.MoveIn(
                action=request.POST.get("action", ""), note=request.POST.get("note", "")))
        except DomainError as problem:
            status = problem.http_status if problem.http_status < 500 else 409
            if form.is_valid():
                form.add_error("note" if problem.code in FIELD_OF_CODE else None,
                               problem.message)
                mark_errors(form)
        else:
            messages.success(request, "补正已提交，答复期限自今天起重新计算。")
            return redirect("openness:detail", number=number)
        row = selectors.request_for_person(user, number)
    moves = engine.moves_open(REQUEST_TABLE, row, user, actions=PERSON_ACTIONS)
    return render(request, "openness/detail.html", {
        "row": row, "staff": False, "supplement_form": form if moves else None,
        "timeline": _timeline(row, with_staff=False)}, status=status)


@login_required
def attachment(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """An answer's file, to the requester or the agency's staff, always as an attachment."""
    user = cast(User, request.user)
    row = (selectors.request_for_staff(user, number) if user.is_staff
           else selectors.request_for_person(user, number))
    item = get_object_or_404(row.attachments, pk=pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                        content_type=item.content_type)


# --- staff ---------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_staff:
        raise PermissionDenied("政府信息公开申请的办理页面仅供工作人员使用。")
    return user


@login_required
def staff_new(request: HttpRequest) -> HttpResponse:
    """Staff record a request received by post, fax or in person for their agency."""
    user = _staff(request)
    form = RequestForm(request.POST or None, staff=True)
    if request.method == "POST":
        row = _submit(form, user)
        if row is not None:
            messages.success(request, f"已登记申请 {row.number}。")
            return redirect("openness:staff_detail", number=row.number)
    return render(request, "openness/new.html", {"form": form, "staff": True},
                  status=422 if form.errors else 200)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    state = request.GET.get("state", "open")
    if state not in ("open", "done", "all"):
        state = "open"
    today = clock.today()
    rows = [(row, row.status == S.PROCESSING and row.due_on is not None and row.due_on < today)
            for row in selectors.worklist(user, state=state)]
    return render(request, "openness/staff_list.html", {
        "rows": rows, "state": state,
        "tabs": [("open", "办理中"), ("done", "已办结"), ("all", "全部")]})


def _move_in(action: str, data: Any, files: list[tuple[str, bytes]]) -> services.MoveIn:
    workdays = str(data.get("workdays", "") or "")
    agrees = data.get("agrees", "")
    return services.MoveIn(
        action=action, note=data.get("note", ""), on=_date(data.get("on")),
        until=_date(data.get("until")), workdays=int(workdays) if workdays.isdigit() else 0,
        approved_by=data.get("approved_by", ""), third_party=data.get("third_party", ""),
        agrees=True if agrees == "yes" else False if agrees == "no" else None,
        answer_type=data.get("answer_type", ""), reason=data.get("reason", ""),
        legal_basis=data.get("legal_basis", ""), right_agency=data.get("right_agency", ""),
        files=files)


UNMASK = "unmask"
UNMASK_PURPOSE = "查看申请人完整身份证明号码和联系电话"


@login_required
def staff_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A request as its agency's officers work it: the requester's ID number and phone masked
    until asked for (POST action `unmask`, a logged read with that purpose, as cases do)."""
    user = _staff(request)
    row = selectors.request_for_staff(user, number)  # not their agency's: 404
    forms: dict[str, django_forms.Form] = {action: kind() for action, kind in MOVE_FORMS.items()}
    status = 200
    unmasked = request.method == "POST" and request.POST.get("action") == UNMASK
    if request.method == "POST" and not unmasked:
        action = request.POST.get("action", "")
        try:
            files = services.read_uploads(
                [f for slot in ATTACHMENT_SLOTS for f in request.FILES.getlist(slot)])
            services.request_move(number=number, user=user,
                                  move=_move_in(action, request.POST, files))
        except DomainError as problem:
            status = problem.http_status if problem.http_status < 500 else 409
            kind = MOVE_FORMS.get(action)
            bound = kind(request.POST) if kind is not None else None
            if bound is not None and bound.is_valid():
                key = FIELD_OF_CODE.get(problem.code)
                bound.add_error(key if key in bound.fields else None, problem.message)
                mark_errors(bound)
                forms[action] = bound
            else:
                messages.error(request, problem.message)
        else:
            messages.success(request, "已办理。")
            return redirect("openness:staff_detail", number=number)
        row = selectors.request_for_staff(user, number)
    # The page shows the requester's name: every showing is a logged read. Their ID number
    # and phone are masked until an officer asks to see them whole (logged as such).
    services.request_read(row=row, user=user,
                          purpose=UNMASK_PURPOSE if unmasked else services.READ_PURPOSE)
    moves = engine.moves_open(REQUEST_TABLE, row, user, actions=STAFF_ACTIONS)
    return render(request, "openness/staff_detail.html", {
        "row": row, "staff": True, "unmasked": unmasked,
        "id_number": row.id_number if unmasked else mask_citizen_id(row.id_number),
        "phone": row.phone if unmasked else mask_phone(row.phone),
        "moves": [(action, REQUEST_TABLE.moves[action].label, forms[action])
                  for action in moves],
        "timeline": _timeline(row, with_staff=True)}, status=status)


# --- the 主动公开 column ------------------------------------------------------------------


def column(request: HttpRequest) -> HttpResponse:
    """信息公开专栏: the column's entries by category, public."""
    category = request.GET.get("category", "")
    if category not in ColumnCategory.values:
        category = ""
    entries: list[Any] = list(selectors.column(category))
    if category in ("", ColumnCategory.FIGURES):
        # 好差评和12345数据: the computed entries first (this month's and last month's),
        # then what staff typed (column_figures).
        entries = [*column_figures.entries(), *entries]
    groups = [(value, label, [e for e in entries if e.category == value])
              for value, label in ColumnCategory.choices if not category or value == category]
    return render(request, "openness/column.html", {
        "groups": groups, "category": category, "categories": ColumnCategory.choices})


@login_required
def staff_column(request: HttpRequest) -> HttpResponse:
    """The department's entries, with the form to publish one and a button to withdraw."""
    user = _staff(request)
    departments = [(str(d.pk), d.short_name) for d in Department.objects.filter(
        pk__in=officer_department_ids(user)).order_by("pk")]
    if not departments:
        raise PermissionDenied("主动公开条目由各部门政务公开工作人员发布。")
    form = EntryForm(request.POST or None, departments=departments)
    status = 200
    if request.method == "POST" and form.is_valid():
        department = str(request.POST.get("department", "") or "")
        try:
            entry = services.column_add(data=services.EntryIn(
                category=request.POST.get("category", ""), title=request.POST.get("title", ""),
                body=request.POST.get("body", ""), link=request.POST.get("link", ""),
                department_id=int(department) if department.isdigit() else None,
                published_on=form.cleaned_data.get("published_on")), user=user)
        except services.RequestInvalid as problem:
            refuse(form, problem.fields)
            status = 422
        else:
            messages.success(request, f"已发布：{entry.title}")
            return redirect("openness:staff_column")
    elif request.method == "POST":
        mark_errors(form)
        status = 422
    return render(request, "openness/staff_column.html", {
        "form": form, "entries": selectors.column_of(user)}, status=status)


@login_required
def staff_column_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    if request.method != "POST":
        return redirect("openness:staff_column")
    try:
        entry = services.column_withdraw(pk=pk, user=user)
    except ColumnEntry.DoesNotExist:
        raise Http404("没有该条目。") from None
    messages.success(request, f"已撤下：{entry.title}")
    return redirect("openness:staff_column")

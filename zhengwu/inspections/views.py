"""互联网+监管 pages (issue 15 §3), server-rendered in Chinese, working without JavaScript.

- 监管事项清单 (public): every supervision item with its department, the catalogue items it
  supervises, its legal basis and inspection method; a department's officer adds one.
- 执法检查人员名录库 (staff: the department's officers, 电子监察 read-only): inspectors with their
  执法证号, names (staff only) and declared conflicts; an officer registers an inspector; an
  inspector (or the officer) declares a conflict of interest.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhengwu.accounts.models import User
from zhengwu.core.errors import FieldsInvalid, NotAllowed
from zhengwu.core.forms import refuse
from zhengwu.inspections import services
from zhengwu.inspections.forms import ConflictForm, InspectorForm, ItemForm
from zhengwu.inspections.models import Inspector
from zhengwu.inspections.selectors import inspectors_for, items_public


def items(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    return render(request, "inspections/items.html", {
        "items": items_public(),
        "may_add": len(services.officer_department_ids(user)) == 1,
        "may_read_staff": services.may_read_staff(user)})


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if len(services.officer_department_ids(user)) != 1:
        raise PermissionDenied
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.item_create(user=user, data=services.ItemIn(
                code=data["code"], name=data["name"],
                item_codes=[i.basic_code for i in data["items"]],
                legal_basis=data["legal_basis"], method=data["method"]))
        except FieldsInvalid as problem:
            refuse(form, problem.fields)
        else:
            messages.success(request, f"已登记监管事项“{row.name}”。")
            return redirect("inspections:items")
    return render(request, "inspections/item_new.html", {"form": form},
                  status=422 if form.errors else 200)


@login_required
def inspectors(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if services.is_supervisor(user):
        scope = None
    elif services.officer_department_ids(user):
        scope = services.officer_department_ids(user)
    else:
        raise PermissionDenied
    return render(request, "inspections/inspectors.html", {
        "inspectors": inspectors_for(scope),
        "may_add": len(services.officer_department_ids(user)) == 1})


def _declarable(user: User) -> list[tuple[str, str]]:
    rows = Inspector.objects.select_related("user").filter(active=True)
    own = [r for r in rows if r.user_id == user.pk
           or r.department_id in services.officer_department_ids(user)]
    return [(r.certificate, f"{r.certificate}（{r.user.display_name or r.user.username}）")
            for r in own]


@login_required
def inspector_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if len(services.officer_department_ids(user)) != 1:
        raise PermissionDenied
    form = InspectorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.inspector_register(user=user, username=form.cleaned_data["username"],
                                              certificate=form.cleaned_data["certificate"])
        except FieldsInvalid as problem:
            refuse(form, problem.fields)
        else:
            messages.success(request, f"已将执法证号 {row.certificate} 登记入库。")
            return redirect("inspections:inspectors")
    return render(request, "inspections/inspector_new.html", {"form": form},
                  status=422 if form.errors else 200)


@login_required
def conflict_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    choices = _declarable(user)
    if not choices:
        raise PermissionDenied
    form = ConflictForm(request.POST or None, certificates=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.conflict_declare(user=user, certificate=data["certificate"],
                                      uscc=data["uscc"], reason=data["reason"],
                                      note=data["note"])
        except FieldsInvalid as problem:
            refuse(form, problem.fields)
        except NotAllowed as problem:
            raise PermissionDenied(problem.message) from None
        else:
            messages.success(request, "已登记回避申报；抽取检查人员时将先行排除。")
            return redirect("inspections:inspectors" if services.may_read_staff(user)
                            else "inspections:items")
    return render(request, "inspections/conflict_new.html", {"form": form},
                  status=422 if form.errors else 200)

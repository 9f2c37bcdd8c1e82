"""双随机一公开 pages (issue 15 §3), server-rendered in Chinese, working without JavaScript.

- 抽查结果公示 (public, /inspections/results/): published results — enterprise, USCC, item,
  result, date; never an inspector.
- 抽查计划公示 (public, /inspections/plans/): published plans with their pool, count, the draw
  of targets and, per target, the draw of inspectors with the number excluded for conflicts.
- 抽查计划 (staff, /inspections/staff/plans/): the department plans, publishes and draws (the
  parties commit and reveal through the draw's API, docs/draws.md); each inspection's result
  is published here; results past their disclosure limit are marked 逾期未公示. 电子监察 reads.
- 我的检查任务 (/inspections/staff/mine/): a drawn inspector records the result and the 复查.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, FieldsInvalid
from zhengwu.core.forms import refuse
from zhengwu.inspections import plans as plan_services
from zhengwu.inspections import results, services
from zhengwu.inspections.forms import PlanForm, RecheckForm, ResultForm
from zhengwu.inspections.models import Inspection, InspectionStatus, Plan, SupervisionItem
from zhengwu.inspections.selectors import plans_public, results_public


def results_page(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/results.html", {"results": results_public()})


def plans_page(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/plans.html", {"plans": plans_public()})


def _scope(user: User) -> set[int] | None:
    """The departments whose plans `user` sees (None: all, for 电子监察)."""
    if services.is_supervisor(user):
        return None
    ids = services.officer_department_ids(user)
    if not ids:
        raise PermissionDenied
    return ids


@login_required
def staff_plans(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    scope = _scope(user)
    rows = Plan.objects.select_related("item", "department").order_by("-created_at")
    if scope is not None:
        rows = rows.filter(department_id__in=scope)
    return render(request, "inspections/staff_plans.html", {
        "plans": rows, "may_add": len(services.officer_department_ids(user)) == 1})


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if len(services.officer_department_ids(user)) != 1:
        raise PermissionDenied
    items = [(i.code, f"{i.code} {i.name}") for i in SupervisionItem.objects.filter(
        department_id__in=services.officer_department_ids(user))]
    form = PlanForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = plan_services.plan_create(user=user, data=plan_services.PlanIn(
                name=data["name"], item_code=data["item"], percent=data["percent"],
                due_workdays=data["due_workdays"], region_prefix=data["region_prefix"]))
        except FieldsInvalid as problem:
            refuse(form, problem.fields)
        else:
            messages.success(request, f"已拟定抽查计划 {row.number}，公布后方可抽取。")
            return redirect("inspections:staff_plan", number=row.number)
    return render(request, "inspections/plan_new.html", {"form": form},
                  status=422 if form.errors else 200)


def _inspection_rows(plan: Plan, today: dt.date) -> list[dict[str, Any]]:
    return [{"row": i, "overdue": results.overdue(i, today),
             "inspectors": [x.certificate for x in i.inspectors.all()]}
            for i in plan.inspections.select_related("inspector_draw").prefetch_related(
                "inspectors")]


@login_required
def staff_plan(request: HttpRequest, number: str) -> HttpResponse:
    user = cast(User, request.user)
    scope = _scope(user)
    plan = get_object_or_404(Plan.objects.select_related("item", "department", "target_draw"),
                             number=number)
    if scope is not None and plan.department_id not in scope:
        raise PermissionDenied
    if request.method == "POST":
        if scope is None and not services.officer_department_ids(user):
            raise PermissionDenied  # 电子监察 reads only
        action = request.POST.get("action", "")
        try:
            if action == "publish":
                plan_services.plan_publish(user=user, number=number)
                messages.success(request, "计划已公布，抽查对象名录已固定。")
            elif action == "draw":
                plan_services.plan_draw(user=user, number=number)
                messages.success(request, "已发起抽取：各参与方提交承诺值并揭示随机数后产生结果。")
            elif action == "redraw":
                plan_services.inspectors_redraw(user=user,
                                                pk=int(request.POST.get("inspection", 0)))
                messages.success(request, "已发起抽取检查人员。")
            elif action == "publish_result":
                results.result_publish(user=user, pk=int(request.POST.get("inspection", 0)))
                messages.success(request, "检查结果已公示并写入透明日志。")
            else:
                messages.error(request, "未知的操作。")
        except (DomainError, ValueError) as problem:
            messages.error(request, getattr(problem, "message", "操作无效。"))
        return redirect("inspections:staff_plan", number=number)
    return render(request, "inspections/staff_plan.html", {
        "plan": plan, "inspections": _inspection_rows(plan, clock.today()),
        "may_act": scope is not None and plan.department_id in scope})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_staff:
        raise PermissionDenied
    rows = Inspection.objects.filter(inspectors__user=user).select_related(
        "plan__item").order_by("due_on")
    return render(request, "inspections/mine.html", {"rows": rows})


@login_required
def inspection_result(request: HttpRequest, pk: int) -> HttpResponse:
    """A drawn inspector records the result (and, for 责令整改, later the 复查)."""
    user = cast(User, request.user)
    row = get_object_or_404(Inspection.objects.select_related("plan__item"), pk=pk)
    if not row.inspectors.filter(user=user).exists():
        raise PermissionDenied
    recheck = row.status == InspectionStatus.RECTIFYING
    form: ResultForm | RecheckForm = (RecheckForm if recheck else ResultForm)(
        request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if recheck:
                results.recheck_record(user=user, pk=pk, findings=data["findings"],
                                       remedied=data["remedied"])
            else:
                results.result_record(user=user, pk=pk, result=data["result"],
                                      findings=data["findings"], result_on=data["result_on"],
                                      rectify_workdays=data["rectify_workdays"] or 0)
        except FieldsInvalid as problem:
            refuse(form, problem.fields)
        except DomainError as problem:
            form.add_error(None, problem.message)
        else:
            messages.success(request, "已记录。")
            return redirect("inspections:mine")
    return render(request, "inspections/result_new.html", {
        "form": form, "row": row, "recheck": recheck}, status=422 if form.errors else 200)



"""中介超市 pages (issue 15 §1), server-rendered in Chinese, working without JavaScript.

Public: the marketplace (listed agencies, open projects), an agency's page (资质, service
types, projects won, credit score and its parts — no personal data), a project's page, the
credit rules. An enterprise: 我的中介机构 (register; see status; projects it may register
for). An owner: 发布项目, 我的项目, each project's moves. The 审改办: 入驻审核 and
sanctions. 电子监察: every project, read only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.selectors import is_supervisor
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, FieldsInvalid
from zhengwu.core.forms import mark_errors, refuse
from zhengwu.draws.models import Draw
from zhengwu.market import agencies, credit, projects
from zhengwu.market.forms import QUALIFICATION_ROWS, AgencyForm, ProjectForm
from zhengwu.market.models import Agency, AgencyStatus, Project, ProjectStatus
from zhengwu.market.selectors import (
    agency_credit,
    agency_of,
    listed_agencies,
    projects_won,
    selectable_agencies,
)
from zhengwu.process import engine

MOVE_LABELS = {name: move.label for name, move in projects.PROJECT_TABLE.moves.items()}


def home(request: HttpRequest) -> HttpResponse:
    rows = [(a, agency_credit(a)) for a in listed_agencies()]
    open_projects = Project.objects.filter(status=ProjectStatus.OPEN).select_related(
        "service_type")
    return render(request, "market/home.html", {"agencies": rows, "projects": open_projects,
                                                "today": clock.today()})


def agency_page(request: HttpRequest, uscc: str) -> HttpResponse:
    agency = listed_agencies().filter(uscc=uscc.replace("\x00", "?")).first()
    if agency is None:
        raise Http404("没有这家已入驻的中介机构。")
    today = clock.today()
    return render(request, "market/agency.html", {
        "agency": agency, "credit": agency_credit(agency), "today": today,
        "qualifications": [(q, q.valid_from <= today <= q.valid_to)
                           for q in agency.qualifications.all()],
        "won": projects_won(agency), "sanctions": agency.sanctions.all()})


def credit_rules(request: HttpRequest) -> HttpResponse:
    return render(request, "market/credit_rules.html", {"c": credit})


def _agency_in(data: dict[str, Any]) -> agencies.AgencyIn:
    rows = []
    for n in range(1, QUALIFICATION_ROWS + 1):
        if n > 1 and not any(data.get(f"q{n}_{p}") for p in (
                "name", "level", "certificate_number", "valid_from", "valid_to")):
            continue
        rows.append(agencies.QualificationIn(
            name=data.get(f"q{n}_name") or "", level=data.get(f"q{n}_level") or "",
            certificate_number=data.get(f"q{n}_certificate_number") or "",
            valid_from=data.get(f"q{n}_valid_from"), valid_to=data.get(f"q{n}_valid_to")))
    return agencies.AgencyIn(name=data["name"], staff_count=data["staff_count"],
                             fee_description=data["fee_description"],
                             service_type_ids=[s.pk for s in data["service_types"]],
                             qualifications=rows)


@login_required
def my_agency(request: HttpRequest) -> HttpResponse:
    """An enterprise's agency: the registration form (again, when returned), its status, the
    open projects it may register for, the projects it won."""
    user = cast(User, request.user)
    if user.kind != UserKind.ENTERPRISE or not user.uscc:
        raise PermissionDenied("只有企业（法人）账号可以入驻中介超市。")
    agency = agency_of(user)
    may_submit = agency is None or agency.status == AgencyStatus.RETURNED
    form = AgencyForm(request.POST or None) if may_submit else None
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                agency = agencies.agency_register(user=user, data=_agency_in(form.cleaned_data))
            except DomainError as problem:
                refuse(form, problem.fields if isinstance(problem, FieldsInvalid)
                       else {"": problem.message})
            else:
                messages.success(request, "入驻申请已提交，待审改办审核。")
                return redirect("market:my_agency")
        else:
            mark_errors(form)
    open_projects: list[Project] = []
    if agency is not None and agency.status == AgencyStatus.LISTED:
        for project in Project.objects.filter(status=ProjectStatus.OPEN).select_related(
                "service_type"):
            if engine.refusal(projects.PROJECT_TABLE, project, user, "register") is None:
                open_projects.append(project)
    return render(request, "market/my_agency.html", {
        "agency": agency, "form": form, "open_projects": open_projects,
        "won": projects_won(agency) if agency else [],
        "credit": agency_credit(agency) if agency else None},
        status=422 if form is not None and form.errors else 200)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """审改办: pending registrations to verify or return; listed agencies to sanction."""
    user = cast(User, request.user)
    if not agencies.is_admin(user):
        raise PermissionDenied("只有审改办（事项管理员）可以审核中介机构入驻。")
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        uscc, action = request.POST.get("uscc", ""), request.POST.get("action", "")
        typed = {"uscc": uscc, "reason": request.POST.get("reason", "")}
        try:
            agency = agencies.agency_move(uscc=uscc, user=user, move=agencies.AgencyMoveIn(
                action, request.POST.get("reason", ""),
                request.POST.get("blacklist") == "on"))
        except (DomainError, Agency.DoesNotExist) as problem:
            errors[uscc] = getattr(problem, "message", "") or "没有这家中介机构。"
            status = 422
        else:
            messages.success(request, f"{agency.name}：{agency.get_status_display()}。"
                             + ("已处罚并写入透明日志。" if action == "sanction" else ""))
            return redirect("market:review")
    pending = Agency.objects.filter(status=AgencyStatus.PENDING).prefetch_related(
        "qualifications", "service_types")
    listed = [(a, agency_credit(a)) for a in listed_agencies()]
    return render(request, "market/review.html", {
        "pending": pending, "listed": listed, "errors": errors, "typed": typed},
        status=status)


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not projects.may_post(user):
        raise PermissionDenied("只有部门工作人员（后台审批人员、首席代表）或企业账号可以发布中介服务项目。")
    departments = projects.owner_departments(user)
    form = ProjectForm(request.POST or None, departments=departments)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = projects.project_post(user=user, data=projects.ProjectIn(
                    service_type_id=data["service_type"].pk, title=data["title"],
                    budget=data["budget"], requirements=data["requirements"],
                    service_workdays=data["service_workdays"],
                    registration_closes=data["registration_closes"], method=data["method"],
                    direct_reason=data["direct_reason"],
                    department_id=int(data["department"]) if data.get("department") else None))
            except DomainError as problem:
                refuse(form, problem.fields if isinstance(problem, FieldsInvalid)
                       else {"": problem.message})
            else:
                messages.success(request, f"已发布项目 {row.number}。")
                return redirect("market:project", number=row.number)
        else:
            mark_errors(form)
    return render(request, "market/project_new.html", {"form": form},
                  status=422 if form.errors else 200)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """我的项目 (the owner's); 电子监察 reads every project."""
    user = cast(User, request.user)
    supervisor = is_supervisor(user)
    rows = Project.objects.select_related("service_type", "winner")
    if not supervisor:
        rows = rows.filter(owner=user)
    return render(request, "market/projects.html", {
        "projects": rows, "supervisor": supervisor, "may_post": projects.may_post(user)})


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _int(value: str) -> int | None:
    try:
        return int(value) if value.strip() else None
    except ValueError:
        return None


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value.strip()) if value.strip() else None
    except InvalidOperation:
        return None


def project(request: HttpRequest, number: str) -> HttpResponse:
    """A project: its public parts for anyone; the moves a signed-in person may make."""
    number = number.replace("\x00", "?")
    row = Project.objects.select_related("service_type", "winner", "department").filter(
        number=number).first()
    if row is None:
        raise Http404("没有这个项目。")
    user = request.user if request.user.is_authenticated else None
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if user is None:
            return redirect(f"/accounts/login/?next={request.path}")
        post = request.POST
        typed = {k: post.get(k, "") for k in ("action", "reason", "agency", "on", "amount",
                                               "reference", "quality", "timeliness",
                                               "attitude", "text")}
        bad: dict[str, str] = {}
        on = _date(typed["on"])
        if typed["on"] and on is None:
            bad["on"] = "日期应写作 2026-12-01。"
        amount = _decimal(typed["amount"])
        if typed["amount"] and amount is None:
            bad["amount"] = "金额应为数字（元）。"
        try:
            if bad:
                raise FieldsInvalid(bad, code="project.input_invalid")
            row = projects.project_move(number=number, user=user,
                                        move=projects.ProjectMoveIn(
                action=typed["action"], reason=typed["reason"], agency=typed["agency"],
                on=on, amount=amount, reference=typed["reference"],
                quality=_int(typed["quality"]), timeliness=_int(typed["timeliness"]),
                attitude=_int(typed["attitude"]), text=typed["text"]))
        except DomainError as problem:
            errors = dict(problem.fields) if isinstance(problem, FieldsInvalid) else {
                "": problem.message}
            status = 422 if problem.http_status == 422 else problem.http_status
            row = Project.objects.select_related("service_type", "winner").get(number=number)
        else:
            messages.success(request, f"{MOVE_LABELS.get(typed['action'], '')}：项目"
                             f"{row.get_status_display()}。")
            return redirect("market:project", number=number)
    open_moves = engine.moves_open(projects.PROJECT_TABLE, row, user,
                                   actions=projects.PAGE_ACTIONS) if user else []
    insider = user is not None and (row.owner_id == user.pk or is_supervisor(user))
    today = clock.today()
    move_forms = [(action, MOVE_LABELS[action], typed if typed.get("action") == action else {},
                   errors if typed.get("action") == action else {}) for action in open_moves]
    events = list(row.events.all()) if insider else []
    for event in events:
        setattr(event, "label", MOVE_LABELS.get(  # noqa: B010 — a display attribute
            event.action, "发布" if event.action == "post" else event.action))
    draw = Draw.objects.filter(number=row.draw_number).first() if row.draw_number else None
    return render(request, "market/project.html", {
        "draw": draw, "draw_parties": draw.parties.order_by("position") if draw else [],
        "project": row, "move_forms": move_forms, "errors": errors, "insider": insider,
        "events": events,
        "registrations": row.registrations.select_related("agency") if insider else [],
        "selectable": selectable_agencies(row.service_type_id, today)
        if "choose" in open_moves else []}, status=status)

"""中介超市 pages (issue 15 §1), server-rendered in Chinese, working without JavaScript.

Public: the marketplace (listed agencies, open projects), an agency's page (资质, service
types, projects won, credit score and its parts — no personal data), a project's page, the
credit rules. An enterprise: 我的中介机构 (register; see status; projects it may register
for). An owner: 发布项目, 我的项目, each project's moves. The 审改办: 入驻审核 and
sanctions; the 评审专家库 (experts, conflict declarations); complaints to decide. An expert:
the projects of the panels he or she sits on, and the scoring form. Anyone signed in: 投诉.
电子监察: every project and complaint, read only.
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
from zhengwu.market import agencies, complaints, credit, experts, projects, scoring
from zhengwu.market.forms import (
    QUALIFICATION_ROWS,
    AgencyForm,
    ComplaintForm,
    ConflictForm,
    ExpertForm,
    ProjectForm,
)
from zhengwu.market.models import (
    Agency,
    AgencyStatus,
    Complaint,
    ComplaintStatus,
    Expert,
    PanelMember,
    Project,
    ProjectStatus,
)
from zhengwu.market.selectors import (
    agency_credit,
    agency_of,
    listed_agencies,
    projects_won,
    selectable_agencies,
)
from zhengwu.process import engine

MOVE_LABELS = {name: move.label for name, move in projects.PROJECT_TABLE.moves.items()}
COMPLAINT_LABELS = {"file": "提交投诉", **{name: move.label for name, move in
                                         complaints.COMPLAINT_TABLE.moves.items()}}


def home(request: HttpRequest) -> HttpResponse:
    rows = [(a, agency_credit(a)) for a in listed_agencies()]
    open_projects = Project.objects.filter(status=ProjectStatus.OPEN).select_related(
        "service_type")
    return render(request, "market/home.html", {
        "agencies": rows, "projects": open_projects, "today": clock.today(),
        "is_expert": request.user.is_authenticated and Expert.objects.filter(
            user=request.user).exists()})


def agency_page(request: HttpRequest, uscc: str) -> HttpResponse:
    agency = listed_agencies().filter(uscc=uscc.replace("\x00", "?")).first()
    if agency is None:
        raise Http404("没有这家已入驻的中介机构。")
    today = clock.today()
    return render(request, "market/agency.html", {
        "agency": agency, "credit": agency_credit(agency), "today": today,
        "qualifications": [(q, q.valid_from <= today <= q.valid_to)
                           for q in agency.qualifications.all()],
        "won": projects_won(agency), "sanctions": agency.sanctions.all(),
        "complaints": agency.complaints.filter(status=ComplaintStatus.UPHELD).select_related(
            "project").order_by("-decided_at")})


def credit_rules(request: HttpRequest) -> HttpResponse:
    return render(request, "market/credit_rules.html", {"c": credit, "s": scoring})


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


def _ranking(row: Project) -> list[tuple[scoring.Ranked, str]]:
    """The published scores (once the panel is complete), each with the agency's name."""
    if row.scores_ledger_index is None:
        return []
    names = dict(Agency.objects.filter(uscc__in=row.scored_agencies).values_list("uscc",
                                                                                 "name"))
    return [(r, names.get(r.agency, r.agency)) for r in projects.ranking(row)]


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
    # An agency sees its own registration (the list of registrations is the insiders').
    agency = agency_of(user)
    mine = row.registrations.filter(agency=agency).first() if agency else None
    panel = list(PanelMember.objects.filter(project=row).select_related("expert").order_by(
        "position"))
    member = next((m for m in panel if user is not None and m.expert.user_id == user.pk), None)
    return render(request, "market/project.html", {
        "panel": panel, "panel_scored": sum(m.scored_at is not None for m in panel),
        "member": member, "panel_size": scoring.PANEL_SIZE,
        "ranking": _ranking(row), "mine": mine,
        "draw": draw, "draw_parties": draw.parties.order_by("position") if draw else [],
        "project": row, "move_forms": move_forms, "errors": errors, "insider": insider,
        "events": events,
        "registrations": row.registrations.select_related("agency") if insider else [],
        "selectable": selectable_agencies(row.service_type_id, today)
        if "choose" in open_moves else []}, status=status)


@login_required
def score(request: HttpRequest, number: str) -> HttpResponse:
    """A panel member scores every agency of a 综合评分 project (once)."""
    user = cast(User, request.user)
    number = number.replace("\x00", "?")
    row = Project.objects.select_related("service_type").filter(number=number).first()
    if row is None:
        raise Http404("没有这个项目。")
    member = PanelMember.objects.filter(project=row, expert__user=user).select_related(
        "expert").first()
    if member is None:
        raise PermissionDenied("只有该项目抽中的评审专家可以评分。")
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for uscc in row.scored_agencies
                 for k in (f"{uscc}_technical", f"{uscc}_quality")}
        marks: dict[str, tuple[int | None, int | None]] = {
            uscc: (_int(typed[f"{uscc}_technical"]), _int(typed[f"{uscc}_quality"]))
            for uscc in row.scored_agencies}
        try:
            projects.score_submit(number=number, user=user, marks=marks)
        except DomainError as problem:
            errors = dict(problem.fields) if isinstance(problem, FieldsInvalid) else {
                "": problem.message}
            status = problem.http_status
        else:
            messages.success(request, "评分已提交。全部评审专家评分后，评分结果公开并写入透明日志。")
            return redirect("market:project", number=number)
    bids = {r.agency.uscc: r for r in row.registrations.select_related("agency")}
    rows = [{"uscc": uscc, "name": bids[uscc].agency.name, "bid": bids[uscc].bid, "fields": [
        (f"{uscc}_{part}", label, limit, typed.get(f"{uscc}_{part}", ""),
         errors.get(f"{uscc}_{part}", ""))
        for part, label, limit in (("technical", "技术方案", scoring.TECHNICAL_MAX),
                                   ("quality", "服务质量保障", scoring.QUALITY_MAX))]}
        for uscc in row.scored_agencies if uscc in bids]
    return render(request, "market/score.html", {
        "project": row, "member": member, "rows": rows, "typed": typed, "errors": errors,
        "open": row.status == ProjectStatus.SCORING and member.scored_at is None,
        "s": scoring}, status=status)


@login_required
def panels(request: HttpRequest) -> HttpResponse:
    """我的评审: the projects whose panel the signed-in expert sits on."""
    expert = Expert.objects.filter(user=cast(User, request.user)).first()
    if expert is None:
        raise PermissionDenied("您不在评审专家库中。")
    rows = PanelMember.objects.filter(expert=expert).select_related("project").order_by(
        "-project__posted_at")
    return render(request, "market/panels.html", {"expert": expert, "rows": rows})


@login_required
def expert_pool(request: HttpRequest) -> HttpResponse:
    """评审专家库 (审改办): the experts, entering one, recording a conflict declaration."""
    user = cast(User, request.user)
    if not agencies.is_admin(user):
        raise PermissionDenied("只有审改办（事项管理员）可以管理评审专家库。")
    which = request.POST.get("form", "") if request.method == "POST" else ""
    expert_form = ExpertForm(request.POST if which == "expert" else None)
    conflict_form = ConflictForm(request.POST if which == "conflict" else None)
    form = expert_form if which == "expert" else conflict_form if which == "conflict" else None
    if form is not None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is expert_form:
                    added = experts.expert_add(user=user, data=experts.ExpertIn(
                        username=data["username"], code=data["code"],
                        employer=data["employer"],
                        department_id=data["department"].pk if data["department"] else None,
                        specialty_ids=[i.pk for i in data["specialties"]]))
                    messages.success(request, f"专家 {added.code} 已入库。")
                else:
                    conflict = experts.conflict_declare(user=user, data=experts.ConflictIn(
                        code=data["code"], uscc=data["uscc"], reason=data["reason"],
                        note=data["note"]))
                    messages.success(request, f"已登记专家 {conflict.expert.code} 对 "
                                     f"{conflict.uscc} 的回避。")
            except DomainError as problem:
                refuse(form, problem.fields if isinstance(problem, FieldsInvalid)
                       else {"": problem.message})
            else:
                return redirect("market:experts")
        else:
            mark_errors(form)
    rows = Expert.objects.select_related("user", "department").prefetch_related(
        "specialties", "conflicts")
    return render(request, "market/experts.html", {
        "experts": rows, "expert_form": expert_form, "conflict_form": conflict_form},
        status=422 if form is not None and form.errors else 200)


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    initial = {"project": request.GET.get("project", "")[:24],
               "agency": request.GET.get("agency", "")[:18]}
    form = ComplaintForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = complaints.complaint_file(user=user, data=complaints.ComplaintIn(
                    text=data["text"], project=data["project"], agency=data["agency"]))
            except DomainError as problem:
                refuse(form, problem.fields if isinstance(problem, FieldsInvalid)
                       else {"": problem.message})
            else:
                messages.success(request, f"投诉已提交（{row.number}），审改办将在"
                                 f"{row.due_on:%Y-%m-%d}前作出处理。")
                return redirect("market:complaint", number=row.number)
        else:
            mark_errors(form)
    return render(request, "market/complaint_new.html", {
        "form": form, "workdays": complaints.COMPLAINT_WORKDAYS},
        status=422 if form.errors else 200)


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """The 审改办 and 电子监察: every complaint, the undecided first; others: their own."""
    user = cast(User, request.user)
    staff = agencies.is_admin(user) or is_supervisor(user)
    rows = Complaint.objects.select_related("project", "agency")
    if not staff:
        rows = rows.filter(complainant=user)
    rows = rows.order_by("status", "due_on", "-filed_at") if staff else rows
    return render(request, "market/complaints.html", {
        "complaints": rows, "staff": staff, "today": clock.today()})


@login_required
def complaint(request: HttpRequest, number: str) -> HttpResponse:
    user = cast(User, request.user)
    row = Complaint.objects.select_related("project", "agency").filter(
        number=number.replace("\x00", "?")).first()
    if row is None or not complaints.may_read(user, row):
        raise Http404("没有这件投诉。")
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        typed = {"action": request.POST.get("action", ""),
                 "reason": request.POST.get("reason", "")}
        try:
            row = complaints.complaint_move(number=row.number, user=user,
                                            move=complaints.ComplaintMoveIn(**typed))
        except DomainError as problem:
            errors = dict(problem.fields) if isinstance(problem, FieldsInvalid) else {
                "reason": problem.message}
            status = problem.http_status
        else:
            messages.success(request, f"投诉{row.number}：{row.get_status_display()}。")
            return redirect("market:complaint", number=row.number)
    decide = engine.moves_open(complaints.COMPLAINT_TABLE, row, user)
    return render(request, "market/complaint.html", {
        "complaint": row, "decide": decide, "errors": errors, "typed": typed,
        "events": [(e, COMPLAINT_LABELS.get(e.action, e.action)) for e in row.events.all()],
        "today": clock.today(),
        "late": row.decided_at is not None and row.decided_at.astimezone(
            clock.SHANGHAI).date() > row.due_on}, status=status)

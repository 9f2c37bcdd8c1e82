"""Pages of 帮代办 and 创业管家, under /assistance/: the staff home (a hall manager's roster,
projects and 创业管家; a 代办员's projects; a 创业管家's enterprises), a project's progress
(manager, its 代办员, the enterprise), a 创业管家's page of the enterprise (its cases, read and
logged, and the thread), and the enterprise's side in its space (accounts.space)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.space import space_owner
from zhengwu.assistance import selectors, services
from zhengwu.assistance.forms import (
    ButlerForm,
    MessageForm,
    ProjectForm,
    ReasonForm,
    RosterForm,
)
from zhengwu.assistance.models import Butler, Project, ProjectStatus
from zhengwu.cases import proxy_filing
from zhengwu.core.errors import DomainError


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if user.kind != UserKind.STAFF:
        raise PermissionDenied("工作人员页面。")
    return user


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 19 else 0


def _agents(manager: User) -> list[tuple[int, str]]:
    return [(a.pk, f"{a}（在办项目 {a.open_projects}）")  # type: ignore[attr-defined]
            for a in selectors.roster(manager)]


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """帮代办与创业管家: what applies to the member of staff; forms for a hall manager."""
    user = _staff(request)
    manager = selectors.manages(user)
    projects = selectors.projects_for(user)
    butlers = selectors.butlers_for(user)
    if not (manager or selectors.is_proxy_agent(user) or butlers.exists()):
        raise PermissionDenied("仅大厅管理员、帮代办员和创业管家可以打开本页。")
    what = request.POST.get("what", "") if request.method == "POST" else ""
    if what and not manager:
        raise PermissionDenied("只有大厅管理员可以管理帮代办和创业管家。")
    roster_form = RosterForm(request.POST if what == "roster" else None, prefix="roster")
    project_form = ProjectForm(request.POST if what == "project" else None, prefix="project",
                               agents=_agents(user) if manager else [])
    butler_form = ButlerForm(request.POST if what == "butler" else None, prefix="butler")
    if what == "roster_remove":
        try:
            agent = services.roster_remove(manager=user,
                                           agent_id=_int(request.POST.get("agent", "")))
            messages.success(request, f"已将{agent}移出帮代办员名单。")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("assistance:home")
    try:
        if what == "roster" and roster_form.is_valid():
            agent = services.roster_add(manager=user,
                                        username=roster_form.cleaned_data["username"])
            messages.success(request, f"已将{agent}加入帮代办员名单。")
            return redirect("assistance:home")
        if what == "project" and project_form.is_valid():
            data = project_form.cleaned_data
            project = services.project_create(
                manager=user, uscc=data["uscc"], name=data["name"], agent_id=data["agent"],
                item_codes=project_form.item_codes(), ends_on=data["ends_on"],
                note=data["note"])
            messages.success(request, "项目已创建，已请企业在“授权管理”中确认授权。")
            return redirect(reverse("assistance:project", args=[project.pk]))
        if what == "butler" and butler_form.is_valid():
            butler = services.butler_assign(manager=user, uscc=butler_form.cleaned_data["uscc"],
                                            username=butler_form.cleaned_data["username"])
            messages.success(request, f"已为{butler.enterprise}指派创业管家{butler.manager}。")
            return redirect("assistance:home")
    except DomainError as error:
        {"roster": roster_form, "project": project_form, "butler": butler_form}[what] \
            .add_error(None, error.message)
    return render(request, "assistance/home.html", {
        "manager": manager, "roster": selectors.roster(user) if manager else [],
        "projects": projects, "butlers": butlers, "roster_form": roster_form,
        "project_form": project_form, "butler_form": butler_form})


def _project(user: User, pk: int) -> Project:
    project = selectors.projects_for(user).filter(pk=pk).first()
    if project is None:
        raise Http404("未找到该项目。")
    return project


@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's progress: its items, each case's status and deadline, what waits on whom."""
    user = _user(request)
    found = _project(user, pk)
    is_agent = found.agent_id == user.pk
    rows = selectors.progress(found)
    links = _filing_links(found, rows) if is_agent and found.status == ProjectStatus.OPEN \
        else {}
    return render(request, "assistance/project.html", {
        "project": found, "rows": [(row, links.get(row.basic_code, "")) for row in rows],
        "authorization": selectors.authorization_state(found),
        "may_close": selectors.manages(user) and found.status == ProjectStatus.OPEN,
        "is_agent": is_agent, "close_form": ReasonForm(),
        "for_enterprise": user.kind != UserKind.STAFF})


def _filing_links(project: Project, rows: list[selectors.ItemProgress]) -> dict[str, str]:
    """代为申报 for each item not yet filed: the cases' 帮代办申请 page of the item for the
    project's enterprise, returning here (whether the agent may file is the filing rule's,
    said on that page)."""
    back = reverse("assistance:project", args=[project.pk])
    links = {}
    for row in rows:
        if row.case_number:
            continue
        implementation = proxy_filing.implementation_for(row.basic_code, project.region)
        if implementation is not None:
            links[row.basic_code] = proxy_filing.apply_url(implementation, project.enterprise,
                                                           back)
    return links


@login_required
@require_POST
def project_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    _project(user, pk)  # absent (404) to whoever may not see it
    if not selectors.manages(user):
        raise PermissionDenied("只有大厅管理员可以结束项目。")
    form = ReasonForm(request.POST)
    try:
        services.project_close(manager=user, project_id=pk,
                               reason=form.data.get("reason", "")[:500])
        messages.success(request, "项目已结束。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("assistance:project", args=[pk]))


def _butler(user: User, pk: int) -> Butler:
    butler = selectors.butlers_for(user).filter(pk=pk).first()
    if butler is None:
        raise Http404("未找到该指派。")
    return butler


@login_required
@require_http_methods(["GET", "POST"])
def butler(request: HttpRequest, pk: int) -> HttpResponse:
    """The 创业管家's page of the enterprise (its cases and the thread), or the manager's view
    of the assignment (no cases: the manager is not the enterprise's 创业管家)."""
    user = _user(request)
    found = _butler(user, pk)  # absent (404) to whoever may not see it
    is_butler = found.manager_id == user.pk and found.active
    if request.method == "POST" and not is_butler:
        raise PermissionDenied("只有该企业在任的创业管家可以发送消息。")
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_send(user=user, butler_id=pk, body=form.cleaned_data["body"])
            messages.success(request, "消息已发送。")
            return redirect(reverse("assistance:butler", args=[pk]))
        except DomainError as error:
            form.add_error(None, error.message)
    cases = services.butler_cases(user=user, butler_id=pk) if is_butler else []
    return render(request, "assistance/butler.html", {
        "butler": found, "is_butler": is_butler, "cases": cases, "form": form,
        "thread": found.messages.select_related("sender"),
        "may_end": selectors.manages(user) and found.active, "end_form": ReasonForm()})


@login_required
@require_POST
def butler_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    _butler(user, pk)
    if not selectors.manages(user):
        raise PermissionDenied("只有大厅管理员可以结束指派。")
    try:
        services.butler_end(manager=user, butler_id=pk,
                            reason=request.POST.get("reason", "")[:500])
        messages.success(request, "创业管家指派已结束。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("assistance:home")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The enterprise's 帮代办项目 (its space)."""
    owner = space_owner(request)
    projects = selectors.projects_of(owner) if owner.kind == UserKind.ENTERPRISE else \
        Project.objects.none()
    return render(request, "assistance/mine.html", {"owner": owner, "projects": projects})


@login_required
@require_http_methods(["GET", "POST"])
def my_butler(request: HttpRequest) -> HttpResponse:
    """The enterprise's 创业管家 and the thread; the enterprise replies while it lasts."""
    owner = space_owner(request)
    found = selectors.butler_of_space(owner)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and found is not None and form.is_valid():
        try:
            services.message_send(user=_user(request), butler_id=found.pk,
                                  body=form.cleaned_data["body"])
            messages.success(request, "消息已发送。")
            return redirect("assistance:my_butler")
        except DomainError as error:
            form.add_error(None, error.message)
    return render(request, "assistance/my_butler.html", {
        "owner": owner, "butler": found, "form": form,
        "thread": found.messages.select_related("sender") if found is not None else []})

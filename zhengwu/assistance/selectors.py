"""Reads of 帮代办 and 创业管家: who manages what (a hall manager, within the region of the
assignment), an agent's projects, an enterprise's, a project's progress and a 创业管家's
enterprises. Every list starts from a queryset scoped to the reader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from zhengwu.accounts.mandates import represented, status_label, usable
from zhengwu.accounts.models import RoleAssignment, User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.assistance.models import Butler, Project, ProjectItem, ProjectStatus
from zhengwu.cases.models import Case, CaseStatus
from zhengwu.core import clock
from zhengwu.regions.models import Region


def managed_regions(user: User) -> list[Region]:
    """The regions of `user`'s hall-manager assignments (the department's region when the
    assignment names only a department)."""
    if not user.is_authenticated:
        return []
    regions: list[Region] = []
    for assignment in RoleAssignment.objects.filter(
            user=user, role=Role.HALL_MANAGER).select_related("region", "department__region"):
        region = assignment.region or (assignment.department.region
                                       if assignment.department else None)
        if region is not None and region not in regions:
            regions.append(region)
    return regions


def manages(user: User) -> bool:
    return bool(managed_regions(user))


def _in_regions(user: User, field: str) -> Q | None:
    regions = managed_regions(user)
    if not regions:
        return None
    condition = Q(pk__in=[])
    for region in regions:
        condition |= Q(**{f"{field}__code__startswith": region.prefix})
    return condition


def is_proxy_agent(user: User) -> bool:
    return user.is_authenticated and user.kind == UserKind.STAFF and \
        user.role_assignments.filter(role=Role.PROXY_AGENT).exists()


def roster(user: User) -> QuerySet[User]:
    """The 代办员 a hall manager may assign: staff holding the 帮代办员 role (in the manager's
    regions, or unscoped), with how many open projects each has."""
    regions = managed_regions(user)
    if not regions:
        return User.objects.none()
    scoped = Q(role_assignments__region__isnull=True, role_assignments__department__isnull=True)
    for region in regions:
        scoped |= Q(role_assignments__region__code__startswith=region.prefix)
        scoped |= Q(role_assignments__department__region__code__startswith=region.prefix)
    ids = User.objects.filter(scoped, kind=UserKind.STAFF, is_active=True,
                              role_assignments__role=Role.PROXY_AGENT).values("pk")
    return User.objects.filter(pk__in=ids).annotate(
        open_projects=Count("assistance_projects_agent",
                            filter=Q(assistance_projects_agent__status=ProjectStatus.OPEN))
    ).order_by("pk")


def projects_for(user: User) -> QuerySet[Project]:
    """The projects `user` may see: a hall manager's regions', a 代办员's own, an applicant's
    (the enterprises they speak for, accounts.mandates.represented)."""
    projects = Project.objects.select_related("enterprise", "agent", "authorization", "region")
    if not user.is_authenticated:
        return projects.none()
    condition = Q(agent=user)
    managed = _in_regions(user, "region")
    if managed is not None:
        condition |= managed
    if user.kind != UserKind.STAFF:
        condition = Q(enterprise__in=represented(user))
    return projects.filter(condition).order_by("-created_at", "-pk")


def projects_of(enterprise: User) -> QuerySet[Project]:
    """An enterprise's projects (its space), newest first."""
    return Project.objects.filter(enterprise=enterprise).select_related(
        "agent", "authorization").order_by("-created_at", "-pk")


# What a case of each status waits on (待谁办理).
WAITING_ON = {
    CaseStatus.SUBMITTED: "部门受理", CaseStatus.SUPPLEMENTED: "部门受理",
    CaseStatus.AWAITING_SUPPLEMENT: "代办员（企业）补正材料",
    CaseStatus.ACCEPTED: "部门审查", CaseStatus.SUSPENDED: "特别程序（部门）",
    CaseStatus.DECIDED: "部门办结送达",
}


@dataclass(frozen=True)
class ItemProgress:
    """One item of a project: the case filed for it (the enterprise's newest case of the item
    since the project began), its status and deadline, and whom it waits on."""

    basic_code: str
    name: str
    case_number: str
    status: str
    status_label: str
    due_at: dt.datetime | None
    waiting_on: str
    done: bool


def authorization_state(project: Project) -> str:
    if project.authorization is None:
        return "无授权"
    return status_label(project.authorization)


def authorization_usable(project: Project) -> bool:
    return project.authorization is not None and usable(project.authorization, clock.today())


def progress(project: Project) -> list[ItemProgress]:
    """The project's items with their cases (derived from the cases themselves, so the view
    never disagrees with the case pages)."""
    items = list(ProjectItem.objects.filter(project=project))
    cases: dict[str, Case] = {}
    for case in Case.objects.filter(
            applicant=project.enterprise, submitted_at__gte=project.created_at,
            implementation__item__basic_code__in=[i.basic_code for i in items]
    ).select_related("implementation__item").order_by("submitted_at", "pk"):
        cases[case.implementation.item.basic_code] = case  # the newest wins
    ready = authorization_usable(project)
    rows = []
    for item in items:
        found = cases.get(item.basic_code)
        if found is None:
            waiting = "代办员申报" if ready else "企业确认授权"
            rows.append(ItemProgress(item.basic_code, item.name, "", "", "未申报", None,
                                     waiting if project.status == ProjectStatus.OPEN else "—",
                                     False))
            continue
        status = CaseStatus(found.status)
        done = status not in WAITING_ON
        rows.append(ItemProgress(item.basic_code, item.name, found.number, status.value,
                                 str(status.label), found.due_at,
                                 WAITING_ON.get(status, "—"), done))
    return rows


def registered_here(enterprise: User) -> bool:
    """Whether the enterprise came into being by a 设立登记 granted on the platform (企业开办):
    a case carries its code (cases.registration)."""
    return bool(enterprise.uscc) and Case.objects.filter(
        registered_uscc=enterprise.uscc).exists()


def enterprise_by_uscc(uscc: str) -> User | None:
    code = uscc.strip().upper()
    if not code:
        return None
    return User.objects.filter(kind=UserKind.ENTERPRISE, uscc=code, is_active=True).first()


def butlers_for(user: User) -> QuerySet[Butler]:
    """The assignments `user` may see: a hall manager's regions', a 创业管家's own."""
    butlers = Butler.objects.select_related("enterprise", "manager", "region")
    if not user.is_authenticated or user.kind != UserKind.STAFF:
        return butlers.none()
    condition = Q(manager=user)
    managed = _in_regions(user, "region")
    if managed is not None:
        condition |= managed
    return butlers.filter(condition).order_by(
        F("ended_at").asc(nulls_first=True), "-started_at", "-pk")


def active_butler(enterprise: User) -> Butler | None:
    return Butler.objects.select_related("manager").filter(
        enterprise=enterprise, ended_at__isnull=True).first()


def butler_of_space(enterprise: User) -> Butler | None:
    """The thread the enterprise's space shows: the active assignment, else the last one."""
    return Butler.objects.select_related("manager").filter(enterprise=enterprise).order_by(
        F("ended_at").asc(nulls_first=True), "-started_at").first() if enterprise.kind == UserKind.ENTERPRISE else None

"""Who may see and act on a case: the applicant (or the proxy agent who filed), the window
clerks of the accepting region, the reviewers of the responsible department, supervisors.

Every read of cases starts from `case_queryset_for(user)`, so "not yours" and "absent" look
the same (404) — quality.md #10.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.cases.models import Case
from zhengwu.cases.workflow import Role
from zhengwu.regions.models import Region


def _assignments(user: User) -> list[RoleAssignment]:
    cached: list[RoleAssignment] | None = getattr(user, "_zhengwu_roles", None)
    if cached is None:
        cached = list(user.role_assignments.select_related("department", "region"))
        user._zhengwu_roles = cached  # type: ignore[attr-defined]
    return cached


def _region_prefix(region: Region | None) -> str | None:
    return region.prefix if region is not None else None


def window_prefixes(user: User) -> list[str]:
    """Region code prefixes where the user serves at a comprehensive window (一窗受理)."""
    prefixes = []
    for assignment in _assignments(user):
        if assignment.role in (AccountRole.WINDOW_CLERK, AccountRole.CHIEF_REPRESENTATIVE):
            region = assignment.region or (assignment.department.region
                                           if assignment.department else None)
            prefix = _region_prefix(region)
            if prefix:
                prefixes.append(prefix)
    return prefixes


def files_for_others(user: User) -> bool:
    """Window staff and proxy agents (帮代办) may file in another person's name."""
    return bool(window_prefixes(user)) or any(
        a.role == AccountRole.PROXY_AGENT for a in _assignments(user))


def reviewer_departments(user: User) -> list[int]:
    return [a.department_id for a in _assignments(user)
            if a.role in (AccountRole.REVIEWER, AccountRole.CHIEF_REPRESENTATIVE)
            and a.department_id is not None]


def case_queryset_for(user: User) -> QuerySet[Case]:
    cases = Case.objects.select_related("implementation__item", "department", "region",
                                        "accepting_region")
    if not user.is_authenticated:
        return cases.none()
    if user.has_perm("cases.view_all_cases"):
        return cases
    condition = Q(applicant=user) | Q(submitted_by=user)
    for prefix in window_prefixes(user):
        condition |= Q(accepting_region__code__startswith=prefix)
    departments = reviewer_departments(user)
    if departments:
        condition |= Q(department_id__in=departments)
    return cases.filter(condition)


def roles_on(user: User | None, case: Case) -> set[Role]:
    """The workflow roles this user holds on this case (SYSTEM for the platform itself)."""
    if user is None:
        return {Role.SYSTEM}
    roles: set[Role] = set()
    # The applicant, or the proxy agent who filed for them (帮代办); a clerk who filed at the
    # window acts as the window, not as the applicant.
    if user.pk == case.applicant_id or (user.pk == case.submitted_by_id
                                        and case.channel == "proxy"):
        roles.add(Role.APPLICANT)
    if any(case.accepting_region_id.startswith(p) for p in window_prefixes(user)):
        roles.add(Role.WINDOW)
    if case.department_id in reviewer_departments(user):
        roles.add(Role.REVIEWER)
    return roles


def may_unmask(user: User) -> bool:
    return user.is_authenticated and user.has_perm("cases.unmask_personal_data")

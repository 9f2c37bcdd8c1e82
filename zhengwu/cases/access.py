"""Who may see and act on a case: the applicant (or the proxy agent who filed), the window
clerks of the accepting region, the chief representatives and reviewers of the responsible
department, supervisors (read only). Which account role acts in which workflow role, and
within which scope, is the table cases.access_matrix.ACTS_AS (ADR 0012).

Every read of cases starts from `case_queryset_for(user)`, so "not yours" and "absent" look
the same (404) — quality.md #10. Which rows of any process a person may see is one condition,
`visible_q` (bundles, joint reviews and 事后核查 name only their own fields).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhengwu.accounts.models import IdentityBasis, RoleAssignment, User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.cases.access_matrix import ACTS_AS, Reach, Scope
from zhengwu.cases.models import Case, CaseStatus
from zhengwu.cases.workflow import MOVES, Role
from zhengwu.process.spec import Table

UNMASK = "cases.unmask_personal_data"
# Supervisors (电子监察) read every case, bundle and joint review, and act on none.
SUPERVISE = "cases.view_all_cases"
# Where a case keeps what a reach covers: the accepting region, the responsible department.
CASE_REGION = "accepting_region__code"
CASE_DEPARTMENT = "department_id"


def _assignments(user: User) -> list[RoleAssignment]:
    cached: list[RoleAssignment] | None = getattr(user, "_zhengwu_roles", None)
    if cached is None:
        cached = list(user.role_assignments.select_related("department", "region"))
        user._zhengwu_roles = cached  # type: ignore[attr-defined]
    return cached


def _reaches(user: User) -> list[tuple[RoleAssignment, Reach]]:
    if not user.is_authenticated:
        return []
    return [(assignment, reach) for assignment in _assignments(user)
            for reach in ACTS_AS.get(AccountRole(assignment.role), ())]


def _prefix(assignment: RoleAssignment) -> str | None:
    region = assignment.region or (assignment.department.region
                                   if assignment.department else None)
    return region.prefix if region is not None else None


def _reaches_case(assignment: RoleAssignment, reach: Reach, case: Case) -> bool:
    if reach.scope == Scope.DEPARTMENT:
        return assignment.department_id is not None \
            and assignment.department_id == case.department_id
    prefix = _prefix(assignment)
    if not prefix:
        return False
    return str(case.accepting_region_id).startswith(prefix)


@dataclass(frozen=True)
class Reached:
    """Where a user's assignments reach (ACTS_AS): the region-code prefixes of their
    region-scoped reaches and the departments of their department-scoped ones, in the order of
    the assignments, each once."""

    prefixes: tuple[str, ...]
    departments: tuple[int, ...]


def reached(user: User, roles: Collection[Role] | None = None) -> Reached:
    """The user's reach, or only the reaches in which they act in one of `roles`."""
    prefixes: list[str] = []
    departments: list[int] = []
    for assignment, reach in _reaches(user):
        if roles is not None and reach.role not in roles:
            continue
        if reach.scope == Scope.DEPARTMENT:
            if assignment.department_id is not None \
                    and assignment.department_id not in departments:
                departments.append(assignment.department_id)
        else:
            prefix = _prefix(assignment)
            if prefix and prefix not in prefixes:
                prefixes.append(prefix)
    return Reached(tuple(prefixes), tuple(departments))


# A process's department condition: a field holding the department, or, for a relation that
# must not join (a row locked with select_for_update), a function of the department ids.
DepartmentField = str | Callable[[list[int]], Q]


def reach_q(user: User, *, region: str | None = None, department: DepartmentField | None = None,
            roles: Collection[Role] | None = None) -> Q | None:
    """The rows of a process this user reaches as staff, as a filter (None: none). `region`
    names the field holding the region code a region-scoped reach covers by prefix;
    `department` the department a department-scoped reach covers. A process without one of
    them is not reached that way (a joint review has no region)."""
    where = reached(user, roles)
    conditions: list[Q] = []
    if region is not None:
        conditions += [Q(**{f"{region}__startswith": prefix}) for prefix in where.prefixes]
    if department is not None and where.departments:
        ids = list(where.departments)
        conditions.append(department(ids) if callable(department)
                          else Q(**{f"{department}__in": ids}))
    return functools.reduce(operator.or_, conditions) if conditions else None


def visible_q(user: User, *, region: str | None = None,
              department: DepartmentField | None = None, own: Sequence[str] = ()) -> Q | None:
    """Which rows of a process `user` may see, as a filter (None: none) — the one rule for
    cases, bundles, joint reviews and 事后核查: nothing for anonymous, everything for
    supervisors (cases.view_all_cases, read only), else the rows the user's staff reach covers
    (reach_q) and the rows naming the user in one of the `own` fields (the applicant, who
    filed)."""
    if not user.is_authenticated:
        return None
    if user.has_perm(SUPERVISE):
        return Q()
    conditions = [Q(**{field: user}) for field in own]
    staff = reach_q(user, region=region, department=department)
    if staff is not None:
        conditions.append(staff)
    return functools.reduce(operator.or_, conditions) if conditions else None


def window_prefixes(user: User) -> list[str]:
    """Region code prefixes where the user serves at the comprehensive window (一窗受理, for
    every department). A chief representative's window is their department's only
    (`window_departments`)."""
    return list(reached(user, {Role.WINDOW}).prefixes)


def window_assignment_region(user: User) -> str | None:
    """The region code of the user's first comprehensive-window assignment (window filing
    accepts there), None for anyone else."""
    for assignment, reach in sorted(_reaches(user), key=lambda pair: pair[0].pk):
        if reach.role == Role.WINDOW and reach.scope == Scope.REGION:
            region = assignment.region or (assignment.department.region
                                           if assignment.department else None)
            if region is not None:
                return str(region.code)
    return None


def window_departments(user: User) -> list[int]:
    """Departments whose cases the user serves at the window as their chief representative."""
    return list(reached(user, {Role.WINDOW}).departments)


def serves_window(user: User) -> bool:
    """Has a window queue at all: the comprehensive window or a department's own."""
    return bool(window_prefixes(user) or window_departments(user))


def window_q(user: User) -> Q | None:
    """The cases this user serves at a window, as a filter (None: none)."""
    return reach_q(user, region=CASE_REGION, department=CASE_DEPARTMENT, roles={Role.WINDOW})


def files_for_others(user: User) -> bool:
    """Comprehensive-window clerks and proxy agents (帮代办) may file in another person's
    name; a chief representative does not (they serve their own department's cases)."""
    return bool(window_prefixes(user)) or any(
        a.role == AccountRole.PROXY_AGENT for a in _assignments(user))


def files_as_proxy(user: User) -> bool:
    """帮代办员 (the 帮代办申请 page): they file for enterprises under an authorization."""
    return any(a.role == AccountRole.PROXY_AGENT for a in _assignments(user))


def reviewer_departments(user: User) -> list[int]:
    """Departments the user answers for (back office, chief representative)."""
    return list(reached(user).departments)


def case_queryset_for(user: User) -> QuerySet[Case]:
    cases = Case.objects.select_related("implementation__item", "department", "region",
                                        "accepting_region")
    condition = visible_q(user, region=CASE_REGION, department=CASE_DEPARTMENT,
                          own=("applicant", "submitted_by"))
    return cases.none() if condition is None else cases.filter(condition)


def roles_on(user: User | None, case: Case) -> set[Role]:
    """The workflow roles this user holds on this case (SYSTEM for the platform itself)."""
    if user is None:
        return {Role.SYSTEM}
    roles: set[Role] = set()
    # The applicant, or the proxy agent who filed for them (帮代办), or the agent who filed
    # through an authorization (经办人, 委托代办); a clerk who filed at the window acts as the
    # window, not as the applicant.
    if user.pk == case.applicant_id or (user.pk == case.submitted_by_id and (
            case.channel == "proxy" or case.authorization_id is not None
            or case.identity_basis == IdentityBasis.LEGAL_REPRESENTATIVE)):
        roles.add(Role.APPLICANT)
    for assignment, reach in _reaches(user):
        if _reaches_case(assignment, reach, case):
            roles.add(reach.role)
    return roles


def acting_assignment(user: User, case: Case, role: Role) -> RoleAssignment | None:
    """The assignment through which `user` holds workflow `role` on `case` — what the audit row
    names as the actor's role and department (a chief representative at their department's
    window is recorded as 首席代表 of that department, not as a window clerk). A
    region-scoped reach wins over a department-scoped one, as the wider office."""
    reaching = [(a, r) for a, r in _reaches(user) if r.role == role and _reaches_case(a, r, case)]
    reaching.sort(key=lambda pair: (pair[1].scope != Scope.REGION, pair[0].pk))
    return reaching[0][0] if reaching else None


def may_unmask(user: User, case: Case) -> bool:
    """Only staff who act on this case in a reach that carries the unmask right (the window of
    its accepting region, the chief representative of its department) and hold the
    permission; never across departments or regions, never a supervisor."""
    if not user.is_authenticated or not user.has_perm(UNMASK):
        return False
    return any(reach.unmask and _reaches_case(assignment, reach, case)
               for assignment, reach in _reaches(user))


def _roles_on(user: User | None, case: Case) -> frozenset[str]:
    return frozenset(roles_on(user, case))


# What may be done on a case: the workflow's moves and who holds which role (ADR 0013). The
# services make moves with it (cases.services.CASE_PROCESS); pages and the API ask it what a
# person may do next (cases.selectors.case_actions).
CASE_TABLE: Table[Case] = Table(
    name="case", noun="办件", status_field="status",
    status_label=lambda status: str(CaseStatus(status).label), moves=MOVES,
    roles_on=_roles_on)

"""Who may see and act on a case: the applicant (or the proxy agent who filed), the window
clerks of the accepting region, the chief representatives and reviewers of the responsible
department, supervisors (read only). Which account role acts in which workflow role, and
within which scope, is the table cases.access_matrix.ACTS_AS (ADR 0012).

Every read of cases starts from `case_queryset_for(user)`, so "not yours" and "absent" look
the same (404) — quality.md #10.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.cases.access_matrix import ACTS_AS, Reach, Scope
from zhengwu.cases.models import Case, CaseStatus
from zhengwu.cases.workflow import MOVES, Role
from zhengwu.process.spec import Table

UNMASK = "cases.unmask_personal_data"


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


def _reach_q(assignment: RoleAssignment, reach: Reach) -> Q | None:
    if reach.scope == Scope.DEPARTMENT:
        return Q(department_id=assignment.department_id) \
            if assignment.department_id is not None else None
    prefix = _prefix(assignment)
    return Q(accepting_region__code__startswith=prefix) if prefix else None


def window_prefixes(user: User) -> list[str]:
    """Region code prefixes where the user serves at the comprehensive window (一窗受理, for
    every department). A chief representative's window is their department's only
    (`window_departments`)."""
    prefixes = []
    for assignment, reach in _reaches(user):
        if reach.role == Role.WINDOW and reach.scope == Scope.REGION:
            prefix = _prefix(assignment)
            if prefix:
                prefixes.append(prefix)
    return prefixes


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
    return [a.department_id for a, reach in _reaches(user)
            if reach.role == Role.WINDOW and reach.scope == Scope.DEPARTMENT
            and a.department_id is not None]


def serves_window(user: User) -> bool:
    """Has a window queue at all: the comprehensive window or a department's own."""
    return bool(window_prefixes(user) or window_departments(user))


def window_q(user: User) -> Q | None:
    """The cases this user serves at a window, as a filter (None: none)."""
    condition: Q | None = None
    for assignment, reach in _reaches(user):
        if reach.role == Role.WINDOW:
            q = _reach_q(assignment, reach)
            if q is not None:
                condition = q if condition is None else condition | q
    return condition


def files_for_others(user: User) -> bool:
    """Comprehensive-window clerks and proxy agents (帮代办) may file in another person's
    name; a chief representative does not (they serve their own department's cases)."""
    return bool(window_prefixes(user)) or any(
        a.role == AccountRole.PROXY_AGENT for a in _assignments(user))


def reviewer_departments(user: User) -> list[int]:
    """Departments the user answers for (back office, chief representative)."""
    departments: list[int] = []
    for assignment, reach in _reaches(user):
        if reach.scope == Scope.DEPARTMENT and assignment.department_id is not None \
                and assignment.department_id not in departments:
            departments.append(assignment.department_id)
    return departments


def case_queryset_for(user: User) -> QuerySet[Case]:
    cases = Case.objects.select_related("implementation__item", "department", "region",
                                        "accepting_region")
    if not user.is_authenticated:
        return cases.none()
    if user.has_perm("cases.view_all_cases"):
        return cases
    condition = Q(applicant=user) | Q(submitted_by=user)
    for assignment, reach in _reaches(user):
        q = _reach_q(assignment, reach)
        if q is not None:
            condition |= q
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

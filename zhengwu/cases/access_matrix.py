"""Who acts on a case, as data: each account role, the workflow roles it acts in, and the
scope that bounds each one (ADR 0012). cases.access reads this table and nothing else to map
people to workflow roles; workflow.MOVES then says which role may make which move from which
state. Together they are the role × action × department/region × state matrix.

A window clerk (综合窗口) serves the cases accepted in the regions of their assignment, for
every department. A chief representative (首席代表) is the window *of their own department*:
they accept, decide and unmask only that department's cases, never another's — a chief who
should also serve the comprehensive window gets a separate window_clerk assignment. A
reviewer works the back office of their department. Nobody else acts on cases as staff
(supervisors read everything and act on nothing; applicants and proxy agents act as the
applicant of the cases they filed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.cases.workflow import Role


class Scope(Enum):
    """What bounds an assignment's reach over a case."""

    # The case's accepting region lies within the assignment's region (or its department's).
    REGION = "region"
    # The case's responsible department is the assignment's department.
    DEPARTMENT = "department"


@dataclass(frozen=True)
class Reach:
    role: Role
    scope: Scope
    # May see the applicant's personal data whole on the cases it reaches (audited unmask).
    unmask: bool = False


ACTS_AS: dict[AccountRole, tuple[Reach, ...]] = {
    AccountRole.WINDOW_CLERK: (Reach(Role.WINDOW, Scope.REGION, unmask=True),),
    AccountRole.CHIEF_REPRESENTATIVE: (Reach(Role.WINDOW, Scope.DEPARTMENT, unmask=True),
                                       Reach(Role.REVIEWER, Scope.DEPARTMENT)),
    AccountRole.REVIEWER: (Reach(Role.REVIEWER, Scope.DEPARTMENT),),
}

# The 一件事 window, the joint-review departments and the department pages follow from it:
# region-scoped window reach serves the one-stop window (cases and bundles alike), and
# department-scoped reach of any kind makes a user answer for that department.

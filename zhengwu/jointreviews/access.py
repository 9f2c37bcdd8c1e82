"""Who may see and act on a joint review: the reviewers and chief representatives of the lead
department and of every invited department; supervisors (cases.view_all_cases) see all and
act on none.

Every read starts from `review_queryset_for(user)`, so "not invited" and "absent" look the
same (404) — quality.md #10.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet

from zhengwu.accounts.models import User
from zhengwu.cases.access import SUPERVISE, reviewer_departments, visible_q
from zhengwu.jointreviews.models import JointReview, JointReviewParticipant


class Role(StrEnum):
    """Who may make a move of jointreviews.workflow.MOVES."""

    LEAD = "lead"  # reviewers and chief representatives of the lead department (牵头部门)
    PARTICIPANT = "participant"  # reviewers and chief representatives of an invited department
    SYSTEM = "system"  # the platform: the last answer, the deadline sweep


def represented_departments(user: User) -> list[int]:
    """The departments this user answers for (reviewer or chief representative roles)."""
    if not user.is_authenticated:
        return []
    return reviewer_departments(user)


def is_supervisor(user: User) -> bool:
    return user.is_authenticated and user.has_perm(SUPERVISE)


def review_queryset_for(user: User) -> QuerySet[JointReview]:
    """Sessions visible to `user`, without joins that would duplicate rows (so the queryset
    can be locked with select_for_update)."""
    reviews = JointReview.objects.select_related("lead_department", "case")
    condition = visible_q(user, department=_lead_or_invited)
    return reviews.none() if condition is None else reviews.filter(condition)


def _lead_or_invited(departments: list[int]) -> Q:
    invited = JointReviewParticipant.objects.filter(review=OuterRef("pk"),
                                                    department_id__in=departments)
    return Q(lead_department_id__in=departments) | Q(Exists(invited))


def roles_on(user: User | None, review: JointReview,
             department_id: int | None = None) -> set[Role]:
    """The workflow roles `user` holds on `review` (SYSTEM for the platform itself). With
    `department_id`, PARTICIPANT means "answers for that invited department"."""
    if user is None:
        return {Role.SYSTEM}
    departments = set(represented_departments(user))
    roles: set[Role] = set()
    if review.lead_department_id in departments:
        roles.add(Role.LEAD)
    # The participants loaded with the session (services._lock, selectors.review_participants)
    # are read from there: the workflow's guards ask this for every move they weigh.
    invited = {p.department_id for p in review.participants.all()}
    if department_id is not None:
        if department_id in departments and department_id in invited:
            roles.add(Role.PARTICIPANT)
    elif departments & invited:
        roles.add(Role.PARTICIPANT)
    return roles

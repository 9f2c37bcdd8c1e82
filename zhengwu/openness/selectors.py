"""Reads of 依申请公开: one's own requests, the staff worklist, and a request within what a
person may see (another's is absent: 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from zhengwu.accounts.models import User
from zhengwu.departments.models import Department, DepartmentKind
from zhengwu.openness.models import ColumnCategory, ColumnEntry, OpennessRequest
from zhengwu.openness.models import RequestStatus as S
from zhengwu.openness.workflow import officer_department_ids, staff_q

AGENCY_KINDS = [DepartmentKind.GOVERNMENT, DepartmentKind.DIRECT, DepartmentKind.VERTICAL,
                DepartmentKind.TOWNSHIP, DepartmentKind.STREET]
STATES = {"open": [S.SUBMITTED, S.PROCESSING, S.SUPPLEMENT], "done": [S.ANSWERED, S.LAPSED]}


def mine(user: Any) -> QuerySet[OpennessRequest]:
    """The signed-in requester's own requests, newest first."""
    return OpennessRequest.objects.filter(person_id=user.pk).select_related(
        "department").order_by("-submitted_at", "-pk")


def worklist(user: User, *, state: str = "open") -> QuerySet[OpennessRequest]:
    """The requests of the agencies `user` answers for (every one for 电子监察): open ones by
    due date, the earliest first."""
    condition = staff_q(user)
    rows = OpennessRequest.objects.select_related("department")
    if condition is None:
        return rows.none()
    rows = rows.filter(condition)
    if state in STATES:
        rows = rows.filter(status__in=STATES[state])
    return rows.order_by("due_on", "submitted_at", "pk")


def request_for_person(user: Any, number: str) -> OpennessRequest:
    return mine(user).get(number=number)


def request_for_staff(user: User, number: str) -> OpennessRequest:
    condition = staff_q(user)
    if condition is None:
        raise OpennessRequest.DoesNotExist(number)
    return OpennessRequest.objects.filter(condition).select_related(
        "department", "person", "recorded_by").get(number=number)


def department_choices() -> list[tuple[str, str]]:
    """The agencies a request may be addressed to: the administrative bodies the 条例 binds
    (not the 党委部门, the 人大 or the village committees), the county's first."""
    rows = (Department.objects.filter(kind__in=AGENCY_KINDS).order_by("region__code", "pk")
            .values_list("pk", "short_name"))
    return [(str(pk), name) for pk, name in rows]


def column(category: str = "") -> QuerySet[ColumnEntry]:
    """The 主动公开 column as the public reads it: entries not withdrawn, by category, the
    newest first."""
    rows = ColumnEntry.objects.filter(withdrawn_at__isnull=True).select_related("department")
    if category in ColumnCategory.values:
        rows = rows.filter(category=category)
    return rows.order_by("category", "-published_on", "-pk")


def column_of(user: User) -> QuerySet[ColumnEntry]:
    """The entries of the departments `user` publishes for, withdrawn ones too."""
    return ColumnEntry.objects.filter(
        department_id__in=officer_department_ids(user)).select_related(
        "department").order_by("-published_on", "-pk")

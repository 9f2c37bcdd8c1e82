"""Reads of cases, always through the access-scoped queryset (cases.access)."""

from __future__ import annotations

from django.db.models import QuerySet

from zhengwu.accounts.models import User
from zhengwu.cases.access import case_queryset_for
from zhengwu.cases.models import Case, Notice


def case_get(*, user: User, number: str) -> Case:
    return case_queryset_for(user).select_related("applicant").get(number=number)


def case_timeline(case: Case) -> QuerySet[Case]:
    return case.events.order_by("id")  # type: ignore[return-value]


def notice_get(*, user: User, number: str, notice_id: int) -> Notice:
    case = case_get(user=user, number=number)
    return case.notices.get(pk=notice_id)

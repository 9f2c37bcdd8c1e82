"""Reads of cases, always through the access-scoped queryset (cases.access)."""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from zhengwu.accounts.models import User
from zhengwu.cases.access import case_queryset_for, reviewer_departments, window_prefixes
from zhengwu.cases.models import Case, CaseEvent, CaseStatus, DepartmentFailure, Notice
from zhengwu.core.codes import normalize_code


def case_get(*, user: User, number: str) -> Case:
    return case_queryset_for(user).select_related("applicant").get(number=number)


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.order_by("id")


def notice_get(*, user: User, number: str, notice_id: int) -> Notice:
    case = case_get(user=user, number=number)
    return case.notices.get(pk=notice_id)


def notice_by_code(*, code: str) -> Notice:
    """A notice by its verification code (the QR printed on it); public, shows no PII."""
    return Notice.objects.select_related("case__department", "case__implementation__item").get(
        verify_code=code)


def case_list(*, user: User, status: str | None = None, card: str | None = None,
              department: int | None = None, q: str | None = None) -> QuerySet[Case]:
    cases = case_queryset_for(user)
    if status:
        cases = cases.filter(status=status)
    if card:
        cases = cases.filter(card=card)
    if department:
        cases = cases.filter(department_id=department)
    if q:
        cases = cases.filter(Q(number__startswith=q) | Q(implementation__item__name__contains=q))
    return cases.order_by("-submitted_at", "-id")


def applicant_cases(*, user: User) -> QuerySet[Case]:
    return case_queryset_for(user).filter(Q(applicant=user) | Q(submitted_by=user)).order_by(
        "-submitted_at", "-id")


def window_queue(*, user: User) -> QuerySet[Case]:
    """What the comprehensive window must act on: new and supplemented applications to
    accept, and decided cases to close and deliver (一窗受理、统一出件)."""
    prefixes = window_prefixes(user)
    if not prefixes:
        return Case.objects.none()
    region = Q()
    for prefix in prefixes:
        region |= Q(accepting_region__code__startswith=prefix)
    return case_queryset_for(user).filter(region).filter(status__in=[
        CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENTED, CaseStatus.AWAITING_SUPPLEMENT,
        CaseStatus.DECIDED, CaseStatus.CLOSED]).order_by("submitted_at", "id")


def reviewer_todo(*, user: User) -> QuerySet[Case]:
    """The back office's open cases, the least time left first."""
    departments = reviewer_departments(user)
    return case_queryset_for(user).filter(
        department_id__in=departments,
        status__in=[CaseStatus.ACCEPTED, CaseStatus.SUSPENDED]).order_by("due_at", "id")


def progress_lookup(*, number: str, id_number: str) -> Case | None:
    """Public progress query by case number and the applicant's ID number (no login).
    Both must match; the page shows masked data only."""
    number = number.strip()
    if not number.isdigit() or len(number) > 32:
        return None
    return Case.objects.select_related("implementation__item", "department").filter(
        number=number, applicant_id_number=normalize_code(id_number)).first()


@dataclass(frozen=True)
class Monitoring:
    open_cases: int
    yellow: int
    red: int
    by_department: list[dict[str, object]]
    by_item: list[dict[str, object]]
    weekly: list[tuple[dt.date, int, int]]  # week start, red cards, deemed approvals


def monitoring(*, since: dt.date, department: int | None = None) -> Monitoring:
    """电子监察 [25]: yellow and red cards per department and item, and a weekly trend."""
    cases = Case.objects.filter(status__in=[CaseStatus.ACCEPTED, CaseStatus.SUSPENDED])
    failures = DepartmentFailure.objects.filter(recorded_at__date__gte=since)
    if department:
        cases = cases.filter(department_id=department)
        failures = failures.filter(department_id=department)
    by_department = list(cases.values("department_id", "department__name").annotate(
        open=Count("id"), yellow=Count("id", filter=Q(card="yellow")),
        red=Count("id", filter=Q(card="red"))).order_by("-red", "-yellow", "department_id"))
    by_item = list(cases.filter(card__in=["yellow", "red"]).values(
        "implementation__item__name").annotate(n=Count("id")).order_by("-n")[:20])
    weeks: Tally[tuple[dt.date, str]] = Tally()
    for recorded, kind in failures.values_list("recorded_at", "kind"):
        day = recorded.date()
        weeks[(day - dt.timedelta(days=day.weekday()), kind)] += 1
    starts = sorted({week for week, _ in weeks})
    weekly = [(week, weeks[(week, "overdue")], weeks[(week, "deemed")]) for week in starts]
    totals = cases.aggregate(n=Count("id"), yellow=Count("id", filter=Q(card="yellow")),
                             red=Count("id", filter=Q(card="red")))
    return Monitoring(totals["n"], totals["yellow"], totals["red"], by_department, by_item,
                      weekly)

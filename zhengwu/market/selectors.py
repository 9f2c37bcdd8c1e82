"""Reads of the 中介超市: which agencies are selectable on a day (a query on the 资质 dates,
never a flag a sweep sets), an agency's credit from its records, the public lists."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from zhengwu.accounts.models import User
from zhengwu.cases import credit as credit_supervision
from zhengwu.cases.credit_grades import Consequence, Grade, barred
from zhengwu.catalog.models import ServiceItem
from zhengwu.core import clock
from zhengwu.market import credit
from zhengwu.market.models import (
    Agency,
    AgencyStatus,
    Complaint,
    ComplaintStatus,
    Project,
    ProjectStatus,
)


def service_types() -> QuerySet[ServiceItem]:
    """The 中介服务事项清单: the catalogue's items marked as intermediary services."""
    return ServiceItem.objects.filter(is_intermediary=True).order_by("name")


def delays_of(agency: Agency, today: dt.date) -> int:
    """Deliveries made late, and services still undelivered after their due date (an agency
    that never delivers is late from the day after the due date, without a sweep)."""
    late = Project.objects.filter(winner=agency, delayed=True).count()
    overdue = Project.objects.filter(winner=agency, delayed=False, status=ProjectStatus.CONTRACTED,
                                     due_on__lt=today).count()
    return late + overdue


def agency_credit(agency: Agency, today: dt.date | None = None) -> credit.Credit:
    stars = [credit.Stars(e.quality, e.timeliness, e.attitude)
             for e in agency.evaluations.all()]
    sanctions = list(agency.sanctions.all())
    return credit.credit_score(
        evaluations=stars, delays=delays_of(agency, today or clock.today()),
        complaints=Complaint.objects.filter(agency=agency,
                                            status=ComplaintStatus.UPHELD).count(),
        sanctions=len(sanctions), sanction_blacklist=agency.blacklisted)


def valid_qualification_q(on: dt.date) -> dict[str, dt.date]:
    return {"qualifications__valid_from__lte": on, "qualifications__valid_to__gte": on}


def selectable_agencies(service_type_id: int, on: dt.date) -> list[Agency]:
    """Verified (已入驻), not blacklisted (by sanction or by score), not graded D on the
    platform's credit (cases.credit_grades), offering the service type and holding at least
    one 资质 valid on `on`."""
    rows = Agency.objects.filter(status=AgencyStatus.LISTED, blacklisted=False,
                                 service_types__pk=service_type_id,
                                 **valid_qualification_q(on)).distinct().order_by("uscc")
    agencies = list(rows)
    grades = credit_supervision.grades_of(a.uscc for a in agencies)
    return [a for a in agencies if not agency_credit(a).blacklisted
            and not barred(grades.get(a.uscc.strip().upper(), Grade.A), Consequence.NO_MARKET)]


def is_selectable(agency: Agency, service_type_id: int, on: dt.date) -> bool:
    return any(a.pk == agency.pk for a in selectable_agencies(service_type_id, on))


def listed_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(status=AgencyStatus.LISTED).prefetch_related(
        "service_types", "qualifications").order_by("name")


def agency_of(user: User | None) -> Agency | None:
    if user is None or not user.is_authenticated or not user.uscc:
        return None
    return Agency.objects.filter(uscc=user.uscc).first()


def projects_won(agency: Agency) -> QuerySet[Project]:
    return Project.objects.filter(winner=agency).exclude(
        status=ProjectStatus.FAILED).select_related("service_type").order_by("-selected_at")

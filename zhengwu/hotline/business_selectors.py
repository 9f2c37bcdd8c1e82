"""Reads for the 营商环境 weekly report (business_report.py): the business orders' facts, the
overdue open ones, the 营商环境 office (settings.HOTLINE_BUSINESS_OFFICE, a department's full
name) and who may read the report (its staff, 12345 operators, 电子监察, system admins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.selectors import holds
from zhengwu.departments.models import Department
from zhengwu.hotline import business_report, results_selectors
from zhengwu.hotline.business_report import BusinessReport, Overdue
from zhengwu.hotline.models import WorkOrder
from zhengwu.hotline.results_selectors import ALL_ROLES, Scope
from zhengwu.hotline.selectors import OPEN

# The pack's 优化营商环境 office (packs/leiyang/departments.csv); see docs/hotline-results.md.
DEFAULT_OFFICE = "中共耒阳市委优化营商环境工作机构（市委优化办）"
OVERDUE_MAX = 500


def office() -> Department | None:
    name = getattr(settings, "HOTLINE_BUSINESS_OFFICE", DEFAULT_OFFICE) or DEFAULT_OFFICE
    return Department.objects.filter(name=name).first()


def office_staff(department: Department) -> QuerySet[User]:
    """Active staff with any role in the office."""
    held = RoleAssignment.objects.filter(department=department).values("user_id")
    return User.objects.filter(pk__in=held, is_active=True, is_staff=True).order_by("pk")


def may_read(user: Any) -> bool:
    if holds(user, *ALL_ROLES):
        return True
    found = office()
    return bool(found is not None and user is not None and user.is_authenticated
                and user.is_staff and RoleAssignment.objects.filter(
                    user=user, department=found).exists())


def report(week: str, *, now: dt.datetime) -> BusinessReport:
    start, end = business_report.week_bounds(week)
    orders, events = results_selectors.facts(Scope(None), start=start, end=end)
    flagged = set(WorkOrder.objects.filter(
        business=True, number__in=[o.number for o in orders]).values_list("number", flat=True))
    orders = [o for o in orders if o.number in flagged]
    events = [e for e in events if e.number in flagged]
    late = (WorkOrder.objects.filter(business=True, status__in=OPEN, due_at__lt=min(now, end))
            .select_related("department").only("number", "title", "due_at", "department__name")
            .order_by("due_at", "number")[:OVERDUE_MAX])
    overdue = [Overdue(row.number, row.title,
                       row.department.name if row.department else business_report.NO_DEPARTMENT,
                       row.due_at) for row in late if row.due_at is not None]
    departments = results_selectors.department_names(
        {str(e.data["department_id"]) for e in events if e.data.get("department_id")})
    categories = results_selectors.category_names({o.category_code for o in orders})
    return business_report.build(orders, events, overdue, week=week, now=now,
                                 department_names=departments, category_names=categories)

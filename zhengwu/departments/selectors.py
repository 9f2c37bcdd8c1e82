"""Reads of departments."""

from __future__ import annotations

from django.db.models import QuerySet

from zhengwu.departments.models import Department


def department_list(*, region: str | None = None, kind: str | None = None,
                    q: str | None = None) -> QuerySet[Department]:
    departments = Department.objects.select_related("region")
    if region:
        departments = departments.filter(region_id=region)
    if kind:
        departments = departments.filter(kind=kind)
    if q:
        departments = departments.filter(name__contains=q)
    return departments.order_by("region_id", "id")


def department_get(*, department_id: int) -> Department:
    return Department.objects.select_related("region").get(pk=department_id)

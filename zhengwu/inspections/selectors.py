"""互联网+监管 reads: the public catalogue of supervision items and the staff's register."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from zhengwu.inspections.models import Inspector, SupervisionItem


def items_public() -> QuerySet[SupervisionItem]:
    return SupervisionItem.objects.select_related("department").prefetch_related("items")


def item_public(row: SupervisionItem) -> dict[str, Any]:
    return {"code": row.code, "name": row.name, "department": row.department.name,
            "items": [{"basic_code": i.basic_code, "name": i.name}
                      for i in sorted(row.items.all(), key=lambda i: i.basic_code)],
            "legal_basis": row.legal_basis, "method": row.method,
            "method_label": row.get_method_display(), "illustrative": row.illustrative}


def inspectors_for(department_ids: set[int] | None) -> QuerySet[Inspector]:
    """The register (None: every department, for 电子监察)."""
    rows = Inspector.objects.select_related("user", "department").annotate(
        conflict_count=Count("conflicts")).prefetch_related("conflicts")
    return rows if department_ids is None else rows.filter(department_id__in=department_ids)

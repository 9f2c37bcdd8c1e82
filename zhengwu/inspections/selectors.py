"""互联网+监管 reads: the public catalogue of supervision items and the staff's register."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from zhengwu.inspections.models import Inspection, Inspector, Plan, SupervisionItem


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


def results_public() -> QuerySet[Inspection]:
    return Inspection.objects.filter(published_at__isnull=False).select_related(
        "plan__item", "plan__department").order_by("-result_on", "uscc")


def result_public(row: Inspection) -> dict[str, Any]:
    """A published result as the public sees it: no inspector, no findings' names."""
    return {"plan": row.plan.number, "uscc": row.uscc, "enterprise": row.enterprise,
            "item": row.plan.item.name, "department": row.plan.department.name,
            "result": row.result, "result_label": row.get_result_display(),
            "result_on": str(row.result_on), "published_at": row.published_at.isoformat() if row.published_at else "",
            "ledger_index": row.ledger_index}


def plans_public() -> QuerySet[Plan]:
    """Plans are public once published (the pool and the count before the draw)."""
    return Plan.objects.exclude(status="draft").select_related(
        "item", "department", "target_draw").prefetch_related("inspections__inspector_draw")


def plan_public(row: Plan) -> dict[str, Any]:
    return {"number": row.number, "name": row.name, "department": row.department.name,
            "item": row.item.code, "item_name": row.item.name, "status": row.status,
            "status_label": row.get_status_display(), "pool_rule": row.pool_rule,
            "pool": [{"uscc": k, "name": v} for k, v in sorted(row.pool.items())],
            "percent": str(row.percent), "target_count": row.target_count,
            "due_workdays": row.due_workdays,
            "target_draw": row.target_draw.number if row.target_draw else "",
            "inspections": [{"uscc": i.uscc, "enterprise": i.enterprise, "status": i.status,
                             "inspector_draw": i.inspector_draw.number
                             if i.inspector_draw else "", "excluded": i.excluded,
                             "due_on": str(i.due_on or "")}
                            for i in row.inspections.all()]}

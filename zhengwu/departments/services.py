"""Writes of departments: loading them from a data pack, with USCC validation (GB 32100)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.codes import CodeError, validate_uscc
from zhengwu.core.errors import InvalidInput
from zhengwu.departments.models import Department, DepartmentKind
from zhengwu.regions.models import Region


@dataclass(frozen=True)
class DepartmentRow:
    short_name: str
    name: str
    kind: str
    uscc: str
    uscc_illustrative: bool
    region_code: str
    phone: str = ""
    address: str = ""
    confirmed: str = ""
    source: str = ""
    document_prefix: str = ""


@transaction.atomic
def departments_load(*, rows: list[DepartmentRow], actor: Actor) -> int:
    """Create or update departments keyed by short name; all or nothing."""
    problems: list[str] = []
    regions = set(Region.objects.values_list("code", flat=True))
    seen_uscc: dict[str, str] = {}
    seen_names: set[str] = set()
    for number, row in enumerate(rows, start=2):
        where = f"第{number}行（{row.short_name}）"
        if not row.short_name or not row.name:
            problems.append(f"{where}：名称和简称必填")
        if row.short_name in seen_names:
            problems.append(f"{where}：简称重复")
        seen_names.add(row.short_name)
        if row.kind not in DepartmentKind.values:
            problems.append(f"{where}：类别“{row.kind}”无效")
        try:
            uscc = validate_uscc(row.uscc)
        except CodeError as error:
            problems.append(f"{where}：{error}")
        else:
            if uscc in seen_uscc:
                problems.append(f"{where}：统一社会信用代码与“{seen_uscc[uscc]}”重复")
            seen_uscc[uscc] = row.short_name
        if row.region_code not in regions:
            problems.append(f"{where}：区划代码 {row.region_code} 不存在")
    if problems:
        raise InvalidInput("部门表有误：" + "；".join(problems[:20]), code="departments.invalid")
    existing = {d.short_name: d for d in Department.objects.all()}
    changed = 0
    for row in rows:
        values = {"name": row.name, "kind": row.kind, "uscc": validate_uscc(row.uscc),
                  "uscc_illustrative": row.uscc_illustrative, "region_id": row.region_code,
                  "phone": row.phone, "address": row.address, "confirmed": row.confirmed,
                  "source": row.source, "document_prefix": row.document_prefix}
        department = existing.get(row.short_name)
        if department is None:
            Department.objects.create(short_name=row.short_name, **values)
            changed += 1
        elif any(getattr(department, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(department, key, value)
            department.save()
            changed += 1
    if changed:
        audit_record(actor=actor, action="departments.load", object_type="departments.Department",
                     object_id="*", object_repr="部门表", after={"rows": len(rows),
                                                                   "changed": changed})
    return changed

"""Writes of regions: loading a division table (统计用区划代码) from a data pack."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import InvalidInput
from zhengwu.regions.codes import RegionCodeError, level_of, prefix_of, validate_region_code
from zhengwu.regions.models import Region, RegionLevel


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str


@transaction.atomic
def regions_load(*, rows: list[RegionRow], actor: Actor, year: int | None = None) -> int:
    """Create or update regions; parents must come in the same table or exist already.

    Returns how many regions were created or changed. Nothing is written if any row is bad.
    """
    problems: list[str] = []
    codes = {r.code for r in rows}
    for number, row in enumerate(rows, start=2):
        if row.level not in RegionLevel.values:
            problems.append(f"第{number}行：层级“{row.level}”无效")
            continue
        try:
            validate_region_code(row.code, row.level)
        except RegionCodeError as error:
            problems.append(f"第{number}行：{error}")
        if not row.name.strip():
            problems.append(f"第{number}行：名称为空")
        if row.parent_code and row.parent_code not in codes and not Region.objects.filter(
                code=row.parent_code).exists():
            problems.append(f"第{number}行：上级区划 {row.parent_code} 不存在")
        elif row.parent_code and not _nests(row.code, row.parent_code):
            # Ancestors are found by code prefix (selectors.region_ancestors), as the codes
            # are made: a parent whose code does not begin the region's is a typo.
            problems.append(f"第{number}行：区划代码 {row.code} 不在上级区划 {row.parent_code} 之下")
    if problems:
        raise InvalidInput("区划表有误：" + "；".join(problems[:20]), code="regions.invalid")
    existing = {r.code: r for r in Region.objects.all()}
    changed = 0
    for row in sorted(rows, key=lambda r: (r.code.rstrip("0").__len__(), r.code)):
        values = {"name": row.name.strip(), "level": row.level,
                  "parent_id": row.parent_code or None,
                  "prefix": prefix_of(row.code, row.level)}
        region = existing.get(row.code)
        if region is None:
            Region.objects.create(code=row.code, **values)
            changed += 1
        elif any(getattr(region, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(region, key, value)
            region.save()
            changed += 1
    if changed:
        audit_record(actor=actor, action="regions.load", object_type="regions.Region",
                     object_id="*", object_repr=f"行政区划（{year or ''}年代码）",
                     after={"rows": len(rows), "changed": changed})
    return changed


def _nests(code: str, parent_code: str) -> bool:
    """Whether `code` lies inside `parent_code` by the 编制规则 (its significant digits)."""
    try:
        return code != parent_code and code.startswith(
            prefix_of(parent_code, level_of(parent_code)))
    except RegionCodeError:
        return False

"""Loading a pack's hotline/ folder (docs/pack-format.md): the 诉求分类 tree
(hotline/categories.csv) and the first routing table (hotline/routing.csv).

Categories are upserted by code (loading twice changes nothing). The routing table is loaded
as RoutingVersion 1 only when no version exists yet: once loaded, the table belongs to the
hotline's admins, who publish new versions (services.routing_version_create), and reloading
the pack does not overwrite their work. Lines starting with "#" are comments.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import InvalidInput
from zhengwu.hotline.models import Category, RoutingVersion
from zhengwu.hotline.services import ImportInvalid, RuleRow, routing_version_create

YES = {"yes", "y", "true", "1", "是"}


class HotlinePackError(InvalidInput):
    code = "packs.invalid"


@dataclass
class HotlineLoad:
    categories: int = 0  # created or changed
    rules: int = 0  # rules of the version created (0: a version existed)


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = [line for line in handle if not line.lstrip().startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(lines)]


def categories_load(rows: list[dict[str, str]], *, actor: Actor) -> int:
    changed = 0
    codes = {row.get("code", "") for row in rows}
    for n, row in enumerate(rows, start=2):
        code, name, parent_code = row.get("code", ""), row.get("name", ""), row.get(
            "parent_code", "")
        where = f"hotline/categories.csv 第{n}行"
        if not code or not name or len(code) > 20:
            raise HotlinePackError(f"{where}：编码和名称必填（编码最多20位）")
        if parent_code and parent_code not in codes:
            raise HotlinePackError(f"{where}：上级分类“{parent_code}”不在文件中")
        try:
            level = int(row.get("level") or 1)
            limit_days = int(row.get("limit_days") or 0)
        except ValueError:
            raise HotlinePackError(f"{where}：level 和 limit_days 应为整数") from None
        if not 1 <= level <= 3:
            raise HotlinePackError(f"{where}：level 只能是1、2、3")
        parent = Category.objects.get(code=parent_code) if parent_code else None
        if parent is not None and parent.level != level - 1:
            raise HotlinePackError(f"{where}：层级应比上级分类多一级")
        values = {"name": name, "parent": parent, "level": level,
                  "business": row.get("business", "").lower() in YES,
                  "limit_days": limit_days, "active": True}
        found = Category.objects.filter(code=code).first()
        if found is None:
            Category.objects.create(code=code, **values)
            changed += 1
        elif any(getattr(found, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(found, key, value)
            found.save()
            changed += 1
    if changed:
        audit_record(actor=actor, action="hotline.categories.load",
                     object_type="hotline.category", object_id="pack",
                     after={"changed": changed})
    return changed


def routing_load(rows: list[dict[str, str]], *, actor: Actor) -> int:
    if not rows or RoutingVersion.objects.exists():
        return 0
    parsed = []
    for n, row in enumerate(rows, start=2):
        try:
            priority = int(row.get("priority") or 0)
        except ValueError:
            raise HotlinePackError(f"hotline/routing.csv 第{n}行：priority 应为整数") from None
        parsed.append(RuleRow(region_code=row.get("region_code", ""),
                              category_code=row.get("category_code", ""),
                              department=row.get("department", ""), priority=priority))
    try:
        version = routing_version_create(rows=parsed, user=None, note="数据包加载")
    except ImportInvalid as error:
        raise HotlinePackError("hotline/routing.csv：" + "；".join(error.errors[:20])) from error
    return version.rules.count()


def hotline_load(pack: Path, *, actor: Actor) -> HotlineLoad:
    """The pack's hotline/ files (both optional); inside the pack loader's transaction."""
    folder = pack / "hotline"
    report = HotlineLoad()
    report.categories = categories_load(_read(folder / "categories.csv"), actor=actor)
    report.rules = routing_load(_read(folder / "routing.csv"), actor=actor)
    return report

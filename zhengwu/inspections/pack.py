"""Loading a pack's inspections/ folder (docs/pack-format.md, docs/inspections.md): the
supervision items of items.csv, each marked illustrative (示例) — the Leiyang pack's are.

Columns: code, name, department (its short name), items (catalogue item names, `;`),
legal_basis, method. Loading twice changes nothing: an item whose code exists is skipped (it
then belongs to its department). An unknown department or catalogue item refuses the load.
"""

from __future__ import annotations

import csv
from pathlib import Path

from zhengwu.catalog.models import ServiceItem
from zhengwu.core.audit import Actor
from zhengwu.core.errors import FieldsInvalid, InvalidInput
from zhengwu.departments.models import Department
from zhengwu.inspections.models import SupervisionItem
from zhengwu.inspections.services import ItemIn, item_create


def inspections_load(pack: Path, *, actor: Actor) -> int:
    """Create the pack's new supervision items; returns how many were created."""
    path = pack / "inspections" / "items.csv"
    if not path.exists():
        return 0
    created = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if SupervisionItem.objects.filter(code=row["code"].strip()).exists():
                continue
            department = Department.objects.filter(short_name=row["department"].strip()).first()
            if department is None:
                raise InvalidInput(f"inspections/items.csv 第{number}行：没有部门“{row['department']}”。")
            names = [n.strip() for n in row["items"].split(";") if n.strip()]
            codes = list(ServiceItem.objects.filter(name__in=names).values_list(
                "basic_code", flat=True))
            if len(codes) != len(names):
                raise InvalidInput(f"inspections/items.csv 第{number}行：事项目录中缺少所列事项。")
            try:
                item_create(user=None, department=department, actor=actor, data=ItemIn(
                    code=row["code"], name=row["name"], item_codes=codes,
                    legal_basis=row["legal_basis"], method=row["method"], illustrative=True))
            except FieldsInvalid as error:
                raise InvalidInput(f"inspections/items.csv 第{number}行：{error.message}") from None
            created += 1
    return created

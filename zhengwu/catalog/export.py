"""Exporting catalogue rows to csv and xlsx in the import format, so a file can go round trip."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from zhengwu.catalog.guide import guide_of, substitute_bits
from zhengwu.catalog.models import ItemImplementation
from zhengwu.catalog.rows import COLUMNS


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def implementation_row(implementation: ItemImplementation) -> dict[str, str]:
    item = implementation.item
    guide = guide_of(implementation)
    values: dict[str, Any] = {
        "basic_code": item.basic_code, "name": item.name, "item_type": item.item_type,
        "audience": item.audience, "themes": [t.name for t in item.themes.all()],
        "legal_basis": item.legal_basis, "item_legal_limit_workdays": item.legal_limit_workdays,
        "legal_limit_note": item.legal_limit_note, "item_conditions": item.conditions,
        "result_name": item.result_name, "result_type": item.result_type,
        "is_intermediary": item.is_intermediary, "keywords": item.keywords,
        "plan_steps_limit": item.plan_steps_limit,
        "plan_materials_limit": item.plan_materials_limit,
        "code": implementation.code, "department": implementation.department.short_name,
        "region_code": implementation.region_id, "level": implementation.level,
    }
    for key, value in guide.model_dump().items():
        if key in {"materials", "fees", "faq"}:
            continue
        values[key] = [str(v) for v in value] if isinstance(value, list) else value
    values["materials"] = "\n".join(
        "|".join([m.name, str(m.source), m.form, str(m.copies), "是" if m.required else "否",
                  m.issuer, "是" if m.government_issued else "否", m.note, *substitute_bits(m)])
        for m in guide.materials)
    values["fees"] = "\n".join("|".join([f.name, f.standard, f.basis]) for f in guide.fees)
    values["faq"] = "\n".join(f"{f.question}|{f.answer}" for f in guide.faq)
    return {key: _fmt(values.get(key)) for key, _ in COLUMNS}


def _rows(implementations: Iterable[ItemImplementation]) -> Iterable[dict[str, str]]:
    for implementation in implementations:
        yield implementation_row(implementation)


def to_csv(implementations: Iterable[ItemImplementation]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    for row in _rows(implementations):
        writer.writerow([row[key] for key, _ in COLUMNS])
    # UTF-8 with BOM: Excel on Windows, which most offices use, needs it to show Chinese.
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(implementations: Iterable[ItemImplementation], title: str = "事项清单") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([label for _, label in COLUMNS])
    for row in _rows(implementations):
        sheet.append([row[key] for key, _ in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Loading the pack's shared_data.json (docs/pack-format.md): the sharing catalogue and the
local provider's illustrative records. Upserted by natural key (item code; item and holder),
so loading twice changes nothing; the records' ID numbers are turned into holder references
on the way in and never stored."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import InvalidInput
from zhengwu.core.holder_ref import holder_ref
from zhengwu.departments.models import Department
from zhengwu.sharing.models import ITEM_CODE_PATTERN, LocalRecord, SharedDataItem, SubjectKind

FILE = "shared_data.json"
MASKS = frozenset({"", "name", "citizen_id", "address", "phone"})


class SharedDataPackError(InvalidInput):
    code = "packs.invalid"


def _fail(message: str) -> SharedDataPackError:
    return SharedDataPackError(f"{FILE}：{message}")


def _fields(code: str, raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise _fail(f"数据项 {code} 的 fields 应为非空列表")
    fields = []
    for field in raw:
        if not isinstance(field, dict) or not field.get("key") or not field.get("label") \
                or field.get("mask", "") not in MASKS:
            raise _fail(f"数据项 {code} 的字段须有 key、label，mask 只能是 {sorted(MASKS)}")
        fields.append({"key": str(field["key"]), "label": str(field["label"]),
                       "mask": str(field.get("mask", ""))})
    return fields


def shared_data_load(pack: Path, *, actor: Actor) -> int:
    """Load the pack's catalogue and records inside the caller's transaction; answers how many
    items and records were created or changed (0 when the pack has no shared_data.json)."""
    path = pack / FILE
    if not path.exists():
        return 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise _fail(f"不是有效的 JSON：{error}") from error
    if not isinstance(data, dict):
        raise _fail("应为含 items 和 records 的对象")
    departments = {d.short_name: d for d in Department.objects.all()}
    changed = 0
    items: dict[str, SharedDataItem] = {}
    for raw in data.get("items", []):
        code = str(raw.get("code", ""))
        provider = departments.get(str(raw.get("provider", "")))
        if not re.match(ITEM_CODE_PATTERN, code) or provider is None:
            raise _fail(f"数据项“{code}”的编码须为字母、数字和连字符（至多 40 个），且提供部门"
                        f"“{raw.get('provider')}”须在 departments.csv 中")
        if raw.get("subject_kind") not in SubjectKind.values or not raw.get("legal_basis"):
            raise _fail(f"数据项 {code} 的 subject_kind 须为 person 或 enterprise，且须写明 "
                        "legal_basis")
        values = {"name": str(raw.get("name", code)), "provider": provider,
                  "subject_kind": raw["subject_kind"], "fields": _fields(code, raw.get("fields")),
                  "legal_basis": str(raw["legal_basis"]),
                  "requesters": str(raw.get("requesters", "")),
                  "description": str(raw.get("description", "")),
                  "illustrative": bool(raw.get("illustrative", True))}
        item = SharedDataItem.objects.filter(code=code).first()
        if item is None:
            item = SharedDataItem.objects.create(code=code, **values)
            changed += 1
        elif any(getattr(item, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(item, key, value)
            item.save()
            changed += 1
        items[code] = item
    for number, raw in enumerate(data.get("records", []), start=1):
        item = items.get(str(raw.get("item", ""))) or SharedDataItem.objects.filter(
            code=str(raw.get("item", ""))).first()
        if item is None or not raw.get("holder") or not isinstance(raw.get("data"), dict):
            raise _fail(f"第{number}条记录须有已定义的 item、holder 和 data")
        keys = {f["key"] for f in item.fields}
        record_data = {str(k): str(v) for k, v in raw["data"].items()}
        if not set(record_data) <= keys:
            raise _fail(f"第{number}条记录有数据项 {item.code} 未列出的字段："
                        f"{sorted(set(record_data) - keys)}")
        ref = holder_ref(str(raw["holder"]))
        illustrative = bool(raw.get("illustrative", True))
        record = LocalRecord.objects.filter(item=item, holder_ref=ref).first()
        if record is None:
            LocalRecord.objects.create(item=item, holder_ref=ref, data=record_data,
                                       illustrative=illustrative)
            changed += 1
        elif record.data != record_data or record.illustrative != illustrative:
            record.data, record.illustrative = record_data, illustrative
            record.save(update_fields=["data", "illustrative", "updated_at"])
            changed += 1
    if changed:
        audit_record(actor=actor, action="sharing.catalogue_load", object_type="sharing.Catalogue",
                     object_repr="共享数据目录与本地共享数据（数据包）",
                     after={"items": sorted(items), "changed": changed})
    return changed

"""What a licence type's licences say (照面信息): the type's `fields`, a small schema.

    [{"key": "name", "label": "名称", "source": "form:company_name"}, …]

`key` names the field in the credential (ASCII, camelCase or snake_case), `label` is what the
PDF and pages print, `source` says where the issuer takes the value from; licences do not
read it (an issuing service does: cases.licensing fills `form:<key>` from the application
form and `applicant_name` / `applicant_id_number` from the case). Values are text: the signed
JSON has no numbers (licences.canonical).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from zhengwu.core.errors import InvalidInput

_KEY: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
VALUE_MAX: Final = 500


def fields_check(fields: Any) -> list[dict[str, str]]:
    """The schema, checked: a list of {key, label, source}, keys unique; else InvalidInput."""
    if not isinstance(fields, list):
        raise InvalidInput("照面信息项应为列表。", code="licences.fields")
    seen: set[str] = set()
    checked = []
    for field in fields:
        if not isinstance(field, Mapping) or not isinstance(field.get("key"), str) \
                or not _KEY.fullmatch(field["key"]) or not str(field.get("label", "")).strip():
            raise InvalidInput(f"照面信息项“{field}”无效：须有英文 key 与中文 label。",
                               code="licences.fields")
        if field["key"] in seen:
            raise InvalidInput(f"照面信息项 {field['key']} 重复。", code="licences.fields")
        seen.add(field["key"])
        checked.append({"key": field["key"], "label": str(field["label"]).strip(),
                        "source": str(field.get("source", "")).strip()})
    return checked


def payload_check(fields: list[dict[str, str]], payload: Mapping[str, Any]) -> dict[str, str]:
    """The payload in the type's order, every value text; a key the type does not have, or
    a field left empty, is refused."""
    keys = [f["key"] for f in fields]
    unknown = sorted(set(payload) - set(keys))
    if unknown:
        raise InvalidInput(f"照面信息含未定义的项：{'、'.join(unknown)}。",
                           code="licences.payload_unknown")
    labels = {f["key"]: f["label"] for f in fields}
    checked = {}
    for key in keys:
        value = str(payload.get(key, "")).strip()
        if not value:
            raise InvalidInput(f"照面信息“{labels[key]}”不能为空。", code="licences.payload_missing")
        checked[key] = value[:VALUE_MAX]
    return checked


def labelled(fields: list[dict[str, str]], payload: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, value) in the type's order, for pages and the PDF."""
    return [(f["label"], payload.get(f["key"], "")) for f in fields if f["key"] in payload]

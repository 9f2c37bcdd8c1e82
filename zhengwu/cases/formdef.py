"""The application form (申请表) of an item and its validation, field by field.

GB/T 39046 Table 5 fixes the applicant fields every application carries; an item's own
fields come from the catalogue later (the slot is `ItemImplementation.form_fields`, not yet
published per item), so today every item uses the common fields below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from zhengwu.core.codes import CodeError, validate_citizen_id, validate_uscc
from zhengwu.core.text import TextError, check_text


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool = True
    max_length: int = 200
    pattern: str = ""
    message: str = ""


COMMON_FIELDS = (
    Field("applicant_name", "申请人姓名/名称", max_length=150),
    Field("id_number", "证件号码", max_length=30),
    Field("phone", "联系电话", pattern=r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$",
          message="请填写11位手机号或带区号的固定电话"),
    Field("address", "联系地址", required=False, max_length=300),
    Field("description", "申请事项说明", required=False, max_length=2000),
)


def validate_form(data: dict[str, Any], *, kind: str, today: Any = None) -> tuple[dict[str, str], dict[str, str]]:
    """Cleaned values and errors keyed by field (each error in Chinese, next to its field)."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - {f.key for f in COMMON_FIELDS})
    if unknown:
        errors["__all__"] = "未知字段：" + "、".join(unknown[:5])
    for field in COMMON_FIELDS:
        raw = data.get(field.key, "")
        value = str(raw).strip() if raw is not None else ""
        if not value:
            if field.required:
                errors[field.key] = f"请填写{field.label}"
            continue
        if len(value) > field.max_length:
            errors[field.key] = f"{field.label}不能超过{field.max_length}字"
            continue
        try:
            check_text(value, label=field.label, multiline=field.key == "description")
        except TextError as error:
            errors[field.key] = error.message
            continue
        if field.pattern and not re.match(field.pattern, value):
            errors[field.key] = field.message
            continue
        cleaned[field.key] = value
    number = cleaned.get("id_number")
    if number:
        try:
            cleaned["id_number"] = (validate_citizen_id(number, today=today) if kind == "person"
                                    else validate_uscc(number))
        except CodeError as error:
            errors["id_number"] = error.message
    return cleaned, errors

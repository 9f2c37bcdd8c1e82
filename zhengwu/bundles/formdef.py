"""The bundle's one form (一套表单), pure: GB/T 39046's applicant fields (cases.formdef) joined
with the bundle's own fields, each validated by its kind, every error next to its field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zhengwu.bundles.definition import Definition
from zhengwu.cases.formdef import COMMON_FIELDS
from zhengwu.core.codes import CodeError, validate_citizen_id, validate_uscc
from zhengwu.core.masking import mask_address, mask_citizen_id, mask_phone
from zhengwu.core.text import TextError, check_text

PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
MAX_LENGTH = {"text": 200, "long_text": 2000, "number": 20, "phone": 20, "id_number": 18,
              "uscc": 18, "date": 10}


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    required: bool
    kind: str
    common: bool  # one of the applicant fields every case carries


def form_fields(definition: Definition) -> list[FormField]:
    """The applicant fields first, then the bundle's; a bundle field with an applicant
    field's key replaces its label and requiredness (e.g. 住所 for 联系地址)."""
    own = {f.key: f for f in definition.fields}
    fields = []
    for common in COMMON_FIELDS:
        bundle_field = own.pop(common.key, None)
        kind = {"phone": "phone", "description": "long_text"}.get(common.key, "text")
        fields.append(FormField(common.key, bundle_field.label if bundle_field else common.label,
                                bundle_field.required if bundle_field else common.required,
                                kind, common=True))
    fields += [FormField(f.key, f.label, f.required, f.kind, common=False)
               for f in definition.fields if f.key in own]
    return fields


def validate(definition: Definition, data: dict[str, Any], *, applicant_kind: str,
             today: dt.date | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Cleaned values and errors keyed by field (Chinese, shown next to each field)."""
    fields = form_fields(definition)
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - {f.key for f in fields})
    if unknown:
        errors["__all__"] = "未知字段：" + "、".join(unknown[:5])
    for field in fields:
        raw = data.get(field.key, "")
        value = str(raw).strip() if raw is not None else ""
        if not value:
            if field.required:
                errors[field.key] = f"请填写{field.label}"
            continue
        if len(value) > MAX_LENGTH.get(field.kind, 200):
            errors[field.key] = f"{field.label}不能超过{MAX_LENGTH.get(field.kind, 200)}字"
            continue
        try:
            check_text(value, label=field.label, multiline=field.kind == "long_text")
            cleaned[field.key] = _clean(field, value, applicant_kind, today)
        except TextError as error:
            errors[field.key] = error.message
        except ValueError as error:
            errors[field.key] = str(error)
    return cleaned, errors


def _clean(field: FormField, value: str, applicant_kind: str, today: dt.date | None) -> str:
    kind = field.kind
    if field.key == "id_number":
        kind = "uscc" if applicant_kind == "enterprise" else "id_number"
    if kind == "phone" and not PHONE.match(value):
        raise ValueError("请填写11位手机号或带区号的固定电话")
    if kind in ("id_number", "uscc"):
        try:
            return validate_citizen_id(value, today=today) if kind == "id_number" \
                else validate_uscc(value)
        except CodeError as error:
            raise ValueError(error.message) from error
    if kind == "number":
        try:
            number = Decimal(value)
        except InvalidOperation as error:
            raise ValueError(f"{field.label}应为数字") from error
        if not number.is_finite() or number < 0:
            raise ValueError(f"{field.label}应为不小于0的数字")
        return f"{number.normalize():f}"
    if kind == "date":
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError as error:
            raise ValueError(f"{field.label}应为日期（如 2026-12-01）") from error
    return value


def masked(key: str, kind: str, value: str, *, applicant_kind: str) -> str:
    """A form value as staff who may not see personal data whole see it (quality.md #11): by
    the field's kind and, for definitions that left the kind as text, by its key's name. An
    enterprise's credit code is public; a person's ID number is not."""
    if key == "address" or key.endswith("_address"):
        return mask_address(value)
    if key == "id_number":
        return value if applicant_kind == "enterprise" else mask_citizen_id(value)
    if kind == "id_number" or key.endswith("id_number"):
        return mask_citizen_id(value)
    if kind == "phone" or key.endswith("phone"):
        return mask_phone(value)
    return value

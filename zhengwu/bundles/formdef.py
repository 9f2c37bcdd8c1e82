"""The bundle's one form (一套表单), pure: GB/T 39046's applicant fields (cases.formdef) joined
with the bundle's own fields, each validated by its kind (core.fields), every error next to
its field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zhengwu.bundles.definition import Definition
from zhengwu.cases.formdef import COMMON_FIELDS
from zhengwu.core.fields import (
    PHONE,
    PHONE_MESSAGE,
    FieldInvalid,
    FieldSpec,
    applicant_id,
    validate_fields,
)

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
    return validate_fields([_spec(f, applicant_kind, today) for f in form_fields(definition)],
                           data)


def _spec(field: FormField, applicant_kind: str, today: dt.date | None) -> FieldSpec:
    """A field as core.fields validates it: its length and cleaning follow its kind."""
    spec = FieldSpec(field.key, field.label, field.required,
                     max_length=MAX_LENGTH.get(field.kind, 200),
                     multiline=field.kind == "long_text")
    if field.key == "id_number":
        return dataclasses.replace(spec, clean=applicant_id(applicant_kind, today=today))
    if field.kind == "phone":
        return dataclasses.replace(spec, pattern=PHONE, message=PHONE_MESSAGE)
    if field.kind == "id_number":
        return dataclasses.replace(spec, clean=applicant_id("person", today=today))
    if field.kind == "uscc":
        return dataclasses.replace(spec, clean=applicant_id("enterprise", today=today))
    if field.kind == "number":
        return dataclasses.replace(spec, clean=lambda value: _number(field.label, value))
    if field.kind == "date":
        return dataclasses.replace(spec, clean=lambda value: _date(field.label, value))
    return spec


def _number(label: str, value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise FieldInvalid(f"{label}应为数字") from error
    if not number.is_finite() or number < 0:
        raise FieldInvalid(f"{label}应为不小于0的数字")
    return f"{number.normalize():f}"


def _date(label: str, value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise FieldInvalid(f"{label}应为日期（如 2026-12-01）") from error

"""The bundle's one form (一套表单), pure: GB/T 39046's applicant fields (cases.formdef) joined
with the bundle's own fields, each validated by its kind (core.fields), every error next to
its field.

A bundle field that stands for a shared meaning (`meaning`, catalog MAPS_TO) is left out when
the members' one form asks that meaning (`answered`, from bundles.item_forms.meanings): the
fact is asked once, there, and the field's value is taken from that answer
(bundles.item_forms.facts), so the bundle case and its members' legacy form_data still hold
it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
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


# The applicant's name, number and phone are checked against the account: always asked here,
# whatever meaning they are given.
ALWAYS_ASKED = ("applicant_name", "id_number", "phone")


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    required: bool
    kind: str
    common: bool  # one of the applicant fields every case carries
    meaning: str = ""  # the shared meaning it stands for (catalog MAPS_TO), if any


def form_fields(definition: Definition,
                answered: Collection[str] = ()) -> list[FormField]:
    """The applicant fields first, then the bundle's; a bundle field with an applicant
    field's key replaces its label and requiredness (e.g. 住所 for 联系地址). Fields whose
    meaning is in `answered` (asked by the members' one form) are left out."""
    own = {f.key: f for f in definition.fields}
    fields = []
    for common in COMMON_FIELDS:
        bundle_field = own.pop(common.key, None)
        kind = {"phone": "phone", "description": "long_text"}.get(common.key, "text")
        fields.append(FormField(common.key, bundle_field.label if bundle_field else common.label,
                                bundle_field.required if bundle_field else common.required,
                                kind, common=True,
                                meaning=bundle_field.meaning if bundle_field else ""))
    fields += [FormField(f.key, f.label, f.required, f.kind, common=False, meaning=f.meaning)
               for f in definition.fields if f.key in own]
    return [f for f in fields if not (f.meaning and f.meaning in answered)
            or f.key in ALWAYS_ASKED]


def validate(definition: Definition, data: dict[str, Any], *, applicant_kind: str,
             today: dt.date | None = None,
             answered: Collection[str] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """Cleaned values and errors keyed by field (Chinese, shown next to each field); the
    fields the members' one form answers (`answered` meanings) are not judged here."""
    asked = form_fields(definition, answered)
    # A value still sent for a fact the members' form answers is ignored, not refused as an
    # unknown field (API clients written before the fact was asked once keep working).
    left_out = {f.key for f in form_fields(definition)} - {f.key for f in asked}
    return validate_fields([_spec(f, applicant_kind, today) for f in asked],
                           {k: v for k, v in data.items() if k not in left_out})


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

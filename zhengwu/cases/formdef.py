"""The application form (申请表) of an item: its fields, validated by core.fields.

GB/T 39046 Table 5 fixes the applicant fields every application carries; an item's own
fields come from the catalogue later (the slot is `ItemImplementation.form_fields`, not yet
published per item), so today every item uses the common fields below.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from zhengwu.core.fields import PHONE, PHONE_MESSAGE, FieldSpec, applicant_id, validate_fields

Field = FieldSpec

COMMON_FIELDS = (
    Field("applicant_name", "申请人姓名/名称", max_length=150),
    Field("id_number", "证件号码", max_length=30),
    Field("phone", "联系电话", pattern=PHONE, message=PHONE_MESSAGE),
    Field("address", "联系地址", required=False, max_length=300),
    Field("description", "申请事项说明", required=False, max_length=2000, multiline=True),
)


def validate_form(data: dict[str, Any], *, kind: str,
                  today: dt.date | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Cleaned values and errors keyed by field (each error in Chinese, next to its field);
    the ID number is checked as the applicant's kind (person, enterprise) has it."""
    specs = [dataclasses.replace(f, clean=applicant_id(kind, today=today))
             if f.key == "id_number" else f for f in COMMON_FIELDS]
    return validate_fields(specs, data)

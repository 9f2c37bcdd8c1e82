"""Validating an application form field by field — one loop for every process's form (a case's
申请表, cases.formdef; a bundle's 一套表单, bundles.formdef). Each process declares only its
fields; the order of the checks, the messages and the shape of the result are here.

Pure: no Django, no database. Every field's error is Chinese and shown next to the field; a
field's first broken rule wins: required, length, characters (core.text.check_text), pattern,
then the field's own cleaning (a code's check digit, a number, a date).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zhengwu.core.codes import CodeError, validate_citizen_id, validate_uscc
from zhengwu.core.text import TextError, check_text

# A mobile number or a fixed line with its area code (GB/T 39046's 联系电话).
PHONE = r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$"
PHONE_MESSAGE = "请填写11位手机号或带区号的固定电话"


class FieldInvalid(ValueError):
    """A field's own cleaning refused the value; the message (Chinese) is shown next to it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    required: bool = True
    max_length: int = 200
    multiline: bool = False  # may hold line breaks (a description, a long text)
    pattern: str = ""  # a regular expression the value must match, with `message` if not
    message: str = ""
    # Turns the value into what is stored, or raises FieldInvalid.
    clean: Callable[[str], str] | None = None


def validate_fields(specs: Sequence[FieldSpec], data: Mapping[str, Any]) -> tuple[
        dict[str, str], dict[str, str]]:
    """Cleaned values and errors keyed by field, in the order of `specs`; unknown keys are one
    error under "__all__". A blank optional field is left out of the cleaned values."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - {spec.key for spec in specs})
    if unknown:
        errors["__all__"] = "未知字段：" + "、".join(unknown[:5])
    for spec in specs:
        try:
            value = clean_field(spec, data.get(spec.key, ""))
        except FieldInvalid as error:
            errors[spec.key] = error.message
            continue
        if value is not None:
            cleaned[spec.key] = value
    return cleaned, errors


def clean_field(spec: FieldSpec, raw: Any) -> str | None:
    """One field's cleaned value, None when it is blank and optional, or FieldInvalid with the
    field's first broken rule (the loop above and catalog.form_answers share it)."""
    value = str(raw).strip() if raw is not None else ""
    if not value:
        if spec.required:
            raise FieldInvalid(f"请填写{spec.label}")
        return None
    if len(value) > spec.max_length:
        raise FieldInvalid(f"{spec.label}不能超过{spec.max_length}字")
    try:
        check_text(value, label=spec.label, multiline=spec.multiline)
    except TextError as error:
        raise FieldInvalid(error.message) from error
    if spec.pattern and not re.match(spec.pattern, value):
        raise FieldInvalid(spec.message)
    return spec.clean(value) if spec.clean is not None else value


def applicant_id(applicant_kind: str, *, today: dt.date | None = None) -> Callable[[str], str]:
    """The applicant's 证件号码 as its kind has it: a person's citizen ID (GB 11643, not born
    after `today`), an enterprise's unified social credit code (GB 32100)."""
    def clean(value: str) -> str:
        try:
            return validate_uscc(value) if applicant_kind == "enterprise" \
                else validate_citizen_id(value, today=today)
        except CodeError as error:
            raise FieldInvalid(error.message) from error
    return clean

"""An item's application form as a JSON Schema (draft 2020-12), for API clients, pure.

`json_schema(definition, code_sets)` says in Chinese (titles, descriptions) what each field
asks, and in the schema's own terms what a client should send: the canonical shape of
catalog.form_answers (a number or a decimal string, "YYYY-MM-DD", a 12-digit region code, a
boolean for yes/no, choices as `enum`, groups as arrays, a file as an upload token or
{"name", "token"}). A `shows_if` becomes `if`/`then`: the field is required only when its
condition holds (on the answer as sent; a chain of conditions is checked one link at a time).

The server stays the judge: it also accepts what forms send (blank optional values, "是"/"否",
amounts with 元) and checks what a schema cannot (check digits, a region existing, dates
against today). What it stores always satisfies this schema (test_form_schema).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zhengwu.catalog.application_form import MAPS_TO, FieldDef, FormDefinition, Kind, Option
from zhengwu.catalog.form_answers import (
    DEFAULT_TEXT_LENGTH,
    DEPTH_LABEL,
    EMAIL_MAX,
    UPLOAD_TOKEN,
    choices_of,
    coerce_yes_no,
)
from zhengwu.core.fields import PHONE

__all__ = ["DIALECT", "json_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ID_NUMBER_PATTERN = r"^\d{17}[\dXx]$"
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
KIND_LABEL = {
    Kind.TEXT: "文字", Kind.LONG_TEXT: "多行文字", Kind.NUMBER: "数字", Kind.MONEY: "金额（元）",
    Kind.DATE: "日期", Kind.DATE_RANGE: "日期区间", Kind.REGION: "行政区划",
    Kind.ID_NUMBER: "公民身份号码", Kind.USCC: "统一社会信用代码", Kind.PHONE: "联系电话",
    Kind.EMAIL: "电子邮箱", Kind.CHOICE: "选项", Kind.YES_NO: "是/否", Kind.GROUP: "重复组",
    Kind.FILE: "附件",
}


def json_schema(definition: FormDefinition, code_sets: Mapping[str, Sequence[Option]], *,
                schema_id: str = "") -> dict[str, Any]:
    """The JSON Schema of the answers to `definition`; `schema_id` is its URL, if any."""
    schema: dict[str, Any] = {"$schema": DIALECT}
    if schema_id:
        schema["$id"] = schema_id
    description = "申请表内容：键为字段键，值见各字段说明。"
    if definition.source:
        description += f"依据：{definition.source}"
    if definition.illustrative:
        description += "（示例定义，未完全依据真实申请表）"
    schema |= {"title": definition.title, "description": description}
    schema |= _object(definition.fields, code_sets)
    return schema


def _object(fields: Sequence[FieldDef], code_sets: Mapping[str, Sequence[Option]]) -> dict[
        str, Any]:
    by_key = {field.key: field for field in fields}
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {field.key: _field(field, code_sets) for field in fields},
        "additionalProperties": False,
    }
    required = [field.key for field in fields if field.required and field.shows_if is None]
    if required:
        schema["required"] = required
    conditions = []
    for field in fields:
        if field.shows_if is not None and field.required:
            other = by_key[field.shows_if.field]
            conditions.append({
                "if": {"properties": {other.key: _condition(field, other)},
                       "required": [other.key]},
                "then": {"required": [field.key]},
            })
    if conditions:
        schema["allOf"] = conditions
    return schema


def _condition(field: FieldDef, other: FieldDef) -> dict[str, Any]:
    """What the answer of `other` is when `field` is shown."""
    condition = field.shows_if
    assert condition is not None
    wanted: list[Any] = [condition.equals] if condition.in_ is None else list(condition.in_)
    if other.kind == Kind.YES_NO:
        wanted = [value if isinstance(value, bool) else coerce_yes_no(value) for value in wanted]
    test: dict[str, Any] = {"const": wanted[0]} if len(wanted) == 1 else {"enum": wanted}
    if other.kind == Kind.CHOICE and other.multiple:
        return {"contains": test}
    return test


def _field(field: FieldDef, code_sets: Mapping[str, Sequence[Option]]) -> dict[str, Any]:
    schema = _kind(field, code_sets)
    schema["title"] = field.label
    notes = [KIND_LABEL[field.kind]]
    if field.help:
        notes.insert(0, field.help)
    if field.unit and field.kind == Kind.NUMBER:
        notes.append(f"单位：{field.unit}")
    if field.kind == Kind.NUMBER:
        notes.append(f"最多{field.decimals}位小数" if field.decimals else "整数")
    if field.kind == Kind.REGION:
        notes.append(f"12位统计用区划代码，最细到{DEPTH_LABEL[field.region_depth]}")
    if field.shows_if is not None:
        notes.append(f"仅当“{field.shows_if.field}”满足条件时填写")
    if not field.required:
        notes.append("选填")
    if field.maps_to:
        notes.append(f"共享含义：{MAPS_TO[field.maps_to]}")
        schema["x-maps-to"] = field.maps_to
    schema["description"] = "；".join(notes)
    return schema


def _decimal(field: FieldDef) -> dict[str, Any]:
    places = 2 if field.kind == Kind.MONEY else field.decimals
    fraction = rf"(\.\d{{1,{places}}})?" if places else ""
    number: dict[str, Any] = {"type": "number"}
    low = field.min if field.min is not None else (0 if field.kind == Kind.MONEY else None)
    if low is not None:
        number["minimum"] = float(low) if places else int(low)
    if field.max is not None:
        number["maximum"] = float(field.max) if places else int(field.max)
    if not places:
        number["type"] = "integer"
    sign = "" if low is not None and low >= 0 else "-?"
    text = {"type": "string", "pattern": rf"^{sign}\d{{1,18}}{fraction}$"}
    return {"anyOf": [number, text]}


def _kind(field: FieldDef, code_sets: Mapping[str, Sequence[Option]]) -> dict[str, Any]:
    kind = field.kind
    if kind in (Kind.TEXT, Kind.LONG_TEXT):
        return {"type": "string", "minLength": 1,
                "maxLength": field.max_length or DEFAULT_TEXT_LENGTH[kind]}
    if kind in (Kind.NUMBER, Kind.MONEY):
        return _decimal(field)
    if kind == Kind.DATE:
        return _date(field)
    if kind == Kind.DATE_RANGE:
        return {"type": "object", "properties": {"start": _date(field) | {"title": "开始日期"},
                                                 "end": _date(field) | {"title": "结束日期"}},
                "required": ["start", "end"], "additionalProperties": False}
    if kind == Kind.REGION:
        return {"type": "string", "pattern": r"^\d{12}$"}
    if kind == Kind.ID_NUMBER:
        return {"type": "string", "pattern": ID_NUMBER_PATTERN}
    if kind == Kind.USCC:
        return {"type": "string", "pattern": USCC_PATTERN}
    if kind == Kind.PHONE:
        return {"type": "string", "pattern": PHONE}
    if kind == Kind.EMAIL:
        return {"type": "string", "format": "email", "maxLength": EMAIL_MAX}
    if kind == Kind.CHOICE:
        return _choice(field, code_sets)
    if kind == Kind.YES_NO:
        return {"type": "boolean"}
    if kind == Kind.GROUP:
        return {"type": "array", "items": _object(field.fields, code_sets),
                "minItems": max(field.min_items, 1 if field.required else 0),
                "maxItems": field.max_items}
    token = {"type": "string", "pattern": UPLOAD_TOKEN.pattern}
    name: dict[str, Any] = {"type": "string", "maxLength": 255}
    if field.accept:
        # ECMA-262 patterns have no inline flags: "pdf" → "[pP][dD][fF]".
        extensions = "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c
                                      for c in item.lower().lstrip("."))
                              for item in field.accept)
        name["pattern"] = rf"^$|\.({extensions})$"
    return {"oneOf": [token | {"description": "暂存上传的凭据"},
                      {"type": "object", "properties": {"name": name, "token": token},
                       "required": ["token"], "additionalProperties": False}],
            "x-max-mb": field.max_mb}


def _date(field: FieldDef) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    limits = [f"不早于{field.min_date}" if field.min_date else "",
              f"不晚于{field.max_date}" if field.max_date else ""]
    if any(limits):
        schema["description"] = "，".join(limit for limit in limits if limit).replace(
            "today", "今天")
    return schema


def _choice(field: FieldDef, code_sets: Mapping[str, Sequence[Option]]) -> dict[str, Any]:
    options = choices_of(field, code_sets)
    one: dict[str, Any] = {"type": "string"}
    if options:
        one["enum"] = [option.value for option in options]
        one["x-enum-labels"] = [option.label for option in options]
    if field.multiple:
        return {"type": "array", "items": one, "uniqueItems": True,
                "minItems": 1 if field.required else 0}
    return one

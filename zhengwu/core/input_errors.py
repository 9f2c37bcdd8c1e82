"""pydantic's validation errors in Chinese, for the `invalid_input` detail of the API.

Pure functions, no Django. pydantic writes its messages in English ("String should have at
most 32 characters"); the people who read our errors read Chinese (architecture.md, API
conventions). So the message is rebuilt from the error's `type` and `ctx` (max_length, le, …),
never translated from its English text, which changes between pydantic versions.

An error is the dict pydantic's `ValidationError.errors()` gives (ninja passes them on with
the parameter source, "query", "body", "path" …, first in `loc`). A `value_error` raised by one
of our own validators already speaks Chinese and is kept; an English one, and any kind not
listed here, falls back to a generic Chinese reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

# Where ninja says a parameter came from; not part of the field's name.
_SOURCES = frozenset({"path", "query", "header", "cookie", "body", "form", "file"})
_CHINESE = re.compile(r"[\u3400-\u9fff]")
_FALLBACK = "取值无效"

Ctx = Mapping[str, Any]

_NUMBER = "应为数字"
_LIST = "应为列表"
_OBJECT = "应为对象"
_DATE = "应为日期（如 2026-01-31）"
_DATETIME = "应为日期时间（如 2026-01-31T09:30:00+08:00）"
_TIME = "应为时间（如 09:30）"
_UUID = "应为 UUID"
_URL = "应为有效的网址"


def _choices(ctx: Ctx) -> str:
    # pydantic lists the choices as "'a', 'b' or 'c'".
    expected = str(ctx.get("expected", ""))
    values = [v.strip().strip("'\"") for v in re.split(r",\s*|\s+or\s+", expected) if v.strip()]
    return "取值应为以下之一：" + "、".join(values) if values else _FALLBACK


def _own_message(ctx: Ctx) -> str:
    # Our validators raise ValueError("…") in Chinese; pydantic prefixes "Value error, ".
    message = str(ctx.get("error", "")).removeprefix("Value error, ").removeprefix(
        "Assertion failed, ").strip()
    return message if _CHINESE.search(message) else _FALLBACK


_REASONS: dict[str, Callable[[Ctx], str]] = {
    "missing": lambda c: "必须填写",
    "missing_argument": lambda c: "必须填写",
    "extra_forbidden": lambda c: "是不允许的字段",
    "unexpected_keyword_argument": lambda c: "是不允许的字段",
    "none_required": lambda c: "应为空（null）",
    # text
    "string_type": lambda c: "应为字符串",
    "string_sub_type": lambda c: "应为字符串",
    "string_unicode": lambda c: "应为有效的 Unicode 文字",
    "string_too_long": lambda c: f"最多 {c.get('max_length')} 个字符",
    "string_too_short": lambda c: f"至少 {c.get('min_length')} 个字符",
    "string_pattern_mismatch": lambda c: "格式不正确",
    "bytes_type": lambda c: "应为字节串",
    "bytes_too_long": lambda c: f"最多 {c.get('max_length')} 字节",
    "bytes_too_short": lambda c: f"至少 {c.get('min_length')} 字节",
    # numbers
    "int_type": lambda c: "应为整数",
    "int_parsing": lambda c: "应为整数",
    "int_parsing_size": lambda c: "整数超出范围",
    "int_from_float": lambda c: "应为整数，不能带小数",
    "float_type": lambda c: _NUMBER,
    "float_parsing": lambda c: _NUMBER,
    "decimal_type": lambda c: _NUMBER,
    "decimal_parsing": lambda c: _NUMBER,
    "finite_number": lambda c: "应为有限的数字",
    "decimal_max_digits": lambda c: f"最多 {c.get('max_digits')} 位数字",
    "decimal_max_places": lambda c: f"小数最多 {c.get('decimal_places')} 位",
    "decimal_whole_digits": lambda c: f"整数部分最多 {c.get('whole_digits')} 位",
    "less_than": lambda c: f"应小于 {c.get('lt')}",
    "less_than_equal": lambda c: f"不能大于 {c.get('le')}",
    "greater_than": lambda c: f"应大于 {c.get('gt')}",
    "greater_than_equal": lambda c: f"不能小于 {c.get('ge')}",
    "multiple_of": lambda c: f"应为 {c.get('multiple_of')} 的倍数",
    "bool_type": lambda c: "应为布尔值（true 或 false）",
    "bool_parsing": lambda c: "应为布尔值（true 或 false）",
    # JSON and containers
    "json_invalid": lambda c: "不是有效的 JSON",
    "json_type": lambda c: "应为 JSON 文本",
    "list_type": lambda c: _LIST,
    "tuple_type": lambda c: _LIST,
    "set_type": lambda c: _LIST,
    "frozen_set_type": lambda c: _LIST,
    "iterable_type": lambda c: _LIST,
    "too_long": lambda c: f"最多 {c.get('max_length')} 项",
    "too_short": lambda c: f"至少 {c.get('min_length')} 项",
    "dict_type": lambda c: _OBJECT,
    "mapping_type": lambda c: _OBJECT,
    "model_type": lambda c: _OBJECT,
    "model_attributes_type": lambda c: _OBJECT,
    "dataclass_type": lambda c: _OBJECT,
    # choices
    "enum": _choices,
    "literal_error": _choices,
    "union_tag_invalid": lambda c: "类型取值无效",
    "union_tag_not_found": lambda c: "缺少类型字段",
    # dates and times
    "date_type": lambda c: _DATE,
    "date_parsing": lambda c: _DATE,
    "date_from_datetime_parsing": lambda c: _DATE,
    "date_from_datetime_inexact": lambda c: "应为日期，不能带时间",
    "date_past": lambda c: "应为今天以前的日期",
    "date_future": lambda c: "应为今天以后的日期",
    "datetime_type": lambda c: _DATETIME,
    "datetime_parsing": lambda c: _DATETIME,
    "datetime_from_date_parsing": lambda c: _DATETIME,
    "datetime_object_invalid": lambda c: _DATETIME,
    "datetime_past": lambda c: "应为过去的时间",
    "datetime_future": lambda c: "应为将来的时间",
    "timezone_aware": lambda c: "应带时区（如 +08:00）",
    "timezone_naive": lambda c: "不应带时区",
    "time_type": lambda c: _TIME,
    "time_parsing": lambda c: _TIME,
    "time_delta_type": lambda c: "应为时长",
    "time_delta_parsing": lambda c: "应为时长",
    # other formats
    "uuid_type": lambda c: _UUID,
    "uuid_parsing": lambda c: _UUID,
    "url_type": lambda c: _URL,
    "url_parsing": lambda c: _URL,
    "url_scheme": lambda c: _URL,
    "url_too_long": lambda c: "网址过长",
    # our own validators
    "value_error": _own_message,
    "assertion_error": _own_message,
}


def reason(error: Mapping[str, Any]) -> str:
    """What is wrong with one value, in Chinese, without saying which value."""
    make = _REASONS.get(str(error.get("type", "")))
    return make(error.get("ctx") or {}) if make is not None else _FALLBACK


def where(error: Mapping[str, Any]) -> str:
    """The field's dotted name: `number`, `payload.materials.0.name`; 请求内容 for the whole
    body (an empty POST)."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in _SOURCES:
        loc = loc[1:]
        # ninja nests a JSON body under its parameter's name, `body` in our operations:
        # a name of our code, not of the client's field.
        if loc and loc[0] == "body":
            loc = loc[1:]
    return ".".join(loc) or "请求内容"


def input_error_detail(errors: Iterable[Mapping[str, Any]]) -> str:
    """The `invalid_input` detail: "输入有误：number 最多 32 个字符；limit 必须填写"."""
    parts = [f"{where(e)} {reason(e)}" for e in errors]
    return "输入有误：" + "；".join(parts) if parts else "输入有误。"

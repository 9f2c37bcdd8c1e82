"""A benefit's rule versions between their stored form and eligibility's (pure).

Stored: `BenefitRule.conditions` is a list of {"fact", "op", "value", "label"}; dates in values
are ISO text. Typed by staff: one condition a line, `信息项 条件 值 | 说明`, e.g.

    revenue_last_year gte 1000 | 上年度营收不低于1000万元
    industry_code prefix C,I | 属于制造业或信息技术服务业
    dishonest is_false | 未列入失信名单

Lists (in, not_in, prefix) and ranges (between) separate values with commas; is_true/is_false
take none. Every refused line is named by its number, all at once, so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from zhengwu.policies.eligibility import (
    FACT_SPECS,
    NUMERIC,
    OPS,
    Benefit,
    Condition,
    Fact,
    RuleError,
    RuleVersion,
)

NO_VALUE = frozenset({"is_true", "is_false"})
LISTS = frozenset({"in", "not_in", "prefix"})
OP_LABELS = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<", "eq": "等于", "ne": "不等于",
             "in": "属于其一", "not_in": "不属于", "prefix": "代码以…开头", "between": "介于（含）",
             "is_true": "为是", "is_false": "为否", "years_since_lt": "距今不满…年",
             "years_since_gte": "距今满…年", "has": "持有（证照类型代码）"}


def _number(text: str, line: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RuleError(f"第{line}行：“{text}”不是数字。") from None
    if not value.is_finite():
        raise RuleError(f"第{line}行：“{text}”不是数字。")
    return value


def _value(fact: str, op: str, text: str, line: int) -> Any:
    """The stored (JSON) value of a typed condition."""
    kind = FACT_SPECS[fact].kind
    if op in NO_VALUE:
        if text:
            raise RuleError(f"第{line}行：“{OP_LABELS[op]}”不带值。")
        return None
    if not text:
        raise RuleError(f"第{line}行：缺少条件的值。")
    parts = [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    if op in LISTS:
        return parts
    if op == "between":
        if len(parts) != 2:
            raise RuleError(f"第{line}行：区间应为两个数，用逗号分开（下限,上限）。")
        return [str(_number(part, line)) for part in parts]
    if op in ("years_since_lt", "years_since_gte"):
        return int(_number(text, line))
    if kind == "number" or op in NUMERIC:
        return str(_number(text, line))
    if kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise RuleError(f"第{line}行：“{text}”不是日期（如 2026-01-01）。") from None
    if kind == "bool":
        raise RuleError(f"第{line}行：是否类信息请用 is_true 或 is_false。")
    return text


def conditions_parse(text: str) -> list[dict[str, Any]]:
    """The typed lines as stored conditions; RuleError naming every refused line."""
    found: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, _, label = line.partition("|")
        words = head.split(None, 2)
        try:
            if len(words) < 2:
                raise RuleError(f"第{number}行：应写为“信息项 条件 值 | 说明”。")
            fact, op = words[0], words[1]
            if fact not in FACT_SPECS:
                raise RuleError(f"第{number}行：未知的信息项“{fact}”。")
            if op not in OPS:
                raise RuleError(f"第{number}行：未知的条件“{op}”。")
            value = _value(fact, op, words[2].strip() if len(words) > 2 else "", number)
            label = label.strip() or f"{FACT_SPECS[fact].label}{OP_LABELS[op]}" + (
                "" if value is None else f" {text_of(value)}")
            condition = {"fact": fact, "op": op, "value": value, "label": label}
            condition_of(condition)
            found.append(condition)
        except RuleError as error:
            problems.append(str(error))
    if problems:
        raise RuleError("\n".join(problems))
    if not found:
        raise RuleError("至少写一个条件。")
    return found


def text_of(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def conditions_text(conditions: Iterable[Mapping[str, Any]]) -> str:
    """The stored conditions as the lines staff type (a new version starts from them)."""
    lines = []
    for item in conditions:
        value = "" if item["value"] is None else " " + text_of(item["value"])
        lines.append(f"{item['fact']} {item['op']}{value} | {item['label']}")
    return "\n".join(lines)


def _typed(fact: str, op: str, value: Any) -> Any:
    """A stored value as eligibility compares it (numbers exact, dates as dates)."""
    if value is None:
        return None
    if op == "between":
        return tuple(Decimal(str(v)) for v in value)
    if op in LISTS:
        return tuple(str(v) for v in value)
    if op in ("years_since_lt", "years_since_gte"):
        return int(value)
    kind = FACT_SPECS[fact].kind
    if kind == "number" or op in NUMERIC:
        return Decimal(str(value))
    if kind == "date":
        return dt.date.fromisoformat(str(value))
    return value


def condition_of(item: Mapping[str, Any]) -> Condition:
    try:
        fact, op, label = str(item["fact"]), str(item["op"]), str(item["label"])
    except KeyError as missing:
        raise RuleError(f"条件缺少“{missing.args[0]}”。") from None
    if fact not in FACT_SPECS:
        raise RuleError(f"未知的信息项“{fact}”（{label}）。")
    try:
        value = _typed(fact, op, item.get("value"))
    except (InvalidOperation, ValueError, TypeError):
        raise RuleError(f"“{label}”的值无法识别。") from None
    return Condition(fact, op, value, label)


def version_of(*, version: int, effective_from: dt.date, effective_to: dt.date | None,
               conditions: Sequence[Mapping[str, Any]], amount: str,
               max_fact_age_days: int | None) -> RuleVersion:
    return RuleVersion(version=version, effective_from=effective_from,
                       conditions=tuple(condition_of(c) for c in conditions),
                       effective_to=effective_to, amount=amount,
                       max_fact_age_days=max_fact_age_days)


def benefit_of(code: str, name: str, versions: Iterable[RuleVersion]) -> Benefit:
    return Benefit(code=code, name=name, versions=tuple(versions))


def fact_value(key: str, stored: Any) -> Any:
    """A stored fact's value as eligibility reads it: dates from ISO text; anything
    unreadable stays as it is (eligibility then says 需补充 … 无法识别)."""
    if FACT_SPECS[key].kind == "date" and isinstance(stored, str):
        try:
            return dt.date.fromisoformat(stored)
        except ValueError:
            return stored
    return stored


def fact_of(key: str, stored: Any, source: str, as_of: dt.date) -> Fact:
    return Fact(key, fact_value(key, stored), source, as_of)

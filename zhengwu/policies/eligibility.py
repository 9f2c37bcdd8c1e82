"""Eligibility rules of 惠企政策 as data (issue 14 §1, 免申即享): who qualifies for a benefit
(奖补, 减免, 贴息 …), why or why not, and how much. Pure: no Django, no database; the facts are
handed in, the day is an argument.

- A **benefit** has dated **rule versions**; the one in force on the day asked about decides
  (a rule applies to facts as of a date, so a grant can be re-checked later exactly as it was
  decided). Versions may not overlap.
- A version is a list of **conditions** over an enterprise's or person's **facts** (FACT_SPECS:
  注册地, 国民经济行业 GB/T 4754 code, 企业规模, 成立日期, 纳税信用等级, 从业人员, 营收, 高新,
  失信 …), all of which must hold, and an **amount formula** over the facts (min, max, round
  and + − × ÷, computed in Decimal; nothing else can be written, so a formula cannot run code).
- A **fact** carries its source and the date it is true as of; the latest known on the day
  asked about is used, and a version may refuse facts older than `max_fact_age_days`.
- Every condition is explained in Chinese: "符合：注册地在耒阳市", "不符合：上年度营收 820 万元
  < 1000 万元". A fact missing (or too old) makes the condition "需补充：…": the answer is then
  需补充, never a guess — unless another condition already fails, which decides by itself.

Rules that cannot be read (an unknown condition type or fact, a bad formula, overlapping or
backwards dates) are refused when made (RuleError, FormulaError), not when first evaluated.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

__all__ = ["ENTERPRISE", "FACT_SPECS", "NUMERIC", "PERSON", "SUBJECT_LABELS", "Benefit", "Condition", "Explained", "Fact", "FactSpec",
           "FormulaError", "RuleError", "RuleVersion", "Status", "Verdict", "as_decimal",
           "evaluate", "formula_facts", "formula_value", "subject_check"]


class RuleError(ValueError):
    """A rule that cannot be read; the message is for the department that wrote it."""


class FormulaError(RuleError):
    """An amount formula that is not min/max/round over numbers and facts."""


# Whom a benefit is for, and so whose facts its rules read: an enterprise (by its 统一社会信用代码)
# or a person (by the 公民身份号码, GB 11643) — 惠企 and 人才/惠民 benefits alike.
ENTERPRISE, PERSON = "enterprise", "person"
SUBJECT_LABELS = {ENTERPRISE: "企业", PERSON: "个人"}


@dataclass(frozen=True)
class FactSpec:
    """What a fact is called, in which unit, how its values read, and of whom it is said."""

    label: str
    kind: str  # "number", "date", "bool", "code", "set" (codes held: asked with `has`)
    unit: str = ""
    names: Mapping[str, str] = field(default_factory=dict)  # code → words (企业规模)
    subjects: frozenset[str] = frozenset({ENTERPRISE})
    # True once and for ever (成立日期, 出生日期): a rule's max_fact_age_days does not make it
    # stale — a birth date recorded in 1990 is not "too old to decide on".
    lasting: bool = False


_PERSON = frozenset({PERSON})
_BOTH = frozenset({ENTERPRISE, PERSON})


# The facts rules may name. The platform's own records and the departments' data files fill
# them (issue 14 §1, "Facts"); a pack may add its own with `FACT_SPECS[key] = FactSpec(…)`.
FACT_SPECS: dict[str, FactSpec] = {
    "registration_region": FactSpec("注册地（区划代码）", "code"),
    "industry_code": FactSpec("国民经济行业", "code"),  # GB/T 4754-2017, e.g. H6210
    "size_class": FactSpec("企业规模", "code", names={
        "large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}),
    "registered_on": FactSpec("成立日期", "date", lasting=True),
    "tax_credit_grade": FactSpec("纳税信用等级", "code"),
    "employees": FactSpec("从业人员", "number", "人"),
    "revenue_last_year": FactSpec("上年度营收", "number", "万元"),
    "tax_last_year": FactSpec("上年度纳税额", "number", "万元"),
    "high_tech": FactSpec("高新技术企业", "bool"),
    "dishonest": FactSpec("列入失信名单", "bool", subjects=_BOTH),
    # 失业保险稳岗返还 (the demo pack's benefit): what the 人社 department's file says.
    "unemployment_insurance_paid": FactSpec("上年度失业保险缴费", "number", "元"),
    "layoff_rate": FactSpec("上年度裁员率", "number", "%"),
    # A person's facts (人才 and 惠民 benefits): 出生日期 from the 公民身份号码 itself (GB 11643:
    # digits 7–14), the rest from departments' files (人社: 人才认定, 社保; 教育; 不动产登记).
    "birth_date": FactSpec("出生日期", "date", subjects=_PERSON, lasting=True),
    "education": FactSpec("学历", "code", subjects=_PERSON, names={
        "doctorate": "博士研究生", "master": "硕士研究生", "bachelor": "大学本科",
        "college": "大学专科", "other": "其他"}),
    "talent_category": FactSpec("人才类别", "code", subjects=_PERSON, names={
        "A": "A类", "B": "B类", "C": "C类", "D": "D类", "E": "E类"}),
    "social_insurance_region": FactSpec("社保参保地（区划代码）", "code", subjects=_PERSON),
    "social_insurance_months": FactSpec("社保连续缴纳", "number", "月", subjects=_PERSON),
    "household_region": FactSpec("户籍地（区划代码）", "code", subjects=_PERSON),
    "owns_home_locally": FactSpec("本人在本市有自有住房", "bool", subjects=_PERSON),
    # The electronic licences this platform issued that the subject holds, valid on the day
    # (their 证照类型代码, GB/T 36904 types). The platform's own records, but not the county's
    # every licence (a paper one from before is not here): holding one answers a `has`
    # condition; not holding one here is no answer (需补充), never 不符合.
    "licences_held": FactSpec("持有的有效电子证照", "set", subjects=_BOTH, lasting=True),
}

# Comparisons and the sign a failure shows ("820 万元 < 1000 万元" for a failed gte).
NUMERIC = {"gte": "<", "gt": "≤", "lte": ">", "lt": "≥"}
OPS = frozenset({*NUMERIC, "eq", "ne", "in", "not_in", "prefix", "between", "is_true",
                 "is_false", "years_since_lt", "years_since_gte", "has"})


@dataclass(frozen=True)
class Condition:
    """One requirement: `fact` `op` `value`, stated for people as `label`."""

    fact: str
    op: str
    value: Any
    label: str

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise RuleError(f"未知的条件类型“{self.op}”（{self.label}）。")
        if self.fact not in FACT_SPECS:
            raise RuleError(f"未知的信息项“{self.fact}”（{self.label}）。")
        if self.op in ("in", "not_in", "prefix") and isinstance(self.value, str):
            object.__setattr__(self, "value", (self.value,))
        if (self.op == "has") != (FACT_SPECS[self.fact].kind == "set"):
            raise RuleError(f"“{self.label}”：“{FACT_SPECS[self.fact].label}”只能用 has "
                            "（持有某类证照），has 也只用于它。")
        if self.op == "between" and (not isinstance(self.value, (tuple, list))
                                     or len(self.value) != 2):
            raise RuleError(f"“{self.label}”：区间应为两个数（下限、上限）。")


@dataclass(frozen=True)
class RuleVersion:
    """The rules of a benefit from `effective_from` to `effective_to` (inclusive; None: open)."""

    version: int
    effective_from: dt.date
    conditions: tuple[Condition, ...]
    effective_to: dt.date | None = None
    amount: str = ""  # a formula over facts (formula_value); empty: no amount computed
    max_fact_age_days: int | None = None

    def __post_init__(self) -> None:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise RuleError(f"第{self.version}版的失效日期早于生效日期。")
        if self.amount:
            _compile(self.amount)

    def facts(self) -> set[str]:
        """The facts the version reads: its conditions' and its amount formula's."""
        return {c.fact for c in self.conditions} | (
            formula_facts(self.amount) if self.amount else set())

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True)
class Benefit:
    code: str
    name: str
    versions: tuple[RuleVersion, ...]

    def __post_init__(self) -> None:
        ordered = sorted(self.versions, key=lambda v: v.effective_from)
        for earlier, later in itertools.pairwise(ordered):
            if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                raise RuleError(f"{self.name}：第{earlier.version}版与第{later.version}版的"
                                "生效期间重叠。")

    def version_on(self, on: dt.date) -> RuleVersion | None:
        return next((v for v in self.versions if v.in_force(on)), None)


@dataclass(frozen=True)
class Fact:
    key: str
    value: Any
    source: str  # where it came from: 企业开办, 税务 data file of 2026-03 …
    as_of: dt.date  # the day it is true as of


class Status(StrEnum):
    ELIGIBLE = "eligible"  # 符合
    NOT_ELIGIBLE = "not_eligible"  # 不符合
    NEEDS_FACTS = "needs_facts"  # 需补充
    NO_RULE = "no_rule"  # no version in force on that day


@dataclass(frozen=True)
class Explained:
    condition: Condition
    met: bool | None  # None: the fact is missing or too old
    text: str


@dataclass(frozen=True)
class Verdict:
    status: Status
    version: int | None
    items: tuple[Explained, ...]
    amount: Decimal | None
    missing: tuple[str, ...]
    used: Mapping[str, Fact]


# --- reading values -----------------------------------------------------------------------


def as_decimal(value: Any) -> Decimal:
    """A number fact's value exactly; InvalidOperation for what is no number (a bool too)."""
    if isinstance(value, bool):
        raise InvalidOperation
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")  # 1000, not 1E+3; 820.5, not 820.50


def _show(spec: FactSpec, value: Any) -> str:
    if spec.kind == "set":
        return "、".join(sorted(_codes(value))) or "无"
    if spec.kind == "bool":
        return "是" if value else "否"
    if spec.kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    if spec.kind == "number":
        return _plain(as_decimal(value))
    return spec.names.get(str(value), str(value))


def _unit(spec: FactSpec) -> str:
    return f" {spec.unit}" if spec.unit else ""


def _years_since(day: dt.date, on: dt.date) -> int:
    """Whole years from `day` to `on` (an anniversary not yet reached does not count)."""
    years = on.year - day.year
    return years - 1 if (on.month, on.day) < (day.month, day.day) else years


def _codes(value: Any) -> frozenset[str]:
    """A set fact's codes (a list or set of strings); anything else holds none."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(str(v) for v in value)
    return frozenset()


def _holds(condition: Condition, value: Any, on: dt.date) -> bool:
    op, want = condition.op, condition.value
    if op in NUMERIC:
        have, bound = as_decimal(value), as_decimal(want)
        return {"gte": have >= bound, "gt": have > bound, "lte": have <= bound,
                "lt": have < bound}[op]
    if op == "between":
        return as_decimal(want[0]) <= as_decimal(value) <= as_decimal(want[1])
    if op == "eq":
        return str(value) == str(want)
    if op == "ne":
        return str(value) != str(want)
    if op == "in":
        return str(value) in {str(w) for w in want}
    if op == "not_in":
        return str(value) not in {str(w) for w in want}
    if op == "prefix":
        return any(str(value).startswith(str(w)) for w in want)
    if op in ("is_true", "is_false"):
        if not isinstance(value, bool):
            raise InvalidOperation  # "yes" is not a fact to decide on
        return value is (op == "is_true")
    if not isinstance(value, dt.date):
        raise InvalidOperation
    years = _years_since(value, on)
    return years < int(want) if op == "years_since_lt" else years >= int(want)


def _failure(condition: Condition, value: Any) -> str:
    spec = FACT_SPECS[condition.fact]
    unit = _unit(spec)
    if condition.op in NUMERIC:
        return (f"不符合：{spec.label} {_show(spec, value)}{unit} {NUMERIC[condition.op]} "
                f"{_plain(as_decimal(condition.value))}{unit}")
    if condition.op == "between":
        low, high = (_plain(as_decimal(v)) for v in condition.value)
        return f"不符合：{spec.label} {_show(spec, value)}{unit}，不在 {low}–{high}{unit}之间"
    return f"不符合：{condition.label}（{spec.label}：{_show(spec, value)}）"


def _known(facts: Iterable[Fact], on: dt.date) -> dict[str, Fact]:
    """The latest fact of each key known on `on` (as of that day or before)."""
    latest: dict[str, Fact] = {}
    for fact in facts:
        if fact.as_of <= on and (fact.key not in latest or fact.as_of >= latest[fact.key].as_of):
            latest[fact.key] = fact
    return latest


def evaluate(benefit: Benefit, facts: Iterable[Fact], *, on: dt.date) -> Verdict:
    """Whether the subject of `facts` qualifies for `benefit` on `on`, each condition
    explained, and the amount when it does."""
    version = benefit.version_on(on)
    if version is None:
        return Verdict(Status.NO_RULE, None, (), None, (), {})
    known = _known(facts, on)
    items: list[Explained] = []
    missing: list[str] = []
    used: dict[str, Fact] = {}
    for condition in version.conditions:
        spec = FACT_SPECS[condition.fact]
        fact = known.get(condition.fact)
        too_old = (fact is not None and version.max_fact_age_days is not None
                   and not spec.lasting
                   and (on - fact.as_of).days > version.max_fact_age_days)
        if fact is None or fact.value is None or too_old:
            if condition.fact not in missing:
                missing.append(condition.fact)
            text = (f"需补充：{condition.label}（本平台无该证照记录，请提供证照）"
                    if condition.op == "has" else f"需补充：{spec.label}")
            if too_old and fact is not None:
                text += (f"（现有数据截至 {fact.as_of.isoformat()}，已超过 "
                         f"{version.max_fact_age_days} 天）")
            items.append(Explained(condition, None, text))
            continue
        if condition.op == "has":
            # Held: met. Not among what this platform issued: unknown, never 不符合.
            if str(condition.value) in _codes(fact.value):
                used[condition.fact] = fact
                items.append(Explained(condition, True, f"符合：{condition.label}"))
            else:
                if condition.fact not in missing:
                    missing.append(condition.fact)
                items.append(Explained(condition, None, f"需补充：{condition.label}"
                                       "（本平台无该证照记录，请提供证照）"))
            continue
        used[condition.fact] = fact
        try:
            met = _holds(condition, fact.value, on)
        except (InvalidOperation, TypeError, ValueError):
            # A value of the wrong kind (text where a number belongs) is no fact to decide on.
            missing.append(condition.fact)
            items.append(Explained(condition, None, f"需补充：{spec.label}（现有数据无法识别）"))
            continue
        items.append(Explained(condition, met, f"符合：{condition.label}" if met
                               else _failure(condition, fact.value)))
    if any(item.met is False for item in items):
        status = Status.NOT_ELIGIBLE
    elif missing:
        status = Status.NEEDS_FACTS
    else:
        status = Status.ELIGIBLE
    amount = None
    if status == Status.ELIGIBLE and version.amount:
        values = {key: fact.value for key, fact in known.items()}
        try:
            amount = formula_value(version.amount, values)
        except FormulaError:
            status, amount = Status.NEEDS_FACTS, None
            missing.extend(sorted(formula_facts(version.amount) - set(values)))
    return Verdict(status, version.version, tuple(items), amount, tuple(missing), used)


def subject_check(version: RuleVersion, subject: str) -> None:
    """RuleError when `version` reads a fact that is not said of `subject` (营收 in a person's
    benefit, 学历 in an enterprise's): such a condition could never be decided."""
    foreign = sorted(FACT_SPECS[key].label for key in version.facts()
                     if subject not in FACT_SPECS[key].subjects)
    if foreign:
        raise RuleError(f"第{version.version}版：{'、'.join(foreign)}不是"
                        f"{SUBJECT_LABELS[subject]}的信息，适用于{SUBJECT_LABELS[subject]}的事项"
                        "不能使用。")


# --- amount formulas ----------------------------------------------------------------------

_BINARY: dict[type[ast.operator], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv}
_CALLS = frozenset({"min", "max", "round"})


def _compile(formula: str) -> ast.Expression:
    if len(formula) > 500:
        raise FormulaError("金额公式过长（最多500个字符）。")
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        raise FormulaError(f"金额公式“{formula[:60]}”无法解析。") from None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.Load, ast.UnaryOp, ast.USub, ast.UAdd)):
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            continue
        if isinstance(node, ast.operator) and type(node) in _BINARY:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in _CALLS and not node.keywords:
            continue
        if isinstance(node, ast.Name) and (node.id in FACT_SPECS or node.id in _CALLS):
            if node.id in FACT_SPECS and FACT_SPECS[node.id].kind != "number":
                raise FormulaError(f"金额公式只能使用数值类信息，“{node.id}”不是数值。")
            continue
        raise FormulaError(f"金额公式“{formula[:60]}”含有不允许的写法"
                           "（只能用数字、数值类企业信息、+ - * /、min、max、round）。")
    return tree


def formula_facts(formula: str) -> set[str]:
    """The facts a formula reads."""
    return {n.id for n in ast.walk(_compile(formula))
            if isinstance(n, ast.Name) and n.id in FACT_SPECS}


def _eval(node: ast.AST, values: Mapping[str, Any]) -> Decimal:
    if isinstance(node, ast.Expression):
        return _eval(node.body, values)
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        if node.id not in values or values[node.id] is None:
            raise FormulaError(f"缺少计算金额所需的“{FACT_SPECS[node.id].label}”。")
        return as_decimal(values[node.id])
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, values)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Div) and right == 0:
            raise FormulaError("金额公式除以零。")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(arg, values) for arg in node.args]
        if node.func.id == "round":
            if len(args) not in (1, 2):
                raise FormulaError("round 需要一个或两个参数。")
            places = int(args[1]) if len(args) == 2 else 0
            return args[0].quantize(Decimal(1).scaleb(-places))
        if not args:
            raise FormulaError(f"{node.func.id} 需要参数。")
        return min(args) if node.func.id == "min" else max(args)
    raise FormulaError("金额公式含有不允许的写法。")


def formula_value(formula: str, values: Mapping[str, Any]) -> Decimal:
    """The amount `formula` gives over `values` (fact key → value), exactly."""
    try:
        return _eval(_compile(formula), values)
    except (InvalidOperation, ArithmeticError) as error:
        raise FormulaError(f"金额公式无法计算：{error}") from None

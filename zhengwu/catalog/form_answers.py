"""Validating the answers to an item's own application form (catalog.application_form), pure.

`validate(definition, answers, code_sets=…, regions=…, today=…)` returns the cleaned answers
and the errors, Chinese, keyed by path: "key", "group_key.0.sub_key", "range_key.start", and
"__all__" for keys the form does not have. The one-line kinds (text, numbers, dates, codes,
phone, e-mail) go through core.fields.clean_field, the one field-validation loop of the
platform, so a label, a length, a forbidden character or a check digit reads the same on every
form. What this module adds is the structure: JSON-shaped answers, `shows_if`, choices from
code sets, regions, repeated groups and file references.

Answers are JSON-shaped (the API posts them as they are; the pages turn their form fields into
the same shape): text → str; number and money → str or number, cleaned to a decimal string
(money exactly two places, 元); date → "YYYY-MM-DD"; date_range → {"start", "end"}; region →
a 12-digit 统计用区划代码; choice → a value (a list of values with `multiple`); yes_no → bool
("true"/"false"/"是"/"否"/"1"/"0" as forms send it); group → a list of dicts; file → a
staged-upload token or {"name", "token"}, cleaned to {"name", "token"} (name "" when only the
token was sent).

Rules the format leaves open, decided here:
- a hidden field (its `shows_if` is false, or refers to a hidden field) is neither required
  nor kept: a value sent for it is dropped, not an error;
- a blank optional field is left out of the cleaned answers (a group: an empty list is kept
  out too); None, "", [] and {} are blank;
- a required group needs at least one item (and `min_items`); a row of a group whose values
  are all blank is skipped (the pages render spare rows), its index still names the others;
- a region is accepted when it exists and lies no deeper than `region_depth` (a county
  answers a question asked down to the village, a village does not answer one asked down to
  the county);
- money is 0 or more unless the field says `min`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from zhengwu.catalog.application_form import FieldDef, FormDefinition, Kind, Option, RegionDepth
from zhengwu.core.codes import CodeError, validate_citizen_id, validate_uscc
from zhengwu.core.fields import PHONE, PHONE_MESSAGE, FieldInvalid, FieldSpec, clean_field

__all__ = ["DEFAULT_TEXT_LENGTH", "RegionLookup", "choices_of", "coerce_yes_no", "is_shown",
           "region_depth_digits", "validate"]

DEFAULT_TEXT_LENGTH = {Kind.TEXT: 200, Kind.LONG_TEXT: 2000}
# Digits of a 统计用区划代码 that are significant at each depth (NBS 编制规则).
DEPTH_DIGITS = {RegionDepth.COUNTY: 6, RegionDepth.TOWNSHIP: 9, RegionDepth.VILLAGE: 12}
DEPTH_LABEL = {RegionDepth.COUNTY: "县（市、区）", RegionDepth.TOWNSHIP: "乡镇（街道）",
               RegionDepth.VILLAGE: "村（社区）"}
REGION_CODE = re.compile(r"^\d{12}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Practical, not RFC 5322: one @, no spaces, a dotted domain (what a mail server accepts).
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                   r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
EMAIL_MAX = 254
# cases.staging hands out secrets.token_urlsafe(32) tokens; 64 is its own upper bound.
UPLOAD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FILE_NAME_MAX = 255
MAX_DIGITS = 18  # integer digits of a number or an amount (a budget in 元 fits easily)
TRUE_WORDS = frozenset({"true", "是", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "否", "0", "no"})


class RegionLookup(Protocol):
    """Which 12-digit region codes exist: a set or a dict of codes does, and so does
    regions.selectors' lookup backed by the table."""

    def __contains__(self, code: object, /) -> bool: ...


Errors = dict[str, str]


def validate(definition: FormDefinition, answers: Mapping[str, Any], *,
             code_sets: Mapping[str, Sequence[Option]], regions: RegionLookup,
             today: dt.date) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned answers and the errors (Chinese, keyed by path) of `answers` to
    `definition`; no errors means the cleaned answers are what to store."""
    context = _Context(code_sets, regions, today)
    if not isinstance(answers, Mapping):
        return {}, {"__all__": "申请表的内容格式不对：应为“字段: 值”的对象"}
    cleaned = _level(definition.fields, answers, path="", label="", context=context)
    errors = context.errors
    if context.unknown:
        shown = "、".join(context.unknown[:5])
        more = f"等{len(context.unknown)}项" if len(context.unknown) > 5 else ""
        errors = {"__all__": f"申请表中没有这些字段：{shown}{more}", **errors}
    return cleaned, errors


class _Context:
    def __init__(self, code_sets: Mapping[str, Sequence[Option]], regions: RegionLookup,
                 today: dt.date) -> None:
        self.code_sets = code_sets
        self.regions = regions
        self.today = today
        self.errors: Errors = {}
        self.unknown: list[str] = []


def _level(fields: Sequence[FieldDef], answers: Mapping[str, Any], *, path: str, label: str,
           context: _Context) -> dict[str, Any]:
    """One level (the form, or one row of a group): each shown field cleaned in order."""
    keys = {field.key for field in fields}
    context.unknown.extend(path + str(key) for key in answers if key not in keys)
    cleaned: dict[str, Any] = {}
    shown = _visibility(fields, answers, context)
    for field in fields:
        if not shown[field.key]:
            continue
        where = path + field.key
        try:
            value = _clean(field, answers.get(field.key), where=where,
                           label=label + field.label, context=context)
        except FieldInvalid as error:
            context.errors[where] = error.message
            continue
        if value is not None:
            cleaned[field.key] = value
    return cleaned


def _visibility(fields: Sequence[FieldDef], answers: Mapping[str, Any],
                context: _Context) -> dict[str, bool]:
    """Whether each field is shown: its condition holds on the answer of a field that is
    shown itself (a cycle of conditions hides the fields in it)."""
    by_key = {field.key: field for field in fields}
    shown: dict[str, bool] = {}
    pending: set[str] = set()

    def visible(key: str) -> bool:
        if key in shown:
            return shown[key]
        field = by_key[key]
        if field.shows_if is None:
            shown[key] = True
            return True
        if key in pending:
            return False
        pending.add(key)
        other = field.shows_if.field
        result = visible(other) and _holds(field, condition_value(by_key[other],
                                                                  answers.get(other)))
        pending.discard(key)
        shown[key] = result
        return result

    for field in fields:
        visible(field.key)
    return shown


def is_shown(fields: Sequence[FieldDef], answers: Mapping[str, Any]) -> dict[str, bool]:
    """Which fields of one level are shown for these (raw or cleaned) answers: for the pages,
    which render hidden fields collapsed."""
    return _visibility(fields, answers, _Context({}, set(), dt.date.min))


def condition_value(field: FieldDef, raw: Any) -> Any:
    """An answer as a condition compares it: yes/no as bool, a choice as its value(s), the
    rest as trimmed text (a condition must not depend on the answer being valid)."""
    if field.kind == Kind.YES_NO:
        return coerce_yes_no(raw)
    if isinstance(raw, list):
        return [str(item).strip() for item in raw]
    if raw is None or isinstance(raw, (dict, bool)):
        return raw
    return str(raw).strip()


def _holds(field: FieldDef, value: Any) -> bool:
    condition = field.shows_if
    assert condition is not None
    wanted = [condition.equals] if condition.in_ is None else list(condition.in_)
    values = value if isinstance(value, list) else [value]
    for got in values:
        for want in wanted:
            if isinstance(want, bool) or isinstance(got, bool):
                if coerce_yes_no(got) is want or got is coerce_yes_no(want):
                    return True
            elif got is not None and str(got) == str(want):
                return True
    return False


def coerce_yes_no(raw: Any) -> bool | None:
    """A yes/no answer as bool, None when blank or not a yes/no."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def _blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple)):
        return all(_blank(item) for item in raw)
    if isinstance(raw, Mapping):
        return all(_blank(item) for item in raw.values())
    return False


def _clean(field: FieldDef, raw: Any, *, where: str, label: str, context: _Context) -> Any:
    """One shown field's cleaned value, None when blank and optional; FieldInvalid otherwise
    (a group and a date range record their members' errors themselves)."""
    if _blank(raw):
        if field.required:
            verb = "请选择" if field.kind in CHOSEN else ("请上传" if field.kind == Kind.FILE
                                                         else "请填写")
            least = f"（至少{max(field.min_items, 1)}项）" if field.kind == Kind.GROUP else ""
            raise FieldInvalid(f"{verb}{label}{least}")
        return None
    cleaner = CLEANERS[field.kind]
    return cleaner(field, raw, where, label, context)


def _scalar(raw: Any, label: str, *, numbers: bool = False) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float) if numbers else str):
        expected = "数字" if numbers else "文字"
        raise FieldInvalid(f"{label}的格式不对：应填写{expected}")
    return str(raw)


def _text(field: FieldDef, raw: Any, where: str, label: str, context: _Context) -> str | None:
    spec = FieldSpec(key=field.key, label=label, required=field.required,
                     max_length=field.max_length or DEFAULT_TEXT_LENGTH[field.kind],
                     multiline=field.kind == Kind.LONG_TEXT)
    return clean_field(spec, _scalar(raw, label))


def _decimal(field: FieldDef, raw: Any, where: str, label: str, context: _Context) -> str | None:
    money = field.kind == Kind.MONEY
    places = 2 if money else field.decimals

    def clean(value: str) -> str:
        text = unicodedata.normalize("NFKC", value).replace(",", "").strip()
        if money and text.endswith("元"):
            text = text[:-1].strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise FieldInvalid(f"{label}应填写数字，“{value}”不是数字") from None
        if not number.is_finite():
            raise FieldInvalid(f"{label}应填写数字，“{value}”不是数字")
        if number.adjusted() >= MAX_DIGITS:
            raise FieldInvalid(f"{label}的数值过大")
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > places and number != number.quantize(Decimal(1).scaleb(-places)):
            raise FieldInvalid(f"{label}以元为单位，最多填到分（两位小数）" if money else
                               f"{label}应为整数" if places == 0 else
                               f"{label}最多保留{places}位小数")
        number = number.quantize(Decimal(1).scaleb(-places))
        if number.is_zero():
            number = abs(number)  # "-0" is 0
        unit = "元" if money else field.unit
        low = field.min if field.min is not None else (Decimal(0) if money else None)
        if low is not None and number < low:
            raise FieldInvalid(f"{label}不能小于{_plain(low)}{unit}")
        if field.max is not None and number > field.max:
            raise FieldInvalid(f"{label}不能大于{_plain(field.max)}{unit}")
        return f"{number:f}"

    spec = FieldSpec(key=field.key, label=label, required=field.required, max_length=60,
                     clean=clean)
    if isinstance(raw, float):
        raw = repr(raw)  # the shortest text that reads back as the same float
    return clean_field(spec, _scalar(raw, label, numbers=True))


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _limit_date(text: str, today: dt.date) -> dt.date | None:
    if not text:
        return None
    return today if text == "today" else dt.date.fromisoformat(text)


def _date_cleaner(field: FieldDef, label: str, today: dt.date) -> Callable[[str], str]:
    def clean(value: str) -> str:
        text = unicodedata.normalize("NFKC", value).strip()
        try:
            if not DATE.match(text):
                raise ValueError
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise FieldInvalid(f"{label}应为“年-月-日”格式的日期（如 2026-01-31），"
                               f"“{value}”不是") from None
        earliest = _limit_date(field.min_date, today)
        latest = _limit_date(field.max_date, today)
        if earliest is not None and day < earliest:
            raise FieldInvalid(f"{label}不能早于{_day_label(field.min_date, earliest)}")
        if latest is not None and day > latest:
            raise FieldInvalid(f"{label}不能晚于{_day_label(field.max_date, latest)}")
        return day.isoformat()
    return clean


def _day_label(text: str, day: dt.date) -> str:
    return f"今天（{day.isoformat()}）" if text == "today" else day.isoformat()


def _date(field: FieldDef, raw: Any, where: str, label: str, context: _Context) -> str | None:
    spec = FieldSpec(key=field.key, label=label, required=field.required, max_length=20,
                     clean=_date_cleaner(field, label, context.today))
    return clean_field(spec, _scalar(raw, label))


def _date_range(field: FieldDef, raw: Any, where: str, label: str,
                context: _Context) -> dict[str, str] | None:
    if not isinstance(raw, Mapping):
        raise FieldInvalid(f"{label}的格式不对：应为开始日期和结束日期")
    unknown = sorted(str(key) for key in raw if key not in ("start", "end"))
    context.unknown.extend(f"{where}.{key}" for key in unknown)
    cleaned: dict[str, str] = {}
    for end, name in (("start", "开始日期"), ("end", "结束日期")):
        spec = FieldSpec(key=end, label=f"{label}的{name}", required=True, max_length=20,
                         clean=_date_cleaner(field, f"{label}的{name}", context.today))
        try:
            value = clean_field(spec, _scalar(raw.get(end) or "", f"{label}的{name}"))
        except FieldInvalid as error:
            context.errors[f"{where}.{end}"] = error.message
            continue
        assert value is not None
        cleaned[end] = value
    if len(cleaned) < 2:
        return None
    if cleaned["start"] > cleaned["end"]:
        context.errors[f"{where}.end"] = f"{label}的结束日期不能早于开始日期"
        return None
    return cleaned


def region_depth_digits(code: str) -> int:
    """How many leading digits of a 12-digit code are significant (2, 4, 6, 9 or 12)."""
    for digits in (2, 4, 6, 9):
        if code[digits:] == "0" * (12 - digits):
            return digits
    return 12


def _region(field: FieldDef, raw: Any, where: str, label: str, context: _Context) -> str | None:
    def clean(value: str) -> str:
        code = unicodedata.normalize("NFKC", value).strip()
        if not REGION_CODE.match(code):
            raise FieldInvalid(f"{label}应为12位统计用区划代码，“{value}”不是")
        if code not in context.regions:
            raise FieldInvalid(f"{label}的区划代码 {code} 不存在")
        if region_depth_digits(code) > DEPTH_DIGITS[field.region_depth]:
            raise FieldInvalid(f"{label}只需选到{DEPTH_LABEL[field.region_depth]}，"
                               f"{code} 超出了这一级")
        return code

    spec = FieldSpec(key=field.key, label=label, required=field.required, max_length=20,
                     clean=clean)
    return clean_field(spec, _scalar(raw, label, numbers=True))


def _code(validator: Callable[..., str], *, with_today: bool) -> Callable[
        [FieldDef, Any, str, str, _Context], str | None]:
    def cleaner(field: FieldDef, raw: Any, where: str, label: str,
                context: _Context) -> str | None:
        def clean(value: str) -> str:
            try:
                return validator(value, today=context.today) if with_today else validator(value)
            except CodeError as error:
                raise FieldInvalid(f"{label}：{error.message}") from error

        spec = FieldSpec(key=field.key, label=label, required=field.required, max_length=30,
                         clean=clean)
        return clean_field(spec, _scalar(raw, label))
    return cleaner


def _phone(field: FieldDef, raw: Any, where: str, label: str, context: _Context) -> str | None:
    spec = FieldSpec(key=field.key, label=label, required=field.required, max_length=20,
                     pattern=PHONE, message=f"{label}：{PHONE_MESSAGE}")
    return clean_field(spec, unicodedata.normalize("NFKC", _scalar(raw, label, numbers=True)))


def _email(field: FieldDef, raw: Any, where: str, label: str, context: _Context) -> str | None:
    def clean(value: str) -> str:
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"

    spec = FieldSpec(key=field.key, label=label, required=field.required, max_length=EMAIL_MAX,
                     pattern=EMAIL.pattern, message=f"{label}应为电子邮箱地址，如 name@example.com",
                     clean=clean)
    return clean_field(spec, _scalar(raw, label))


def choices_of(field: FieldDef, code_sets: Mapping[str, Sequence[Option]]) -> list[Option]:
    """The options of a choice field: its own, or those of its code set (empty if the pack
    has no such code set; the pack loader refuses a definition naming one)."""
    if field.options:
        return list(field.options)
    return list(code_sets.get(field.code_set, ()))


def _choice(field: FieldDef, raw: Any, where: str, label: str,
            context: _Context) -> str | list[str] | None:
    options = choices_of(field, context.code_sets)
    if not options:
        raise FieldInvalid(f"{label}没有可选项（代码集“{field.code_set}”未定义），请联系管理员")
    allowed = {option.value for option in options}
    values = raw if isinstance(raw, list) else [raw]
    if not field.multiple and len(values) > 1:
        raise FieldInvalid(f"{label}只能选一项")
    picked: list[str] = []
    for item in values:
        if _blank(item):
            continue
        if not isinstance(item, str):
            raise FieldInvalid(f"{label}的格式不对：应为选项的代码")
        value = item.strip()
        if value not in allowed:
            shown = value if len(value) <= 20 else value[:20] + "…"
            raise FieldInvalid(f"{label}没有“{shown}”这一项，请从列表中选择")
        if value not in picked:
            picked.append(value)
    if field.multiple:
        return picked
    return picked[0]


def _yes_no(field: FieldDef, raw: Any, where: str, label: str, context: _Context) -> bool:
    value = coerce_yes_no(raw)
    if value is None:
        raise FieldInvalid(f"{label}请选择“是”或“否”")
    return value


def _group(field: FieldDef, raw: Any, where: str, label: str,
           context: _Context) -> list[dict[str, Any]] | None:
    if not isinstance(raw, list) or not all(isinstance(row, Mapping) for row in raw):
        raise FieldInvalid(f"{label}的格式不对：应为逐项填写的列表")
    rows = [(index, row) for index, row in enumerate(raw) if not _blank(row)]
    least = max(field.min_items, 1 if field.required else 0)
    if rows and len(rows) < least:
        raise FieldInvalid(f"{label}至少填写{least}项，现有{len(rows)}项")
    if len(rows) > field.max_items:
        raise FieldInvalid(f"{label}最多填写{field.max_items}项，现有{len(rows)}项")
    if not rows:
        return None
    return [_level(field.fields, row, path=f"{where}.{index}.",
                   label=f"{label}第{index + 1}项的", context=context) for index, row in rows]


def _file(field: FieldDef, raw: Any, where: str, label: str,
          context: _Context) -> dict[str, str]:
    if isinstance(raw, str):
        name, token = "", raw.strip()
    elif isinstance(raw, Mapping) and set(raw) <= {"name", "token"} \
            and isinstance(raw.get("token"), str) and isinstance(raw.get("name", ""), str):
        name, token = str(raw.get("name", "")).strip(), str(raw["token"]).strip()
    else:
        raise FieldInvalid(f"{label}的格式不对：应为已上传文件的凭据")
    if not UPLOAD_TOKEN.match(token):
        raise FieldInvalid(f"{label}的上传凭据无效，请重新上传")
    if len(name) > FILE_NAME_MAX:
        raise FieldInvalid(f"{label}的文件名不能超过{FILE_NAME_MAX}字")
    if name:
        clean_field(FieldSpec(key=field.key, label=f"{label}的文件名",
                              max_length=FILE_NAME_MAX), name)
        extension = name.rpartition(".")[2].lower() if "." in name else ""
        accepted = [item.lower().lstrip(".") for item in field.accept]
        if accepted and extension not in accepted:
            raise FieldInvalid(f"{label}只接受 {'、'.join(accepted)} 格式的文件，"
                               f"“{name}”不是")
    return {"name": name, "token": token}


CHOSEN = frozenset({Kind.CHOICE, Kind.YES_NO, Kind.REGION})
CLEANERS: dict[Kind, Callable[[FieldDef, Any, str, str, _Context], Any]] = {
    Kind.TEXT: _text,
    Kind.LONG_TEXT: _text,
    Kind.NUMBER: _decimal,
    Kind.MONEY: _decimal,
    Kind.DATE: _date,
    Kind.DATE_RANGE: _date_range,
    Kind.REGION: _region,
    Kind.ID_NUMBER: _code(validate_citizen_id, with_today=True),
    Kind.USCC: _code(validate_uscc, with_today=False),
    Kind.PHONE: _phone,
    Kind.EMAIL: _email,
    Kind.CHOICE: _choice,
    Kind.YES_NO: _yes_no,
    Kind.GROUP: _group,
    Kind.FILE: _file,
}

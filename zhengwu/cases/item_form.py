"""An item's own application form (catalog.application_form) on a page: the posted inputs
turned into answers, answers turned back into inputs, and the controls a template renders.

Answers have the JSON shape the validator (cases.form_answers, catalog side) checks: a value
per top-level key; a date range `{"start", "end"}`; a region its deepest chosen 12-digit code;
a choice its value (a list with `multiple`); yes/no True/False; a repeated group a list of
row dicts. Errors are keyed by path: "key", "group.0.sub", "range.start".

Every input is named `a.<path>` ("a.staff.0.name", "a.period.start"); a region has one select
per level ("a.site.province", ".county", ".township", ".village"). Pages work without
JavaScript: a field with `shows_if` is always rendered and says when it is asked (the server
drops a hidden field's answer), a repeated group shows its rows plus blank ones and an
“增加一行” button (`add_row=<path>`), a region's lower levels are refreshed by a button
(`refresh=<path>`); with htmx the region refreshes live. File fields are staged like the
materials (cases.staging) under the slot `a.<path>`, so a refusal loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from zhengwu.catalog.application_form import FieldDef, FormDefinition, Kind, Option, RegionDepth
from zhengwu.regions.models import TOWNSHIP_LEVELS, VILLAGE_LEVELS, Region, RegionLevel

PREFIX = "a."
ADD_ROW = "add_row"
REFRESH = "refresh"
# Blank rows a repeated group offers below its answered ones (at least its min_items).
BLANK_ROWS = 1
MAX_ROWS_POSTED = 200

# The levels a region field asks, top-down: (name, label, levels of the region table, digits).
REGION_LEVELS: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("province", "省（自治区、直辖市）", (RegionLevel.PROVINCE,), 2),
    ("county", "县（市、区）", (RegionLevel.COUNTY,), 6),
    ("township", "乡镇（街道）", TOWNSHIP_LEVELS, 9),
    ("village", "村（社区）", VILLAGE_LEVELS, 12),
)
DEPTH_LEVELS = {RegionDepth.COUNTY: 2, RegionDepth.TOWNSHIP: 3, RegionDepth.VILLAGE: 4}
YES, NO = "true", "false"


def input_name(path: str) -> str:
    return PREFIX + path


def input_id(path: str) -> str:
    return "a-" + path.replace(".", "-")


# --- post → answers --------------------------------------------------------------------------


def answers_from_post(definition: FormDefinition,
                      data: QueryDict | Mapping[str, Any]) -> dict[str, Any]:
    """The answers posted for `definition` (raw, not yet validated); empty inputs are left
    out, a repeated group's blank or removed rows too. File fields are not answers here: their
    files come through the staged-upload machinery (ApplyForm)."""
    return _answers(definition.fields, data, "")


def _get(data: QueryDict | Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    return str(value).strip() if value is not None else ""


def _getlist(data: QueryDict | Mapping[str, Any], name: str) -> list[str]:
    if isinstance(data, QueryDict):
        return [v.strip() for v in data.getlist(name) if v.strip()]
    value = data.get(name)
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()] if value else []


def _answers(fields: Sequence[FieldDef], data: QueryDict | Mapping[str, Any],
             base: str) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for spec in fields:
        path = base + spec.key
        value = _answer(spec, data, path)
        if value not in (None, "", [], {}):
            answers[spec.key] = value
    return answers


def _answer(spec: FieldDef, data: QueryDict | Mapping[str, Any], path: str) -> Any:
    name = input_name(path)
    if spec.kind == Kind.FILE:
        return None
    if spec.kind == Kind.DATE_RANGE:
        pair = {"start": _get(data, name + ".start"), "end": _get(data, name + ".end")}
        return {k: v for k, v in pair.items() if v}
    if spec.kind == Kind.REGION:
        return region_posted(data, name, spec.region_depth)
    if spec.kind == Kind.CHOICE and spec.multiple:
        return _getlist(data, name)
    if spec.kind == Kind.YES_NO:
        value = _get(data, name)
        return True if value == YES else False if value == NO else None
    if spec.kind == Kind.GROUP:
        return group_rows(spec, data, path)
    return _get(data, name)


def posted_row_count(data: QueryDict | Mapping[str, Any], path: str) -> int:
    try:
        return max(0, min(MAX_ROWS_POSTED, int(_get(data, input_name(path) + ".rows") or 0)))
    except ValueError:
        return 0


def group_rows(spec: FieldDef, data: QueryDict | Mapping[str, Any],
               path: str) -> list[dict[str, Any]]:
    """A group's posted rows. A blank or removed row stays as {} so that every row keeps its
    index (its file inputs and errors are named by it; the validator skips blank rows);
    blank rows at the end are dropped."""
    rows: list[dict[str, Any]] = []
    for index in range(posted_row_count(data, path)):
        base = f"{path}.{index}."
        removed = bool(_get(data, input_name(base + "remove")))
        rows.append({} if removed else _answers(spec.fields, data, base))
    while rows and not rows[-1]:
        rows.pop()
    return rows


def file_fields_named(answers: Any) -> set[str]:
    """The multipart parts an API submission's file answers name ({"file_field": part})."""
    found: set[str] = set()
    if isinstance(answers, Mapping):
        if isinstance(answers.get("file_field"), str):
            found.add(answers["file_field"])
        for value in answers.values():
            found |= file_fields_named(value)
    elif isinstance(answers, list):
        for value in answers:
            found |= file_fields_named(value)
    return found


def answer_slot(answers: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    """The dict holding the answer at `path` and its key (None when the path is absent)."""
    parts = path.split(".")
    target: Any = answers
    while len(parts) > 1:
        rows = target.get(parts[0]) if isinstance(target, dict) else None
        index = int(parts[1])
        if not isinstance(rows, list) or index >= len(rows) or not isinstance(rows[index], dict):
            return None, parts[-1]
        target, parts = rows[index], parts[2:]
    return (target if isinstance(target, dict) else None), parts[0]


def posted_rows(definition: FormDefinition,
                data: QueryDict | Mapping[str, Any]) -> dict[str, int]:
    """How many rows each group showed when posted (so none of them vanishes)."""
    return {spec.key: posted_row_count(data, spec.key) for spec in definition.fields
            if spec.kind == Kind.GROUP}


def set_answer(answers: dict[str, Any], path: str, value: Any) -> None:
    """Put `value` at `path` ("key" or "group.0.sub"), adding the group's rows it needs."""
    parts = path.split(".")
    target: Any = answers
    while len(parts) > 1:
        key, index = parts[0], int(parts[1])
        rows = target.setdefault(key, [])
        if not isinstance(rows, list):
            return
        while len(rows) <= index:
            rows.append({})
        target, parts = rows[index], parts[2:]
    target[parts[0]] = value


def region_posted(data: QueryDict | Mapping[str, Any], name: str, depth: RegionDepth) -> str:
    """The deepest level chosen that lies inside the level above it (a province changed
    without JavaScript leaves a stale county posted: it is ignored)."""
    chosen = ""
    for level, _label, _levels, digits in REGION_LEVELS[:DEPTH_LEVELS[depth]]:
        value = _get(data, f"{name}.{level}")
        if not value or not value.isdigit() or len(value) != 12:
            break
        if chosen and not value.startswith(chosen[:_digits_above(digits)]):
            break
        if chosen and value == chosen:
            break
        chosen = value
    return chosen


def _digits_above(digits: int) -> int:
    index = [d for *_rest, d in REGION_LEVELS].index(digits)
    return REGION_LEVELS[index - 1][3] if index else 0


# --- answers → post (the inverse, for tests and drafts) ---------------------------------------


def post_from_answers(definition: FormDefinition, answers: Mapping[str, Any]) -> QueryDict:
    """The inputs that post `answers` again (answers_from_post of it gives them back)."""
    post = QueryDict(mutable=True)
    _post(definition.fields, answers, "", post)
    return post


def _post(fields: Sequence[FieldDef], answers: Mapping[str, Any], base: str,
          post: QueryDict) -> None:
    for spec in fields:
        path = base + spec.key
        name = input_name(path)
        value = answers.get(spec.key)
        if value in (None, "", [], {}) or spec.kind == Kind.FILE:
            continue
        if spec.kind == Kind.DATE_RANGE and isinstance(value, Mapping):
            for end in ("start", "end"):
                if value.get(end):
                    post[f"{name}.{end}"] = str(value[end])
        elif spec.kind == Kind.REGION:
            for level, code in region_chain(str(value), spec.region_depth):
                post[f"{name}.{level}"] = code
        elif spec.kind == Kind.CHOICE and spec.multiple and isinstance(value, list):
            post.setlist(name, [str(v) for v in value])
        elif spec.kind == Kind.YES_NO:
            post[name] = YES if value is True else NO
        elif spec.kind == Kind.GROUP and isinstance(value, list):
            post[name + ".rows"] = str(len(value))
            for index, row in enumerate(value):
                if isinstance(row, Mapping):
                    _post(spec.fields, row, f"{path}.{index}.", post)
        else:
            post[name] = str(value)


def region_chain(code: str, depth: RegionDepth) -> list[tuple[str, str]]:
    """(level, code) from the province down to `code`, as the selects post them."""
    chain: list[tuple[str, str]] = []
    if len(code) != 12 or not code.isdigit():
        return chain
    for level, _label, _levels, digits in REGION_LEVELS[:DEPTH_LEVELS[depth]]:
        part = code[:digits] + "0" * (12 - digits)
        if not part.strip("0") or (chain and part == chain[-1][1]):
            break
        chain.append((level, part))
    return chain


# --- controls to render ------------------------------------------------------------------------


@dataclass
class Choice:
    value: str
    label: str
    selected: bool


@dataclass
class RegionSelect:
    level: str
    label: str
    name: str
    id: str
    options: list[Choice]


@dataclass
class Control:
    """One field of the item's form as the template renders it."""

    spec: FieldDef
    path: str
    value: Any
    error: str = ""
    condition: str = ""  # "仅当“是否网络经营”为“是”时填写"
    options: list[Choice] = field(default_factory=list)
    rows: list[list[Control]] = field(default_factory=list)  # a group's rows
    row_errors: dict[int, str] = field(default_factory=dict)
    selects: list[RegionSelect] = field(default_factory=list)
    kept: Any = None  # staging.KeptFile of a file field
    min_date: str = ""
    max_date: str = ""
    where: str = ""  # the row a group member is in: "从业人员第2项 "

    @property
    def name(self) -> str:
        return input_name(self.path)

    @property
    def id(self) -> str:
        return input_id(self.path)

    @property
    def kind(self) -> str:
        return str(self.spec.kind)

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def shows_if_name(self) -> str:
        """The input whose answer decides whether this field is asked (a sibling)."""
        if self.spec.shows_if is None:
            return ""
        base = self.path[: -len(self.spec.key)]
        return input_name(base + self.spec.shows_if.field)

    @property
    def shows_if_values(self) -> str:
        """The answers that show it, as the inputs post them, joined by "|"."""
        rule = self.spec.shows_if
        if rule is None:
            return ""
        wanted: list[str | bool | None] = list(rule.in_) if rule.in_ is not None \
            else [rule.equals]
        return "|".join(YES if v is True else NO if v is False else str(v) for v in wanted)

    @property
    def auto_id(self) -> str:  # what cases/_kept.html names its note by
        return self.id

    @property
    def accept(self) -> str:
        return ",".join("." + a.lower().lstrip(".") for a in self.spec.accept)

    @property
    def rows_name(self) -> str:
        return self.name + ".rows"

    @property
    def text(self) -> str:
        """The value as an input's value attribute (never None)."""
        return "" if self.value is None or isinstance(self.value, (dict, list, bool)) \
            else str(self.value)

    @property
    def start(self) -> str:
        return str(self.value.get("start", "")) if isinstance(self.value, Mapping) else ""

    @property
    def end(self) -> str:
        return str(self.value.get("end", "")) if isinstance(self.value, Mapping) else ""

    @property
    def yes(self) -> bool:
        return self.value is True

    @property
    def no(self) -> bool:
        return self.value is False

    @property
    def described_by(self) -> str:
        parts = []
        if self.spec.help:
            parts.append(self.id + "_help")
        if self.condition:
            parts.append(self.id + "_when")
        if self.kept is not None:
            parts.append(self.id + "_kept")
        if self.error:
            parts.append(self.id + "_error")
        return " ".join(parts)

    @property
    def error_target(self) -> str:
        """The element the error summary links to (the first input of the field)."""
        if self.spec.kind == Kind.DATE_RANGE:
            return self.id + "-start"
        if self.spec.kind == Kind.REGION and self.selects:
            return self.selects[0].id
        if self.spec.kind in (Kind.YES_NO,) or (self.spec.kind == Kind.CHOICE
                                                 and self.spec.multiple):
            return self.id + "-0"
        return self.id


def condition_text(spec: FieldDef, siblings: Sequence[FieldDef],
                   code_sets: Mapping[str, Sequence[Option]]) -> str:
    if spec.shows_if is None:
        return ""
    other = next((f for f in siblings if f.key == spec.shows_if.field), None)
    if other is None:
        return ""
    wanted = [spec.shows_if.equals] if spec.shows_if.in_ is None else list(spec.shows_if.in_)
    labels = [_label_of(other, value, code_sets) for value in wanted]
    return f"仅当“{other.label}”为“{'”或“'.join(labels)}”时填写"


def _label_of(spec: FieldDef, value: Any, code_sets: Mapping[str, Sequence[Option]]) -> str:
    if spec.kind == Kind.YES_NO or isinstance(value, bool):
        return "是" if value in (True, YES) else "否"
    for option in options_of(spec, code_sets):
        if option.value == value:
            return option.label
    return str(value)


def options_of(spec: FieldDef, code_sets: Mapping[str, Sequence[Option]]) -> list[Option]:
    if spec.options:
        return list(spec.options)
    return list(code_sets.get(spec.code_set, ()))


def _date_limit(value: str, today: dt.date) -> str:
    return today.isoformat() if value == "today" else value


@dataclass(frozen=True)
class _Page:
    errors: Mapping[str, str]
    code_sets: Mapping[str, Sequence[Option]]
    rows: Mapping[str, int]
    today: dt.date
    kept: Mapping[str, Any]


def controls(definition: FormDefinition, answers: Mapping[str, Any],
             errors: Mapping[str, str], *, code_sets: Mapping[str, Sequence[Option]],
             rows: Mapping[str, int] | None = None, today: dt.date,
             kept: Mapping[str, Any] | None = None) -> list[Control]:
    """The controls of `definition` holding `answers`, each with its error. `rows`: how many
    rows a group shows at least (增加一行 raised it); `kept`: the staged file per input."""
    page = _Page(errors, code_sets, rows or {}, today, kept or {})
    return _controls(definition.fields, answers, "", "", page)


def _controls(fields: Sequence[FieldDef], answers: Mapping[str, Any], base: str, where: str,
              page: _Page) -> list[Control]:
    out = []
    for spec in fields:
        path = base + spec.key
        value = answers.get(spec.key)
        control = Control(spec, path, value, error=page.errors.get(path, ""),
                          condition=condition_text(spec, fields, page.code_sets),
                          min_date=_date_limit(spec.min_date, page.today),
                          max_date=_date_limit(spec.max_date, page.today), where=where)
        if spec.kind == Kind.CHOICE:
            chosen = set(value) if isinstance(value, list) else {value}
            control.options = [Choice(o.value, o.label, o.value in chosen)
                               for o in options_of(spec, page.code_sets)]
        elif spec.kind == Kind.DATE_RANGE:
            control.error = control.error or page.errors.get(path + ".start", "") or \
                page.errors.get(path + ".end", "")
        elif spec.kind == Kind.REGION:
            control.selects = region_selects(control.name, control.id,
                                             str(value or ""), spec.region_depth)
        elif spec.kind == Kind.FILE:
            control.kept = page.kept.get(input_name(path))
        elif spec.kind == Kind.GROUP:
            given = [r if isinstance(r, Mapping) else {} for r in value] \
                if isinstance(value, list) else []
            for index in range(row_count(spec, given, page.rows.get(path, 0))):
                row = given[index] if index < len(given) else {}
                control.rows.append(_controls(spec.fields, row, f"{path}.{index}.",
                                              f"{where}{spec.label}第{index + 1}项 ", page))
                row_error = page.errors.get(f"{path}.{index}", "")
                if row_error:
                    control.row_errors[index] = row_error
        out.append(control)
    return out


def walk(items: Sequence[Control]) -> Iterator[Control]:
    """Every control, groups' rows included, in page order."""
    for control in items:
        yield control
        for row in control.rows:
            yield from walk(row)


def error_links(items: Sequence[Control],
                errors: Mapping[str, str]) -> list[tuple[str, str]]:
    """(target id, text) of every error of a form's controls, in page order, for the error
    summary at the top of a page; a form-wide error ("__all__") last. A field's message is
    shown as it is: catalog.form_answers words each one with the field's full label
    (食品安全管理人员公民身份号码、从业人员第2项的健康证明编号), so the summary does not
    prefix the label again."""
    links = []
    for control in walk(items):
        if control.error:
            links.append((control.error_target, control.error))
        for index, message in control.row_errors.items():
            links.append((f"{control.id}-{index}", f"{control.label}第{index + 1}项：{message}"))
    if "__all__" in errors:
        links.append(("", f"申请表：{errors['__all__']}"))
    return links


def row_count(spec: FieldDef, given: Sequence[Any], requested: int) -> int:
    """Rows a group shows: its answered ones plus a blank one, at least `min_items` and the
    number asked for (增加一行), at most `max_items` (never fewer than answered)."""
    count = max(len(given) + BLANK_ROWS, spec.min_items, requested)
    return max(min(count, spec.max_items), len(given))


def file_paths(definition: FormDefinition, answers: Mapping[str, Any],
               rows: Mapping[str, int] | None = None) -> list[tuple[str, FieldDef]]:
    """The file inputs the page shows, with their rows as `controls` counts them."""
    found: list[tuple[str, FieldDef]] = []
    _file_paths(definition.fields, answers, "", rows or {}, found)
    return found


def _file_paths(fields: Sequence[FieldDef], answers: Mapping[str, Any], base: str,
                rows: Mapping[str, int], found: list[tuple[str, FieldDef]]) -> None:
    for spec in fields:
        path = base + spec.key
        if spec.kind == Kind.FILE:
            found.append((path, spec))
        elif spec.kind == Kind.GROUP:
            value = answers.get(spec.key)
            given = [r if isinstance(r, Mapping) else {} for r in value] \
                if isinstance(value, list) else []
            for index in range(row_count(spec, given, rows.get(path, 0))):
                _file_paths(spec.fields, given[index] if index < len(given) else {},
                            f"{path}.{index}.", rows, found)


# --- regions --------------------------------------------------------------------------------


def region_selects(name: str, html_id: str, value: str,
                   depth: RegionDepth) -> list[RegionSelect]:
    """One select per level down to `depth`; a level lists the regions inside the one chosen
    above it (nothing until that is chosen)."""
    levels = REGION_LEVELS[:DEPTH_LEVELS[depth]]
    chain = dict(region_chain(value, depth))
    selects = []
    above = ""
    for index, (level, label, kinds, _digits) in enumerate(levels):
        if index and not above:
            options: list[Region] = []
        else:
            query = Region.objects.filter(level__in=kinds)
            if above:
                query = query.filter(code__startswith=_prefix(above, levels[index - 1][3]))
            options = list(query.order_by("code")[:2000])
        chosen = chain.get(level, "")
        if chosen not in {r.code for r in options}:
            chosen = ""
        selects.append(RegionSelect(level, label, f"{name}.{level}", f"{html_id}-{level}",
                                    [Choice(r.code, r.name, r.code == chosen) for r in options]))
        above = chosen
    return selects


def _prefix(code: str, digits: int) -> str:
    return code[:digits]

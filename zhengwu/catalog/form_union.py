"""A bundle's one form as the union of its members' forms through `maps_to`, pure.

`union(definitions)` asks every shared meaning once: fields of different members with the
same `maps_to` become one field; every other field is kept, its key suffixed with the
member's position ("area_2") when an earlier member already uses it. Inside two merged
groups (both mapped to e.g. enterprise.shareholders), members' sub-fields with the same
`maps_to` or, lacking one, the same key are one sub-field. `split(union_answers, definition,
members)` gives one member its own answers back under its own keys, and
`errors_to_union(errors, definition, members)` puts that member's errors back on the union's
paths, so a bundle validates each member with its own definition (catalog.form_answers) and
shows the errors on the one form.

Fields with one meaning that cannot be one field (different kinds, different code sets with no
value in common — 公司类型 of the company register against 单位类型 of social insurance —, no
common option, range or number of items) are asked apart: the first compatible group keeps
the key, each other gets its own field, and `union_notes` says which and why (the pack fixes
it, or it stays a deliberate difference). `strict=True` makes such a case an UnionConflict.

How a merged field asks so that its one answer is valid for every member:
- kind: the same kind, or text with long text (→ long text);
- required if any member requires it; label and help from the first member that has them;
- limits: the tightest — the smallest max_length, max, max_items, max_mb and decimals, the
  largest min and min_items, the latest min_date and earliest max_date ("today" counts as
  later than any fixed date for min_date and earlier for max_date); options: those all members
  offer; different code sets count by their options when `code_sets` is given (the union
  then lists the common options itself); the same `multiple`;
  file `accept`: the extensions all members accept;
- region: the deepest `region_depth`; `split` cuts the code to each member's own depth (a
  village code gives its county to a member that asks only for the county);
- shows_if: kept when every member has the same condition (on the union's keys); when a
  member asks unconditionally, the field is unconditional; when members' conditions differ
  the field is unconditional and optional (each member's own check still requires it where
  its condition holds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zhengwu.catalog.application_form import FieldDef, FormDefinition, Kind, Option, RegionDepth
from zhengwu.catalog.form_answers import DEPTH_DIGITS, choices_of

__all__ = ["KeyMap", "UnionConflict", "errors_to_union", "key_maps", "split", "union",
           "union_notes"]

UNION_TITLE = "联办申请表"
DEPTH_ORDER = [RegionDepth.COUNTY, RegionDepth.TOWNSHIP, RegionDepth.VILLAGE]
# A member's key → the union's key, and for a group its sub-fields' map.
KeyMap = dict[str, tuple[str, "KeyMap"]]


class UnionConflict(ValueError):
    """Members' fields with one meaning cannot be asked as one field; says which and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Slot:
    key: str
    parts: list[tuple[int, FieldDef]] = field(default_factory=list)
    sub: dict[int, KeyMap] = field(default_factory=dict)  # for a group, per member


@dataclass
class _Context:
    titles: Sequence[str]
    code_sets: Mapping[str, Sequence[Option]] | None
    strict: bool
    notes: list[str] = field(default_factory=list)


CodeSets = Mapping[str, Sequence[Option]] | None


def union(definitions: Sequence[FormDefinition], *, title: str = UNION_TITLE,
          code_sets: CodeSets = None, strict: bool = False) -> FormDefinition:
    """One form asking every member's fields, shared meanings once (rules above)."""
    fields, _, _ = _plan(definitions, code_sets, strict)
    sources = [f"{d.title}：{d.source}" if d.source else d.title for d in definitions]
    return FormDefinition.model_validate({
        "title": title, "fields": fields, "source": "；".join(sources)[:1000],
        "illustrative": any(d.illustrative for d in definitions)})


def union_notes(definitions: Sequence[FormDefinition], *,
                code_sets: CodeSets = None) -> list[str]:
    """Why fields sharing a meaning are asked apart, one sentence each (Chinese)."""
    return _plan(definitions, code_sets, False)[2]


def key_maps(definitions: Sequence[FormDefinition], *,
             code_sets: CodeSets = None) -> list[KeyMap]:
    """For each member, where its fields are in the union."""
    return _plan(definitions, code_sets, False)[1]


def split(union_answers: Mapping[str, Any], definition: FormDefinition,
          members: Sequence[FormDefinition], *, code_sets: CodeSets = None) -> dict[str, Any]:
    """The answers `definition` (one of `members`) gets from the union's answers, under its
    own keys; the member's own validation then applies its conditions and limits. Pass the
    `code_sets` the union was built with."""
    keymap = key_maps(members, code_sets=code_sets)[_index(definition, members)]
    return _split_level(union_answers, definition.fields, keymap)


def errors_to_union(errors: Mapping[str, str], definition: FormDefinition,
                    members: Sequence[FormDefinition], *,
                    code_sets: CodeSets = None) -> dict[str, str]:
    """A member's errors (paths of form_answers.validate) on the union's paths."""
    keymap = key_maps(members, code_sets=code_sets)[_index(definition, members)]
    out: dict[str, str] = {}
    for path, message in errors.items():
        out.setdefault(_union_path(path, keymap), message)
    return out


def _index(definition: FormDefinition, members: Sequence[FormDefinition]) -> int:
    for index, member in enumerate(members):
        if member is definition:
            return index
    for index, member in enumerate(members):
        if member == definition:
            return index
    raise ValueError("该申请表不是联办成员之一")


def _union_path(path: str, keymap: KeyMap) -> str:
    parts = path.split(".")
    out: list[str] = []
    current: KeyMap | None = keymap
    expect_key = True
    for part in parts:
        if expect_key and current is not None and part in current:
            key, current = current[part]
            out.append(key)
            expect_key = False
        else:
            out.append(part)
            expect_key = part.isdigit()  # after a group's row index comes a sub-field key
    return ".".join(out)


def _split_level(answers: Mapping[str, Any], fields: Sequence[FieldDef],
                 keymap: KeyMap) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for member_field in fields:
        key, sub = keymap[member_field.key]
        if key not in answers:
            continue
        value = answers[key]
        if member_field.kind == Kind.GROUP and isinstance(value, list):
            value = [_split_level(row, member_field.fields, sub) if isinstance(row, Mapping)
                     else row for row in value]
        elif member_field.kind == Kind.REGION and isinstance(value, str) \
                and len(value) == 12 and value.isdigit():
            digits = DEPTH_DIGITS[member_field.region_depth]
            value = value[:digits] + "0" * (12 - digits)
        out[member_field.key] = value
    return out


def _plan(definitions: Sequence[FormDefinition], code_sets: CodeSets,
          strict: bool) -> tuple[list[dict[str, Any]], list[KeyMap], list[str]]:
    context = _Context([d.title for d in definitions], code_sets, strict)
    fields, maps = _merge_level([(i, d.fields) for i, d in enumerate(definitions)],
                                context=context, share_keys=False)
    return fields, [maps.get(i, {}) for i in range(len(definitions))], context.notes


def _merge_level(levels: Sequence[tuple[int, Sequence[FieldDef]]], *, context: _Context,
                 share_keys: bool) -> tuple[list[dict[str, Any]], dict[int, KeyMap]]:
    # Slots by what they share: a meaning, or (inside merged groups) a sub-field's key. A
    # member asking one meaning twice gets a second slot, which the next member's second
    # field of that meaning joins; a field that cannot be merged gets a slot of its own.
    slots: list[_Slot] = []
    shared: dict[tuple[str, str], list[_Slot]] = {}
    used: set[str] = set()
    member_slots: dict[int, dict[str, _Slot]] = {}
    for index, fields in levels:
        mine = member_slots.setdefault(index, {})
        for member_field in fields:
            share = ("maps_to", member_field.maps_to) if member_field.maps_to else (
                ("key", member_field.key) if share_keys else None)
            candidates = [candidate for candidate in shared.get(share, [])
                          if all(i != index for i, _ in candidate.parts)] \
                if share is not None else []
            slot = None
            for candidate in candidates:
                problem = _incompatible(candidate, index, member_field, context)
                if problem is None:
                    slot = candidate
                    break
                if context.strict:
                    raise UnionConflict(problem)
                context.notes.append(problem)
            if slot is None:
                slot = _Slot(_unique_key(member_field.key, index, used))
                used.add(slot.key)
                slots.append(slot)
                if share is not None:
                    shared.setdefault(share, []).append(slot)
            slot.parts.append((index, member_field))
            mine[member_field.key] = slot
    built = [_merge_slot(slot, member_slots, context) for slot in slots]
    maps: dict[int, KeyMap] = {
        index: {key: (slot.key, slot.sub.get(index, {})) for key, slot in mine.items()}
        for index, mine in member_slots.items()}
    return built, maps


def _incompatible(slot: _Slot, index: int, member_field: FieldDef,
                  context: _Context) -> str | None:
    """Why `member_field` cannot join `slot` (a sentence), or None."""
    parts = [*slot.parts, (index, member_field)]
    try:
        _merge_attributes(parts, context)
        if member_field.kind == Kind.GROUP:
            _merge_level([(i, part.fields) for i, part in parts],
                         context=_Context(context.titles, context.code_sets, True),
                         share_keys=True)
    except UnionConflict as conflict:
        return conflict.message + "，分开询问"
    return None


def _unique_key(key: str, index: int, used: set[str]) -> str:
    if key not in used:
        return key
    number = index + 1
    while True:
        suffix = f"_{number}"
        candidate = key[:40 - len(suffix)] + suffix
        if candidate not in used:
            return candidate
        number += 1


def _merge_slot(slot: _Slot, member_slots: Mapping[int, Mapping[str, _Slot]],
                context: _Context) -> dict[str, Any]:
    data = _merge_attributes(slot.parts, context)
    data["key"] = slot.key
    conditions: list[dict[str, Any] | None] = []
    for index, part in slot.parts:
        if part.shows_if is None:
            conditions.append(None)
            continue
        target = member_slots[index][part.shows_if.field].key
        conditions.append(part.shows_if.model_copy(update={"field": target}).model_dump(
            mode="json", by_alias=True, exclude_none=True))
    data.pop("shows_if", None)
    if all(condition is not None for condition in conditions):
        if all(condition == conditions[0] for condition in conditions):
            data["shows_if"] = conditions[0]
        else:
            data["required"] = False
    if slot.parts[0][1].kind == Kind.GROUP:
        sub_fields, sub_maps = _merge_level(
            [(index, part.fields) for index, part in slot.parts], context=context,
            share_keys=True)
        data["fields"] = sub_fields
        slot.sub = sub_maps
    return {key: value for key, value in data.items() if value is not None}


def _merge_attributes(slot_parts: Sequence[tuple[int, FieldDef]],
                      context: _Context) -> dict[str, Any]:
    """The merged field's attributes (all but key, condition and group members), or an
    UnionConflict saying which members disagree on what."""
    parts = [member_field for _, member_field in slot_parts]
    first = parts[0]
    who = "、".join(f"“{context.titles[i]}”" for i, _ in slot_parts)
    meaning = first.maps_to or first.key

    def conflict(what: str) -> UnionConflict:
        return UnionConflict(f"联办申请表中“{meaning}”无法合并：{who}的{what}不一致")

    data = first.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    kinds = {part.kind for part in parts}
    if len(kinds) > 1:
        if kinds <= {Kind.TEXT, Kind.LONG_TEXT}:
            data["kind"] = Kind.LONG_TEXT.value
        else:
            raise conflict("字段类型（" + "、".join(sorted(str(kind) for kind in kinds)) + "）")
    data["required"] = any(part.required for part in parts)
    data["help"] = next((part.help for part in parts if part.help), "")
    lengths = [part.max_length for part in parts if part.max_length is not None]
    if lengths:
        data["max_length"] = min(lengths)
    lows = [part.min for part in parts if part.min is not None]
    highs = [part.max for part in parts if part.max is not None]
    if lows:
        data["min"] = str(max(lows))
    if highs:
        data["max"] = str(min(highs))
    if lows and highs and max(lows) > min(highs):
        raise conflict("取值范围（没有共同的取值）")
    data["decimals"] = min(part.decimals for part in parts)
    data["min_date"] = _date_limit([part.min_date for part in parts], latest=True)
    data["max_date"] = _date_limit([part.max_date for part in parts], latest=False)
    if len({part.multiple for part in parts}) > 1:
        raise conflict("单选/多选")
    if first.kind == Kind.CHOICE:
        _merge_choices(data, parts, context, conflict)
    data["region_depth"] = max((part.region_depth for part in parts),
                               key=DEPTH_ORDER.index).value
    data["min_items"] = max(part.min_items for part in parts)
    data["max_items"] = min(part.max_items for part in parts)
    if data["min_items"] > data["max_items"]:
        raise conflict("项数上下限（没有共同的项数）")
    accepts = [[item.lower().lstrip(".") for item in part.accept] for part in parts
               if part.accept]
    if accepts:
        common_accept = [item for item in accepts[0] if all(item in other for other in accepts)]
        if not common_accept:
            raise conflict("文件格式（没有共同接受的格式）")
        data["accept"] = common_accept
    data["max_mb"] = min(part.max_mb for part in parts)
    for key in ("min_date", "max_date"):
        if not data[key]:
            data.pop(key)
    return data


def _merge_choices(data: dict[str, Any], parts: Sequence[FieldDef], context: _Context,
                   conflict: Any) -> None:
    sets = {part.code_set for part in parts}
    if len(sets) == 1 and not any(part.options for part in parts):
        return  # one code set, named
    if any(part.code_set for part in parts) and context.code_sets is None:
        raise conflict("代码集")
    code_sets = context.code_sets or {}
    lists = [choices_of(part, code_sets) for part in parts]
    common = [option for option in lists[0]
              if all(any(o.value == option.value for o in other) for other in lists)]
    if not common:
        raise conflict("选项（没有共同的选项）")
    data.pop("code_set", None)
    data["options"] = [option.model_dump() for option in common]


def _date_limit(values: Sequence[str], *, latest: bool) -> str:
    given = [value for value in values if value]
    if not given:
        return ""
    if "today" in given:
        # Application dates are about the present: "today" is the tighter limit both ways.
        return "today"
    days = [dt.date.fromisoformat(value) for value in given]
    return (max(days) if latest else min(days)).isoformat()

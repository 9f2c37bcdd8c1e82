"""The answers to an item's own application form on a case: which definition a case is filed
under, checking the answers (catalog.form_answers.validate, the one validator), and what the
case pages show of them.

A case's `form_data` holds the common applicant fields (cases.formdef) and, when its item has a
form, `answers` (the cleaned answers; a file answer becomes {"name", "material"}, the case
material that holds the file) and `form_title`. The definition is the one of the case's pinned
`item_version`, so a reviewer reads the answers with the labels they were given under.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.selectors import address_prefill
from zhengwu.catalog.application_form import FieldDef, FormDefinition, Kind, Option
from zhengwu.catalog.form_answers import is_shown, validate
from zhengwu.catalog.form_prefill import prefill
from zhengwu.catalog.models import ItemImplementation
from zhengwu.catalog.selectors import RegionTable, definition_for, form_code_sets
from zhengwu.core.errors import InvalidInput
from zhengwu.core.masking import mask_answer
from zhengwu.regions.models import Region

__all__ = ["FormInvalid", "Row", "case_definition", "check", "code_sets", "definition",
           "display_rows", "file_answers", "form_code_sets", "masked_answers", "regions"]


class FormInvalid(InvalidInput):
    """The answers break the item's form. `errors` keyed by path ("key", "group.0.sub",
    "range.start"); the API's `detail` lists them as "path：message" joined by "；"."""

    code = "form.invalid"

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("申请表有误：" + "；".join(f"{path}：{message}"
                                                for path, message in self.errors.items()))


def regions() -> RegionTable:
    return RegionTable()


def definition(implementation: ItemImplementation) -> FormDefinition | None:
    """The item's own form for `implementation` (its override or its basic item's) as in
    force in its current version, the one a case filed now pins; None: the page asks the
    common fields only, as before issue 10."""
    return definition_for(implementation, implementation.version)


def case_definition(case: Any) -> FormDefinition | None:
    """The definition a case was filed under (its pinned item version)."""
    if not (case.form_data or {}).get("answers"):
        return None
    return definition_for(case.implementation, case.item_version)


def known_of(user: User) -> dict[str, str]:
    """What the account says of its holder, by shared meaning (MAPS_TO): a person's name, ID
    number and phone, an enterprise's name, credit code and legal representative, and the
    default address kept in 我的空间 (an answer the person can still change)."""
    known = {"applicant.name": user.display_name, "applicant.phone": user.phone or ""}
    address = address_prefill(user)
    if user.kind == UserKind.ENTERPRISE:
        known.update({"applicant.id_number": user.uscc, "enterprise.name": user.display_name,
                      "enterprise.uscc": user.uscc,
                      "enterprise.legal_rep_name": user.legal_representative_name,
                      "enterprise.legal_rep_id_number": user.legal_representative_id})
        if address is not None:
            known.update({"enterprise.address_region": address["region"],
                          "enterprise.address": address["address"]})
    else:
        known["applicant.id_number"] = user.citizen_id
        if address is not None:
            known.update({"person.residence_region": address["region"],
                          "person.residence_address": address["address"]})
    if address is not None:
        known.update({"applicant.address": address["address"],
                      "applicant.postcode": address["postcode"]})
    return {key: value for key, value in known.items() if value}


def prefilled(form: FormDefinition, user: User) -> dict[str, Any]:
    """The answers an empty form starts with: each top-level field whose `maps_to` the
    account knows."""
    return prefill(form, known_of(user))


def code_sets(implementation: ItemImplementation) -> dict[str, list[Option]]:
    """The code sets choice fields name (the deployment's, the same for every item)."""
    return form_code_sets()


def check(implementation: ItemImplementation, form: FormDefinition, answers: Mapping[str, Any],
          *, today: dt.date) -> dict[str, Any]:
    """The cleaned answers, or FormInvalid with every field's error."""
    cleaned, errors = validate(form, answers, code_sets=code_sets(implementation),
                               regions=regions(), today=today)
    if errors:
        raise FormInvalid(errors)
    return cleaned


def file_answers(form: FormDefinition, answers: Mapping[str, Any]
                 ) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, label, answer) of every file answered, groups' rows included, in form order;
    the label names the row ("从业人员第2项 健康证明")."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    _files(form.fields, answers, "", "", found)
    return found


def _files(fields: Sequence[FieldDef], answers: Mapping[str, Any], base: str, prefix: str,
           found: list[tuple[str, str, dict[str, Any]]]) -> None:
    for spec in fields:
        value = answers.get(spec.key)
        if spec.kind == Kind.FILE and isinstance(value, dict):
            found.append((base + spec.key, prefix + spec.label, value))
        elif spec.kind == Kind.GROUP and isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, Mapping):
                    _files(spec.fields, row, f"{base}{spec.key}.{index}.",
                           f"{prefix}{spec.label}第{index + 1}项 ", found)


# --- what the case pages show ----------------------------------------------------------------


@dataclass
class Row:
    """One answered field as the case page shows it: a value, or a table for a group."""

    label: str
    value: str = ""
    url: str = ""  # a file: the protected download of the case material holding it
    columns: list[str] = field(default_factory=list)
    table: list[list[Row]] = field(default_factory=list)
    masked: bool = False


def display_rows(form: FormDefinition, answers: Mapping[str, Any], *, masked: bool,
                 code_sets: Mapping[str, Sequence[Option]],
                 links: Mapping[str, str]) -> list[Row]:
    """Every field of the form with its answer, in form order, labelled by the definition:
    choices by label, regions by name, money with 元; ID numbers, phones and addresses masked
    when the viewer may not see the applicant's personal data whole (the same rule as the
    case's own ID number and phone: views._personal). An unanswered field reads “未填写”.
    `links`: the download of each case material by name (a file answer names its material)."""
    names = _region_names(form.fields, answers)
    return _rows(form.fields, answers, masked=masked, code_sets=code_sets, names=names,
                 links=links)


def _rows(fields: Sequence[FieldDef], answers: Mapping[str, Any], *, masked: bool,
          code_sets: Mapping[str, Sequence[Option]], names: Mapping[str, str],
          links: Mapping[str, str]) -> list[Row]:
    rows = []
    asked = is_shown(fields, answers)
    for spec in fields:
        value = answers.get(spec.key)
        if not asked.get(spec.key, True):
            rows.append(Row(spec.label, "不适用"))
        elif spec.kind == Kind.GROUP:
            items = [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) \
                else []
            rows.append(Row(spec.label, "" if items else "未填写",
                            columns=[f.label for f in spec.fields],
                            table=[_rows(spec.fields, item, masked=masked,
                                         code_sets=code_sets, names=names, links=links)
                                   for item in items]))
        elif spec.kind == Kind.FILE:
            given = value if isinstance(value, Mapping) else {}
            rows.append(Row(spec.label, str(given.get("name", "")) or "未上传",
                            url=links.get(str(given.get("material", "")), "")))
        else:
            shown, hidden = _shown(spec, value, masked=masked, code_sets=code_sets,
                                   names=names)
            rows.append(Row(spec.label, shown, masked=hidden))
    return rows


def _shown(spec: FieldDef, value: Any, *, masked: bool,
           code_sets: Mapping[str, Sequence[Option]],
           names: Mapping[str, str]) -> tuple[str, bool]:
    if value in (None, "", [], {}):
        return "未填写", False
    if spec.kind == Kind.YES_NO:
        return ("是" if value is True else "否"), False
    if spec.kind == Kind.CHOICE:
        labels = {o.value: o.label for o in (spec.options or code_sets.get(spec.code_set, ()))}
        values = value if isinstance(value, list) else [value]
        return "、".join(labels.get(str(v), str(v)) for v in values), False
    if spec.kind == Kind.MONEY:
        return f"{_decimal(value, 2)} 元", False
    if spec.kind == Kind.NUMBER:
        return f"{value}{(' ' + spec.unit) if spec.unit else ''}", False
    if spec.kind == Kind.DATE_RANGE and isinstance(value, Mapping):
        return f"{value.get('start', '')} 至 {value.get('end', '')}", False
    if spec.kind == Kind.REGION:
        return names.get(str(value), str(value)), False
    text = str(value)
    if masked:
        hidden = _masked(spec, text)
        return hidden, hidden != text
    return text, False


def _masked(spec: FieldDef, text: str) -> str:
    """One answer as staff who may not see personal data whole see it (the one rule,
    core.masking.mask_answer)."""
    return mask_answer(text, key=spec.key, kind=spec.kind, maps_to=spec.maps_to)


def masked_answers(form: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as the API gives them to someone who may not see them whole."""
    return _masked_level(form.fields, answers)


def _masked_level(fields: Sequence[FieldDef], answers: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = dict(answers)
    for spec in fields:
        value = answers.get(spec.key)
        if spec.kind == Kind.GROUP and isinstance(value, list):
            out[spec.key] = [_masked_level(spec.fields, row) if isinstance(row, Mapping)
                             else row for row in value]
        elif isinstance(value, str):
            out[spec.key] = _masked(spec, value)
    return out


def _decimal(value: Any, places: int) -> str:
    try:
        return f"{Decimal(str(value)):,.{places}f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _region_names(fields: Sequence[FieldDef], answers: Mapping[str, Any]) -> dict[str, str]:
    codes: set[str] = set()
    _region_codes(fields, answers, codes)
    if not codes:
        return {}
    wanted = {code[:n] + "0" * (12 - n) for code in codes for n in (2, 4, 6, 9, 12)
              if len(code) == 12}
    known = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    names = {}
    for code in codes:
        chain: list[str] = []
        for n in (2, 4, 6, 9, 12):
            part = code[:n] + "0" * (12 - n)
            if part in known and (not chain or chain[-1] != known[part]):
                chain.append(known[part])
        names[code] = " ".join(chain) or code
    return names


def _region_codes(fields: Sequence[FieldDef], answers: Mapping[str, Any],
                  codes: set[str]) -> None:
    for spec in fields:
        value = answers.get(spec.key)
        if spec.kind == Kind.REGION and isinstance(value, str) and value:
            codes.add(value)
        elif spec.kind == Kind.GROUP and isinstance(value, list):
            for row in value:
                if isinstance(row, Mapping):
                    _region_codes(spec.fields, row, codes)

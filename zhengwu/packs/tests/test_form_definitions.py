"""The Leiyang pack's application-form definitions (packs/leiyang/forms/*.json) and the code
sets their choice fields name (form_code_sets.json): valid definitions, real items, known code
sets, no applicant field asked twice, every definition sourced and listed in the pack README.

Pure file checks (no database), so they run in well under a second.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zhengwu.catalog.application_form import FieldDef, FormDefinition

PACK = Path(__file__).resolve().parents[3] / "packs" / "leiyang"
FORMS = sorted((PACK / "forms").glob("*.json"))
SLUG = re.compile(r"^[a-z][a-z0-9_]{2,60}\.json$")

# The applicant's own name and ID number come from the account's verified identity (GB/T 39046
# Table 5); a definition never asks them again. A definition that must (none today) is listed
# here with the reason.
APPLICANT_OWN = {"applicant.name", "applicant.id_number"}
ALLOWED_APPLICANT_OWN: dict[str, str] = {}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _walk(fields: tuple[FieldDef, ...] | list[FieldDef]) -> Iterator[FieldDef]:
    for field in fields:
        yield field
        yield from _walk(field.fields)


@pytest.fixture(scope="module")
def definitions() -> dict[str, tuple[str, FormDefinition]]:
    return {path.name: (_load(path)["item"], FormDefinition.model_validate(_load(path)["form"]))
            for path in FORMS}


@pytest.fixture(scope="module")
def code_sets() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PACK / "form_code_sets.json").read_text(encoding="utf-8"))
    return data


def test_at_least_forty_items_have_their_own_form() -> None:
    assert len(FORMS) >= 40


def test_every_file_is_one_item_and_one_valid_definition(
        definitions: dict[str, tuple[str, FormDefinition]]) -> None:
    for path in FORMS:
        assert SLUG.match(path.name), path.name
        assert set(_load(path)) == {"item", "form"}, path.name
    assert len(definitions) == len(FORMS)


def test_every_item_exists_in_the_catalogue_once(
        definitions: dict[str, tuple[str, FormDefinition]]) -> None:
    with (PACK / "items.csv").open(encoding="utf-8", newline="") as handle:
        names = {row["name"] for row in csv.DictReader(handle)}
    items = [item for item, _ in definitions.values()]
    assert sorted(set(items) - names) == []
    assert len(items) == len(set(items)), "两份定义对应同一事项"


def test_every_code_set_named_exists_and_is_well_formed(
        definitions: dict[str, tuple[str, FormDefinition]], code_sets: dict[str, Any]) -> None:
    for name, body in code_sets.items():
        assert set(body) == {"title", "source", "options"}, name
        assert body["title"].strip() and body["source"].strip(), name
        values = [option["value"] for option in body["options"]]
        assert values and len(values) == len(set(values)), name
        assert all(option["label"].strip() for option in body["options"]), name
    used = {field.code_set for _, form in definitions.values() for field in _walk(form.fields)
            if field.code_set}
    assert sorted(used - set(code_sets)) == []


def test_no_definition_asks_the_applicants_own_name_or_id_number(
        definitions: dict[str, tuple[str, FormDefinition]]) -> None:
    offending = [(file, field.key) for file, (_, form) in definitions.items()
                 for field in _walk(form.fields)
                 if field.maps_to in APPLICANT_OWN and file not in ALLOWED_APPLICANT_OWN]
    assert offending == []


def test_every_condition_tests_a_value_its_field_can_take(
        definitions: dict[str, tuple[str, FormDefinition]], code_sets: dict[str, Any]) -> None:
    """A `shows_if` on a yes/no field tests true or false; on a single choice, one of its values
    (a condition on a multiple choice would be ambiguous, so there is none)."""

    def values(field: FieldDef) -> set[str]:
        if field.code_set:
            return {option["value"] for option in code_sets[field.code_set]["options"]}
        return {option.value for option in field.options}

    def check(file: str, fields: tuple[FieldDef, ...] | list[FieldDef]) -> list[str]:
        siblings = {field.key: field for field in fields}
        wrong = []
        for field in fields:
            wrong += check(file, field.fields)
            if field.shows_if is None:
                continue
            target = siblings[field.shows_if.field]
            tested = [field.shows_if.equals] if field.shows_if.in_ is None else field.shows_if.in_
            if target.kind == "yes_no":
                ok = all(isinstance(value, bool) for value in tested)
            else:
                ok = (target.kind == "choice" and not target.multiple
                      and all(value in values(target) for value in tested))
            if not ok:
                wrong.append(f"{file}: {field.key}")
        return wrong

    assert [w for file, (_, form) in definitions.items() for w in check(file, form.fields)] == []


def test_every_field_has_a_label(definitions: dict[str, tuple[str, FormDefinition]]) -> None:
    unlabelled = [(file, field.key) for file, (_, form) in definitions.items()
                  for field in _walk(form.fields) if not field.label.strip()]
    assert unlabelled == []


def test_every_definition_says_where_it_came_from(
        definitions: dict[str, tuple[str, FormDefinition]]) -> None:
    for file, (_, form) in definitions.items():
        assert form.source.strip(), file
        if not form.illustrative:  # a real form: the source says where it was seen
            assert "http" in form.source or "GitHub" in form.source, file


def test_the_pack_readme_lists_every_definition() -> None:
    readme = (PACK / "README.md").read_text(encoding="utf-8")
    assert [path.name for path in FORMS if f"`{path.name}`" not in readme] == []


def test_at_least_forty_items_have_a_form_written_from_their_real_application_form(
        definitions: dict[str, tuple[str, FormDefinition]]) -> None:
    """Issue 10 §3: definitions for at least the 40 most used items, written from their real
    application forms; the illustrative ones do not count."""
    real = [file for file, (_, form) in definitions.items() if not form.illustrative]
    assert len(real) >= 40, sorted(real)


def test_the_readme_marks_each_definition_as_its_file_does(
        definitions: dict[str, tuple[str, FormDefinition]]) -> None:
    readme = (PACK / "README.md").read_text(encoding="utf-8")
    wrong = []
    for file, (_, form) in definitions.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{file}`"))
        marked = "**示意**" in row.split("|")[4]
        if marked != form.illustrative:
            wrong.append(file)
    assert wrong == []

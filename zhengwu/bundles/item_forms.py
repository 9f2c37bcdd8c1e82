"""A bundle's one form from its members' own forms: the union (catalog.form_union through
`maps_to`, shared fields asked once) of the applicable members' item forms, checked on the
server, and each member's own answers split from it.

The wizard (step 2) and bundle_submit use the same two functions, so the page and the service
judge the answers by one rule. Answers are checked against the union definition (so every
field of the one form gets its error), then each member's split answers against that member's
own definition (its conditions and limits; an error goes back on the union's path with
form_union.errors_to_union). A member case stores its split answers exactly as a single-item
case does (form_data["answers"] and ["form_title"], cases.answers), so each department's
reviewer reads its own form on the case page.

The bundle's own fields that stand for a meaning the union asks (`meaning`, catalog MAPS_TO:
企业名称、法定代表人、注册资本…) are not asked by the bundle's form (`meanings`); their values
are the union's answers (`facts`), merged into the bundle's cleaned form by the wizard and by
bundle_submit alike, so the bundle case and the members' legacy form_data (definition.
member_form) hold them as before. The value is stored as the union cleaned it, in the unit
MAPS_TO gives the meaning (注册资本 in 元).

File fields of member forms are not collected by the bundle (its materials are collected once
at step 3); a union with a file field asks it, but the wizard offers no upload for it yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zhengwu.bundles import definition as d
from zhengwu.bundles import formdef
from zhengwu.bundles.selectors import member_implementations
from zhengwu.catalog import form_union
from zhengwu.catalog.models import ItemImplementation
from zhengwu.catalog.selectors import UnionForm, form_answers_check, union_form
from zhengwu.regions.models import Region

__all__ = ["Checked", "check", "facts", "meanings", "member_form_data", "union_for",
           "union_of"]


def union_of(implementations: Iterable[ItemImplementation | None]) -> UnionForm | None:
    """The one form of these member implementations (None: none has a form of its own)."""
    return union_form([i for i in implementations if i is not None])


def union_for(definition: d.Definition, answers: Mapping[str, str],
              region: Region) -> UnionForm | None:
    """The one form for the members the situational `answers` choose, where `region` offers
    them (a township-hall bundle is asked with its county until the township is chosen)."""
    members = d.applicable(definition, dict(answers))
    return union_of(member_implementations(definition, members, region).values())


@dataclass
class Checked:
    """The union's cleaned answers, each member's own (by implementation id) and the errors
    on the union's paths ("key", "group.0.sub")."""

    answers: dict[str, Any] = field(default_factory=dict)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def check(union: UnionForm, answers: Mapping[str, Any]) -> Checked:
    """The answers to the union checked with the catalogue's validator (form_answers), the
    union first, then each member on its split answers."""
    cleaned, errors = form_answers_check(union.definition, answers)
    definitions = list(union.members.values())
    members: dict[int, dict[str, Any]] = {}
    for pk, member in union.members.items():
        own = form_union.split(cleaned, member, definitions, code_sets=union.code_sets)
        member_cleaned, member_errors = form_answers_check(member, own)
        members[pk] = member_cleaned
        for path, message in form_union.errors_to_union(
                member_errors, member, definitions, code_sets=union.code_sets).items():
            errors.setdefault(path, message)
    return Checked(cleaned, members, errors)


def member_form_data(form_data: dict[str, Any], union: UnionForm | None, checked: Checked,
                     implementation: ItemImplementation) -> dict[str, Any]:
    """A member case's form_data: the bundle's common fields, and its own answers and form
    title when its item has a form (as cases.services.case_submit stores them)."""
    if union is None or implementation.pk not in union.members:
        return form_data
    return {**form_data, "answers": checked.members.get(implementation.pk, {}),
            "form_title": union.members[implementation.pk].title}


def meanings(union: UnionForm | None) -> frozenset[str]:
    """The shared meanings the union asks on its top level (the bundle's form leaves out its
    fields standing for them; a meaning asked only inside a group is not one fact)."""
    if union is None:
        return frozenset()
    return frozenset(f.maps_to for f in union.definition.fields if f.maps_to)


def facts(definition: d.Definition, union: UnionForm | None,
          answers: Mapping[str, Any]) -> dict[str, str]:
    """The bundle fields' values taken from the union's cleaned `answers`, by meaning (a
    field the union asks but the answers leave out, e.g. hidden by its condition, is "")."""
    if union is None:
        return {}
    by_meaning = {f.maps_to: f.key for f in union.definition.fields if f.maps_to}
    values = {}
    for own in definition.fields:
        key = by_meaning.get(own.meaning) \
            if own.meaning and own.key not in formdef.ALWAYS_ASKED else None
        if key is not None:
            value = answers.get(key)
            values[own.key] = "" if value is None else str(value)
    return values

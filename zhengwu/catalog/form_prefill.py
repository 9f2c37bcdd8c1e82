"""Prefilling an item's form from what is already known, pure.

`prefill(definition, known)` takes `known` keyed by the shared meanings of MAPS_TO
("enterprise.name", "premises.region" …; the pages gather it from the account's verified
identity, the enterprise and, later, licences) and returns answers keyed by the definition's
field keys, in the JSON shape catalog.form_answers accepts. A value that the field's kind cannot
hold is left out rather than forced (the person types it); nothing is validated here: the
prefilled answers go through form_answers.validate like any other.

A group mapped to a meaning (enterprise.shareholders) is prefilled from a list of dicts whose
keys are its sub-fields' meanings or, for sub-fields without one, their keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from zhengwu.catalog.application_form import FieldDef, FormDefinition, Kind
from zhengwu.catalog.form_answers import coerce_yes_no

__all__ = ["prefill"]

TEXT_KINDS = frozenset({Kind.TEXT, Kind.LONG_TEXT, Kind.REGION, Kind.ID_NUMBER, Kind.USCC,
                        Kind.PHONE, Kind.EMAIL})


def prefill(definition: FormDefinition, known: Mapping[str, Any]) -> dict[str, Any]:
    """Answers for the fields whose `maps_to` is known."""
    return _level(definition.fields, known, by_key=False)


def _level(fields: Sequence[FieldDef], known: Mapping[str, Any], *,
           by_key: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields:
        if field.maps_to and field.maps_to in known:
            raw = known[field.maps_to]
        elif by_key and field.key in known:
            raw = known[field.key]
        else:
            continue
        value = _shape(field, raw)
        if value is not None:
            out[field.key] = value
    return out


def _shape(field: FieldDef, raw: Any) -> Any:
    if raw is None:
        return None
    kind = field.kind
    if kind in TEXT_KINDS:
        return _text(raw)
    if kind in (Kind.NUMBER, Kind.MONEY):
        if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal, str)):
            return None
        return str(raw).strip() or None
    if kind == Kind.DATE:
        return _shape_date(raw)
    if kind == Kind.DATE_RANGE:
        if isinstance(raw, Mapping) and {"start", "end"} <= set(raw):
            start, end = _shape_date(raw["start"]), _shape_date(raw["end"])
            return {"start": start, "end": end} if start and end else None
        return None
    if kind == Kind.YES_NO:
        return coerce_yes_no(raw)
    if kind == Kind.CHOICE:
        if field.multiple:
            items = raw if isinstance(raw, list) else [raw]
            texts = [_text(item) for item in items]
            return [text for text in texts if text] or None
        return _text(raw)
    if kind == Kind.GROUP:
        if not isinstance(raw, list):
            return None
        rows = [_level(field.fields, row, by_key=True) for row in raw
                if isinstance(row, Mapping)]
        return [row for row in rows if row] or None
    if kind == Kind.FILE:
        return None  # an attachment is uploaded for this application, never carried over
    return None


def _shape_date(raw: Any) -> str | None:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return _text(raw)


def _text(raw: Any) -> str | None:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        return None
    return str(raw).strip() or None

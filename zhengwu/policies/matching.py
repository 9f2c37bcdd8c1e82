"""Matching many subjects against a benefit at once (issue 14 §1: "for a department, the list
of eligible enterprises"; the benchmark's 10,000 enterprises × 100 benefits): the facts of all
subjects as columns (FactTable, numpy), each rule version's conditions compiled to column
operations, one status per subject.

The answer is the one eligibility.evaluate gives each subject on its own — same conditions,
same day, same "latest fact known as of the day", same staleness, same rule that a failed
condition decides before a missing one (tests/test_matching.py checks the two agree on a
generated corpus). Numbers are compared as float64 here (exact for the integers and 2-decimal
万元 figures facts hold); the per-subject explanation and the amount of a listed subject come
from eligibility.evaluate, in Decimal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import numpy.typing as npt

from zhengwu.policies.eligibility import (
    FACT_SPECS,
    NUMERIC,
    Condition,
    Fact,
    RuleVersion,
    Status,
    as_decimal,
    formula_facts,
)

# Status codes of the vector answer.
NOT_ELIGIBLE, NEEDS_FACTS, ELIGIBLE, NO_RULE = 0, 1, 2, 3
STATUS_OF = {NOT_ELIGIBLE: Status.NOT_ELIGIBLE, NEEDS_FACTS: Status.NEEDS_FACTS,
             ELIGIBLE: Status.ELIGIBLE, NO_RULE: Status.NO_RULE}

Mask = npt.NDArray[np.bool_]


def _day_key(day: dt.date) -> int:
    """yyyymmdd: whole years between two days are (later − earlier) // 10000, anniversaries
    (29 February included) as eligibility._years_since counts them."""
    return day.year * 10000 + day.month * 100 + day.day


@dataclass
class FactTable:
    """The facts of N subjects known on `on`, one column per fact key: numbers as float64,
    dates as yyyymmdd integers, booleans as 0/1, codes as text; `known[key]` marks the
    subjects that have a usable value, `as_of[key]` the day (ordinal) it is true as of."""

    ids: list[str]
    on: dt.date
    values: dict[str, np.ndarray]
    known: dict[str, Mask]
    as_of: dict[str, npt.NDArray[np.int64]]

    @classmethod
    def build(cls, subjects: Mapping[str, Iterable[Fact]], *, on: dt.date,
              keys: Iterable[str] | None = None) -> FactTable:
        ids = list(subjects)
        wanted = set(keys) if keys is not None else set(FACT_SPECS)
        n = len(ids)
        values: dict[str, np.ndarray] = {}
        known: dict[str, Mask] = {}
        as_of: dict[str, npt.NDArray[np.int64]] = {}
        for key in wanted:
            kind = FACT_SPECS[key].kind
            if kind == "number":
                values[key] = np.full(n, np.nan)
            elif kind == "set":
                values[key] = np.full(n, frozenset(), dtype=object)
            elif kind in ("date", "bool"):
                values[key] = np.zeros(n, dtype=np.int64)
            else:
                values[key] = np.full(n, "", dtype=object)
            known[key] = np.zeros(n, dtype=bool)
            as_of[key] = np.zeros(n, dtype=np.int64)
        for row, subject in enumerate(ids):
            latest: dict[str, Fact] = {}
            for fact in subjects[subject]:
                if fact.key in wanted and fact.as_of <= on and (
                        fact.key not in latest or fact.as_of >= latest[fact.key].as_of):
                    latest[fact.key] = fact
            for key, fact in latest.items():
                value = _column_value(key, fact.value)
                if value is not None:
                    values[key][row] = value
                    known[key][row] = True
                    as_of[key][row] = fact.as_of.toordinal()
        return cls(ids, on, values, known, as_of)


def _column_value(key: str, value: object) -> object | None:
    """A fact's value as its column holds it, or None when it cannot be read (eligibility
    treats such a value as missing too)."""
    kind = FACT_SPECS[key].kind
    if value is None:
        return None
    if kind == "number":
        try:
            return float(as_decimal(value))
        except (InvalidOperation, TypeError, ValueError):
            return None
    if kind == "date":
        return _day_key(value) if isinstance(value, dt.date) else None
    if kind == "bool":
        return int(value) if isinstance(value, bool) else None
    if kind == "set":
        return frozenset(str(v) for v in value) \
            if isinstance(value, (list, tuple, set, frozenset)) else None
    return str(value)


def _holds(condition: Condition, table: FactTable) -> Mask:
    return np.asarray(_compare(condition, table), dtype=bool)


def _compare(condition: Condition, table: FactTable) -> Any:
    column, op, want = table.values[condition.fact], condition.op, condition.value
    if op in NUMERIC:
        bound = float(Decimal(str(want)))
        with np.errstate(invalid="ignore"):
            return {"gte": column >= bound, "gt": column > bound, "lte": column <= bound,
                    "lt": column < bound}[op]
    if op == "between":
        low, high = float(Decimal(str(want[0]))), float(Decimal(str(want[1])))
        with np.errstate(invalid="ignore"):
            return (column >= low) & (column <= high)
    if op in ("eq", "ne"):
        equal = column == str(want)
        return equal if op == "eq" else ~equal
    if op in ("in", "not_in"):
        found = np.isin(column, [str(w) for w in want])
        return found if op == "in" else ~found
    if op == "prefix":
        text = column.astype(str)
        out = np.zeros(len(column), dtype=bool)
        for prefix in want:
            out |= np.char.startswith(text, str(prefix))
        return out
    if op == "is_true":
        return column == 1
    if op == "is_false":
        return column == 0
    years = (_day_key(table.on) - column) // 10000
    return years < int(want) if op == "years_since_lt" else years >= int(want)


def match(version: RuleVersion | None, table: FactTable) -> npt.NDArray[np.int8]:
    """The status code of every subject of `table` under `version` (None: NO_RULE)."""
    n = len(table.ids)
    if version is None:
        return np.full(n, NO_RULE, dtype=np.int8)
    unmet = np.zeros(n, dtype=bool)
    missing = np.zeros(n, dtype=bool)
    oldest = (table.on.toordinal() - version.max_fact_age_days
              if version.max_fact_age_days is not None else None)
    for condition in version.conditions:
        usable = table.known[condition.fact]
        if oldest is not None and not FACT_SPECS[condition.fact].lasting:
            usable = usable & (table.as_of[condition.fact] >= oldest)
        if condition.op == "has":
            # Held: met; not held here: unknown (需补充), never unmet (eligibility).
            want = str(condition.value)
            held = usable & np.fromiter((want in codes for codes in table.values[condition.fact]),
                                        dtype=bool, count=n)
            missing |= ~held
            continue
        missing |= ~usable
        unmet |= usable & ~_holds(condition, table)
    status = np.where(unmet, NOT_ELIGIBLE, np.where(missing, NEEDS_FACTS, ELIGIBLE))
    if version.amount:
        # The amount needs its facts too (known as of the day; staleness is the conditions').
        short = np.zeros(n, dtype=bool)
        for key in formula_facts(version.amount):
            short |= ~table.known[key]
        status = np.where((status == ELIGIBLE) & short, NEEDS_FACTS, status)
    return status.astype(np.int8)


def eligible_ids(version: RuleVersion | None, table: FactTable) -> Sequence[str]:
    """The subjects `version` grants to: the department's list for a benefit."""
    codes = match(version, table)
    return [table.ids[i] for i in np.flatnonzero(codes == ELIGIBLE)]

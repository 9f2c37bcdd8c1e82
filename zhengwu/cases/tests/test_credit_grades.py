"""Credit grades and what they take away (cases.credit_grades, issue 15 §3): golden cases for
the grade of a subject's records, and the one table of consequences."""

from __future__ import annotations

import pytest

from zhengwu.cases.credit_grades import (
    CONSEQUENCES,
    Consequence,
    Grade,
    RecordFacts,
    barred,
    grade,
    takes_away,
)
from zhengwu.cases.models import CreditKind

FALSE = CreditKind.FALSE_COMMITMENT.value
CASE = CreditKind.INSPECTION_CASE.value
NOT_REMEDIED = CreditKind.NOT_REMEDIED.value
BLACKLIST = CreditKind.MARKET_BLACKLIST.value


def r(kind: str, repaired: bool = False) -> RecordFacts:
    return RecordFacts(kind=kind, repaired=repaired)


@pytest.mark.parametrize(("records", "expected"), [
    ([], Grade.A),                                            # no record: 守信
    ([r(FALSE, repaired=True)], Grade.B),                     # only repaired: 基本守信
    ([r(CASE, repaired=True), r(FALSE, repaired=True)], Grade.B),
    ([r(FALSE)], Grade.C),                                    # one unrepaired: 失信
    ([r(NOT_REMEDIED)], Grade.C),
    ([r(BLACKLIST)], Grade.C),
    ([r(FALSE), r(CASE, repaired=True)], Grade.C),            # the serious one repaired
    ([r(CASE)], Grade.D),                                     # 立案查处 unrepaired: 严重失信
    ([r(FALSE), r(NOT_REMEDIED)], Grade.D),                   # two unrepaired
    ([r(BLACKLIST), r(BLACKLIST), r(FALSE, repaired=True)], Grade.D),
])
def test_grade_golden_cases(records: list[RecordFacts], expected: Grade) -> None:
    assert grade(records) == expected


def test_every_kind_is_graded_and_only_the_case_is_serious_alone() -> None:
    for kind in CreditKind.values:
        assert grade([r(kind)]) == (Grade.D if kind == CASE else Grade.C)


@pytest.mark.parametrize(("of", "commitment", "market"), [
    (Grade.A, False, False), (Grade.B, False, False),
    (Grade.C, True, False), (Grade.D, True, True)])
def test_the_one_table_of_consequences(of: Grade, commitment: bool, market: bool) -> None:
    assert barred(of, Consequence.NO_COMMITMENT) is commitment
    assert barred(of, Consequence.NO_MARKET) is market
    assert takes_away(of) == CONSEQUENCES[of]


def test_every_grade_and_consequence_has_its_chinese_label() -> None:
    assert [g.label for g in Grade] == ["守信", "基本守信", "失信", "严重失信"]
    assert all(c.label for c in Consequence)
    assert set(CONSEQUENCES) == set(Grade)

"""Credit grades (信用分级分类监管, issue 15 §3): a subject's grade from its 失信记录, and the ONE
table of what each grade takes away. Pure: no database; cases.credit feeds it the records and
asks it (`grade_of`, `refusal`), and every app that takes an option away asks through there.

Source: 国办发〔2019〕35号《关于加快推进社会信用体系建设 构建以信用为基础的新型监管机制的指导意见》
asks departments to grade market subjects by credit (信用分级分类监管) and to apply stricter
supervision and restrictions to 失信 subjects, and lighter supervision to 守信 ones. It does not
prescribe four grades nor what each grade takes away (as far as recalled — **not confirmed**
against the text in this session: no network). The four grades below and their thresholds are
this platform's choice, documented in docs/credit.md:

- **A 守信**: no 失信记录 on this platform.
- **B 基本守信**: records, all repaired (信用修复).
- **C 失信**: one unrepaired record, not a serious kind.
- **D 严重失信**: an unrepaired record of a serious kind (立案查处 after an inspection), or two
  or more unrepaired records.

What each grade takes away (CONSEQUENCES):

- C or worse: 告知承诺 (国办发〔2020〕42号 excludes a subject with a false commitment from 告知承诺
  until repaired; extending it to every 失信 record is this platform's reading of 35号's
  "失信 subjects: restrictions" — not confirmed).
- D: the 中介超市 (no registering as an agency, not drawn nor chosen).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from zhengwu.cases.models import CreditKind


class Grade(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]


GRADE_LABELS = {Grade.A: "守信", Grade.B: "基本守信", Grade.C: "失信", Grade.D: "严重失信"}


class Consequence(enum.StrEnum):
    NO_COMMITMENT = "no_commitment"
    NO_MARKET = "no_market"

    @property
    def label(self) -> str:
        return CONSEQUENCE_LABELS[self]


CONSEQUENCE_LABELS = {
    Consequence.NO_COMMITMENT: "不适用告知承诺制（办理事项须提交材料，不能以承诺代替）",
    Consequence.NO_MARKET: "不得入驻中介超市，不得被抽取或直接选取承接中介服务",
}

# The one table: what each grade takes away. Every check asks `takes_away`.
CONSEQUENCES: dict[Grade, frozenset[Consequence]] = {
    Grade.A: frozenset(),
    Grade.B: frozenset(),
    Grade.C: frozenset({Consequence.NO_COMMITMENT}),
    Grade.D: frozenset({Consequence.NO_COMMITMENT, Consequence.NO_MARKET}),
}

# Kinds serious enough to make one unrepaired record 严重失信.
SERIOUS_KINDS = frozenset({CreditKind.INSPECTION_CASE.value})
# Unrepaired records that make a subject 严重失信 whatever their kinds.
SERIOUS_COUNT = 2


@dataclass(frozen=True)
class RecordFacts:
    kind: str
    repaired: bool


def grade(records: Iterable[RecordFacts]) -> Grade:
    """The subject's grade from all its records (repaired ones included)."""
    rows = list(records)
    open_rows = [r for r in rows if not r.repaired]
    if len(open_rows) >= SERIOUS_COUNT or any(r.kind in SERIOUS_KINDS for r in open_rows):
        return Grade.D
    if open_rows:
        return Grade.C
    if rows:
        return Grade.B
    return Grade.A


def takes_away(of: Grade) -> frozenset[Consequence]:
    return CONSEQUENCES[of]


def barred(of: Grade, consequence: Consequence) -> bool:
    return consequence in CONSEQUENCES[of]


def public(of: Grade) -> Grade:
    """The grade the public credit page shows. A repaired record leaves the public page
    (信用修复: "不再公示"), so B — "had records, all repaired" — is shown as A there: showing
    基本守信 publicly would tell everyone what the repair took down. The subject itself and
    staff read the true grade."""
    return Grade.A if of == Grade.B else of

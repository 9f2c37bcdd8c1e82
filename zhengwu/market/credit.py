"""The published credit formula of the 中介超市 (docs/market.md, page /market/credit-rules/).
Pure: the facts are handed in, the score and each component come out.

    score = 100
          + evaluations: Σ over the owner's evaluations of 2 × (mean of the three stars − 3),
            capped to [−20, +20]      (a 5★ average adds 4 per project, 1★ takes 4)
          − 5 per delayed delivery    (delivered after the due date on the official calendar,
                                       or still undelivered after it; once per project)
          − 10 per upheld complaint (投诉 the 审改办 decided 成立, complaints.py)
          − 20 per sanction of the 审改办
    rounded to one decimal.

The agency is 失信 (blacklisted, not selectable) when the score is below 60, or when a
sanction so decided (`sanction_blacklist`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

BASE = Decimal(100)
PER_STAR = Decimal(2)  # points per star above (below) 3, per evaluation
EVALUATION_CAP = Decimal(20)
PER_DELAY = Decimal(5)
PER_COMPLAINT = Decimal(10)
PER_SANCTION = Decimal(20)
THRESHOLD = Decimal(60)


@dataclass(frozen=True)
class Stars:
    quality: int
    timeliness: int
    attitude: int


@dataclass(frozen=True)
class Credit:
    score: Decimal
    evaluations: Decimal  # the capped evaluation effect
    delays: Decimal       # negative or zero
    complaints: Decimal
    sanctions: Decimal
    blacklisted: bool
    below_threshold: bool


def evaluation_effect(evaluations: Iterable[Stars]) -> Decimal:
    total = Decimal(0)
    for stars in evaluations:
        for value in (stars.quality, stars.timeliness, stars.attitude):
            if not 1 <= value <= 5:
                raise ValueError("stars are 1 to 5")
        mean = Decimal(stars.quality + stars.timeliness + stars.attitude) / 3
        total += PER_STAR * (mean - 3)
    return max(-EVALUATION_CAP, min(EVALUATION_CAP, total))


def _one(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def credit_score(*, evaluations: Iterable[Stars], delays: int, complaints: int,
                 sanctions: int, sanction_blacklist: bool = False) -> Credit:
    if min(delays, complaints, sanctions) < 0:
        raise ValueError("counts are not negative")
    effect = _one(evaluation_effect(evaluations))
    # The count is negated, not the Decimal: −Decimal(5) × 0 is Decimal('-0'), shown as "-0".
    parts = (effect, PER_DELAY * -delays, PER_COMPLAINT * -complaints,
             PER_SANCTION * -sanctions)
    score = _one(BASE + sum(parts, Decimal(0)))
    below = score < THRESHOLD
    return Credit(score=score, evaluations=effect, delays=parts[1], complaints=parts[2],
                  sanctions=parts[3], blacklisted=below or sanction_blacklist,
                  below_threshold=below)

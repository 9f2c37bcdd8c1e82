"""The published rule of 综合评分 (docs/market.md, shown on /market/credit-rules/). Pure: the
prices and the panel's marks go in, each agency's total and the ranking come out.

For each agency registered and qualified when the panel was drawn:

    price score   = 30 × (lowest price among those agencies ÷ the agency's price)
                    (低价优先法: the lowest price earns the full 30 points)
    expert's mark = 技术方案 (0–40) + 服务质量保障 (0–30), by each panel member
    panel score   = mean of the members' marks; with 5 or more marks the single highest and
                    the single lowest are left out first (去掉一个最高分和一个最低分)
    total         = price score + panel score      (at most 100)

Each figure is rounded to two decimals (half up) where it is computed. The highest total
wins; when several share it, a verifiable draw among them decides (as for 最低价).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PRICE_POINTS = Decimal(30)
TECHNICAL_MAX = 40
QUALITY_MAX = 30
PANEL_SIZE = 5       # experts drawn per project
TRIM_FROM = 5        # from this many marks on, the highest and the lowest are left out


@dataclass(frozen=True)
class Mark:
    """One panel member's marks for one agency."""

    technical: int
    quality: int

    def total(self) -> int:
        if not (0 <= self.technical <= TECHNICAL_MAX and 0 <= self.quality <= QUALITY_MAX):
            raise ValueError("marks out of range")
        return self.technical + self.quality


@dataclass(frozen=True)
class Ranked:
    agency: str
    price: Decimal
    price_score: Decimal
    marks: tuple[int, ...]        # each member's mark, in the panel's order
    kept: tuple[int, ...]         # the marks averaged (after trimming)
    panel_score: Decimal
    total: Decimal


def _two(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def price_score(price: Decimal, lowest: Decimal) -> Decimal:
    if price <= 0 or lowest <= 0 or lowest > price:
        raise ValueError("prices are above 0 and the lowest is not above the price")
    return _two(PRICE_POINTS * lowest / price)


def trimmed(marks: Sequence[int]) -> tuple[int, ...]:
    """The marks kept: all of them, or with 5 or more one highest and one lowest left out."""
    if not marks:
        raise ValueError("no marks")
    ordered = sorted(marks)
    return tuple(ordered[1:-1]) if len(ordered) >= TRIM_FROM else tuple(ordered)


def panel_score(marks: Sequence[int]) -> Decimal:
    kept = trimmed(marks)
    return _two(Decimal(sum(kept)) / len(kept))


def rank(prices: Mapping[str, Decimal],
         marks: Sequence[Mapping[str, Mark]]) -> list[Ranked]:
    """Every agency of `prices` ranked by total (highest first; equal totals by agency id,
    which decides nothing: `leaders` hands the tie to a draw). `marks` holds one mapping per
    panel member, agency → Mark, each covering every agency."""
    if not prices or not marks:
        raise ValueError("no agencies or no panel")
    lowest = min(prices.values())
    rows = []
    for agency, price in prices.items():
        given = tuple(member[agency].total() for member in marks)
        ps, panel = price_score(price, lowest), panel_score(given)
        rows.append(Ranked(agency=agency, price=price, price_score=ps, marks=given,
                           kept=trimmed(given), panel_score=panel, total=ps + panel))
    return sorted(rows, key=lambda r: (-r.total, r.agency))


def leaders(ranked: Sequence[Ranked]) -> list[str]:
    """The agencies sharing the highest total (one: the winner; several: drawn among)."""
    if not ranked:
        return []
    top = ranked[0].total
    return sorted(r.agency for r in ranked if r.total == top)

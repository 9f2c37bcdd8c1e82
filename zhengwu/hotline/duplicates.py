"""Duplicate candidates among 12345 work orders (pure: no database, no Django models).

Issue 13 §1: near-identical orders about one matter are merged (kept linked, each caller
answered). The `merge` move does the merging; this module only FINDS candidates, for the
operator to confirm. Two orders are about the same matter when

- they share the category (or neither has one), and
- they are at the same place: the same township (the first 9 digits of the region code) or the
  same address (compared without spaces and punctuation), and
- their texts are alike: the Jaccard index of the character bigrams of title + content is at
  least the threshold (settings.HOTLINE_DUPLICATE_THRESHOLD, default 0.2).

Character bigrams suit Chinese without a tokenizer (no jieba). The default threshold was chosen
on the labelled pairs in tests/test_duplicates.py: calls about one matter worded by different
callers score 0.22 … 0.51, calls about different matters in the same place and category score
0.02 … 0.19 (a narrow gap: 0.2 sits in it) — except when both describe the same spot at length (“五一路小区门口” 路灯 vs 井盖,
0.25): no lexical measure tried (bigram Jaccard/Dice, unigram+bigram cosine, TF-IDF cosine with
document frequencies of the pack's 3,300 orders) separates that pair, so the threshold errs on
the side of showing it. These are candidates only: the operator reads them and merges by hand,
and a wrong candidate costs a glance where a missed duplicate costs a second department's
work. Only orders accepted in the last
HOTLINE_DUPLICATE_DAYS (7) days count; the best five are shown, best first.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_THRESHOLD = 0.2
DEFAULT_DAYS = 7
LIMIT = 5
TOWNSHIP_DIGITS = 9

# Everything that is not a letter or a digit (CJK ideographs are letters to unicodedata).
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Order:
    """What the comparison needs of a work order."""

    number: str
    title: str
    content: str
    category_code: str = ""
    region_code: str = ""
    address: str = ""
    accepted_at: dt.datetime | None = None
    status: str = ""


@dataclass(frozen=True)
class Candidate:
    number: str
    title: str
    score: float
    status: str = ""


def _setting(name: str, default: Any) -> Any:
    try:
        from django.conf import settings

        return getattr(settings, name, default)
    except Exception:  # outside a configured Django the default applies
        return default


def threshold() -> float:
    return float(_setting("HOTLINE_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD))


def days() -> int:
    return int(_setting("HOTLINE_DUPLICATE_DAYS", DEFAULT_DAYS))


def normalized(text: str) -> str:
    """Full-width folded, lower case, without spaces and punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "").lower())


def bigrams(text: str) -> frozenset[str]:
    plain = normalized(text)
    if len(plain) < 2:
        return frozenset({plain}) if plain else frozenset()
    return frozenset(plain[i:i + 2] for i in range(len(plain) - 1))


def similarity(a: str, b: str) -> float:
    """Jaccard index of the character bigrams of two texts, 0 … 1."""
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def _text(order: Order) -> str:
    return f"{order.title} {order.content}"


def same_place(a: Order, b: Order) -> bool:
    if (len(a.region_code) >= TOWNSHIP_DIGITS and len(b.region_code) >= TOWNSHIP_DIGITS
            and a.region_code[:TOWNSHIP_DIGITS] == b.region_code[:TOWNSHIP_DIGITS]):
        return True
    left, right = normalized(a.address), normalized(b.address)
    return bool(left) and left == right


def same_matter(a: Order, b: Order) -> bool:
    """Same category (or both without) and same place: the precondition of a duplicate."""
    return a.category_code == b.category_code and same_place(a, b)


def candidates(order: Order, pool: Iterable[Order], *, at_least: float | None = None,
               limit: int = LIMIT) -> list[Candidate]:
    """The orders of `pool` that look like duplicates of `order`, best first, at most `limit`.

    The caller passes the open orders of the window (see duplicates_selectors); the order itself
    is skipped if it is in the pool."""
    floor = threshold() if at_least is None else at_least
    text = _text(order)
    found = []
    for other in pool:
        if other.number == order.number or not same_matter(order, other):
            continue
        score = similarity(text, _text(other))
        if score >= floor:
            found.append(Candidate(other.number, other.title, round(score, 3), other.status))
    found.sort(key=lambda c: (-c.score, c.number))
    return found[:limit]

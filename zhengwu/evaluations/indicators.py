"""The 好差评 indicator arithmetic: pure, from per-event facts, never from typed-in figures.

No official formula could be read (GB/T 39734-2020 App. B 公开评价指标值 body not found;
standards-notes §3 [NF]); the definitions below follow the notes' inferred ones [I] and
国办发〔2019〕51号 [V] (five levels; 实名差评回访 goal 100%):

- 评价率 (share of events rated) = rated events / service events closed in the period;
- 好评率 = ratings 非常满意 + 满意 + 基本满意 / ratings;
- 差评率 = ratings 不满意 + 非常不满意 / ratings;
- 差评整改率 = 差评 rectified / 差评 to rectify (差评 not found invalid — 误评/恶意差评 confirmed
  by a second reviewer and not overturned on appeal);
- 整改及时率 = 差评 rectified within their limit / 差评 to rectify (an overdue one that is not
  rectified yet counts against it already);
- 实名差评回访率 = 实名差评 called back / 实名差评 to rectify (goal 100%);
- appeals: filed, upheld (the 差评 stands after all), dismissed.

A ratio with no denominator is None ("—" on the pages), never 0 % or 100 %.
Levels are the GB/T 39046 A.8 满意度代码: 1 非常满意 … 5 非常不满意 (standards-notes §3 [V]).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

GOOD_LEVELS: Final = frozenset({1, 2, 3})
BAD_LEVELS: Final = frozenset({4, 5})


def is_bad(level: int) -> bool:
    """差评: 不满意 or 非常不满意 (local implementations of 国办发〔2019〕51号, notes §3)."""
    return level in BAD_LEVELS


@dataclass(frozen=True)
class Facts:
    """What happened to one service event, as the indicators need it. Group keys
    (department, item, staff, month) are labels, never the person served."""

    level: int | None = None  # None: not rated
    invalid: bool = False  # 差评 found invalid (误评/恶意差评) and not overturned
    rectified: bool = False
    rectified_on_time: bool = False
    real_name: bool = True
    called_back: bool = False
    appealed: bool = False
    appeal_upheld: bool = False
    appeal_dismissed: bool = False
    department: str = ""
    item: str = ""
    staff: str = ""
    window: str = ""  # "<hall> <n>号窗口" where it was served; "" online
    month: str = ""  # YYYY-MM of the event's closing


@dataclass
class Tally:
    events: int = 0
    rated: int = 0
    good: int = 0
    bad: int = 0
    to_rectify: int = 0
    rectified: int = 0
    on_time: int = 0
    real_name_bad: int = 0
    called_back: int = 0
    invalid: int = 0
    appeals: int = 0
    appeals_upheld: int = 0
    appeals_dismissed: int = 0
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))

    def add(self, facts: Facts) -> None:
        self.events += 1
        if facts.level is None:
            return
        self.rated += 1
        self.levels[facts.level] += 1
        if not is_bad(facts.level):
            self.good += 1
            return
        self.bad += 1
        self.appeals += facts.appealed
        self.appeals_upheld += facts.appeal_upheld
        self.appeals_dismissed += facts.appeal_dismissed
        if facts.invalid:
            self.invalid += 1
            return
        self.to_rectify += 1
        self.rectified += facts.rectified
        self.on_time += facts.rectified and facts.rectified_on_time
        if facts.real_name:
            self.real_name_bad += 1
            self.called_back += facts.called_back


def ratio(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal (half up), None without a denominator."""
    if whole == 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Indicators:
    tally: Tally
    rated_share: Decimal | None
    good_rate: Decimal | None
    bad_rate: Decimal | None
    rectified_rate: Decimal | None
    on_time_rate: Decimal | None
    callback_rate: Decimal | None


def indicators_of(tally: Tally) -> Indicators:
    return Indicators(
        tally=tally, rated_share=ratio(tally.rated, tally.events),
        good_rate=ratio(tally.good, tally.rated), bad_rate=ratio(tally.bad, tally.rated),
        rectified_rate=ratio(tally.rectified, tally.to_rectify),
        on_time_rate=ratio(tally.on_time, tally.to_rectify),
        callback_rate=ratio(tally.called_back, tally.real_name_bad))


def compute(facts: Iterable[Facts]) -> Indicators:
    tally = Tally()
    for row in facts:
        tally.add(row)
    return indicators_of(tally)


def grouped(facts: Iterable[Facts], key: Callable[[Facts], str]) -> dict[str, Indicators]:
    """Indicators per group (department, item, staff member, month), groups in key order."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for row in facts:
        tallies[key(row)].add(row)
    return {name: indicators_of(tallies[name]) for name in sorted(tallies)}


# --- suspicious ratings ----------------------------------------------------------------------


@dataclass(frozen=True)
class RatingTrace:
    """What the flags look at: never shown as such, only the flags it raises."""

    rating_id: int
    by_staff: bool
    address: str
    at_epoch: float  # seconds
    text: str


FLAG_STAFF: Final = "staff"
FLAG_BURST: Final = "burst"
FLAG_SAME_TEXT: Final = "same_text"
FLAG_LABELS: Final = {FLAG_STAFF: "工作人员账号评价", FLAG_BURST: "同一地址短时集中评价",
                      FLAG_SAME_TEXT: "评价文字雷同"}


def _normal(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def flags(traces: Iterable[RatingTrace], *, burst_count: int,
          burst_seconds: int, same_text_min: int = 2,
          text_min_length: int = 6) -> dict[int, set[str]]:
    """Flags per rating id: rated from a staff account; one of `burst_count` or more ratings
    from one address within `burst_seconds`; a text (letters and digits only, at least
    `text_min_length` of them) given `same_text_min` times or more."""
    rows = list(traces)
    found: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        if row.by_staff:
            found[row.rating_id].add(FLAG_STAFF)
    by_address: dict[str, list[RatingTrace]] = defaultdict(list)
    for row in rows:
        if row.address:
            by_address[row.address].append(row)
    for group in by_address.values():
        group.sort(key=lambda r: r.at_epoch)
        start = 0
        for end in range(len(group)):
            while group[end].at_epoch - group[start].at_epoch > burst_seconds:
                start += 1
            if end - start + 1 >= burst_count:
                for row in group[start:end + 1]:
                    found[row.rating_id].add(FLAG_BURST)
    by_text: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        normal = _normal(row.text)
        if len(normal) >= text_min_length:
            by_text[normal].append(row.rating_id)
    for ids in by_text.values():
        if len(ids) >= same_text_min:
            for rating_id in ids:
                found[rating_id].add(FLAG_SAME_TEXT)
    return dict(found)

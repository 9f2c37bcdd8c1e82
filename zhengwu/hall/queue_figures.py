"""Queue figures (取号叫号 统计): average and p90 wait, numbers served and abandoned, per hall,
window, item and hour (issue 12 §3). Pure: works on `TicketTimes` rows, no database."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from zhengwu.core.clock import SHANGHAI


@dataclass(frozen=True)
class TicketTimes:
    """One queue number's times, as the figures need them (built by
    hall.selectors.ticket_times)."""

    hall_code: str
    number: str                       # the number shown, e.g. "A012"
    window_number: str                # the window that served it last; "" if never called
    item_code: str                    # ItemImplementation code; "" if no item chosen
    item_name: str
    priority: bool                    # taken by a priority group (70+, disabled, pregnant…)
    taken_at: dt.datetime             # aware, UTC as stored
    called_at: dt.datetime | None     # first call
    finished_at: dt.datetime | None   # served (办结) or given up (过号/离开)
    outcome: str                      # "served" | "abandoned" | "waiting" | "serving"


OUTCOMES = ("served", "abandoned", "waiting", "serving")
P90 = 90
# The longest period one may ask for, and the years a date may fall in (beyond them a day's
# bounds would overflow): one rule for the page and the API.
MAX_PERIOD_DAYS = 366
FIRST_YEAR, LAST_YEAR = 1900, 2999
NO_WINDOW, NO_ITEM = "（未叫号）", "（未选事项）"


@dataclass(frozen=True)
class Figures:
    """The figures of one group of numbers taken in the period (a hall, a window, an item,
    an hour, or all of them). Definitions (docs/hall.md, 取号叫号统计):

    - **taken**: every number; **served**, **abandoned**, **waiting**, **serving**: by outcome, so
      taken = served + abandoned + waiting + serving.
    - **wait** of a number = its first call − its taking (`called_at − taken_at`), in minutes. Only
      numbers that were called have one (`called`); the wait figures are over those alone. The
      numbers that waited for ever are counted apart and never silently dropped:
      **left_uncalled** (abandoned before any call) and **waiting** (not called yet).
    - **average wait**: the arithmetic mean of those waits.
    - **p90 wait**: the nearest-rank 90th percentile: sort the n waits ascending, take the k-th,
      k = ⌈0.9 × n⌉ (n = 1: the only one; n = 10: the 9th; n = 11: the 10th). Always one of the
      waits observed, never an interpolation.
    - **average service time**: the mean of `finished_at − called_at` over the numbers served
      (a 过号 is abandoned: it has a wait but no service time).
    - Minutes are rounded to 0.1, half up, once, at the end.
    - **hour**: the hour of the Beijing day (Asia/Shanghai) in which the number was taken; a
      number taken at 23:50 counts in 23:00–24:00 even when called after midnight.
    """

    key: str
    label: str
    taken: int
    served: int
    abandoned: int
    waiting: int
    serving: int
    called: int  # numbers called at least once: the ones the wait figures are over
    left_uncalled: int  # abandoned before any call: waited for ever, in no wait figure
    wait_avg_minutes: float | None
    wait_p90_minutes: float | None
    service_avg_minutes: float | None


@dataclass(frozen=True)
class Summary:
    total: Figures
    windows: list[Figures]
    items: list[Figures]
    hours: list[Figures]


def nearest_rank(values: Sequence[float], percent: int) -> float | None:
    """The nearest-rank percentile: the k-th smallest value, k = ⌈percent × n / 100⌉."""
    if not 0 < percent <= 100:
        raise ValueError("percent must be in 1..100")
    if not values:
        return None
    rank = -(-percent * len(values) // 100)  # ceiling, in integers: no float rounding
    return sorted(values)[rank - 1]


def _micros(delta: dt.timedelta) -> int:
    return max(0, delta // dt.timedelta(microseconds=1))  # a clock skew is no negative wait


def _minutes(micros: Decimal | int | None) -> float | None:
    if micros is None:
        return None
    return float((Decimal(micros) / 60_000_000).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _mean(values: list[int]) -> Decimal | None:
    return Decimal(sum(values)) / len(values) if values else None


def figures(rows: Iterable[TicketTimes], key: str = "", label: str = "合计") -> Figures:
    """The figures of `rows` as one group."""
    rows = list(rows)
    waits = [_micros(r.called_at - r.taken_at) for r in rows if r.called_at is not None]
    services = [_micros(r.finished_at - r.called_at) for r in rows if r.outcome == "served"
                and r.called_at is not None and r.finished_at is not None]
    outcomes = {o: sum(r.outcome == o for r in rows) for o in OUTCOMES}
    p90 = nearest_rank(waits, P90)
    return Figures(
        key=key, label=label, taken=len(rows), **outcomes, called=len(waits),
        left_uncalled=sum(r.outcome == "abandoned" and r.called_at is None for r in rows),
        wait_avg_minutes=_minutes(_mean(waits)),
        wait_p90_minutes=_minutes(None if p90 is None else int(p90)),
        service_avg_minutes=_minutes(_mean(services)))


def _grouped(rows: Iterable[TicketTimes], key: Callable[[TicketTimes], str]
             ) -> dict[str, list[TicketTimes]]:
    groups: dict[str, list[TicketTimes]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """"A2" before "A10"; the empty key (no window, no item) last."""
    if not text:
        return ((2, ""),)
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.split(r"(\d+)", text) if part)


def per_hall(rows: Iterable[TicketTimes]) -> list[Figures]:
    return [figures(group, code, code)
            for code, group in sorted(_grouped(rows, lambda r: r.hall_code).items())]


def per_window(rows: Iterable[TicketTimes]) -> list[Figures]:
    """Per window that served the number last; numbers never called in a row of their own."""
    groups = _grouped(rows, lambda r: r.window_number)
    return [figures(groups[number], number, f"{number}号窗口" if number else NO_WINDOW)
            for number in sorted(groups, key=_natural)]


def per_item(rows: Iterable[TicketTimes]) -> list[Figures]:
    """Per item, the most taken first; numbers without an item last."""
    groups = _grouped(rows, lambda r: r.item_code)
    found = [figures(group, code, (group[0].item_name or code) if code else NO_ITEM)
             for code, group in groups.items()]
    return sorted(found, key=lambda f: (not f.key, -f.taken, f.label, f.key))


def beijing_hour(moment: dt.datetime) -> int:
    return moment.astimezone(SHANGHAI).hour


def per_hour(rows: Iterable[TicketTimes]) -> list[Figures]:
    """Per hour of the Beijing day the number was taken in, from the first hour with a number
    to the last; hours between with none are kept (zero), so a chart's axis has no holes."""
    groups = _grouped(rows, lambda r: f"{beijing_hour(r.taken_at):02d}")
    if not groups:
        return []
    first, last = int(min(groups)), int(max(groups))
    return [figures(groups.get(f"{h:02d}", []), f"{h:02d}", f"{h:02d}:00–{h + 1:02d}:00")
            for h in range(first, last + 1)]


def summary(rows: Iterable[TicketTimes]) -> Summary:
    rows = list(rows)
    return Summary(figures(rows), per_window(rows), per_item(rows), per_hour(rows))


def longest_waiting(rows: Iterable[TicketTimes], now: dt.datetime) -> float | None:
    """The longest wait so far of the numbers still waiting, in minutes (None: nobody)."""
    waits = [_micros(now - r.taken_at) for r in rows if r.outcome == "waiting"]
    return _minutes(max(waits)) if waits else None


def period_error(start: dt.date, end: dt.date) -> str | None:
    """Why the period from `start` to `end` (inclusive, Beijing dates) cannot be counted."""
    if not (FIRST_YEAR <= start.year <= LAST_YEAR and FIRST_YEAR <= end.year <= LAST_YEAR):
        return "日期超出可统计的范围。"
    if end < start:
        return "结束日期不能早于开始日期。"
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        return f"统计期间最长 {MAX_PERIOD_DAYS} 天。"
    return None

"""三率 of the 12345 hotline (响应率, 解决率, 满意率) and the monthly counts, computed from the
work orders' events alone (issue 13 §4). Pure: no queries, no clock; the facts are handed in
(results_selectors builds them from WorkOrderEvent rows) and `now` is an argument.

No official formula exists (shared standards-notes §7 "[I] Metrics"); the definitions below
follow Beijing's 接诉即办 pattern and are written out, with their edge cases, in
docs/hotline-results.md. In short, each figure is counted in the Beijing month of the event
that decides it, and for the department holding the order at that event:

- 响应率 = dispatches whose next 签收 was on time (sign event, data.on_time) / dispatches;
  a dispatch is a `dispatch`, an approved 退单 sent on (`return_approve`) or a 下派
  (`delegate`) naming a department (data.department_id). Counted in the dispatch's month.
- 解决率 = callbacks with data.resolved true / callbacks (the callback's month).
- 满意率 = (满意 + 基本满意) / callbacks that carry a satisfaction.
- received = orders accepted (`accept` or `direct`) in the month; 直办 = `direct` events;
  closed on time / late = `close` events at or before / after the order's deadline (due_at);
  overdue = closed late, plus open orders whose deadline fell in the month and has passed by
  `now`; returned = `return` events (退单, against the department that returned it);
  reopened = `reopen` events.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

ASSIGN_ACTIONS = frozenset({"dispatch", "return_approve", "delegate"})
RECEIVE_ACTIONS = frozenset({"accept", "direct"})
GOOD = frozenset({"satisfied", "basic"})  # 满意, 基本满意
SATISFACTIONS = frozenset({"satisfied", "basic", "unsatisfied"})
OPEN_END = frozenset({"closed", "merged"})
HOT_TOP = 5
NONE_KEY = ""  # the group of orders without a department or category


@dataclass(frozen=True)
class OrderFact:
    """What the figures need of one order (never the caller): its category (code, name, and
    its top-level category's name), region, deadline and whether it is still open."""

    number: str
    category_code: str = ""
    category_name: str = ""
    region_code: str = ""
    region_name: str = ""
    due_at: dt.datetime | None = None
    status: str = ""


@dataclass(frozen=True)
class EventFact:
    """One WorkOrderEvent, reduced: the order's number, the action, when, and its data."""

    number: str
    action: str
    at: dt.datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Rates:
    """The counts of one group (a department or a category) in one month, and its 三率."""

    dispatched: int = 0
    signed_on_time: int = 0
    signed_late: int = 0
    callbacks: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    received: int = 0
    direct: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    returned: int = 0
    reopened: int = 0

    @property
    def response_rate(self) -> float | None:
        """响应率, 0..1, None without a dispatch."""
        return _ratio(self.signed_on_time, self.dispatched)

    @property
    def resolution_rate(self) -> float | None:
        """解决率, 0..1, None without a callback."""
        return _ratio(self.resolved, self.callbacks)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率, 0..1, None without a rated callback."""
        return _ratio(self.satisfied, self.rated)

    @property
    def response_percent(self) -> str:
        return percent(self.response_rate)

    @property
    def resolution_percent(self) -> str:
        return percent(self.resolution_rate)

    @property
    def satisfaction_percent(self) -> str:
        return percent(self.satisfaction_rate)

    def add(self, other: Rates) -> None:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNT_FIELDS = ("dispatched", "signed_on_time", "signed_late", "callbacks", "resolved", "rated",
                "satisfied", "received", "direct", "closed", "closed_on_time", "overdue",
                "returned", "reopened")


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(rate: float | None) -> str:
    """A rate as people read it: "87.5%", or "—" when there is nothing to divide."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%"


def month_of(moment: dt.datetime) -> str:
    """The Beijing month of a moment, "YYYY-MM"."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def previous_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of `month` and of the next one, in Beijing time."""
    year, number = (int(part) for part in month.split("-"))
    start = dt.datetime(year, number, 1, tzinfo=SHANGHAI)
    end = dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI) if number == 12 else dt.datetime(
        year, number + 1, 1, tzinfo=SHANGHAI)
    return start, end


@dataclass
class Results:
    """Per month: the totals, and the groups per department (its id as text) and per category
    (its code); NONE_KEY holds what has none yet."""

    total: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))
    by_department: dict[str, dict[str, Rates]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Rates)))
    by_category: dict[str, dict[str, Rates]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Rates)))
    # (department, category): what a department's own category table sums.
    by_pair: dict[str, dict[tuple[str, str], Rates]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Rates)))

    def month(self, month: str) -> Rates:
        return self.total.get(month) or Rates()

    def departments(self, month: str) -> dict[str, Rates]:
        return dict(self.by_department.get(month, {}))

    def categories(self, month: str) -> dict[str, Rates]:
        return dict(self.by_category.get(month, {}))

    def categories_of(self, month: str, departments: set[str]) -> dict[str, Rates]:
        """The categories' figures counting only what `departments` did."""
        found: dict[str, Rates] = defaultdict(Rates)
        for (department, category), rates in self.by_pair.get(month, {}).items():
            if department in departments:
                found[category].add(rates)
        return dict(found)

    def months(self) -> list[str]:
        return sorted(self.total)


def _department_of(data: Mapping[str, Any]) -> str | None:
    value = data.get("department_id")
    return None if value in (None, "") else str(value)


def compute(orders: Iterable[OrderFact], events: Iterable[EventFact], *,
            now: dt.datetime, period: Callable[[dt.datetime], str] = month_of) -> Results:
    """The figures of every month that has an event (see the module's definitions).

    Events are replayed per order in time order, to know which department held the order at
    each event and whether a dispatch's next 签收 was on time. `period` names the bucket of a
    moment: the Beijing month by default; the 营商环境 weekly report passes the ISO week."""
    facts = {order.number: order for order in orders}
    by_order: dict[str, list[EventFact]] = defaultdict(list)
    for event in events:
        by_order[event.number].append(event)
    out = Results()

    def bump(month: str, department: str | None, category: str, **counts: int) -> None:
        key = department or NONE_KEY
        for rates in (out.total[month], out.by_department[month][key],
                      out.by_category[month][category], out.by_pair[month][(key, category)]):
            for name, value in counts.items():
                setattr(rates, name, getattr(rates, name) + value)

    for number, rows in by_order.items():
        order = facts.get(number, OrderFact(number=number))
        category = order.category_code or NONE_KEY
        department: str | None = None
        waiting: tuple[str, str] | None = None  # (dispatch month, department) awaiting 签收
        received = False  # an order accepted, then 直办, is received once
        for event in sorted(rows, key=lambda row: row.at):
            month = period(event.at)
            action = event.action
            if action in ASSIGN_ACTIONS and _department_of(event.data) is not None:
                department = _department_of(event.data)
                waiting = (month, department or NONE_KEY)
                bump(month, department, category, dispatched=1)
            elif action == "sign":
                if waiting is not None:
                    on_time = event.data.get("on_time") is True
                    # Credited to the dispatch's month: the rate's denominator lives there.
                    bump(waiting[0], waiting[1], category,
                         signed_on_time=int(on_time), signed_late=int(not on_time))
                    waiting = None
            elif action in RECEIVE_ACTIONS:
                bump(month, department, category, received=int(not received),
                     direct=int(action == "direct"))
                received = True
            elif action == "callback":
                satisfaction = str(event.data.get("satisfaction") or "")
                rated = satisfaction in SATISFACTIONS
                bump(month, department, category, callbacks=1,
                     resolved=int(event.data.get("resolved") is True), rated=int(rated),
                     satisfied=int(satisfaction in GOOD))
            elif action == "close":
                late = order.due_at is not None and event.at > order.due_at
                bump(month, department, category, closed=1, closed_on_time=int(not late),
                     overdue=int(late))
            elif action == "return":
                bump(month, department, category, returned=1)
            elif action == "reopen":
                bump(month, department, category, reopened=1)
        if (order.due_at is not None and order.status and order.status not in OPEN_END
                and order.due_at < now):
            bump(period(order.due_at), department, category, overdue=1)
    return out


@dataclass(frozen=True)
class Topic:
    """A hot topic: a category or a place, its orders this month and last, and the rise."""

    key: str
    label: str
    count: int
    previous: int

    @property
    def rise(self) -> int:
        return self.count - self.previous

    @property
    def rise_text(self) -> str:
        """"+3 (+50.0%)", "+2 (新增)", "-1 (-25.0%)", "0"."""
        if self.rise == 0:
            return "0"
        sign = "+" if self.rise > 0 else ""
        if self.previous == 0:
            return f"{sign}{self.rise} (新增)"
        return f"{sign}{self.rise} ({sign}{self.rise / self.previous * 100:.1f}%)"


@dataclass(frozen=True)
class HotTopics:
    month: str
    previous_month: str
    categories: list[Topic]
    regions: list[Topic]
    rising_categories: list[Topic]
    rising_regions: list[Topic]


def _topics(this: Counter[tuple[str, str]], last: Counter[tuple[str, str]],
            ) -> tuple[list[Topic], list[Topic]]:
    keys = set(this) | set(last)
    labels = dict(keys)
    counts_now: Counter[str] = Counter()
    counts_then: Counter[str] = Counter()
    for (key, _label), value in this.items():
        counts_now[key] += value
    for (key, _label), value in last.items():
        counts_then[key] += value
    topics = [Topic(key, labels[key], counts_now[key], counts_then[key]) for key in labels]
    by_count = sorted((t for t in topics if t.count), key=lambda t: (-t.count, -t.rise, t.key))
    by_rise = sorted((t for t in topics if t.rise > 0), key=lambda t: (-t.rise, -t.count, t.key))
    return by_count[:HOT_TOP], by_rise[:HOT_TOP]


def hot_topics(orders: Iterable[OrderFact], events: Iterable[EventFact], *,
               month: str) -> HotTopics:
    """Top categories and places (region) by orders received in `month`, each with last
    month's count and the rise; and the fastest-rising ones."""
    facts = {order.number: order for order in orders}
    before = previous_month(month)
    cats: dict[str, Counter[tuple[str, str]]] = {month: Counter(), before: Counter()}
    places: dict[str, Counter[tuple[str, str]]] = {month: Counter(), before: Counter()}
    seen: set[tuple[str, str]] = set()
    for event in events:
        if event.action not in RECEIVE_ACTIONS:
            continue
        when = month_of(event.at)
        if when not in cats or (event.number, when) in seen:
            continue
        seen.add((event.number, when))  # accepted then 直办: one order
        order = facts.get(event.number, OrderFact(number=event.number))
        cats[when][(order.category_code or NONE_KEY, order.category_name or "未分类")] += 1
        places[when][(order.region_code or NONE_KEY, order.region_name or "未注明地点")] += 1
    top_cats, rising_cats = _topics(cats[month], cats[before])
    top_places, rising_places = _topics(places[month], places[before])
    return HotTopics(month, before, top_cats, top_places, rising_cats, rising_places)

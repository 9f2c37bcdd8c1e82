"""三率 from events (results.py, pure): hand-counted examples of each definition in
docs/hotline-results.md — month boundaries in Beijing time, 退单 and re-dispatch, late sign,
callbacks without a satisfaction, overdue open orders, hot topics and their rise."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.hotline import results as r
from zhengwu.hotline.results import EventFact, OrderFact

BJ = r.SHANGHAI


def at(m: int, d: int, hh: int = 10, y: int = 2026) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=BJ)


def ev(number: str, action: str, when: dt.datetime, **data: object) -> EventFact:
    return EventFact(number=number, action=action, at=when, data=data)


NOW = at(12, 20)

ORDERS = [
    OrderFact("A", "0101", "供水", "430481", "蔡子池街道", due_at=at(11, 10), status="closed"),
    OrderFact("B", "0101", "供水", "430481", "蔡子池街道", due_at=at(11, 12), status="closed"),
    OrderFact("C", "0202", "噪声", "430482", "水东江街道", due_at=at(11, 5), status="handling"),
    OrderFact("D", "0303", "政策咨询", "", "", status="closed"),
]

EVENTS = [
    # A: dispatched to 1, signed on time, answered, resolved and satisfied, closed in time.
    ev("A", "accept", at(11, 2)), ev("A", "dispatch", at(11, 2, 11), department_id=1),
    ev("A", "sign", at(11, 2, 12), on_time=True), ev("A", "answer", at(11, 5)),
    ev("A", "callback", at(11, 6), resolved=True, satisfaction="satisfied"),
    ev("A", "close", at(11, 6, 11)),
    # B: dispatched to 1, returned, re-dispatched to 2, signed late; not resolved but
    # 基本满意; closed late, in December; then reopened.
    ev("B", "accept", at(11, 3)), ev("B", "dispatch", at(11, 3, 11), department_id=1),
    ev("B", "return", at(11, 3, 15), reason="不属本单位"),
    ev("B", "return_approve", at(11, 4), department_id=2),
    ev("B", "sign", at(11, 6), on_time=False),
    ev("B", "callback", at(12, 1), resolved=False, satisfaction="basic"),
    ev("B", "close", at(12, 1, 11)), ev("B", "reopen", at(12, 2)),
    # C: dispatched to 2, never signed, past its deadline and still open.
    ev("C", "accept", at(11, 4)), ev("C", "dispatch", at(11, 4, 11), department_id=2),
    # D: a 咨询 answered on the call (直办) after being accepted: one received order.
    ev("D", "accept", at(11, 30, 23)), ev("D", "direct", at(11, 30, 23)),
    # A callback without a satisfaction counts for 解决率 but not 满意率.
    ev("A", "callback", at(11, 7), resolved=False),
]


@pytest.fixture
def figures() -> r.Results:
    return r.compute(ORDERS, EVENTS, now=NOW)


def test_response_rate_counts_each_dispatch_and_its_next_sign(figures: r.Results) -> None:
    department_1 = figures.departments("2026-11")["1"]
    department_2 = figures.departments("2026-11")["2"]
    assert (department_1.dispatched, department_1.signed_on_time) == (2, 1)  # A, B (returned)
    assert (department_2.dispatched, department_2.signed_on_time, department_2.signed_late) == (
        2, 0, 1)  # B late, C not at all
    assert department_1.response_rate == 0.5
    assert department_2.response_rate == 0
    assert figures.month("2026-11").response_rate == 0.25


def test_resolution_and_satisfaction_rates(figures: r.Results) -> None:
    november = figures.month("2026-11")
    assert (november.callbacks, november.resolved, november.rated, november.satisfied) == (
        2, 1, 1, 1)
    assert november.resolution_rate == 0.5
    assert november.satisfaction_rate == 1.0  # the callback without a satisfaction is left out
    december = figures.month("2026-12")
    assert december.resolution_rate == 0.0
    assert december.satisfaction_rate == 1.0  # 基本满意 counts as satisfied


def test_counts_of_the_month(figures: r.Results) -> None:
    november = figures.month("2026-11")
    assert november.received == 4  # D accepted then 直办 is one order
    assert november.direct == 1
    assert (november.closed, november.closed_on_time) == (1, 1)
    assert november.returned == 1
    assert november.overdue == 1  # C: open, its deadline fell in November and has passed
    december = figures.month("2026-12")
    assert (december.closed, december.closed_on_time, december.overdue) == (1, 0, 1)
    assert december.reopened == 1


def test_returns_are_counted_against_the_department_that_returned(figures: r.Results) -> None:
    assert figures.departments("2026-11")["1"].returned == 1
    assert figures.departments("2026-11")["2"].returned == 0
    assert figures.departments("2026-12")["2"].reopened == 1  # B is department 2's now


def test_per_category(figures: r.Results) -> None:
    water = figures.categories("2026-11")["0101"]
    assert (water.received, water.dispatched, water.signed_on_time) == (2, 3, 1)
    assert figures.categories("2026-11")["0303"].direct == 1


def test_a_department_s_categories_count_its_own_part(figures: r.Results) -> None:
    water_1 = figures.categories_of("2026-11", {"1"})["0101"]
    assert (water_1.dispatched, water_1.signed_on_time, water_1.returned) == (2, 1, 1)
    water_2 = figures.categories_of("2026-11", {"2"})["0101"]
    assert (water_2.dispatched, water_2.signed_late) == (1, 1)
    assert "0202" in figures.categories_of("2026-11", {"2"})
    assert "0202" not in figures.categories_of("2026-11", {"1"})


def test_months_are_beijing_months() -> None:
    late = dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)  # 1 December 00:30 in Beijing
    found = r.compute([], [ev("X", "accept", late)], now=NOW)
    assert found.months() == ["2026-12"]
    assert r.month_of(late) == "2026-12"


def test_no_denominator_is_no_rate_not_zero() -> None:
    empty = r.Rates()
    assert empty.response_rate is None
    assert r.percent(empty.response_rate) == "—"
    assert r.percent(2 / 3) == "66.7%"


def test_an_open_order_not_yet_due_is_not_overdue() -> None:
    order = OrderFact("E", due_at=at(12, 25), status="handling")
    found = r.compute([order], [ev("E", "accept", at(12, 1))], now=NOW)
    assert found.month("2026-12").overdue == 0


def test_month_helpers() -> None:
    assert r.previous_month("2026-01") == "2025-12"
    assert r.previous_month("2026-11") == "2026-10"
    start, end = r.month_bounds("2026-12")
    assert (start, end) == (dt.datetime(2026, 12, 1, tzinfo=BJ), dt.datetime(2027, 1, 1, tzinfo=BJ))


def test_hot_topics_with_their_rise() -> None:
    orders = [OrderFact(f"N{i}", "0101", "供水", "430481", "蔡子池街道") for i in range(3)]
    orders += [OrderFact("N3", "0202", "噪声", "430482", "水东江街道")]
    orders += [OrderFact(f"O{i}", "0202", "噪声", "430482", "水东江街道") for i in range(2)]
    orders += [OrderFact("O2", "0101", "供水", "430481", "蔡子池街道")]
    events = [ev(f"N{i}", "accept", at(12, 2)) for i in range(4)]
    events += [ev(f"O{i}", "accept", at(11, 2)) for i in range(3)]
    events += [ev("N0", "direct", at(12, 2))]  # the same order: counted once
    hot = r.hot_topics(orders, events, month="2026-12")
    assert hot.previous_month == "2026-11"
    assert [(t.label, t.count, t.previous, t.rise) for t in hot.categories] == [
        ("供水", 3, 1, 2), ("噪声", 1, 2, -1)]
    assert hot.categories[0].rise_text == "+2 (+200.0%)"
    assert hot.categories[1].rise_text == "-1 (-50.0%)"
    assert [t.label for t in hot.rising_categories] == ["供水"]
    assert [(t.label, t.count) for t in hot.regions] == [("蔡子池街道", 3), ("水东江街道", 1)]


def test_a_new_topic_says_so() -> None:
    assert r.Topic("x", "x", 2, 0).rise_text == "+2 (新增)"
    assert r.Topic("x", "x", 2, 2).rise_text == "0"

"""The booking rules, pure: limits, cut-off, check-in window and the no-show restriction."""

from __future__ import annotations

import datetime as dt

from zhengwu.hall.rules import (
    BookingPolicy,
    booking_refusal,
    cancel_refusal,
    check_in_refusal,
    restricted_until,
)
from zhengwu.workdays.calendar import SHANGHAI

RULES = BookingPolicy()
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


def at(days: float, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, 0, tzinfo=SHANGHAI) + dt.timedelta(days=days)


def refusal(start: dt.datetime, *, open_count: int = 0, same: int = 0,
            restriction: dt.datetime | None = None) -> str | None:
    found = booking_refusal(now=NOW, start=start, open_count=open_count,
                            same_item_same_day=same, restriction=restriction, rules=RULES)
    return None if found is None else found.code


def test_three_no_shows_in_90_days_restrict_for_30_days_from_the_third() -> None:
    missed = [at(-80), at(-40), at(-10)]
    assert restricted_until(missed, NOW, RULES) == at(20)
    # two are not enough
    assert restricted_until(missed[1:], NOW, RULES) is None
    # three spread over more than 90 days are not a run (exactly 90 days apart is one)
    assert restricted_until([at(-100), at(-40), at(-10)], NOW, RULES) == at(20)
    assert restricted_until([at(-101), at(-40), at(-10)], NOW, RULES) is None
    # the restriction ends 30 days after the third
    assert restricted_until([at(-80), at(-60), at(-31)], NOW, RULES) is None
    assert restricted_until([at(-80), at(-60), at(-29)], NOW, RULES) == at(1)


def test_the_no_show_rule_is_configurable() -> None:
    strict = BookingPolicy(no_show_limit=2, no_show_window_days=30, restriction_days=7)
    assert restricted_until([at(-20), at(-2)], NOW, strict) == at(5)
    assert restricted_until([at(-40), at(-2)], NOW, strict) is None


def test_a_restricted_person_may_not_book() -> None:
    assert refusal(at(1), restriction=at(20)) == "hall.restricted"


def test_limits_per_person_and_per_item_per_day() -> None:
    assert refusal(at(1)) is None
    assert refusal(at(1), open_count=RULES.max_open) == "hall.too_many"
    assert refusal(at(1), open_count=RULES.max_open - 1) is None
    assert refusal(at(1), same=1) == "hall.same_day"


def test_booking_window_past_and_too_far_ahead() -> None:
    assert refusal(NOW) == "hall.slot_past"
    assert refusal(at(RULES.days_ahead, 16)) is None
    assert refusal(at(RULES.days_ahead + 1)) == "hall.too_far_ahead"


def test_cancel_up_to_the_cut_off() -> None:
    start = at(0, 12)  # noon today, cut-off 2 hours: until 10:00
    assert cancel_refusal(now=at(0, 10), start=start, rules=RULES) is None
    late = cancel_refusal(now=at(0, 10) + dt.timedelta(seconds=1), start=start, rules=RULES)
    assert late is not None and late.code == "hall.cancel_too_late"
    assert "2小时" in late.message


def test_check_in_window() -> None:
    start, end = at(0, 11), at(0, 11) + dt.timedelta(minutes=30)
    early = check_in_refusal(now=at(0, 9), start=start, end=end, rules=RULES)
    assert early is not None and early.code == "hall.check_in_early"
    assert check_in_refusal(now=at(0, 10), start=start, end=end, rules=RULES) is None
    late = check_in_refusal(now=end + dt.timedelta(seconds=1), start=start, end=end, rules=RULES)
    assert late is not None and late.code == "hall.check_in_late"

"""The indicator arithmetic against figures computed by hand (no database)."""

from __future__ import annotations

from decimal import Decimal

from zhengwu.evaluations.indicators import (
    FLAG_BURST,
    FLAG_SAME_TEXT,
    FLAG_STAFF,
    Facts,
    RatingTrace,
    compute,
    flags,
    grouped,
    ratio,
)


def test_ratio_rounds_half_up_and_has_no_value_without_a_denominator() -> None:
    assert ratio(1, 3) == Decimal("33.3")
    assert ratio(2, 3) == Decimal("66.7")
    assert ratio(1, 8) == Decimal("12.5")
    assert ratio(0, 0) is None


def test_ten_events_by_hand() -> None:
    # 10 events closed; 8 rated: 3 非常满意, 2 满意, 1 基本满意, 1 不满意, 1 非常不满意.
    # Of the 2 差评: one rectified on time and called back; the other found invalid (not
    # rectified, outside the denominators), appealed and the appeal dismissed.
    rows = [Facts(level=None), Facts(level=None),
            Facts(level=1), Facts(level=1), Facts(level=1), Facts(level=2), Facts(level=2),
            Facts(level=3),
            Facts(level=4, rectified=True, rectified_on_time=True, called_back=True),
            Facts(level=5, invalid=True, appealed=True, appeal_dismissed=True)]
    result = compute(rows)
    assert result.rated_share == Decimal("80.0")      # 8 / 10
    assert result.good_rate == Decimal("75.0")        # 6 / 8
    assert result.bad_rate == Decimal("25.0")         # 2 / 8
    assert result.rectified_rate == Decimal("100.0")  # 1 / 1 (the invalid one is not due)
    assert result.on_time_rate == Decimal("100.0")
    assert result.callback_rate == Decimal("100.0")
    tally = result.tally
    assert (tally.invalid, tally.appeals, tally.appeals_dismissed) == (1, 1, 1)
    assert tally.levels == {1: 3, 2: 2, 3: 1, 4: 1, 5: 1}


def test_late_and_open_rectifications_count_against_timeliness() -> None:
    # 4 valid 差评: rectified on time; rectified late; open; open. 3 of them real-name,
    # 2 of those called back.
    rows = [Facts(level=4, rectified=True, rectified_on_time=True, called_back=True),
            Facts(level=5, rectified=True, rectified_on_time=False, called_back=True),
            Facts(level=4, real_name=True),
            Facts(level=4, real_name=False)]
    result = compute(rows)
    assert result.rectified_rate == Decimal("50.0")   # 2 / 4
    assert result.on_time_rate == Decimal("25.0")     # 1 / 4
    assert result.callback_rate == Decimal("66.7")    # 2 / 3 real-name
    assert result.good_rate == Decimal("0.0")
    assert result.tally.levels == {1: 0, 2: 0, 3: 0, 4: 3, 5: 1}


def test_nothing_rated_has_no_rates() -> None:
    result = compute([Facts(), Facts()])
    assert result.rated_share == Decimal("0.0")
    assert result.good_rate is None and result.callback_rate is None


def test_grouped_per_department() -> None:
    rows = [Facts(level=1, department="甲"), Facts(level=5, department="甲"),
            Facts(department="乙"), Facts(level=2, department="乙")]
    by = grouped(rows, lambda f: f.department)
    assert list(by) == ["乙", "甲"]
    assert by["甲"].bad_rate == Decimal("50.0")
    assert by["乙"].rated_share == Decimal("50.0") and by["乙"].good_rate == Decimal("100.0")


def test_flags_staff_bursts_and_identical_texts() -> None:
    traces = [RatingTrace(1, True, "", 0, ""),
              RatingTrace(2, False, "10.0.0.1", 0, ""),
              RatingTrace(3, False, "10.0.0.1", 100, ""),
              RatingTrace(4, False, "10.0.0.1", 200, ""),
              RatingTrace(5, False, "10.0.0.1", 5000, ""),
              RatingTrace(6, False, "10.0.0.2", 0, "办事效率太低，态度差！"),
              RatingTrace(7, False, "10.0.0.3", 9000, "办事效率太低态度差"),
              RatingTrace(8, False, "10.0.0.4", 0, "好"),
              RatingTrace(9, False, "10.0.0.5", 0, "好")]
    found = flags(traces, burst_count=3, burst_seconds=3600)
    assert found[1] == {FLAG_STAFF}
    assert found[2] == found[3] == found[4] == {FLAG_BURST}
    assert 5 not in found  # 80 minutes after the burst
    assert found[6] == found[7] == {FLAG_SAME_TEXT}
    assert 8 not in found and 9 not in found  # too short to mean anything

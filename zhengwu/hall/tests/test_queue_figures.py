"""The queue figures (取号叫号统计), pure, against figures computed by hand (docs/hall.md):
counts per outcome, average and nearest-rank p90 wait of the numbers called, average service
time of the numbers served, and the numbers that were never called counted apart."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.hall.queue_figures import (
    Figures,
    TicketTimes,
    beijing_hour,
    figures,
    longest_waiting,
    nearest_rank,
    per_hall,
    per_hour,
    per_item,
    per_window,
    period_error,
    summary,
)
from zhengwu.workdays.calendar import SHANGHAI

CITY = "LY-ZWFW"


def bj(hour: int, minute: int = 0, second: int = 0, day: int = 1) -> dt.datetime:
    """A Beijing moment on 2026-12-<day>, stored as UTC like the database gives it."""
    return dt.datetime(2026, 12, day, hour, minute, second, tzinfo=SHANGHAI).astimezone(dt.UTC)


def ticket(number: str, taken: dt.datetime, called: dt.datetime | None = None,
           finished: dt.datetime | None = None, outcome: str = "served", window: str = "",
           item: tuple[str, str] = ("", ""), hall: str = CITY) -> TicketTimes:
    return TicketTimes(hall_code=hall, number=number, window_number=window, item_code=item[0],
                       item_name=item[1], priority=False, taken_at=taken, called_at=called,
                       finished_at=finished, outcome=outcome)


ID_CARD, LICENCE = ("I1", "居民身份证申领"), ("I2", "营业执照")
# The morning of 2026-12-01; waits and service times in minutes written next to each.
MORNING = [
    # served at A01: waits 10 and 20, service 10 and 15
    ticket("A001", bj(9, 0), bj(9, 10), bj(9, 20), "served", "A01", ID_CARD),
    ticket("A002", bj(9, 5), bj(9, 25), bj(9, 40), "served", "A01", ID_CARD),
    # called after 30 minutes at A02, did not come (过号): a wait, no service time
    ticket("A003", bj(9, 30), bj(10, 0), bj(10, 5), "abandoned", "A02", LICENCE),
    # left without ever being called: no wait, counted as left_uncalled
    ticket("A004", bj(9, 40), None, bj(11, 0), "abandoned", "", LICENCE),
    # still waiting, no item chosen
    ticket("A005", bj(10, 15), None, None, "waiting", ""),
    # being served at A02 after a wait of 5
    ticket("A006", bj(10, 20), bj(10, 25), None, "serving", "A02", ID_CARD),
]


def counts(f: Figures) -> tuple[int, ...]:
    return (f.taken, f.served, f.abandoned, f.waiting, f.serving, f.called, f.left_uncalled)


def minutes(f: Figures) -> tuple[float | None, ...]:
    return (f.wait_avg_minutes, f.wait_p90_minutes, f.service_avg_minutes)


# --- nearest-rank p90 -----------------------------------------------------------------------


@pytest.mark.parametrize(("values", "want"), [
    ([], None),
    ([7.0], 7.0),
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9),  # rank ⌈0.9 × 10⌉ = 9
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 10),  # rank ⌈9.9⌉ = 10
    (list(range(1, 21)), 18),
    ([30, 5, 20, 10], 30),  # unsorted; rank ⌈3.6⌉ = 4
    ([5, 5, 5, 5, 5, 5, 5, 5, 5, 10], 5),  # ties: the 9th of 10 is still 5
    ([3, 7, 3, 7], 7),
])
def test_nearest_rank_p90(values: list[float], want: float | None) -> None:
    assert nearest_rank(values, 90) == want


def test_nearest_rank_takes_percentages_only() -> None:
    with pytest.raises(ValueError, match="percent"):
        nearest_rank([1.0], 0)
    with pytest.raises(ValueError, match="percent"):
        nearest_rank([1.0], 101)
    assert nearest_rank([4, 1, 3], 100) == 4
    assert nearest_rank([4, 1, 3], 1) == 1


# --- totals and groups ----------------------------------------------------------------------


def test_an_empty_set_has_zero_counts_and_no_times() -> None:
    total = figures([])
    assert counts(total) == (0, 0, 0, 0, 0, 0, 0)
    assert minutes(total) == (None, None, None)
    assert per_hall([]) == per_window([]) == per_item([]) == per_hour([]) == []
    assert summary([]).total == total and summary([]).hours == []


def test_one_number() -> None:
    one = [ticket("A001", bj(14, 0), bj(14, 7, 30), bj(14, 12), "served", "A01", ID_CARD)]
    total = figures(one)
    assert counts(total) == (1, 1, 0, 0, 0, 1, 0)
    assert minutes(total) == (7.5, 7.5, 4.5)
    [hour] = per_hour(one)
    assert (hour.key, hour.label, hour.taken, hour.wait_p90_minutes) == (
        "14", "14:00–15:00", 1, 7.5)


def test_the_morning_in_total() -> None:
    total = figures(MORNING)
    # taken 6 = served 2 + abandoned 2 + waiting 1 + serving 1; called 4, left uncalled 1
    assert counts(total) == (6, 2, 2, 1, 1, 4, 1)
    # waits 10, 20, 30, 5: average 16.25 → 16.3 (half up), p90 rank ⌈3.6⌉ = 4 → 30;
    # service 10 and 15 → 12.5
    assert minutes(total) == (16.3, 30.0, 12.5)
    assert (total.key, total.label) == ("", "合计")


def test_per_window_keeps_the_numbers_never_called_in_a_row_of_their_own() -> None:
    rows = per_window(MORNING)
    assert [(r.key, r.label) for r in rows] == [
        ("A01", "A01号窗口"), ("A02", "A02号窗口"), ("", "（未叫号）")]
    a01, a02, uncalled = rows
    assert counts(a01) == (2, 2, 0, 0, 0, 2, 0) and minutes(a01) == (15.0, 20.0, 12.5)
    assert counts(a02) == (2, 0, 1, 0, 1, 2, 0) and minutes(a02) == (17.5, 30.0, None)
    assert counts(uncalled) == (2, 0, 1, 1, 0, 0, 1) and minutes(uncalled) == (None, None, None)
    assert sum(r.taken for r in rows) == len(MORNING)


def test_per_item() -> None:
    rows = per_item(MORNING)
    assert [(r.key, r.label) for r in rows] == [
        ("I1", "居民身份证申领"), ("I2", "营业执照"), ("", "（未选事项）")]
    card, licence, none = rows
    # waits 10, 20, 5: average 11.67 → 11.7, p90 rank ⌈2.7⌉ = 3 → 20
    assert counts(card) == (3, 2, 0, 0, 1, 3, 0) and minutes(card) == (11.7, 20.0, 12.5)
    assert counts(licence) == (2, 0, 2, 0, 0, 1, 1) and minutes(licence) == (30.0, 30.0, None)
    assert counts(none) == (1, 0, 0, 1, 0, 0, 0) and minutes(none) == (None, None, None)


def test_per_hour_of_taking_in_beijing_time() -> None:
    nine, ten = per_hour(MORNING)
    assert (nine.key, nine.label, ten.key) == ("09", "09:00–10:00", "10")
    # A001–A004: waits 10, 20, 30 (average 20, p90 30); A004 left uncalled
    assert counts(nine) == (4, 2, 2, 0, 0, 3, 1) and minutes(nine) == (20.0, 30.0, 12.5)
    assert counts(ten) == (2, 0, 0, 1, 1, 1, 0) and minutes(ten) == (5.0, 5.0, None)


def test_hours_without_numbers_between_two_with_some_are_kept_as_zero() -> None:
    rows = per_hour([ticket("A001", bj(8, 40), bj(8, 50), bj(9, 0)),
                     ticket("A002", bj(11, 5), bj(11, 15), bj(11, 30))])
    assert [(r.key, r.taken) for r in rows] == [("08", 1), ("09", 0), ("10", 0), ("11", 1)]
    assert minutes(rows[1]) == (None, None, None)


def test_a_number_taken_at_23_50_beijing_counts_in_hour_23_not_15_utc() -> None:
    late = ticket("A099", bj(23, 50), bj(0, 10, day=2), bj(0, 20, day=2), "served", "A01")
    assert late.taken_at.hour == 15  # as stored
    assert beijing_hour(late.taken_at) == 23
    [hour] = per_hour([late])
    assert (hour.key, hour.taken) == ("23", 1)
    assert minutes(hour) == (20.0, 20.0, 10.0)  # the wait runs past midnight
    early = ticket("A100", bj(0, 5, day=2), bj(0, 15, day=2), bj(0, 30, day=2))
    assert [r.key for r in per_hour([late, early])][:1] == ["00"]
    assert len(per_hour([late, early])) == 24


def test_ties_in_the_wait() -> None:
    rows = [ticket(f"A{n:03d}", bj(9, 0), bj(9, 5), bj(9, 10)) for n in range(9)]
    rows.append(ticket("A009", bj(9, 0), bj(9, 10), bj(9, 20)))
    total = figures(rows)
    assert minutes(total) == (5.5, 5.0, 5.5)  # p90: the 9th of 10 sorted waits is 5


def test_per_hall() -> None:
    other = ticket("B001", bj(9, 0), bj(9, 3), bj(9, 9), hall="LY-CZC")
    rows = per_hall([*MORNING, other])
    assert [(r.key, r.taken) for r in rows] == [("LY-CZC", 1), (CITY, 6)]
    assert minutes(rows[0]) == (3.0, 3.0, 6.0)


def test_longest_waiting_now_is_of_the_numbers_still_waiting() -> None:
    assert longest_waiting(MORNING, now=bj(10, 45)) == 30.0  # A005, taken 10:15
    assert longest_waiting([], now=bj(10, 45)) is None


def test_windows_sort_by_their_number_naturally() -> None:
    rows = [ticket(str(n), bj(9, 0), bj(9, 1), bj(9, 2), window=w)
            for n, w in enumerate(["A10", "A2", "B1", "A01"])]
    assert [r.key for r in per_window(rows)] == ["A01", "A2", "A10", "B1"]


# --- the period asked for -------------------------------------------------------------------


def test_the_period() -> None:
    day = dt.date(2026, 12, 1)
    assert period_error(day, day) is None
    assert period_error(day, day + dt.timedelta(days=365)) is None  # 366 days
    assert period_error(day, day + dt.timedelta(days=366)) == "统计期间最长 366 天。"
    assert period_error(day, day - dt.timedelta(days=1)) == "结束日期不能早于开始日期。"
    assert period_error(dt.date(1, 1, 1), dt.date(1, 1, 2)) == "日期超出可统计的范围。"
    assert period_error(dt.date(9999, 12, 30), dt.date(9999, 12, 31)) == "日期超出可统计的范围。"

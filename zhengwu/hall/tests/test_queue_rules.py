"""The queue's pure rules (ADR 0020), with hand-computed cases: who is next for a window,
the priority group derived from the ID number, the number shown and the voice text."""

from __future__ import annotations

import datetime as dt

from zhengwu.hall.rules import (
    Queued,
    age_on,
    birth_date,
    priority_for,
    queue_order,
    take_refusal,
    ticket_move_refusal,
    ticket_number,
    voice_text,
)
from zhengwu.hall.slots import Session
from zhengwu.workdays.calendar import SHANGHAI


def t(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute, tzinfo=SHANGHAI)


def ids(rows: list[Queued]) -> list[int]:
    return [row.id for row in rows]


def test_walk_ins_by_time_taken() -> None:
    rows = [Queued(1, t(9, 5)), Queued(2, t(9, 1)), Queued(3, t(9, 3))]
    assert ids(queue_order(rows, t(9, 10))) == [2, 3, 1]


def test_priority_groups_before_walk_ins_then_by_time() -> None:
    rows = [Queued(1, t(9, 0)), Queued(2, t(9, 6), "pregnant"), Queued(3, t(9, 2), "elderly"),
            Queued(4, t(9, 1))]
    # The priority groups by time (3 at 9:02, 2 at 9:06), then the walk-ins (1 at 9:00, 4 at 9:01).
    assert ids(queue_order(rows, t(9, 10))) == [3, 2, 1, 4]


def test_appointment_first_once_its_slot_has_begun() -> None:
    rows = [Queued(1, t(8, 50)), Queued(2, t(9, 20), "disabled"),
            Queued(3, t(9, 25), slot_start=t(9, 30)), Queued(4, t(9, 5), slot_start=t(9, 0))]
    # At 9:28 the 9:30 appointment has not begun: it waits like anyone (walk-in, 9:25).
    assert ids(queue_order(rows, t(9, 28))) == [4, 2, 1, 3]
    # At 9:30 both appointments come first, at their slots' times.
    assert ids(queue_order(rows, t(9, 30))) == [4, 3, 2, 1]


def test_ties_by_id() -> None:
    rows = [Queued(7, t(9, 0)), Queued(5, t(9, 0))]
    assert ids(queue_order(rows, t(9, 0))) == [5, 7]


def test_birth_date_and_age() -> None:
    assert birth_date("43048119550301123X") == dt.date(1955, 3, 1)
    assert birth_date("4304811955") is None
    assert birth_date("430481195513011234") is None  # month 13
    assert age_on(dt.date(1955, 3, 1), dt.date(2025, 2, 28)) == 69
    assert age_on(dt.date(1955, 3, 1), dt.date(2025, 3, 1)) == 70


def test_priority_for() -> None:
    day = dt.date(2026, 12, 1)
    assert priority_for("", "430481195612011231", day) == "elderly"  # 70 today
    assert priority_for("", "430481195612021231", day) == ""  # 70 tomorrow
    assert priority_for("pregnant", "430481199001011231", day) == "pregnant"
    assert priority_for("vip", "430481199001011231", day) == ""  # not a configured group


def test_number_requeue_and_voice() -> None:
    assert ticket_number("A", 12) == "A012"
    assert ticket_number("B", 1234) == "B1234"
    assert ticket_move_refusal(action="requeue", requeues=0, limit=1) is None
    refused = ticket_move_refusal(action="requeue", requeues=1, limit=1)
    assert refused is not None and refused.code == "hall.requeue_limit"
    assert voice_text("A012", "3") == "请A012号到3号窗口办理"


# --- 取号时间: when a walk-in may take a number --------------------------------------------

WORKDAY_SESSIONS = [Session("workday", "regular", dt.time(8, 30), dt.time(12, 0)),
                    Session("workday", "lunch", dt.time(12, 0), dt.time(14, 30)),
                    Session("workday", "regular", dt.time(14, 30), dt.time(17, 30)),
                    Session("workday", "by_appointment", dt.time(17, 30), dt.time(19, 0))]


def test_numbers_are_taken_from_an_hour_before_opening_until_walk_in_service_ends() -> None:
    assert take_refusal(t(7, 30), WORKDAY_SESSIONS, early_minutes=60) is None
    early = take_refusal(t(7, 29), WORKDAY_SESSIONS, early_minutes=60)
    assert early is not None and early.code == "hall.take_not_yet" and "07:30" in early.message
    assert take_refusal(t(12, 30), WORKDAY_SESSIONS, early_minutes=60) is None  # 午间延时
    assert take_refusal(t(17, 29), WORKDAY_SESSIONS, early_minutes=60) is None
    # 17:30–19:00 is 预约延时: appointments only, no walk-in numbers.
    over = take_refusal(t(17, 30), WORKDAY_SESSIONS, early_minutes=60)
    assert over is not None and over.code == "hall.take_over" and "17:30" in over.message


def test_no_number_on_a_day_without_walk_in_service() -> None:
    closed = take_refusal(t(10, 0), [], early_minutes=60)
    assert closed is not None and closed.code == "hall.take_closed"
    only_by_appointment = [Session("workday", "by_appointment", dt.time(9), dt.time(12))]
    assert take_refusal(t(10, 0), only_by_appointment, early_minutes=60) is not None

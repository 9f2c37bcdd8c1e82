"""Slot generation on the official calendar, pure (no database): Spring Festival and National
Day 2026 with their 调休 working days, weekend 延时, closures and 预约延时."""

from __future__ import annotations

import datetime as dt

from chinese_calendar import constants as official

from zhengwu.hall.slots import (
    DayRule,
    DayType,
    Session,
    SessionKind,
    Slot,
    day_type,
    slots_for_day,
)
from zhengwu.workdays.calendar import SHANGHAI, WorkdayCalendar

CALENDAR = WorkdayCalendar(holidays=frozenset(official.holidays),
                           makeup_workdays=frozenset(official.workdays),
                           official_years=frozenset(range(2004, 2027)))
T = dt.time
HOURS = [
    Session("workday", SessionKind.REGULAR, T(8, 30), T(12, 0)),
    Session("workday", SessionKind.LUNCH, T(12, 0), T(14, 30)),
    Session("workday", SessionKind.REGULAR, T(14, 30), T(17, 30)),
    Session("workday", SessionKind.BY_APPOINTMENT, T(17, 30), T(19, 0)),
]
GROUPS = {"综合受理": 3, "公安": 1}


def slots(day: dt.date, sessions: list[Session] = HOURS, exceptions: tuple[DayRule, ...] = (),
          after_hours: bool = False) -> list[Slot]:
    return slots_for_day(day, CALENDAR, sessions, exceptions, GROUPS, per_window=2, minutes=30,
                         after_hours=after_hours)


def test_an_ordinary_working_day_has_slots_from_opening_to_closing() -> None:
    day = dt.date(2026, 12, 1)  # Tuesday
    found = slots(day)
    # 8:30–17:30 in half hours = 18 slots, for two groups
    assert len(found) == 18 * 2
    assert found[0].start == dt.datetime(2026, 12, 1, 8, 30, tzinfo=SHANGHAI)
    assert found[-1].end == dt.datetime(2026, 12, 1, 17, 30, tzinfo=SHANGHAI)
    assert {s.capacity for s in found if s.window_group == "综合受理"} == {6}
    assert {s.capacity for s in found if s.window_group == "公安"} == {2}
    # lunch 延时 is open hours: its slots are offered
    assert any(s.kind == SessionKind.LUNCH for s in found)


def test_spring_festival_2026_statutory_holidays_have_no_slot() -> None:
    for day in (dt.date(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)):  # 15–23 Feb
        assert day_type(CALENDAR, day) == DayType.HOLIDAY, day
        assert slots(day) == []


def test_spring_festival_2026_makeup_saturdays_have_slots() -> None:
    for day in (dt.date(2026, 2, 14), dt.date(2026, 2, 28)):  # 调休上班 Saturdays
        assert day.weekday() == 5
        assert day_type(CALENDAR, day) == DayType.WORKDAY
        assert len(slots(day)) == 36


def test_national_day_2026_and_its_makeup_days() -> None:
    for day in (dt.date(2026, 10, 1) + dt.timedelta(days=n) for n in range(7)):
        assert slots(day) == [], day
    assert len(slots(dt.date(2026, 9, 20))) == 36  # Sunday, 调休上班
    assert len(slots(dt.date(2026, 10, 10))) == 36  # Saturday, 调休上班
    assert len(slots(dt.date(2026, 10, 8))) == 36  # Thursday after the holiday


def test_an_ordinary_weekend_has_only_weekend_extended_service() -> None:
    saturday = dt.date(2026, 12, 5)
    assert slots(saturday) == []
    weekend = [*HOURS, Session("rest_day", SessionKind.WEEKEND, T(9, 0), T(12, 0))]
    found = slots(saturday, weekend)
    assert len(found) == 6 * 2 and {s.kind for s in found} == {SessionKind.WEEKEND}
    # …but weekend 延时 does not open a weekend joined to a statutory holiday
    assert slots(dt.date(2026, 2, 21), weekend) == []


def test_an_exception_adds_weekend_slots_and_a_closure_removes_a_working_day() -> None:
    saturday = dt.date(2026, 12, 5)
    extra = DayRule(saturday, closed=False, kind=SessionKind.WEEKEND, start=T(9, 0),
                       end=T(11, 0))
    assert len(slots(saturday, exceptions=(extra,))) == 4 * 2
    closed = DayRule(dt.date(2026, 12, 1), closed=True)
    assert slots(dt.date(2026, 12, 1), exceptions=(closed,)) == []
    # an exception may open a holiday too (a hall's special holiday service)
    holiday = DayRule(dt.date(2026, 10, 3), closed=False, start=T(9, 0), end=T(10, 0))
    assert len(slots(dt.date(2026, 10, 3), exceptions=(holiday,))) == 2 * 2


def test_after_hours_by_appointment_only_for_items_that_allow_it() -> None:
    day = dt.date(2026, 12, 1)
    plain, allowed = slots(day), slots(day, after_hours=True)
    assert not any(s.after_hours for s in plain)
    late = [s for s in allowed if s.after_hours]
    assert len(late) == 3 * 2  # 17:30–19:00
    assert late[0].start.time() == T(17, 30)


def test_a_slot_must_fit_in_its_session_and_overlaps_give_one_slot() -> None:
    odd = [Session("workday", SessionKind.REGULAR, T(9, 0), T(10, 15)),
           Session("workday", SessionKind.REGULAR, T(9, 0), T(10, 0))]
    found = slots_for_day(dt.date(2026, 12, 1), CALENDAR, odd, (), {"综合受理": 1},
                          per_window=1, minutes=30)
    assert [s.start.time() for s in found] == [T(9, 0), T(9, 30)]


def test_a_group_without_windows_has_no_slot() -> None:
    found = slots_for_day(dt.date(2026, 12, 1), CALENDAR, HOURS, (), {"综合受理": 0},
                          per_window=2, minutes=30)
    assert found == []

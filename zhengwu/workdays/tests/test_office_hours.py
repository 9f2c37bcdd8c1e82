"""Adding office hours on the official calendar (WorkdayCalendar.add_office_hours): the
12345 sign-for limit of 2 working hours. Hand-checked against the 2026 schedule: 国庆
10/1–10/7 off, 10/10 (Sat) worked; default office hours 8:30–12:00 and 14:30–17:30."""

import datetime as dt

import pytest

from zhengwu.workdays.calendar import SHANGHAI, WorkdayCalendar


@pytest.fixture(scope="module")
def cal() -> WorkdayCalendar:
    from chinese_calendar import constants as official

    from zhengwu.workdays.selectors import BUNDLED_YEARS

    return WorkdayCalendar(holidays=frozenset(official.holidays),
                           makeup_workdays=frozenset(official.workdays),
                           official_years=BUNDLED_YEARS)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("start", "hours", "expected"), [
    (at(2026, 12, 7, 9, 0), 2, at(2026, 12, 7, 11, 0)),      # inside the morning
    (at(2026, 12, 7, 10, 0), 2, at(2026, 12, 7, 12, 0)),     # ends with the session
    (at(2026, 12, 7, 11, 0), 2, at(2026, 12, 7, 15, 30)),    # across lunch
    (at(2026, 12, 7, 13, 0), 2, at(2026, 12, 7, 16, 30)),    # started at lunch
    (at(2026, 12, 7, 17, 0), 2, at(2026, 12, 8, 10, 0)),     # across the evening
    (at(2026, 12, 7, 7, 0), 2, at(2026, 12, 7, 10, 30)),     # before office hours
    (at(2026, 12, 4, 16, 30), 2, at(2026, 12, 7, 9, 30)),    # across the weekend
    (at(2026, 12, 5, 10, 0), 2, at(2026, 12, 7, 10, 30)),    # started on a Saturday
    (at(2026, 10, 9, 17, 0), 2, at(2026, 10, 10, 10, 0)),    # 调休 Saturday worked
    (at(2026, 9, 30, 17, 0), 2, at(2026, 10, 8, 10, 0)),     # National Day skipped
    (at(2026, 12, 7, 9, 0), 0, at(2026, 12, 7, 9, 0)),
])
def test_adding_office_hours(cal, start, hours, expected):
    deadline = cal.add_office_hours(start, hours)
    assert deadline.due == expected
    assert not deadline.provisional


def test_reaching_a_year_without_schedule_is_provisional(cal):
    deadline = cal.add_office_hours(at(2026, 12, 31, 17, 0), 2)
    assert deadline.due == at(2027, 1, 1, 10, 0)  # weekdays only in 2027 (no schedule yet)
    assert deadline.provisional


def test_negative_hours_refused(cal):
    with pytest.raises(ValueError, match="must not be negative"):
        cal.add_office_hours(at(2026, 12, 7, 9, 0), -1)

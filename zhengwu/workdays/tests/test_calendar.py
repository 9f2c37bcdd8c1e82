"""Working-day arithmetic on the real official calendar: hand-checked golden cases.

Schedules: 国办发明电〔2024〕12号 (2025) and the 2026 notice, as bundled by chinesecalendar 1.11.0.
2025: 春节 1/28–2/4 off, 1/26 (Sun) and 2/8 (Sat) worked; 国庆中秋 10/1–10/8 off, 9/28 (Sun)
and 10/11 (Sat) worked. 2026: 元旦 1/1–1/3 off, 1/4 (Sun) worked; 春节 2/15–2/23 off, 2/14 and
2/28 (Sat) worked; 国庆 10/1–10/7 off, 10/10 (Sat) worked. 2027 has no official schedule yet.
"""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.workdays.calendar import SHANGHAI, WorkdayCalendar
from zhengwu.workdays.selectors import calendar_build

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkdayCalendar:
    from chinese_calendar import constants as official

    from zhengwu.workdays.selectors import BUNDLED_YEARS

    return WorkdayCalendar(holidays=frozenset(official.holidays),
                           makeup_workdays=frozenset(official.workdays),
                           official_years=BUNDLED_YEARS)


@pytest.mark.parametrize(("start", "days", "expected", "provisional"), [
    (D(2025, 9, 26), 20, D(2025, 10, 30), False),   # standards-notes §5 demo
    (D(2025, 9, 26), 30, D(2025, 11, 13), False),   # + 10-day extension (行政许可法 art. 42)
    (D(2025, 9, 30), 1, D(2025, 10, 9), False),     # National Day week skipped
    (D(2025, 9, 27), 1, D(2025, 9, 28), False),     # 调休 Sunday counts
    (D(2025, 10, 10), 1, D(2025, 10, 11), False),   # 调休 Saturday counts
    (D(2025, 10, 11), 1, D(2025, 10, 13), False),
    (D(2025, 1, 24), 1, D(2025, 1, 26), False),     # Spring Festival make-up Sunday
    (D(2025, 1, 26), 1, D(2025, 1, 27), False),
    (D(2025, 1, 27), 1, D(2025, 2, 5), False),      # 1/28–2/4 off
    (D(2025, 1, 27), 5, D(2025, 2, 10), False),     # 2/8 (Sat) worked
    (D(2025, 12, 31), 1, D(2026, 1, 4), False),     # New Year 2026, make-up Sunday 1/4
    (D(2026, 2, 13), 1, D(2026, 2, 14), False),
    (D(2026, 2, 14), 1, D(2026, 2, 24), False),     # 2/15–2/23 off
    (D(2026, 2, 24), 4, D(2026, 2, 28), False),     # 2/28 (Sat) worked
    (D(2026, 9, 30), 1, D(2026, 10, 8), False),
    (D(2026, 10, 9), 1, D(2026, 10, 10), False),
    (D(2026, 12, 24), 5, D(2026, 12, 31), False),   # stays inside 2026: official
    (D(2026, 12, 25), 5, D(2027, 1, 1), True),      # reaches 2027: weekends only, provisional
    (D(2026, 12, 31), 1, D(2027, 1, 1), True),
    (D(2027, 3, 1), 3, D(2027, 3, 4), True),
    (D(2025, 10, 1), 0, D(2025, 10, 1), False),     # 即办: the same day
    (D(2025, 5, 30), 1, D(2025, 6, 3), False),      # 端午 5/31–6/2
    (D(2025, 4, 30), 1, D(2025, 5, 6), False),      # 劳动节 5/1–5/5
    (D(2025, 4, 25), 1, D(2025, 4, 27), False),     # 劳动节 make-up Sunday 4/27
])
def test_adding_working_days(cal, start, days, expected, provisional):
    assert cal.add_workdays(start, days) == (expected, provisional)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2025, 9, 26), D(2025, 10, 30), 20),
    (D(2025, 10, 1), D(2025, 10, 8), 0),
    (D(2025, 9, 30), D(2025, 10, 11), 3),
    (D(2025, 9, 30), D(2025, 9, 30), 0),
    (D(2025, 10, 30), D(2025, 9, 26), -20),
])
def test_counting_working_days_between(cal, start, end, expected):
    assert cal.workdays_between(start, end) == expected


def at(y, m, d, hh=9, mm=0, ss=0):
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("start", "days", "due", "provisional"), [
    # Whole days end at the end of the last working day, whatever the hour of acceptance.
    (at(2025, 9, 26, 23, 59, 59), 20, at(2025, 10, 30, 23, 59, 59), False),
    (at(2025, 10, 10, 9), 1, at(2025, 10, 11, 23, 59, 59), False),
    # Beijing date counts, not UTC: 16:30 UTC on 10/10 is 00:30 on Saturday 10/11.
    (dt.datetime(2025, 10, 10, 16, 30, tzinfo=dt.UTC), 1, at(2025, 10, 13, 23, 59, 59), False),
    # Half days: the session under way is not counted.
    (at(2025, 10, 10, 9), Decimal("0.5"), at(2025, 10, 10, 17, 30), False),
    (at(2025, 10, 10, 15), Decimal("0.5"), at(2025, 10, 11, 12, 0), False),
    (at(2025, 9, 30, 15), Decimal("0.5"), at(2025, 10, 9, 12, 0), False),
    (at(2025, 9, 30, 8), Decimal("0.5"), at(2025, 9, 30, 12, 0), False),   # before opening
    (at(2025, 10, 1, 10), Decimal("0.5"), at(2025, 10, 9, 12, 0), False),  # on a holiday
    # N and a half days: N whole days, then the next working day's morning.
    (at(2025, 10, 10, 12, 30), Decimal("1.5"), at(2025, 10, 13, 12, 0), False),
    (at(2025, 9, 30, 16), Decimal("2.5"), at(2025, 10, 11, 12, 0), False),
    (at(2026, 12, 31, 15), Decimal("0.5"), at(2027, 1, 1, 12, 0), True),
])
def test_deadlines(cal, start, days, due, provisional):
    deadline = cal.deadline(start, days)
    assert deadline.due.replace(microsecond=0) == due
    assert deadline.provisional is provisional


def test_the_text_form_says_provisional(cal):
    assert cal.deadline(at(2026, 12, 31), 1).as_text() == "2027-01-01 provisional"
    assert cal.deadline(at(2025, 9, 26), 20).as_text() == "2025-10-30"


def test_bad_amounts_are_refused(cal):
    with pytest.raises(ValueError, match="half"):
        cal.deadline(at(2025, 1, 2), Decimal("0.3"))
    with pytest.raises(ValueError, match="negative"):
        cal.add_workdays(D(2025, 1, 2), -1)


@given(start=st.dates(min_value=D(2004, 1, 1), max_value=D(2028, 12, 31)),
       days=st.integers(min_value=1, max_value=60))
def test_adding_then_counting_gives_back_the_days(start, days):
    cal = _bundled()
    end, _ = cal.add_workdays(start, days)
    assert cal.is_workday(end)
    assert cal.workdays_between(start, end) == days
    assert cal.add_workdays(start, days - 1)[0] < end


@given(start=st.datetimes(min_value=dt.datetime(2004, 1, 2),  # noqa: DTZ001 — naive, then Beijing
                          max_value=dt.datetime(2028, 12, 1)),  # noqa: DTZ001
       halves=st.integers(min_value=1, max_value=20))
def test_a_longer_limit_never_ends_earlier(start, halves):
    # 0 (即办) is special: "on the spot", due by the end of the day of acceptance.
    cal = _bundled()
    moment = start.replace(tzinfo=SHANGHAI)
    shorter = cal.deadline(moment, Decimal(halves) / 2)
    longer = cal.deadline(moment, Decimal(halves + 1) / 2)
    assert shorter.due < longer.due
    assert cal.is_workday(longer.due.date())
    assert longer.due > moment


_CAL: list[WorkdayCalendar] = []


def _bundled() -> WorkdayCalendar:
    if not _CAL:
        from chinese_calendar import constants as official

        from zhengwu.workdays.selectors import BUNDLED_YEARS

        _CAL.append(WorkdayCalendar(frozenset(official.holidays), frozenset(official.workdays),
                                    BUNDLED_YEARS))
    return _CAL[0]


@pytest.mark.django_db
def test_an_entered_year_makes_its_deadlines_official():
    from zhengwu.core.audit import SYSTEM
    from zhengwu.workdays.services import parse_schedule, schedule_year_enter

    assert calendar_build().add_workdays(D(2026, 12, 31), 1) == (D(2027, 1, 1), True)
    rows = parse_schedule("date,kind,name\n2027-01-01,放假,元旦\n2027-02-20,上班,春节\n")
    schedule_year_enter(year=2027, rows=rows, document="国办发明电〔2026〕示例号", actor=SYSTEM)
    calendar = calendar_build()
    assert calendar.add_workdays(D(2026, 12, 31), 1) == (D(2027, 1, 4), False)
    assert calendar.is_workday(D(2027, 2, 20))


# --- working time actually taken (measures [12]'s "≤ 1 working day") -----------------------


def _at(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("start", "end", "days"), [
    # Same session: 9:00 → 10:45 is 1.75 h of a 6.5 h office day.
    (_at(2026, 12, 1, 9), _at(2026, 12, 1, 10, 45), Decimal("0.27")),
    # The lunch break does not count: 11:00 → 15:30 = 1 h + 1 h.
    (_at(2026, 12, 1, 11), _at(2026, 12, 1, 15, 30), Decimal("0.31")),
    # A whole office day.
    (_at(2026, 12, 1, 8, 30), _at(2026, 12, 1, 17, 30), Decimal("1.00")),
    # Overnight costs nothing: Tue 16:30 → Wed 9:30 = 2 office hours.
    (_at(2026, 12, 1, 16, 30), _at(2026, 12, 2, 9, 30), Decimal("0.31")),
    # A weekend costs nothing: Fri 17:00 → Mon 9:00 = 1 office hour.
    (_at(2026, 12, 4, 17), _at(2026, 12, 7, 9), Decimal("0.15")),
    # The 2026 National Day holiday (Oct 1–7) costs nothing; Sat Oct 10 is a 调休 working day.
    (_at(2026, 9, 30, 17), _at(2026, 10, 8, 9), Decimal("0.15")),
    # Nothing elapsed, or the end before the start.
    (_at(2026, 12, 1, 9), _at(2026, 12, 1, 9), Decimal("0")),
    (_at(2026, 12, 1, 10), _at(2026, 12, 1, 9), Decimal("0")),
])
def test_office_time_between(start: dt.datetime, end: dt.datetime, days: Decimal) -> None:
    assert _bundled().office_workdays_between(start, end) == days

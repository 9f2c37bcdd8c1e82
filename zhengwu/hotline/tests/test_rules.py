"""The limits of a work order (rules), hand-checked on the official 2026 calendar: 国庆
10/1–10/7 off, 10/10 (Sat) worked; 春节 2/15–2/23 off, 2/14 and 2/28 (Sat) worked."""

import datetime as dt
from types import SimpleNamespace

import pytest

from zhengwu.hotline import rules
from zhengwu.hotline.rules import Limits
from zhengwu.workdays.calendar import END_OF_DAY, SHANGHAI, WorkdayCalendar


@pytest.fixture(scope="module")
def cal() -> WorkdayCalendar:
    from chinese_calendar import constants as official

    from zhengwu.workdays.selectors import BUNDLED_YEARS

    return WorkdayCalendar(holidays=frozenset(official.holidays),
                           makeup_workdays=frozenset(official.workdays),
                           official_years=BUNDLED_YEARS)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def end(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime.combine(dt.date(year, month, day), END_OF_DAY, SHANGHAI)


@pytest.mark.parametrize(("kind", "days"), [
    ("consult", 1), ("help", 3), ("complaint", 5), ("report", 5), ("suggestion", 10),
    ("praise", 10)])
def test_default_limits_by_kind(kind, days):
    assert rules.limits(kind) == Limits(sign_hours=2, days=days)


@pytest.mark.parametrize(("kind", "days"), [
    ("consult", 1), ("help", 1), ("complaint", 2), ("suggestion", 5)])
def test_business_orders_get_half_rounded_down_at_least_one(kind, days):
    assert rules.limits(kind, business=True).days == days


def test_urgent_orders_are_shorter():
    assert rules.limits("suggestion", urgent=True) == Limits(sign_hours=1, days=1)


def test_category_overrides_the_kind():
    category = SimpleNamespace(limit_days=7, business=False)
    assert rules.limits("complaint", category).days == 7
    assert rules.limits("complaint", SimpleNamespace(limit_days=0)).days == 5


def test_settings_override_the_defaults(settings):
    settings.HOTLINE_LIMITS = {"complaint": 8}
    settings.HOTLINE_SIGN_HOURS = 4
    assert rules.limits("complaint") == Limits(sign_hours=4, days=8)
    assert rules.limits("help").days == 3


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown order kind"):
        rules.limits("rumour")


def test_business_flag():
    assert rules.is_business(enterprise_uscc="91430481MA4L000000")
    assert rules.is_business(enterprise_uscc="", category=SimpleNamespace(business=True))
    assert not rules.is_business(enterprise_uscc=" ", category=None)


def test_deadline_across_a_tiaoxiu_saturday(cal):
    # Friday 10/9 16:00, a complaint: 10/10 (Sat, 调休) is the first working day.
    sign_due, due = rules.deadlines(cal, at(2026, 10, 9, 16, 0), Limits(2, 5))
    assert sign_due == at(2026, 10, 10, 9, 0)  # 1.5 h on Friday, 0.5 h on the 调休 Saturday
    assert due == end(2026, 10, 15)  # 10/10, 12, 13, 14, 15


def test_deadline_across_national_day(cal):
    sign_due, due = rules.deadlines(cal, at(2026, 9, 30, 10, 0), Limits(2, 3))
    assert sign_due == at(2026, 9, 30, 12, 0)
    assert due == end(2026, 10, 10)  # 10/8, 10/9, 10/10 (调休 Saturday)


def test_deadline_across_spring_festival(cal):
    sign_due, due = rules.deadlines(cal, at(2026, 2, 13, 17, 0), Limits(2, 5))
    assert sign_due == at(2026, 2, 14, 10, 0)  # the 调休 Saturday before the holiday
    assert due == end(2026, 2, 27)  # 2/14, then 2/24–2/27


def test_sign_due_in_working_hours_after_a_weekend(cal):
    sign_due, _ = rules.deadlines(cal, at(2026, 12, 4, 18, 0), Limits(2, 5))
    assert sign_due == at(2026, 12, 7, 10, 30)


def test_extension_adds_working_days(cal):
    assert rules.extended(cal, end(2026, 9, 30), 2) == end(2026, 10, 9)


@pytest.mark.parametrize(("now", "level"), [
    (at(2026, 12, 7, 9, 0), 0),
    (at(2026, 12, 8, 17, 30), 0),    # 2 of 5 days: 40 %
    (at(2026, 12, 9, 14, 30), 50),   # 2.5 of 5
    (at(2026, 12, 10, 17, 30), 80),  # 4 of 5
    (at(2026, 12, 11, 23, 0), 80),   # the last day: still in time
    (at(2026, 12, 12, 1, 0), 100),   # overdue
])
def test_warning_levels(cal, now, level):
    start, due = at(2026, 12, 7, 8, 30), end(2026, 12, 11)
    assert rules.warn_level(cal, start, due, now) == level


@pytest.mark.parametrize(("now", "card"), [
    (at(2026, 12, 11, 20, 0), ""),
    (at(2026, 12, 12, 9, 0), "yellow"),   # Saturday: overdue, 0 working days late
    (at(2026, 12, 15, 9, 0), "yellow"),   # 2 working days late
    (at(2026, 12, 16, 9, 0), "red"),      # 3 working days late: more than 2
])
def test_cards(cal, now, card):
    assert rules.card_of(cal, end(2026, 12, 11), now) == card


def test_red_card_counts_working_days_only(cal):
    # Due 9/30; the National Day week does not make it red.
    assert rules.card_of(cal, end(2026, 9, 30), at(2026, 10, 8, 9, 0)) == "yellow"
    assert rules.card_of(cal, end(2026, 9, 30), at(2026, 10, 12, 9, 0)) == "red"

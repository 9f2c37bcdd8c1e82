"""The limits of 依申请公开 (政府信息公开条例, 2019: arts. 30–33), tests first, hand-counted on
the official 2026 calendar (中秋 25–27 September, 国庆 1–7 October, 调休 Sunday 20 September
and Saturday 10 October are working days)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core.errors import InvalidInput
from zhengwu.openness.limits import (
    Consultation,
    Receipt,
    answer_due,
    received_on,
    supplement_notice_due,
    third_party_due,
)
from zhengwu.workdays.selectors import calendar_get

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def calendar():
    return calendar_get()


def test_twenty_working_days_across_mid_autumn_and_national_day(calendar):
    # Received Wednesday 16 September: 17, 18, 20 (调休), 21–24, 28–30, 8 Oct, 9, 10 (调休),
    # 12–16, 19, 20 → the 20th working day is Tuesday 20 October.
    assert answer_due(calendar, received=D(2026, 9, 16)).day == D(2026, 10, 20)


def test_an_extension_adds_at_most_twenty_working_days(calendar):
    assert answer_due(calendar, received=D(2026, 9, 16), extension_workdays=20).day == D(
        2026, 11, 17)
    with pytest.raises(InvalidInput, match="20个工作日"):
        answer_due(calendar, received=D(2026, 9, 16), extension_workdays=21)


def test_a_supplement_restarts_the_limit_from_its_receipt(calendar):
    """Art. 30: the 补正 notice within 7 working days of receipt, once; the limit counts from
    the day the supplemented application is received (it restarts, it does not resume)."""
    assert supplement_notice_due(calendar, received=D(2026, 9, 16)) == D(2026, 9, 24)
    due = answer_due(calendar, received=D(2026, 9, 16), supplement_received=D(2026, 9, 30))
    assert due.day == D(2026, 11, 3)


def test_the_time_a_third_party_takes_is_not_counted(calendar):
    """Art. 32: the third party has 15 working days from receiving the letter; art. 33: the
    time consultation takes is not counted in the limit."""
    asked = Consultation(received_by_third_party=D(2026, 10, 12), answered_on=D(2026, 10, 16))
    assert third_party_due(calendar, asked) == D(2026, 11, 2)
    due = answer_due(calendar, received=D(2026, 9, 16), consultations=[asked])
    assert due.day == D(2026, 10, 26)  # 4 working days (13–16 October) not counted
    silent = Consultation(received_by_third_party=D(2026, 10, 12), answered_on=None)
    # Still waiting on 20 October: the time so far (13–20: 6 working days) is not counted.
    assert answer_due(calendar, received=D(2026, 9, 16), consultations=[silent],
                      today=D(2026, 10, 20)).day == D(2026, 10, 28)
    # No answer by its 15 working days: the pause ends there (the agency decides alone).
    assert answer_due(calendar, received=D(2026, 9, 16), consultations=[silent],
                      today=D(2026, 12, 1)).day == D(2026, 11, 10)


@pytest.mark.parametrize(("receipt", "day"), [
    (Receipt(channel="in_person", submitted=D(2026, 9, 16)), D(2026, 9, 16)),
    (Receipt(channel="registered_post", submitted=D(2026, 9, 14), signed_for=D(2026, 9, 16)),
     D(2026, 9, 16)),
    (Receipt(channel="post", submitted=D(2026, 9, 14), confirmed=D(2026, 9, 17)),
     D(2026, 9, 17)),
    (Receipt(channel="online", submitted=D(2026, 9, 30), confirmed=D(2026, 10, 8)),
     D(2026, 10, 8)),
    (Receipt(channel="online", submitted=D(2026, 9, 30)), None),
])
def test_the_day_of_receipt_depends_on_the_channel(receipt, day):
    """Art. 31: in person, the day submitted; registered post, the day signed for; an ordinary
    letter, online or fax, the day both sides confirm (until then the clock has not started)."""
    assert received_on(receipt) == day

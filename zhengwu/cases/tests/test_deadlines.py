"""Case clock rules on the real calendar, hand-checked (standards-notes §5)."""

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.cases import caseclock, deadlines
from zhengwu.cases.models import Case, CaseStatus
from zhengwu.workdays.calendar import SHANGHAI, WorkdayCalendar


@pytest.fixture(scope="module")
def cal():
    from chinese_calendar import constants as official

    from zhengwu.workdays.selectors import BUNDLED_YEARS

    return WorkdayCalendar(frozenset(official.holidays), frozenset(official.workdays),
                           BUNDLED_YEARS)


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def test_the_statutory_demo_with_an_expert_review(cal):
    due = deadlines.due_at_acceptance(cal, at(2025, 9, 26), Decimal(20)).due
    assert due.date() == dt.date(2025, 10, 30)
    paused = deadlines.paused_workdays(cal, at(2025, 9, 29), at(2025, 10, 15))
    assert paused == 8  # 9/29, 9/30, 10/9, 10/10, 10/11 (调休), 10/13, 10/14, 10/15
    assert deadlines.shift(cal, due, paused).due.date() == dt.date(2025, 11, 11)


def test_an_extension_of_ten_days(cal):
    due = deadlines.due_at_acceptance(cal, at(2025, 9, 26), Decimal(20)).due
    assert deadlines.extended_due(cal, due, 10).due.date() == dt.date(2025, 11, 13)


def test_the_extension_cap_is_the_legal_limit(cal):
    promised = deadlines.due_at_acceptance(cal, at(2025, 9, 26), Decimal(5)).due
    cap = deadlines.extension_cap(cal, accepted_at=at(2025, 9, 26), legal=Decimal(20),
                                  paused=0, promised_due=promised)
    assert cap.date() == dt.date(2025, 10, 30)
    cap = deadlines.extension_cap(cal, accepted_at=at(2025, 9, 26), legal=Decimal(20),
                                  paused=8, promised_due=promised)
    assert cap.date() == dt.date(2025, 11, 11)
    cap = deadlines.extension_cap(cal, accepted_at=at(2025, 9, 26), legal=None, paused=0,
                                  promised_due=promised)
    # promised 5: 9/28 (调休), 9/29, 9/30, 10/9, 10/10; + 10: 10/11 (调休) … 10/23
    assert promised.date() == dt.date(2025, 10, 10)
    assert cap.date() == dt.date(2025, 10, 23)


def test_acceptance_by_law_after_five_working_days(cal):
    assert deadlines.acceptance_by_law_due(cal, at(2025, 9, 26)).date() == dt.date(2025, 10, 10)


def test_cards(cal):
    due = dt.datetime(2025, 10, 30, 23, 59, 59, tzinfo=SHANGHAI)
    running = Case(status=CaseStatus.ACCEPTED, due_at=due)

    def card(now, threshold=1):
        return caseclock.read(running, cal, now, threshold).card

    assert card(at(2025, 10, 27)) == ""
    assert card(at(2025, 10, 29)) == "yellow"  # 1 working day left
    assert card(at(2025, 10, 30, 23, 0)) == "yellow"
    assert card(at(2025, 10, 31, 0, 1)) == "red"
    assert card(at(2025, 10, 27), threshold=3) == "yellow"
    assert deadlines.remaining_workdays(cal, at(2025, 11, 4), due) == -3
    assert caseclock.read(running, cal, at(2025, 11, 4), 1).overdue_workdays == 3


def test_a_paused_clock_reads_as_when_it_stopped_and_others_read_nothing(cal):
    due = dt.datetime(2025, 10, 30, 23, 59, 59, tzinfo=SHANGHAI)
    paused = Case(status=CaseStatus.SUSPENDED, due_at=due, suspended_at=at(2025, 10, 29))
    reading = caseclock.read(paused, cal, at(2025, 12, 1), 1)
    assert (reading.state, reading.remaining, reading.card) == ("paused", 1, "yellow")
    assert reading.paused
    for status, state in [(CaseStatus.SUBMITTED, "waiting"), (CaseStatus.DECIDED, "stopped"),
                          (CaseStatus.REFUSED, "stopped")]:
        assert caseclock.read(Case(status=status, due_at=due if status == CaseStatus.DECIDED
                                   else None), cal, at(2025, 11, 4), 1) \
            == caseclock.CaseClock(state, None, "")


@pytest.mark.parametrize("threshold", [0, 1, 2, 5])
def test_the_sweeps_bound_is_the_readers_yellow_rule(cal, threshold):
    """mark_yellow updates `now <= due_at < yellow_before(...)` in one statement: the same
    cases `read` calls yellow, across weekends and the National Day holiday."""
    for start in range(20):
        now = at(2025, 9, 20) + dt.timedelta(days=start, hours=start % 9)
        bound = caseclock.yellow_before(cal, now, threshold)
        for ahead in range(0, 24 * 20, 7):
            due = now + dt.timedelta(hours=ahead)
            yellow = caseclock.read(Case(status=CaseStatus.ACCEPTED, due_at=due), cal, now,
                                    threshold).card == "yellow"
            assert yellow == (now <= due < bound), (now, due)

"""One clock reading for every surface: the todo page, the case page, the API (todo list and
case) and the 电子监察 sweep show the same working days left and the same card, paused or
running, on both sides of the yellow threshold (cases.caseclock)."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from zhengwu.cases import sweeps
from zhengwu.cases.models import Case
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"
CARD = re.compile(r"card-(yellow|red)")


def at(y, m, d, hh=10):
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def todo_row(html: str, number: str) -> str:
    rows = [row for row in html.split("<tr") if number in row]
    assert len(rows) == 1, html
    return rows[0]


def card_in(html: str) -> str:
    found = set(CARD.findall(html))
    assert len(found) <= 1, found
    return found.pop() if found else ""


def surfaces(case: Case, reviewer, now: dt.datetime) -> dict[str, str]:
    """The card each surface shows for `case` at `now`, the sweep's last."""
    office = client_of(reviewer)
    with time_machine.travel(now, tick=False):
        todo_page = office.get(reverse("cases:todo")).content.decode()
        case_page = office.get(case.get_absolute_url()).content.decode()
        todo_api = office.get(f"{API}/todo").json()["items"]
        case_api = office.get(f"{API}/{case.number}").json()
        sweeps.mark_yellow(now)
    case.refresh_from_db()
    card_page = case_page.split('id="case-title"', 1)[1].split("</p>", 1)[0]
    return {"todo page": card_in(todo_row(todo_page, case.number)),
            "case page": card_in(card_page),
            "todo API": next(c["card"] for c in todo_api if c["number"] == case.number),
            "case API": case_api["card"], "sweep": case.card}


# Accepted Fri 2025-09-26, the food licence is due Thu 10/16: on Wed 10/15 one working day
# is left, on Tue 10/14 two.
@pytest.mark.parametrize(("threshold", "day"), [(1, 15), (2, 14)])
def test_page_api_and_sweep_agree_on_the_card_at_the_yellow_threshold(
        food, submit, clerk, reviewer, settings, threshold, day):
    settings.ZHENGWU_YELLOW_CARD_WORKDAYS = threshold
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
    assert case.due_at.astimezone(SHANGHAI).date() == dt.date(2025, 10, 16)
    before = surfaces(case, reviewer, at(2025, 10, day - 1))
    assert before == dict.fromkeys(before, "")
    at_threshold = surfaces(case, reviewer, at(2025, 10, day))
    assert at_threshold == dict.fromkeys(at_threshold, "yellow")


def test_page_and_api_read_a_paused_clock_alike(food, submit, clerk, reviewer):
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
    with time_machine.travel(at(2025, 10, 9), tick=False):
        case_transition(case_id=case.pk, user=reviewer, move=MoveIn(
            "suspend", procedure_kind="expert_review", reason="专家评审"))
    office = client_of(reviewer)
    # Paused on Thu 10/9: 10/10, 10/11 (调休), 10/13–10/16 are left, however long it lasts.
    with time_machine.travel(at(2025, 10, 20), tick=False):
        row = todo_row(office.get(reverse("cases:todo")).content.decode(), case.number)
        page = office.get(case.get_absolute_url()).content.decode()
        todo_api = office.get(f"{API}/todo").json()["items"]
        case_api = office.get(f"{API}/{case.number}").json()
    assert "<strong>6</strong> 个工作日" in row and "暂停计时" in row
    assert "剩余 6 个工作日" in page and "暂停计时" in page
    assert next(c["remaining_workdays"] for c in todo_api if c["number"] == case.number) == 6
    assert case_api["remaining_workdays"] == 6
    assert card_in(row) == card_in(page) == case_api["card"] == ""


def test_a_moved_deadline_takes_the_yellow_card_off_everywhere(food, submit, clerk, reviewer):
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
    assert surfaces(case, reviewer, at(2025, 10, 15))["sweep"] == "yellow"
    with time_machine.travel(at(2025, 10, 15, 11), tick=False):
        case_transition(case_id=case.pk, user=reviewer, move=MoveIn(
            "extend", reason="情况复杂", approver="局长 李某", extra_workdays=5))
    after = surfaces(case, reviewer, at(2025, 10, 15, 12))
    assert after == dict.fromkeys(after, "")


def test_a_paused_clock_keeps_the_card_it_had_when_it_stopped(food, submit, clerk, reviewer):
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
    with time_machine.travel(at(2025, 10, 15), tick=False):
        case_transition(case_id=case.pk, user=reviewer, move=MoveIn(
            "suspend", procedure_kind="expert_review", reason="专家评审"))
    # Weeks later the deadline has passed by the calendar, but the clock stopped with one
    # working day left: yellow, not red, on every surface.
    later = surfaces(case, reviewer, at(2025, 11, 10))
    assert later == dict.fromkeys(later, "yellow")


def implementation(name: str, limit: str):
    from zhengwu.catalog.models import ItemImplementation

    found = ItemImplementation.objects.get(item__name=name, level=4, status="published")
    assert str(found.promised_limit_workdays) in (limit, limit + ".0"), found.promised_limit_workdays
    return found


# Mon 2025-09-22: a one-day limit accepted at 10:00 is due at the end of Tue 9/23; half a day
# accepted in the morning session is due at the end of the afternoon one (17:30).
@pytest.mark.parametrize(("name", "limit", "calm", "warned"), [
    ("食品经营许可证延续", "1", at(2025, 9, 22, 16), at(2025, 9, 23, 9)),
    ("个人独资企业设立登记", "0.5", at(2025, 9, 22, 11), at(2025, 9, 22, 15)),
])
def test_a_limit_no_longer_than_the_threshold_is_yellow_in_its_last_half_only(
        submit, clerk, reviewer, name, limit, calm, warned):
    """The walk-through: half-day and one-day cases (a 一件事's members among them) read
    yellow the moment they were accepted, their whole limit being within the threshold."""
    with time_machine.travel(at(2025, 9, 22), tick=False):
        case = case_transition(case_id=submit(implementation(name, limit)).pk, user=clerk,
                               move=MoveIn("accept"))
    started = surfaces(case, reviewer, at(2025, 9, 22, 10))
    assert started == dict.fromkeys(started, "")
    later = surfaces(case, reviewer, calm)
    assert later == dict.fromkeys(later, "")
    last_half = surfaces(case, reviewer, warned)
    assert last_half == dict.fromkeys(last_half, "yellow")


def test_the_rule_reads_alike_in_read_deadline_reading_and_the_sweep_bound():
    """caseclock's three forms of the yellow rule agree, for short and long limits."""
    from decimal import Decimal
    from types import SimpleNamespace

    from zhengwu.cases import caseclock
    from zhengwu.workdays.selectors import calendar_build

    calendar = calendar_build()
    accepted = at(2025, 9, 22)
    for limit in ("0", "0.5", "1", "1.5", "2", "3"):
        due = calendar.deadline(accepted, Decimal(limit)).due
        row = SimpleNamespace(status="accepted", due_at=due, accepted_at=accepted,
                              promised_workdays=Decimal(limit), suspended_at=None)
        for hours in range(0, 24 * 5, 3):
            now = accepted + dt.timedelta(hours=hours)
            for threshold in (1, 2):
                card = caseclock.read(row, calendar, now, threshold).card  # type: ignore[arg-type]
                reading = caseclock.deadline_reading(calendar, now, due, threshold,
                                                     started=accepted, limit=Decimal(limit))[1]
                assert card == reading, (limit, now, threshold)
                if card == "yellow":
                    # the sweep's bound holds every yellow card
                    assert now <= due < caseclock.yellow_before(calendar, now, threshold)
                if card == "yellow" and Decimal(limit) <= threshold:
                    assert now >= accepted + (due - accepted) / 2

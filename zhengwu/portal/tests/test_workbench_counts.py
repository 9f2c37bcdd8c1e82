"""The workbench's counts (issue 16): each role sees what waits for it, each figure links to
exactly its rows, and what arrived since yesterday is counted."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.cases.models import Card, Case
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.core import clock
from zhengwu.portal import workbench

pytestmark = pytest.mark.django_db


def _figures(user: User) -> dict[str, workbench.Tally]:
    return {t.label: t for t in workbench.tallies(user, clock.now())}


def _cases_in(html: str) -> set[str]:
    return set(re.findall(r"\b\d{20}\b", html))


def test_a_reviewer_sees_its_queues_and_each_figure_opens_its_rows(
        food: Any, submit: Any, clerk: User, staff_of: Any, client_for: Any) -> None:
    cases = [submit(food, idempotency_key=f"k{i}") for i in range(3)]
    for case in cases:
        case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    red, yellow, calm = cases
    Case.objects.filter(pk=red.pk).update(card=Card.RED)
    Case.objects.filter(pk=yellow.pk).update(card=Card.YELLOW)
    reviewer = staff_of(food.department.short_name)
    figures = _figures(reviewer)
    assert figures["审批待办"].value == 3 and figures["审批待办"].since == 3
    assert figures["即将超期"].value == 1 and figures["已超期"].value == 1
    client = client_for(reviewer)
    for label, expected in (("已超期", {red.number}), ("即将超期", {yellow.number}),
                            ("审批待办", {red.number, yellow.number, calm.number})):
        page = client.get(figures[label].url)
        assert page.status_code == 200
        assert _cases_in(page.content.decode()) & {c.number for c in cases} == expected, label
    board = client.get(reverse("staff:workbench")).content.decode()
    assert "待办概览" in board and f'href="{figures["已超期"].url}"' in board


def test_the_window_sees_what_to_accept(food: Any, submit: Any, clerk: User,
                                        client_for: Any) -> None:
    before = _figures(clerk)["待受理"].value
    case = submit(food)
    figures = _figures(clerk)
    assert figures["待受理"].value == before + 1
    assert figures["待受理"].since is not None and figures["待受理"].since >= 1
    page = client_for(clerk).get(figures["待受理"].url).content.decode()
    assert case.number in page
    # Each of the window's figures opens exactly its rows (issue 16 walk-through: all three
    # opened the whole queue).
    asked = submit(food, idempotency_key="asked")
    case_transition(case_id=asked.pk, user=clerk, move=MoveIn(
        action="ask_supplement", supplement_items=[{"material": "申请书", "reason": "未签字"}]))
    figures = _figures(clerk)
    client = client_for(clerk)
    new = _cases_in(client.get(figures["待受理"].url).content.decode())
    waiting = _cases_in(client.get(figures["补正中"].url).content.decode())
    assert case.number in new and asked.number not in new
    assert asked.number in waiting and case.number not in waiting
    assert figures["补正中"].value == len(waiting) and figures["待受理"].value == len(new)


def test_yesterday_is_a_beijing_day() -> None:
    late = dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 8th in Beijing
    assert workbench.yesterday_start(late).isoformat() == "2026-12-07T00:00:00+08:00"


def test_an_applicant_has_no_figures(applicant: User) -> None:
    assert workbench.tallies(applicant, clock.now()) == []

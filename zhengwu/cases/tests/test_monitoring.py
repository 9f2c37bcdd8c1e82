"""电子监察 (page and API): the deemed-approved cases themselves are listed, the weekly trend
has a row for every week (quiet ones too, counted by Beijing days), and the page opens on
every alert — red and yellow — not on red cards only."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.urls import reverse

from zhengwu.cases import sweeps
from zhengwu.cases.models import Case, Decision
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db
API = "/api/v1/cases/monitoring"


def _deemed_on_a_monday_morning(food, submit, clerk):
    """A case deemed approved by the sweep at 07:00 on a Monday, Beijing time (still Sunday
    in UTC); returns the case and that Monday."""
    with time_machine.travel(dt.datetime(2026, 2, 27, 10, tzinfo=SHANGHAI), tick=False):
        case = submit(food)
        case = case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    day = case.due_at.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    monday = day + dt.timedelta(days=-day.weekday() % 7)
    assert sweeps.run(dt.datetime.combine(monday, dt.time(7), SHANGHAI)).deemed == 1
    return case, monday


def test_the_deemed_cases_are_listed_on_the_page_and_in_the_api(client_for, food, submit,
                                                                 clerk, supervisor):
    case, monday = _deemed_on_a_monday_morning(food, submit, clerk)
    assert Case.objects.get(pk=case.pk).decision == Decision.DEEMED_APPROVED
    with time_machine.travel(dt.datetime.combine(monday + dt.timedelta(days=3), dt.time(10),
                                                 SHANGHAI), tick=False):
        page = client_for(supervisor).get(reverse("cases:monitoring")).content.decode()
        body = client_for(supervisor).get(API).json()
    assert "超时默认准予办件" in page
    assert case.number in page
    assert reverse("cases:detail", args=[case.number]) in page
    assert [row["number"] for row in body["deemed_cases"]] == [case.number]
    row = body["deemed_cases"][0]
    assert row["department"] == food.department.name
    assert row["item_name"] == food.item.name
    assert row["decided_at"].startswith(str(monday - dt.timedelta(days=1)))  # UTC, Sunday


def test_the_weekly_trend_has_every_week_counted_by_beijing_days(client_for, food, submit,
                                                                 clerk, supervisor):
    _, monday = _deemed_on_a_monday_morning(food, submit, clerk)
    weeks = [monday + dt.timedelta(weeks=n) for n in (-1, 0, 1, 2)]
    with time_machine.travel(dt.datetime.combine(weeks[-1] + dt.timedelta(days=2),
                                                 dt.time(10), SHANGHAI), tick=False):
        body = client_for(supervisor).get(API, {"since": str(weeks[0])}).json()
        page = client_for(supervisor).get(reverse("cases:monitoring")).content.decode()
    assert [(w["week"], w["red"], w["deemed"]) for w in body["weekly"]] == [
        (str(weeks[0]), 0, 0), (str(weeks[1]), 0, 1), (str(weeks[2]), 0, 0),
        (str(weeks[3]), 0, 0)]
    # The page's table and chart: the quiet weeks are there, the deemed approval in its week.
    for week in weeks:
        assert f"<td>{week:%Y-%m-%d}</td>" in page
    assert f"{weeks[1]:%m-%d} 超时默认准予 1 件" in page
    # A quiet week draws no bar, and its row of the chart's table says 0.
    assert f"{weeks[0]:%m-%d} 超时默认准予" not in page
    assert f'<th scope="row">{weeks[0].isoformat()}</th><td>0</td><td>0</td>' in page


def test_the_page_opens_on_every_alert(client_for, food, submit, clerk, supervisor):
    red, yellow = submit(food), submit(food, idempotency_key="second")
    for case in (red, yellow):
        case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    Case.objects.filter(pk=red.pk).update(card="red")
    Case.objects.filter(pk=yellow.pk).update(card="yellow")
    client = client_for(supervisor)
    page = client.get(reverse("cases:monitoring")).content.decode()
    assert red.number in page and yellow.number in page
    assert page.index(red.number) < page.index(yellow.number)  # red cards first
    only_red = client.get(reverse("cases:monitoring"), {"card": "red"}).content.decode()
    assert red.number in only_red and yellow.number not in only_red
    only_yellow = client.get(reverse("cases:monitoring"), {"card": "yellow"}).content.decode()
    assert yellow.number in only_yellow and red.number not in only_yellow


def test_the_trend_cannot_be_asked_for_since_the_year_one(client_for, supervisor):
    response = client_for(supervisor).get(API, {"since": "0001-01-01"})
    assert response.status_code == 422
    assert set(response.json()) >= {"code", "detail"}


def test_the_charts_rank_departments_and_items_each_bar_a_link(client_for, food, submit, clerk,
                                                               supervisor):
    """Issue 16: 电子监察 charts the departments with most red cards and the items with most
    warnings; each bar opens exactly the cases behind its figure."""
    red, yellow, calm = (submit(food, idempotency_key=f"c{i}") for i in range(3))
    for case in (red, yellow, calm):
        case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    Case.objects.filter(pk=red.pk).update(card="red")
    Case.objects.filter(pk=yellow.pk).update(card="yellow")
    client = client_for(supervisor)
    page = client.get(reverse("cases:monitoring")).content.decode()
    figures = page.split('<figure class="chart">')[1:3]
    assert "红牌超时最多的部门" in figures[0] and "预警最多的事项" in figures[1]
    for figure, expected in ((figures[0], {red.number}), (figures[1], {red.number, yellow.number})):
        link = re.search(r'<a href="([^"]+)">', figure)
        assert link, figure
        listed = client.get(html.unescape(link.group(1))).content.decode()
        assert {c.number for c in (red, yellow, calm) if c.number in listed} == expected


def test_each_bar_of_the_weekly_trend_leads_to_its_cases(client_for, food, submit, clerk,
                                                          supervisor):
    case, monday = _deemed_on_a_monday_morning(food, submit, clerk)
    cases = reverse("cases:staff_list")
    with time_machine.travel(dt.datetime.combine(monday + dt.timedelta(days=3), dt.time(10),
                                                 SHANGHAI), tick=False):
        client = client_for(supervisor)
        page = client.get(reverse("cases:monitoring")).content.decode()
        link = f"{cases}?failure=deemed&amp;week={monday.isoformat()}"
        assert f'<a href="{link}"><title>{monday:%m-%d} 超时默认准予 1 件</title>' in page
        assert f'<td><a href="{link}">1</a></td>' in page  # the table's figure, the same link
        listed = client.get(html.unescape(link)).content.decode()
        assert case.number in listed
        assert f"超时默认准予，{monday.isoformat()} 起一周" in listed
        # A day inside the week names the week; the other kind or another week finds nothing.
        assert case.number in client.get(cases, {
            "failure": "deemed", "week": str(monday + dt.timedelta(days=6))}).content.decode()
        for params in ({"failure": "overdue", "week": str(monday)},
                       {"failure": "deemed", "week": str(monday + dt.timedelta(weeks=1))}):
            assert case.number not in client.get(cases, params).content.decode()
        # A link that names no bar is no filter, and the page says so.
        for params in ({"failure": "deemed", "week": "2026-13-01"}, {"failure": "x", "week": "x"}):
            response = client.get(cases, params)
            assert response.status_code == 200 and "起一周" not in response.content.decode()
            assert "周次筛选无效" in response.content.decode()
        # The department filter is named; one that does not exist is said so.
        named = client.get(cases, {"department": food.department_id}).content.decode()
        assert f"承办部门：{food.department.name}" in named
        assert "编号 99999 的部门不存在" in client.get(cases, {"department": 99999}).content.decode()

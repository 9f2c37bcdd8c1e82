"""The manager's live hall dashboard (/hall/manage/<hall>/queue/) and its API
(GET /api/v1/hall/queue-figures): the period asked for reaches the selector, the figures
shown are the pure module's (tables per window, item and hour, and the charts), today's view
polls a fragment every 30 s, bad periods answer 422 with what was typed, and only the hall's
managers get in. The rows come from a hand-made list put in place of
hall.selectors.ticket_times (the queue builds the real one)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.hall import selectors
from zhengwu.hall.models import Hall
from zhengwu.hall.queue_figures import TicketTimes
from zhengwu.hall.tests.conftest import CITY
from zhengwu.hall.tests.test_queue_figures import MORNING
from zhengwu.regions.models import Region

pytestmark = pytest.mark.django_db
NOW = "2026-12-01T10:45:00+08:00"
TODAY = dt.date(2026, 12, 1)
TOWNSHIP = "LY-BM-430481001000"  # 蔡子池街道便民服务中心
API = "/api/v1/hall/queue-figures"


@pytest.fixture
def manager(db: Any) -> User:
    return User.objects.get(username="hallmgr")


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dt.date, dt.date]]:
    """The periods the page asked the selector for; it answers with the morning's numbers."""
    calls: list[tuple[str, dt.date, dt.date]] = []

    def fake(hall: Hall, start: dt.date, end: dt.date) -> list[TicketTimes]:
        calls.append((hall.code, start, end))
        return list(MORNING)

    monkeypatch.setattr(selectors, "ticket_times", fake)
    return calls


def page(hall: str = CITY) -> str:
    return reverse("hall:queue_figures", args=[hall])


def cells(html: str, table: str, label: str) -> list[str]:
    """The cells of the row headed `label` in the table with id `table`."""
    found = re.search(rf'<table[^>]* id="{table}".*?</table>', html, re.S)
    assert found is not None, table
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', found.group(0), re.S)
    assert row is not None, label
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))


@override_settings(ZHENGWU_NOW=NOW)
def test_today_by_default_with_tables_charts_and_polling(
        client_for: Callable[[User | None], Any], manager: User, asked: list[Any]) -> None:
    answer = client_for(manager).get(page())
    assert answer.status_code == 200
    assert asked == [(CITY, TODAY, TODAY)]
    html = answer.content.decode()
    # taken, served, abandoned (of which never called), waiting, serving, avg, p90, service
    assert cells(html, "by-window", "合计") == ["6", "2", "2", "1", "1", "1", "16.3", "30.0", "12.5"]
    assert cells(html, "by-window", "A01号窗口") == ["2", "2", "0", "0", "0", "0", "15.0", "20.0", "12.5"]
    assert cells(html, "by-window", "（未叫号）") == ["2", "0", "1", "1", "1", "0", "—", "—", "—"]
    assert cells(html, "by-item", "居民身份证申领") == ["3", "2", "0", "0", "0", "1", "11.7", "20.0", "12.5"]
    assert cells(html, "by-hour", "09:00–10:00") == ["4", "2", "2", "1", "0", "0", "20.0", "30.0", "12.5"]
    assert html.count('role="img"') == 2 and "暂无数据" not in html
    assert "仍在等候最久 30.0 分钟" in html  # A005, taken 10:15
    assert 'hx-trigger="every 30s"' in html
    live = reverse("hall:queue_figures_live", args=[CITY])
    assert f'hx-get="{live}"' in html
    fragment = client_for(manager).get(live)
    assert fragment.status_code == 200
    assert 'hx-trigger="every 30s"' in fragment.content.decode()  # it keeps polling
    assert cells(fragment.content.decode(), "by-hour", "合计")[0] == "6"
    assert "<html" not in fragment.content.decode()


@override_settings(ZHENGWU_NOW=NOW)
def test_a_chosen_period_reaches_the_selector_and_does_not_poll(
        client_for: Callable[[User | None], Any], manager: User, asked: list[Any]) -> None:
    answer = client_for(manager).get(page(), {"start": "2026-11-01", "end": "2026-11-30"})
    assert answer.status_code == 200
    assert asked == [(CITY, dt.date(2026, 11, 1), dt.date(2026, 11, 30))]
    html = answer.content.decode()
    assert "hx-trigger" not in html and "仍在等候最久" not in html
    assert 'value="2026-11-01"' in html and 'value="2026-11-30"' in html


@override_settings(ZHENGWU_NOW=NOW)
@pytest.mark.parametrize(("start", "end", "message"), [
    ("2026-12-05", "2026-12-01", "结束日期不能早于开始日期。"),
    ("2025-01-01", "2026-12-01", "统计期间最长 366 天。"),
    ("2026-13-01", "2026-12-01", "日期格式不正确。"),
])
def test_a_bad_period_answers_422_with_what_was_typed(
        client_for: Callable[[User | None], Any], manager: User, asked: list[Any],
        start: str, end: str, message: str) -> None:
    answer = client_for(manager).get(page(), {"start": start, "end": end})
    assert answer.status_code == 422
    html = answer.content.decode()
    assert message in html and f'value="{start}"' in html and f'value="{end}"' in html
    assert 'aria-invalid="true"' in html
    assert asked == []


@override_settings(ZHENGWU_NOW=NOW)
def test_no_numbers_says_so(client_for: Callable[[User | None], Any], manager: User) -> None:
    answer = client_for(manager).get(page())  # the selector of this branch: no numbers yet
    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.count("暂无数据") >= 2
    assert cells(html, "by-window", "合计")[:2] == ["0", "0"]


@override_settings(ZHENGWU_NOW=NOW)
def test_the_manage_page_links_to_the_dashboard(
        client_for: Callable[[User | None], Any], manager: User) -> None:
    html = client_for(manager).get(reverse("hall:manage", args=[CITY])).content.decode()
    assert f'href="{page()}"' in html


@override_settings(ZHENGWU_NOW=NOW)
def test_only_the_halls_managers_get_in(
        client_for: Callable[[User | None], Any], manager: User, asked: list[Any]) -> None:
    township = user_create(username="hallmgr_street", password="x-demo-2026-x",
                           kind=UserKind.STAFF, display_name="街道大厅管理员")
    role_assign(user=township, role=Role.HALL_MANAGER,
                region=Region.objects.get(code="430481001000"))
    for user, hall, want in (
            (manager, CITY, 200), (manager, TOWNSHIP, 200), (township, TOWNSHIP, 200),
            (township, CITY, 404), (User.objects.get(username="clerk"), CITY, 404),
            (User.objects.get(username="zhangsan"), CITY, 404), (manager, "NO-SUCH", 404)):
        client = client_for(user)
        assert client.get(page(hall)).status_code == want, (user, hall)
        live = reverse("hall:queue_figures_live", args=[hall])
        assert client.get(live).status_code == want, (user, hall)
        assert client.get(API, {"hall": hall}).status_code == want, (user, hall)
    anonymous = client_for(None).get(page())
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    assert client_for(None).get(API, {"hall": CITY}).status_code == 401


# --- the API --------------------------------------------------------------------------------


@override_settings(ZHENGWU_NOW=NOW)
def test_the_api_answers_the_same_figures(
        client_for: Callable[[User | None], Any], manager: User, asked: list[Any]) -> None:
    answer = client_for(manager).get(API, {"hall": CITY})
    assert answer.status_code == 200
    body = answer.json()
    assert asked == [(CITY, TODAY, TODAY)]
    assert (body["hall"], body["start"], body["end"]) == (CITY, "2026-12-01", "2026-12-01")
    assert body["total"] == {
        "key": "", "label": "合计", "taken": 6, "served": 2, "abandoned": 2, "waiting": 1,
        "serving": 1, "called": 4, "left_uncalled": 1, "wait_avg_minutes": 16.3,
        "wait_p90_minutes": 30.0, "service_avg_minutes": 12.5}
    assert [w["key"] for w in body["windows"]] == ["A01", "A02", ""]
    assert [i["key"] for i in body["items"]] == ["I1", "I2", ""]
    assert [(h["key"], h["taken"]) for h in body["hours"]] == [("09", 4), ("10", 2)]
    client_for(manager).get(API, {"hall": CITY, "start": "2026-11-01", "end": "2026-11-30"})
    assert asked[-1] == (CITY, dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@override_settings(ZHENGWU_NOW=NOW)
@pytest.mark.parametrize(("query", "code"), [
    ({"start": "2026-12-32"}, "hall.date_invalid"),
    ({"end": "yesterday"}, "hall.date_invalid"),
    ({"start": "2026-12-05"}, "hall.period_invalid"),  # after today, the default end
    ({"start": "2025-01-01", "end": "2026-01-02"}, "hall.period_invalid"),  # 367 days
    ({"start": "0001-01-01", "end": "0001-01-02"}, "hall.period_invalid"),
    ({"start": "9999-12-31", "end": "9999-12-31"}, "hall.period_invalid"),
])
def test_the_api_refuses_bad_periods(client_for: Callable[[User | None], Any], manager: User,
                                     asked: list[Any], query: dict[str, str], code: str) -> None:
    answer = client_for(manager).get(API, {"hall": CITY, **query})
    assert answer.status_code == 422
    assert answer.json()["code"] == code and answer.json()["detail"]
    assert asked == []


@override_settings(ZHENGWU_NOW=NOW)
def test_the_api_hides_a_hall_one_does_not_manage_whatever_the_dates(
        client_for: Callable[[User | None], Any], asked: list[Any]) -> None:
    answer = client_for(User.objects.get(username="clerk")).get(
        API, {"hall": CITY, "start": "bad"})
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"

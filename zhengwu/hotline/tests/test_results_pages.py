"""The 三率 page, the public statistics, the JSON API and the ledger (issue 13 §4): the figures
recounted here straight from the WorkOrderEvent rows (plain loops, not results.py) equal what
the page and the API show; who sees which departments; no caller data in the ledger or the
public page; a bad month is a 400, not a 500."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.test import Client
from ninja.testing import TestClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.hotline import results_api
from zhengwu.hotline.models import Category, WorkOrder, WorkOrderEvent
from zhengwu.workdays.calendar import SHANGHAI

NOW = dt.datetime(2026, 12, 20, 10, tzinfo=SHANGHAI)
CALLER = "欧阳某某"
PHONE = "13912345678"


def at(m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(2026, m, d, hh, tzinfo=SHANGHAI)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """Two departments, a two-level category tree and six orders with their events (rows
    written directly: the figures depend on the rows alone)."""
    market = Department.objects.get(short_name="市市场监督管理局")
    police = Department.objects.get(short_name="市公安局")
    top = Category.objects.create(code="T9", name="测试大类", level=1)
    food = Category.objects.create(code="T901", name="食品安全", level=2, parent=top)
    noise = Category.objects.create(code="T902", name="噪声扰民", level=2, parent=top)
    n = 0

    def order(category: Category, department: Department | None, *events: tuple[Any, ...],
              **fields: Any) -> WorkOrder:
        nonlocal n
        n += 1
        row = WorkOrder.objects.create(
            number=f"GDT{n:04d}", kind=fields.pop("kind", "complaint"), channel="phone",
            status=fields.pop("status", "handling"), title=fields.pop("title", "测试诉求"),
            content="内容", category=category, region_code="430481001000",
            caller_name=CALLER, caller_phone=PHONE, department=department,
            accepted_at=events[0][1], **fields)
        for action, when, data in events:
            WorkOrderEvent.objects.create(order=row, action=action, to_status="x", at=when,
                                          actor_label="测试", role="operator", data=data,
                                          request_id="t")
        return row

    order(food, market, ("accept", at(11, 2), {}),
          ("dispatch", at(11, 2, 11), {"department_id": market.pk}),
          ("sign", at(11, 2, 12), {"on_time": True}), ("answer", at(11, 5), {}),
          ("callback", at(11, 6), {"resolved": True, "satisfaction": "satisfied"}),
          ("close", at(11, 6, 11), {}),
          status="closed", reply="=HYPERLINK(\"http://x\")已处理", callback_at=at(11, 6),
          resolved=True, satisfaction="satisfied", due_at=at(11, 10), closed_at=at(11, 6, 11))
    order(food, police, ("accept", at(11, 3), {}),
          ("dispatch", at(11, 3, 11), {"department_id": market.pk}),
          ("return", at(11, 3, 15), {"reason": "不属本单位"}),
          ("return_approve", at(11, 4), {"department_id": police.pk}),
          ("sign", at(11, 6), {"on_time": False}),
          ("callback", at(11, 20), {"resolved": False, "satisfaction": "basic"}),
          status="answered", due_at=at(11, 12), reply="已答复", callback_at=at(11, 20))
    order(noise, police, ("accept", at(11, 4), {}),
          ("dispatch", at(11, 4, 11), {"department_id": police.pk}), due_at=at(11, 5),
          status="signing")
    order(noise, None, ("accept", at(11, 30, 23), {}), ("direct", at(11, 30, 23), {}),
          kind="consult", status="closed", direct=True, closed_at=at(11, 30, 23))
    order(noise, police, ("accept", at(12, 1), {}),
          ("dispatch", at(12, 1, 11), {"department_id": police.pk}),
          ("sign", at(12, 1, 12), {"on_time": True}),
          ("callback", at(12, 3), {"resolved": False, "satisfaction": "unsatisfied"}))
    order(food, market, ("accept", at(12, 2), {}), confidential=True)
    return {"market": market, "police": police}


def recount(month: str, department_id: int | None = None) -> dict[str, Any]:
    """The figures of `month` counted from the event rows with plain loops."""
    start = dt.datetime(2026, int(month[5:]), 1, tzinfo=SHANGHAI)
    end = dt.datetime(2027, 1, 1, tzinfo=SHANGHAI) if month.endswith("12") else \
        dt.datetime(2026, int(month[5:]) + 1, 1, tzinfo=SHANGHAI)
    dispatched = on_time = callbacks = resolved = rated = good = 0
    holder: dict[int, int | None] = {}
    for event in WorkOrderEvent.objects.order_by("at", "pk"):
        if event.action in ("dispatch", "return_approve", "delegate"):
            holder[event.order_id] = event.data.get("department_id")
        inside = start <= event.at < end
        mine = department_id is None or holder.get(event.order_id) == department_id
        if not (inside and mine):
            continue
        if event.action in ("dispatch", "return_approve", "delegate"):
            dispatched += 1
            sign = WorkOrderEvent.objects.filter(order_id=event.order_id, at__gt=event.at,
                                                 action__in=("sign", "dispatch",
                                                             "return_approve")
                                                 ).order_by("at").first()
            on_time += int(sign is not None and sign.action == "sign"
                           and sign.data.get("on_time") is True)
        if event.action == "callback":
            callbacks += 1
            resolved += int(event.data.get("resolved") is True)
            if event.data.get("satisfaction"):
                rated += 1
                good += int(event.data["satisfaction"] in ("satisfied", "basic"))

    def pct(a: int, b: int) -> str:
        return f"{a / b * 100:.1f}%" if b else "—"

    return {"dispatched": str(dispatched), "signed_on_time": str(on_time),
            "callbacks": str(callbacks), "resolved": str(resolved), "rated": str(rated),
            "satisfied": str(good), "response_rate": pct(on_time, dispatched),
            "resolution_rate": pct(resolved, callbacks), "satisfaction_rate": pct(good, rated)}


class Cells(HTMLParser):
    """The cells of the 三率 tables, by table id, row key and field."""

    def __init__(self) -> None:
        super().__init__()
        self.table = self.row = self.field = ""
        self.found: dict[tuple[str, str, str], str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.table = a.get("id") or ""
        elif tag == "tr":
            self.row = a.get("data-key") or ""
        elif tag == "td":
            self.field = a.get("data-field") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.field = ""

    def handle_data(self, data: str) -> None:
        if self.field and self.row:
            key = (self.table, self.row, self.field)
            self.found[key] = self.found.get(key, "") + data.strip()


def cells(html: str) -> dict[tuple[str, str, str], str]:
    parser = Cells()
    parser.feed(html)
    return parser.found


def page(client_for: Any, user: User | None, url: str) -> str:
    """The page as `user` sees it on NOW (signed in then: a staff session expires when idle)."""
    with time_machine.travel(NOW, tick=False):
        response = client_for(user).get(url)
    assert response.status_code == 200, response.content[:500]
    return str(response.content.decode())


FIELDS = ("dispatched", "signed_on_time", "callbacks", "resolved", "rated", "satisfied",
          "response_rate", "resolution_rate", "satisfaction_rate")


@pytest.mark.parametrize("month", ["2026-11", "2026-12"])
def test_the_page_shows_the_figures_recounted_from_events(world: dict[str, Any],
                                                          client_for: Any, month: str) -> None:
    html = page(client_for, User.objects.get(username="hotline"),
                f"/hotline/results/?month={month}")
    shown = cells(html)
    expected = recount(month)
    assert {f: shown[("by-department", "total", f)] for f in FIELDS} == expected
    for department in (world["market"], world["police"]):
        key = ("by-department", str(department.pk))
        mine = recount(month, department.pk)
        if mine["dispatched"] == "0" and mine["callbacks"] == "0":
            continue
        assert {f: shown[(*key, f)] for f in FIELDS} == mine, department.name


def test_the_november_figures_by_hand(world: dict[str, Any], client_for: Any) -> None:
    shown = cells(page(client_for, User.objects.get(username="supervisor"),
                       "/hotline/results/?month=2026-11"))
    market, police = str(world["market"].pk), str(world["police"].pk)
    assert shown[("by-department", market, "response_rate")] == "50.0%"  # 1 of 2
    assert shown[("by-department", market, "returned")] == "1"
    assert shown[("by-department", police, "response_rate")] == "0.0%"  # late + unsigned
    assert shown[("by-department", "total", "received")] == "4"
    assert shown[("by-department", "total", "direct")] == "1"
    # The unsigned one (due 5 Nov) and the answered one not yet closed (due 12 Nov).
    assert shown[("by-department", "total", "overdue")] == "2"
    assert shown[("by-category", "T901", "dispatched")] == "3"
    assert shown[("by-department", "total", "satisfaction_rate")] == "100.0%"


def test_the_api_answers_what_the_page_shows(world: dict[str, Any], client_for: Any) -> None:
    operator = User.objects.get(username="hotline")
    shown = cells(page(client_for, operator, "/hotline/results/?month=2026-11"))
    with time_machine.travel(NOW, tick=False):
        response = TestClient(results_api.router).get("/results?month=2026-11", user=operator)
    assert response.status_code == 200
    body = response.json()
    total = body["total"]
    assert str(total["dispatched"]) == shown[("by-department", "total", "dispatched")]
    assert f"{total['response_rate'] * 100:.1f}%" == shown[
        ("by-department", "total", "response_rate")]
    rows = {row["key"]: row for row in body["departments"]}
    police = rows[str(world["police"].pk)]
    assert police["label"] == world["police"].name
    assert police["response_rate"] == 0.0
    assert [t["label"] for t in body["hot_topics"]["categories"]] == ["食品安全", "噪声扰民"]  # 2 each: by code
    assert len(body["trend"]) == 12


def test_the_api_refuses_a_bad_month_and_an_outsider(world: dict[str, Any]) -> None:
    client = TestClient(results_api.router)
    operator = User.objects.get(username="hotline")
    assert client.get("/results?month=2026-13", user=operator).status_code in (400, 422)
    with pytest.raises(Exception, match="三率"):  # PermissionDenied: config/api.py → 403
        client.get("/results", user=User.objects.get(username="zhangsan"))


def test_department_staff_see_their_department_only(world: dict[str, Any],
                                                    client_for: Any) -> None:
    shown = cells(page(client_for, User.objects.get(username="gongan"),
                       "/hotline/results/?month=2026-11"))
    departments = {row for table, row, _ in shown if table == "by-department"}
    assert departments == {str(world["police"].pk), "total"}
    assert shown[("by-department", "total", "dispatched")] == "2"  # police's, not the county's
    # Its category rows count its own part: food was dispatched to market first, then police.
    assert shown[("by-category", "T901", "dispatched")] == "1"
    assert shown[("by-category", "T902", "dispatched")] == "1"


def test_who_may_not_see_the_results(world: dict[str, Any], client_for: Any) -> None:
    assert client_for(User.objects.get(username="zhangsan")).get(
        "/hotline/results/").status_code == 403
    assert client_for(User.objects.get(username="clerk")).get(
        "/hotline/results/").status_code == 403  # staff, but neither 12345 nor a department
    anonymous = Client().get("/hotline/results/")
    assert anonymous.status_code == 302
    assert Client().get("/hotline/results/ledger.xlsx").status_code == 302


def test_a_bad_month_is_a_400_with_a_message(world: dict[str, Any], client_for: Any) -> None:
    response = client_for(User.objects.get(username="hotline")).get(
        "/hotline/results/?month=2026-1x")
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()
    assert Client().get("/hotline/stats/?month=<script>").status_code == 400
    for month in ("0000-01", "0001-01", "9999-12", "２０２６-１１"):
        assert Client().get(f"/hotline/stats/?month={month}").status_code == 400, month


def test_the_page_draws_its_charts_on_the_server(world: dict[str, Any],
                                                 client_for: Any) -> None:
    html = page(client_for, User.objects.get(username="hotline"),
                "/hotline/results/?month=2026-12")
    assert html.count("<svg ") == 4
    assert "每月响应率" in html
    assert "热点诉求" in html and "噪声扰民" in html


def test_the_public_page_has_figures_and_no_personal_data(world: dict[str, Any],
                                                          client_for: Any) -> None:
    html = page(client_for, None, "/hotline/stats/?month=2026-11")
    shown = cells(html)
    assert shown[("by-department", "total", "received")] == "4"
    assert shown[("by-department", "total", "response_rate")] == recount("2026-11")[
        "response_rate"]
    for secret in (CALLER, PHONE, PHONE[-4:], "测试诉求", "已答复", "不属本单位"):
        assert secret not in html


def workbook_sheet(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_the_ledger(world: dict[str, Any], client_for: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(User.objects.get(username="hotline")).get(
            "/hotline/results/ledger.xlsx?month=2026-11")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "12345-ledger-2026-11.xlsx" in response["Content-Disposition"]
    sheet = workbook_sheet(response.content)
    rows: list[list[Any]] = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["工单编号", "受理时间", "诉求类型"]
    assert [r[0] for r in rows[1:]] == ["GDT0001", "GDT0002", "GDT0003", "GDT0004"]
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert CALLER not in flat and PHONE not in flat and PHONE[-4:] not in flat
    first: dict[str, Any] = dict(zip(rows[0], rows[1], strict=True))
    assert first["答复摘要"].startswith("=HYPERLINK")
    cell = next(c for c in sheet[2] if c.value == first["答复摘要"])
    assert cell.data_type == "s"  # text, not a formula
    assert (first["是否解决"], first["满意度"], first["是否超期"]) == ("是", "满意", "否")
    third = dict(zip(rows[0], rows[3], strict=True))
    assert third["是否超期"] == "是"  # open past 5 Nov
    assert re.fullmatch(r"2026-11-0\d \d\d:\d\d", first["受理时间"])


def test_a_department_ledger_holds_its_orders_only(world: dict[str, Any],
                                                   client_for: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(User.objects.get(username="chief")).get(
            "/hotline/results/ledger.xlsx?month=2026-11")
    sheet = workbook_sheet(response.content)
    numbers = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert numbers == ["GDT0001", "GDT0002"]  # market held both (the second was returned)


def test_orders_moved_through_the_services_are_counted(db: Any, client_for: Any) -> None:
    """Orders taken and moved by the hotline's own services (the events they write, not rows
    made here): the page equals the recount, and the hand-checked figures."""
    from zhengwu.hotline.tests.conftest import moved, opened

    operator = User.objects.get(username="hotline")
    chief, police_staff = User.objects.get(username="chief"), User.objects.get(username="gongan")
    market = Department.objects.get(short_name="市市场监督管理局")
    police = Department.objects.get(short_name="市公安局")
    monday = dt.datetime(2026, 12, 7, 9, tzinfo=SHANGHAI)
    first = opened(operator, monday).number
    moved(first, operator, monday + dt.timedelta(minutes=5), action="dispatch",
          department_id=market.pk)
    moved(first, chief, monday + dt.timedelta(minutes=30), action="sign")  # in time
    moved(first, chief, monday + dt.timedelta(hours=3), action="answer", reply="已查处。")
    moved(first, operator, monday + dt.timedelta(hours=4), action="callback", resolved=True,
          satisfaction="basic")
    moved(first, operator, monday + dt.timedelta(hours=4, minutes=5), action="close")
    second = opened(operator, monday + dt.timedelta(hours=1)).number
    moved(second, operator, monday + dt.timedelta(hours=1, minutes=5), action="dispatch",
          department_id=market.pk)
    moved(second, chief, monday + dt.timedelta(hours=2), action="return", note="不属本单位职责")
    moved(second, operator, monday + dt.timedelta(hours=2, minutes=10),
          action="return_approve", department_id=police.pk)
    moved(second, police_staff, monday + dt.timedelta(days=1, hours=6), action="sign")  # late
    shown = cells(page(client_for, operator, "/hotline/results/?month=2026-12"))
    assert {f: shown[("by-department", "total", f)] for f in FIELDS} == recount("2026-12")
    assert shown[("by-department", str(market.pk), "response_rate")] == "50.0%"
    assert shown[("by-department", str(market.pk), "returned")] == "1"
    assert shown[("by-department", str(police.pk), "response_rate")] == "0.0%"
    assert shown[("by-department", "total", "received")] == "2"
    assert shown[("by-department", "total", "satisfaction_rate")] == "100.0%"
    assert shown[("by-department", "total", "closed_on_time")] == "1"

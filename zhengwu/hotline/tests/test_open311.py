"""Open311 GeoReport v2 (issue 13 §5), driven by an independent client written here from the
spec (wiki.open311.org/GeoReport_v2), not from open311.py: requests built with urllib's form
encoding, answers read as JSON and as XML with ElementTree, the two compared field by field.

The round trip: discovery → services → POST a request → GET it → the order moved through the
hotline's services to 已办结 → GET shows it closed with the reply as status_notes; in JSON and
in XML. Also the spec's errors (400, 403, 404 as an error list), the date range, the filters,
the throttle, and that GET never shows a caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from zhengwu.accounts import throttle
from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.hotline import open311
from zhengwu.hotline.models import Category, WorkOrder, WorkOrderEvent
from zhengwu.workdays.calendar import SHANGHAI

KEY = "civic-key-2026"
NOW = dt.datetime(2026, 12, 7, 10, tzinfo=SHANGHAI)  # a Monday
CALLER = "欧阳某某"
PHONE = "13912345678"


# --- the client: GeoReport v2 as the spec describes it -------------------------------------

class SpecError(Exception):
    def __init__(self, status: int, errors: list[dict[str, str | None]]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


def _element(element: ET.Element) -> Any:
    """An XML element as plain data: text (None when empty), or children by tag; repeated
    children (the spec's lists) as a list."""
    children = list(element)
    if not children:
        return element.text if element.text else None
    tags = [child.tag for child in children]
    if len(set(tags)) == 1 and (len(tags) > 1 or element.tag + "s" != tags[0]) and \
            element.tag in ("services", "service_requests", "errors", "endpoints", "formats",
                            "attributes"):
        return [_element(child) for child in children]
    return {child.tag: _element(child) for child in children}


def _plain(value: Any) -> Any:
    """A JSON value as XML would carry it (strings), to compare the two formats."""
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class GeoReportClient:
    """The spec's resources: <base>/<resource>.<format>; POST bodies form-encoded."""

    http: Client
    base: str
    fmt: str  # "json" or "xml"
    api_key: str = ""

    def _read(self, response: Any) -> Any:
        body = response.content
        if self.fmt == "xml":
            assert response["Content-Type"].startswith("text/xml")
            assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>") or \
                body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
            data = _element(ET.fromstring(body))
            root = ET.fromstring(body).tag
        else:
            assert response["Content-Type"].startswith("application/json")
            data, root = json.loads(body), ""
        if response.status_code >= 400:
            errors = data if isinstance(data, list) else [data["error"]]
            assert root in ("", "errors")
            raise SpecError(response.status_code, [_plain(e) for e in errors])
        return data

    def get(self, resource: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self._read(self.http.get(f"{self.base}{resource}.{self.fmt}{query}"))

    def discovery(self) -> Any:
        return self.get("discovery")

    def services(self) -> list[dict[str, Any]]:
        return list(self.get("services"))

    def service_definition(self, code: str) -> dict[str, Any]:
        return dict(self.get(f"services/{urllib.parse.quote(code)}"))

    def post_request(self, **fields: str) -> list[dict[str, Any]]:
        body = urllib.parse.urlencode({"api_key": self.api_key, **fields})
        response = self.http.post(f"{self.base}requests.{self.fmt}", data=body,
                                  content_type="application/x-www-form-urlencoded")
        return list(self._read(response))

    def requests(self, **filters: str) -> list[dict[str, Any]]:
        found = self.get("requests", **filters)
        return [] if found is None else list(found) if isinstance(found, list) else [
            found["request"]]

    def request(self, request_id: str) -> dict[str, Any]:
        found = self.get(f"requests/{urllib.parse.quote(request_id)}")
        return dict(found[0] if isinstance(found, list) else found["request"])


def one(items: Any) -> dict[str, Any]:
    """A one-item list, as JSON gives it or as XML does (a lone child is a mapping)."""
    if isinstance(items, dict):
        (only,) = items.values()
        return dict(only)
    (only,) = items
    return dict(only)


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture
def keys(settings: Any) -> None:
    settings.HOTLINE_OPEN311_KEYS = {"civic": hashlib.sha256(KEY.encode()).hexdigest(),
                                     "other": hashlib.sha256(b"another").hexdigest()}


@pytest.fixture
def tree(db: Any) -> dict[str, Category]:
    top = Category.objects.create(code="T9", name="城市管理测试", level=1)
    road = Category.objects.create(code="T901", name="道路破损", level=2, parent=top)
    lamp = Category.objects.create(code="T90101", name="路灯不亮", level=3, parent=road)
    Category.objects.create(code="T999", name="停用分类", level=2, parent=top, active=False)
    return {"top": top, "road": road, "lamp": lamp}


def client(fmt: str) -> GeoReportClient:
    return GeoReportClient(Client(), "/open311/v2/", fmt, KEY)


def an_order(number: str, category: Category, *, channel: str, when: dt.datetime,
             **fields: Any) -> WorkOrder:
    row = WorkOrder.objects.create(
        number=number, kind="help", channel=channel, status=fields.pop("status", "handling"),
        title="路灯不亮", content=fields.pop("content", "某路口路灯不亮"), category=category,
        address=fields.pop("address", "蔡子池街道某小区3栋"), caller_name=CALLER,
        caller_phone=PHONE, accepted_at=when, latitude=Decimal("26.422"),
        longitude=Decimal("112.859"), **fields)
    WorkOrderEvent.objects.create(order=row, action="accept", to_status=row.status, at=when,
                                  actor_label="测试", role="operator", request_id="t")
    return row


# --- discovery and services ----------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(fmt: str, db: Any) -> None:
    found = client(fmt).discovery()
    endpoints = found["endpoints"]
    endpoint = endpoints[0] if isinstance(endpoints, list) else endpoints["endpoint"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert endpoint["type"] == "production"
    formats = endpoint["formats"]
    assert set(formats if isinstance(formats, list) else formats.values()) >= {
        "application/json", "text/xml"}
    assert dt.datetime.fromisoformat(found["changeset"]).utcoffset() == dt.timedelta(hours=8)


def test_services_in_json_and_xml_agree(tree: dict[str, Category]) -> None:
    as_json = {s["service_code"]: s for s in client("json").services()}
    as_xml = {s["service_code"]: s for s in client("xml").services()}
    assert {code: _plain(s) for code, s in as_json.items()} == as_xml
    lamp = as_json["T90101"]
    assert lamp == {"service_code": "T90101", "service_name": "路灯不亮",
                    "description": "城市管理测试 > 道路破损 > 路灯不亮", "metadata": False,
                    "type": "realtime", "keywords": "城市管理测试,道路破损,路灯不亮",
                    "group": "城市管理测试"}
    assert "T999" not in as_json  # inactive


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_and_unknown_service(fmt: str, tree: dict[str, Category]) -> None:
    found = client(fmt).service_definition("T90101")
    assert found["service_code"] == "T90101"
    assert found["attributes"] in ([], None)
    with pytest.raises(SpecError) as refused:
        client(fmt).service_definition("NOPE")
    assert refused.value.status == 404
    assert refused.value.errors[0]["code"] == "404"
    assert refused.value.errors[0]["description"]


# --- POST: keys and input ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_or_wrong_key_is_403(fmt: str, keys: None,
                                       tree: dict[str, Category]) -> None:
    for key in ("", "wrong", hashlib.sha256(KEY.encode()).hexdigest()):  # not the hash itself
        bad = GeoReportClient(Client(), "/open311/v2/", fmt, key)
        with pytest.raises(SpecError) as refused:
            bad.post_request(service_code="T90101", description="路灯不亮", lat="26.4",
                             long="112.8")
        assert refused.value.status == 403
    assert not WorkOrder.objects.exists()


def test_no_key_configured_refuses_everyone(settings: Any, tree: dict[str, Category]) -> None:
    settings.HOTLINE_OPEN311_KEYS = {}
    with pytest.raises(SpecError) as refused:
        client("json").post_request(service_code="T90101", description="x", lat="1", long="1")
    assert refused.value.status == 403


@pytest.mark.parametrize(("fields", "words"), [
    ({"description": "路灯不亮", "lat": "26.4", "long": "112.8"}, "service_code"),
    ({"service_code": "NOPE", "description": "路灯不亮", "lat": "26.4", "long": "112.8"},
     "NOPE"),
    ({"service_code": "T999", "description": "x", "lat": "26.4", "long": "112.8"}, "T999"),
    ({"service_code": "T90101", "description": "路灯不亮"}, "位置"),
    ({"service_code": "T90101", "description": "路灯不亮", "lat": "26.4"}, "long"),
    ({"service_code": "T90101", "description": "路灯不亮", "lat": "95", "long": "1"}, "lat"),
    ({"service_code": "T90101", "description": "路灯不亮", "lat": "x", "long": "1"}, "lat"),
    ({"service_code": "T90101", "description": "路灯", "lat": "NaN", "long": "1"}, "lat"),
    ({"service_code": "T90101", "address_string": "某路"}, "description"),
    ({"service_code": "T90101", "address_string": "某路", "description": "长" * 4001},
     "4000"),
    ({"service_code": "T90101", "address_string": "某路", "description": "长" * 3990,
      "media_url": "https://example.com/a-long-name.jpg"}, "4000"),
    ({"service_code": "T90101", "address_string": "某路", "description": "x", "phone": ""},
     "phone"),
    ({"service_code": "T90101", "address_string": "某路", "description": "x",
      "phone": "12345"}, "电话"),
    ({"service_code": "T90101", "address_string": "某路", "description": "x", "phone": "",
      "email": "not-an-address"}, "电子邮箱"),
    ({"service_code": "T90101", "address_string": "某路", "description": "a\x00b"},
     "description（诉求内容）第2个字符"),
])
def test_bad_input_is_400_with_a_description(fields: dict[str, str], words: str, keys: None,
                                             tree: dict[str, Category]) -> None:
    for fmt in ("json", "xml"):
        with pytest.raises(SpecError) as refused:
            client(fmt).post_request(**({"phone": PHONE} | fields))
        assert refused.value.status == 400
        assert words in str(refused.value.errors[0]["description"])
    assert not WorkOrder.objects.exists()


def test_posting_is_throttled_per_key(keys: None, tree: dict[str, Category],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(open311, "POST_RULE",
                        throttle.Rule("hotline.open311.post.test", limit=2, window=60))
    civic = client("json")
    for _ in range(2):
        with pytest.raises(SpecError) as refused:
            civic.post_request(description="x")  # counted, then refused for its input
        assert refused.value.status == 400
    response = Client().post("/open311/v2/requests.json", data={"api_key": KEY})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert json.loads(response.content)[0]["code"] == 429
    other = GeoReportClient(Client(), "/open311/v2/", "json", "another")
    with pytest.raises(SpecError) as refused:
        other.post_request(description="x")
    assert refused.value.status == 400  # another key has its own count


def test_guessing_keys_is_throttled_per_address(keys: None, db: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(open311, "BAD_KEY_RULE",
                        throttle.Rule("hotline.open311.bad.test", limit=2, window=600))
    statuses = [Client().post("/open311/v2/requests.xml", data={"api_key": f"g{i}"}).status_code
                for i in range(3)]
    assert statuses == [403, 403, 429]


# --- GET: filters and privacy --------------------------------------------------------------

@pytest.fixture
def listed(tree: dict[str, Category]) -> dict[str, WorkOrder]:
    market = Department.objects.get(short_name="市市场监督管理局")
    return {
        "mine": an_order("GDT0001", tree["lamp"], channel="open311", when=NOW - dt.timedelta(days=3)),
        "phone": an_order("GDT0002", tree["road"], channel="phone",
                          when=NOW - dt.timedelta(days=5), department=market,
                          due_at=NOW + dt.timedelta(days=3)),
        "closed": an_order("GDT0003", tree["lamp"], channel="open311",
                           when=NOW - dt.timedelta(days=10), status="closed", reply="已修复",
                           callback_at=NOW - dt.timedelta(days=2),
                           closed_at=NOW - dt.timedelta(days=2)),
        "secret": an_order("GDT0004", tree["lamp"], channel="open311",
                           when=NOW - dt.timedelta(days=1), confidential=True),
        "old": an_order("GDT0005", tree["lamp"], channel="open311",
                        when=NOW - dt.timedelta(days=120)),
    }


def ids(found: list[dict[str, Any]]) -> list[str]:
    return [r["service_request_id"] for r in found]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_filters(fmt: str, listed: dict[str, WorkOrder]) -> None:
    with time_machine.travel(NOW, tick=False):
        civic = client(fmt)
        assert ids(civic.requests()) == ["GDT0001", "GDT0002", "GDT0003"]  # last 90 days
        assert ids(civic.requests(status="closed")) == ["GDT0003"]
        assert ids(civic.requests(status="open")) == ["GDT0001", "GDT0002"]
        assert ids(civic.requests(service_code="T901")) == ["GDT0002"]
        assert ids(civic.requests(service_code="T901,T90101")) == [
            "GDT0001", "GDT0002", "GDT0003"]
        assert ids(civic.requests(service_request_id="GDT0005,GDT0003,GDT0004")) == [
            "GDT0003", "GDT0005"]  # by id: any date; never the confidential one
        start = (NOW - dt.timedelta(days=130)).isoformat()
        end = (NOW - dt.timedelta(days=100)).isoformat()
        assert ids(civic.requests(start_date=start, end_date=end)) == ["GDT0005"]
        assert ids(civic.requests(start_date=(NOW - dt.timedelta(days=4)).isoformat())) == [
            "GDT0001"]
        assert ids(civic.requests(start_date=start)) == ["GDT0005"]  # to start + 90 days
        for bad in ({"start_date": "yesterday"}, {"start_date": "0001-01-01"},
                    {"end_date": "0001-02-01T00:00:00+08:00"}, {"start_date": "9999-12-31"},
                    {"start_date": end, "end_date": start}, {"status": "pending"},
                    {"start_date": (NOW - dt.timedelta(days=91)).isoformat(),
                     "end_date": NOW.isoformat()}):
            with pytest.raises(SpecError) as refused:
                civic.requests(**bad)
            assert refused.value.status == 400, bad


def test_get_never_shows_a_caller(listed: dict[str, WorkOrder]) -> None:
    with time_machine.travel(NOW, tick=False):
        for fmt in ("json", "xml"):
            for url in (f"/open311/v2/requests.{fmt}",
                        f"/open311/v2/requests.{fmt}?service_request_id=GDT0001,GDT0002",
                        f"/open311/v2/requests/GDT0002.{fmt}"):
                body = Client().get(url).content.decode()
                assert CALLER not in body and PHONE not in body and PHONE[-4:] not in body


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_phone_order_shows_no_words_and_no_address(fmt: str,
                                                     listed: dict[str, WorkOrder]) -> None:
    phone = client(fmt).request("GDT0002")
    assert phone["description"] is None and phone["address"] is None
    assert phone["lat"] is None and phone["long"] is None
    assert phone["agency_responsible"] == "耒阳市市场监督管理局"
    assert phone["service_name"] == "道路破损"
    assert dt.datetime.fromisoformat(phone["expected_datetime"]) == NOW + dt.timedelta(days=3)
    mine = client(fmt).request("GDT0001")
    assert mine["description"] == "某路口路灯不亮"
    assert mine["address"] == "蔡子池街道某小区3栋"
    assert float(mine["lat"]) == pytest.approx(26.422)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_and_confidential_requests_are_404(fmt: str,
                                                   listed: dict[str, WorkOrder]) -> None:
    for number in ("GD000", "GDT0004"):
        with pytest.raises(SpecError) as refused:
            client(fmt).request(number)
        assert refused.value.status == 404


def test_json_and_xml_say_the_same(listed: dict[str, WorkOrder]) -> None:
    with time_machine.travel(NOW, tick=False):
        as_json = client("json").requests()
        as_xml = client("xml").requests()
    assert [_plain(r) for r in as_json] == as_xml
    for row in as_json:
        for field in ("requested_datetime", "updated_datetime"):
            assert row[field].endswith("+08:00")


def test_unknown_paths_and_methods(db: Any) -> None:
    response = Client().get("/open311/v2/nothing.json")
    assert response.status_code == 404
    assert json.loads(response.content)[0]["code"] == 404
    assert Client().post("/open311/v2/services.json").status_code == 405


# --- the round trip through the hotline's services -----------------------------------------

def _move(number: str, user: User, when: dt.datetime, **move: Any) -> None:
    from zhengwu.hotline import services

    with time_machine.travel(when, tick=False):
        services.order_move(number=number, user=user, move=services.OrderMoveIn(**move),
                            now=when)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_round_trip(fmt: str, keys: None, tree: dict[str, Category]) -> None:
    civic = client(fmt)
    with time_machine.travel(NOW, tick=False):
        assert civic.discovery()
        codes = [s["service_code"] for s in civic.services()]
        assert "T90101" in codes
        answer = one(civic.post_request(
            service_code="T90101", description="人民路与五一路口路灯连续三晚不亮",
            lat="26.422", long="112.859", address_string="人民路与五一路交叉口",
            first_name="某某", last_name="欧阳", phone=PHONE, email="someone@example.com",
            media_url="https://example.com/lamp.jpg"))
    number = answer["service_request_id"]
    assert number.startswith("GD")
    assert answer["account_id"] is None
    assert number in answer["service_notice"]
    order = WorkOrder.objects.get(number=number)
    assert (order.channel, order.category.code if order.category else None) == (
        "open311", "T90101")
    assert (order.caller_name, order.caller_phone) == (CALLER, PHONE)

    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        seen = civic.request(number)
    assert seen["status"] == "open"
    assert seen["service_code"] == "T90101"
    assert seen["status_notes"] is None
    assert dt.datetime.fromisoformat(seen["requested_datetime"]) == NOW

    operator = User.objects.get(username="hotline")
    market = Department.objects.get(short_name="市市场监督管理局")
    chief = User.objects.get(username="chief")
    _move(number, operator, NOW + dt.timedelta(minutes=10), action="dispatch",
          department_id=market.pk)
    _move(number, chief, NOW + dt.timedelta(minutes=30), action="sign")
    _move(number, chief, NOW + dt.timedelta(hours=3), action="answer",
          reply="已安排维修，路灯已恢复照明。")
    _move(number, operator, NOW + dt.timedelta(hours=5), action="callback", resolved=True,
          satisfaction="satisfied")
    _move(number, operator, NOW + dt.timedelta(hours=5, minutes=5), action="close")

    with time_machine.travel(NOW + dt.timedelta(hours=6), tick=False):
        closed = civic.request(number)
        listed_closed = civic.requests(status="closed")
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "已安排维修，路灯已恢复照明。"
    assert closed["agency_responsible"] == market.name
    assert closed["expected_datetime"] is not None
    assert dt.datetime.fromisoformat(closed["updated_datetime"]) == NOW + dt.timedelta(
        hours=5, minutes=5)
    assert number in ids(listed_closed)
    body = json.dumps(closed, ensure_ascii=False)
    assert CALLER not in body and PHONE not in body and "someone@" not in body


def test_an_email_alone_is_enough_and_is_never_shown(keys: None,
                                                     tree: dict[str, Category]) -> None:
    """GeoReport v2 makes every contact field optional; 12345 needs one way to answer (回访):
    an e-mail does when there is no phone, is kept on the order and never given by GET."""
    for fmt in ("json", "xml"):
        made = one(client(fmt).post_request(
            service_code="T90101", address_string="五一路", description="路灯不亮",
            email="wang@example.com", first_name="五", last_name="王"))
        order = WorkOrder.objects.get(number=made["service_request_id"])
        assert order.caller_email == "wang@example.com" and order.caller_phone == ""
        assert "example.com" not in json.dumps(client("json").request(order.number))

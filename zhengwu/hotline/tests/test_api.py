"""The hotline API: an order taken, dispatched by the rule suggested, signed, answered, called
back and closed; error shapes ({"code","detail"}); masking and confidential callers; the
logged reads; the import replayed; the routing table admin-only."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from zhengwu.hotline.models import WorkOrder, WorkOrderRead
from zhengwu.hotline.tests.conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/hotline"
CALL = {"kind": "complaint", "title": "超市销售过期食品", "content": "某超市销售过期牛奶",
        "caller_name": "王五", "caller_phone": "13912345678", "category_code": "030102",
        "region_code": "430481001001"}


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json")


@time_machine.travel(at(2026, 12, 7, 9), tick=False)
def test_the_closed_loop_through_the_api(client_for, operator, market_staff, market_chief):
    desk = client_for(operator)
    bad = _post(desk, "/orders", dict(CALL, caller_phone="12"))
    assert bad.status_code == 422 and set(bad.json()) == {"code", "detail"}
    assert bad.json()["code"] == "order.invalid"
    made = _post(desk, "/orders", CALL)
    assert made.status_code == 201
    number = made.json()["number"]
    assert made.json()["caller_phone"] == "13912345678"  # the operator took the call
    items = _post(desk, "/route", {"text": CALL["content"], "region_code": CALL["region_code"],
                                   "category_code": "030102"}).json()["items"]
    assert items[0]["by"] == "rule" and items[0]["department"] == "耒阳市市场监督管理局"
    assert set(items[0]) == {"department", "department_id", "score", "by"}
    sent = _post(desk, f"/orders/{number}/moves", {
        "action": "dispatch", "department_id": items[0]["department_id"], "by": "rule"})
    assert sent.status_code == 200 and sent.json()["status"] == "signing"
    staff = client_for(market_staff)
    shown = staff.get(f"{API}/orders/{number}").json()
    assert shown["caller_phone"] != "13912345678" and "*" in shown["caller_phone"]
    assert shown["moves"][:2] == ["sign", "return"]
    assert not WorkOrderRead.objects.filter(order__number=number, user=market_staff).exists()
    chief = client_for(market_chief).get(f"{API}/orders/{number}").json()
    assert chief["caller_phone"] == "13912345678"  # the 首席代表 may unmask: logged
    assert WorkOrderRead.objects.filter(order__number=number, user=market_chief).exists()
    assert _post(staff, f"/orders/{number}/moves", {"action": "sign"}).status_code == 200
    refused = _post(desk, f"/orders/{number}/moves", {"action": "close"})
    assert refused.status_code == 409 and set(refused.json()) == {"code", "detail"}
    forbidden = _post(desk, f"/orders/{number}/moves", {"action": "answer", "reply": "x"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "order.forbidden"
    assert _post(staff, f"/orders/{number}/moves", {
        "action": "answer", "reply": "已责令下架。"}).status_code == 200
    assert _post(desk, f"/orders/{number}/moves", {
        "action": "callback", "resolved": True, "satisfaction": "satisfied"}).status_code == 200
    done = _post(desk, f"/orders/{number}/moves", {"action": "close"})
    assert done.status_code == 200 and done.json()["status"] == "closed"
    assert [e["action"] for e in done.json()["events"]] == [
        "accept", "dispatch", "sign", "answer", "callback", "close"]


@time_machine.travel(at(2026, 12, 7, 9), tick=False)
def test_confidential_caller_never_shown_to_the_department(client_for, operator, market,
                                                           market_chief):
    desk = client_for(operator)
    number = _post(desk, "/orders", dict(CALL, kind="report")).json()["number"]
    _post(desk, f"/orders/{number}/moves", {"action": "dispatch", "department_id": market.pk})
    shown = client_for(market_chief).get(f"{API}/orders/{number}").json()
    assert shown["confidential"] and shown["caller_name"] == "（保密）"
    assert shown["caller_phone"] == "（保密）"
    listed = client_for(market_chief).get(f"{API}/orders").json()["items"]
    assert all(o["caller_phone"] == "（保密）" for o in listed if o["number"] == number)


@time_machine.travel(at(2026, 12, 7, 9), tick=False)
def test_others_do_not_see_an_order(client_for, operator, police_staff, caller):
    number = _post(client_for(operator), "/orders", CALL).json()["number"]
    for user in (police_staff, caller):
        answer = client_for(user).get(f"{API}/orders/{number}")
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert client_for(None).get(f"{API}/orders").status_code == 401


@time_machine.travel(at(2026, 12, 7, 9), tick=False)
def test_a_caller_submits_and_follows_their_own(client_for, caller):
    me = client_for(caller)
    made = _post(me, "/orders", CALL)
    assert made.status_code == 201 and made.json()["channel"] == "web"
    assert made.json()["moves"] == []
    assert me.get(f"{API}/orders").json()["count"] == 1
    assert _post(me, "/orders?channel=phone", CALL).status_code == 403
    assert _post(me, "/route", {"text": "x"}).status_code == 403


@time_machine.travel(at(2026, 12, 7, 9), tick=False)
def test_import_replayed_is_one_order(client_for, operator, market_staff):
    rows = {"orders": [{"external_id": "SJ-9", "kind": "help", "title": "路灯不亮",
                        "content": "路灯坏了", "caller_name": "李四",
                        "caller_phone": "13812345678"}]}
    desk = client_for(operator)
    first = _post(desk, "/import", rows).json()
    again = _post(desk, "/import", rows).json()
    assert len(first["created"]) == 1 and again["existing"] == first["created"]
    assert WorkOrder.objects.filter(external_id="SJ-9").count() == 1
    bad = _post(desk, "/import", {"orders": [{"external_id": "", "kind": "help"}]})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("第1行")
    assert _post(client_for(market_staff), "/import", rows).status_code == 403


def test_rules_read_and_new_version_admin_only(client_for, operator):
    from zhengwu.accounts.models import User

    desk = client_for(operator)
    table = desk.get(f"{API}/rules").json()
    assert table["number"] == 1 and len(table["rules"]) > 100
    body = {"note": "测试", "rules": [{"category_code": "03",
                                      "department": "耒阳市市场监督管理局"}]}
    refused = _post(desk, "/rules", body)
    assert refused.status_code == 403 and set(refused.json()) == {"code", "detail"}
    admin = client_for(User.objects.get(username="admin"))
    made = _post(admin, "/rules", body)
    assert made.status_code == 201 and made.json()["number"] == 2
    bad = _post(admin, "/rules", {"rules": [{"department": "无此部门"}]})
    assert bad.status_code == 422 and "第1行" in bad.json()["detail"]

"""反馈 to the provincial platform (hotline.upstream): an order imported from upstream is
answered, extended and closed; each is one feedback written with its move, pulled in order,
given again until acknowledged, never with caller data; orders of other channels are not fed
back, except an upstream duplicate merged into one."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from zhengwu.hotline import services, upstream
from zhengwu.hotline.models import Channel, UpstreamFeedback, WorkOrder
from zhengwu.hotline.tests.conftest import at, moved, opened

pytestmark = pytest.mark.django_db
API = "/api/v1/hotline"
ROW = {"external_id": "HN12345-2026-0001", "kind": "complaint", "title": "某餐馆油烟扰民",
       "content": "油烟直排，影响休息。", "caller_name": "李四", "caller_phone": "13812345678"}


def imported(operator, external_id: str = ROW["external_id"]) -> WorkOrder:
    services.order_import(user=operator, rows=[ROW | {"external_id": external_id}],
                          now=at(2026, 12, 7, 9))
    return WorkOrder.objects.get(external_id=external_id)


def handled(row: WorkOrder, operator, market, market_staff) -> None:
    moved(row.number, operator, at(2026, 12, 7, 9, 5), action="dispatch",
          department_id=market.pk, by="rule")
    moved(row.number, market_staff, at(2026, 12, 7, 10), action="sign")
    moved(row.number, market_staff, at(2026, 12, 7, 11), action="extend_request", days=2,
          note="需联合执法")
    moved(row.number, operator, at(2026, 12, 7, 14), action="extend_approve", note="同意")
    moved(row.number, market_staff, at(2026, 12, 8, 10), action="answer",
          reply="已责令安装油烟净化设备。")
    moved(row.number, operator, at(2026, 12, 8, 15), action="callback", resolved="true",
          satisfaction="satisfied")
    moved(row.number, operator, at(2026, 12, 8, 15, 5), action="close")


def test_an_upstream_order_is_fed_back_move_by_move(operator, market, market_staff):
    row = imported(operator)
    handled(row, operator, market, market_staff)
    items = [upstream.item(f) for f in upstream.pending()]
    assert [i["action"] for i in items] == [
        "extend_request", "extend_approve", "answer", "close"]
    assert all(i["external_id"] == ROW["external_id"] for i in items)
    assert items[0]["days"] == 2 and items[0]["reason"] == "需联合执法"
    assert items[2]["reply"] == "已责令安装油烟净化设备。"
    assert items[3]["resolved"] is True and items[3]["satisfaction"] == "satisfied"
    text = json.dumps(items, default=str)
    assert "13812345678" not in text and "李四" not in text


def test_other_channels_are_not_fed_back_but_a_merged_upstream_duplicate_is(
        operator, market, market_staff):
    main = opened(operator, at(2026, 12, 7, 9))
    duplicate = imported(operator, "HN12345-2026-0002")
    moved(duplicate.number, operator, at(2026, 12, 7, 9, 2), action="merge", into=main.number)
    handled(main, operator, market, market_staff)
    fed = list(UpstreamFeedback.objects.all())
    assert [(f.order_id, f.action) for f in fed] == [(duplicate.pk, "close")]
    assert fed[0].payload["reply"] == "已责令安装油烟净化设备。"


def test_pulled_until_acknowledged_by_the_exchange(client_for, operator, market, market_staff):
    row = imported(operator)
    handled(row, operator, market, market_staff)
    desk = client_for(operator)
    first = desk.get(f"{API}/upstream/feedback", {"limit": 2}).json()
    assert [i["action"] for i in first["items"]] == ["extend_request", "extend_approve"]
    rest = desk.get(f"{API}/upstream/feedback", {"after": first["next_after"]}).json()
    assert [i["action"] for i in rest["items"]] == ["answer", "close"]
    ack = desk.post(f"{API}/upstream/feedback/ack", {"through": first["next_after"]},
                    content_type="application/json")
    assert ack.json() == {"acknowledged": 2}
    again = desk.get(f"{API}/upstream/feedback").json()
    assert [i["action"] for i in again["items"]] == ["answer", "close"]
    assert client_for(market_staff).get(f"{API}/upstream/feedback").status_code == 403
    bad = desk.post(f"{API}/upstream/feedback/ack", {"through": 0},
                    content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()) == {"code", "detail"}


def test_the_command_writes_the_same_file_and_acknowledges(operator, market, market_staff,
                                                          tmp_path):
    row = imported(operator)
    handled(row, operator, market, market_staff)
    out = tmp_path / "feedback.json"
    call_command("hotline_feedback", "--output", str(out), stdout=io.StringIO())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [i["action"] for i in data["items"]][-1] == "close"
    call_command("hotline_feedback", "--ack-through", str(data["next_after"]),
                 stdout=io.StringIO())
    assert not upstream.pending()
    assert row.channel == Channel.UPSTREAM

"""The 12345 pages: who may open which (403 for other staff and the public, 404 for an order
not theirs), the operator's desk (a refused call keeps what was typed, the caller's history by
phone, the catalogue's guides), the department's inbox, the masking of the caller, the
portal's 我要反映 and 我的诉求, the routing rules, and a whole order through the pages:
受理 → 派单 → 签收 → 答复 → 回访 → 办结."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.hotline import services
from zhengwu.hotline.models import Channel, RoutingVersion, WorkOrder, WorkOrderRead
from zhengwu.hotline.models import Status as S  # noqa: N817
from zhengwu.hotline.schemas import OrderIn, OrderMoveIn
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
CALL = {"channel": "phone", "kind": "complaint", "title": "某餐馆油烟扰民",
        "content": "蔡子池街道某小区楼下餐馆油烟直排，晚上十点后仍在营业，影响休息。",
        "region": "", "address": "蔡子池街道某小区1栋", "caller_name": "王五",
        "caller_phone": "13912345678", "urgency": "normal"}


def user(name: str) -> User:
    return User.objects.get(username=name)


@pytest.fixture
def market(db: Any) -> Department:
    return Department.objects.get(short_name="市市场监督管理局")


def opened(by: User, *, when: dt.datetime = MONDAY, channel: str = Channel.PHONE,
           **fields: Any) -> WorkOrder:
    data = {"kind": "complaint", "title": "某餐馆油烟扰民", "content": CALL["content"],
            "caller_name": "王五", "caller_phone": "13912345678"} | fields
    with time_machine.travel(when, tick=False):
        return services.order_open(user=by, data=OrderIn(**data), channel=channel,
                                   now=when)


def moved(number: str, actor: User, when: dt.datetime = MONDAY, **move: Any) -> WorkOrder:
    known = OrderMoveIn.model_fields
    with time_machine.travel(when, tick=False):
        return services.order_move(number=number, user=actor, now=when,
                                   move=OrderMoveIn(**{k: v for k, v in move.items()
                                                                if k in known}))


def dispatched(market: Department, when: dt.datetime = MONDAY) -> WorkOrder:
    row = opened(user("hotline"), when=when)
    return moved(row.number, user("hotline"), when, action="dispatch",
                 department_id=market.pk, by="manual")


# --- who may open which page ------------------------------------------------------------------

PAGES = ["hotline:desk", "hotline:orders", "hotline:rules", "hotline:new", "hotline:mine"]
# username → the status of each page in PAGES (anonymous: "").
EXPECTED = {
    "hotline": (200, 200, 200, 302, 200),  # an operator's 我要反映 is the desk
    "supervisor": (403, 200, 200, 403, 200),
    "reviewer": (403, 200, 403, 403, 200),
    "chief": (403, 200, 403, 403, 200),
    "clerk": (403, 403, 403, 403, 200),
    "zhangsan": (403, 403, 403, 200, 200),
    "canyin": (403, 403, 403, 200, 200),
    "": (302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("username", list(EXPECTED))
def test_every_page_for_each_role(username: str, client_for: Any) -> None:
    client = client_for(user(username) if username else None)
    got = tuple(client.get(reverse(name)).status_code for name in PAGES)
    assert got == EXPECTED[username]


def test_anonymous_is_sent_to_sign_in_and_back(client_for: Any) -> None:
    answer = client_for(None).get(reverse("hotline:new"))
    assert answer.status_code == 302
    assert "/accounts/login/" in answer["Location"] and "next=/hotline/new/" in answer["Location"]


def test_an_order_page_for_each_role(client_for: Any, market: Department) -> None:
    row = dispatched(market)
    url = reverse("hotline:order", args=[row.number])
    for name, status in [("hotline", 200), ("supervisor", 200), ("reviewer", 200),
                         ("chief", 200), ("gongan", 404), ("clerk", 403), ("zhangsan", 404)]:
        assert client_for(user(name)).get(url).status_code == status, name
    assert client_for(None).get(url).status_code == 302
    missing = reverse("hotline:order", args=["GD202603029999"])
    assert client_for(user("hotline")).get(missing).status_code == 404


def test_the_workbench_links_the_hotline_pages(client_for: Any) -> None:
    desk, orders_url = reverse("hotline:desk"), reverse("hotline:orders")
    page = client_for(user("hotline")).get(reverse("staff:workbench")).content.decode()
    assert desk in page and orders_url in page
    page = client_for(user("reviewer")).get(reverse("staff:workbench")).content.decode()
    assert orders_url in page and desk not in page
    page = client_for(user("clerk")).get(reverse("staff:workbench")).content.decode()
    assert orders_url not in page


# --- the desk ---------------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_a_refused_call_keeps_what_was_typed(client_for: Any) -> None:
    client = client_for(user("hotline"))
    answer = client.post(reverse("hotline:desk"), CALL | {"kind": "", "caller_phone": "12"})
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "请修改以下" in page
    assert "某餐馆油烟扰民" in page and "蔡子池街道某小区1栋" in page and 'value="12"' in page
    assert 'aria-invalid="true"' in page
    assert not WorkOrder.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_the_desk_shows_the_callers_history_and_the_guides(client_for: Any) -> None:
    earlier = opened(user("hotline"))
    client = client_for(user("hotline"))
    def history(phone: str) -> str:
        page: str = client.get(reverse("hotline:desk"), {"phone": phone}).content.decode()
        return page.split('id="caller-history"', 1)[1].split("</div>", 1)[0]

    assert earlier.number in history("13912345678")
    assert earlier.number not in history("13900000000")
    page = client.get(reverse("hotline:desk"), {"q": "营业执照"}).content.decode()
    assert 'id="knowledge-hits"' in page and "/guide/" in page


@time_machine.travel(MONDAY, tick=False)
def test_a_lookup_while_taking_a_call_keeps_what_was_typed(client_for: Any) -> None:
    earlier = opened(user("hotline"))
    client = client_for(user("hotline"))
    answer = client.post(reverse("hotline:desk"), CALL | {"title": "", "lookup": "history"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "请修改以下" not in page
    assert earlier.number in page.split('id="caller-history"', 1)[1]
    assert "蔡子池街道某小区1栋" in page and 'value="13912345678"' in page
    answer = client.post(reverse("hotline:desk"), CALL | {"lookup": "knowledge",
                                                          "q": "社保卡"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "/guide/" in page.split('id="knowledge-hits"', 1)[1]
    assert "某餐馆油烟扰民" in page
    assert WorkOrder.objects.count() == 1


@time_machine.travel(MONDAY, tick=False)
def test_a_consult_answered_on_the_call_is_closed_as_direct(client_for: Any) -> None:
    client = client_for(user("hotline"))
    answer = client.post(reverse("hotline:desk"), CALL | {"kind": "consult",
                                                          "title": "社保卡补办要带什么"})
    assert answer.status_code == 302
    row = WorkOrder.objects.get()
    page = client.get(answer["Location"]).content.decode()
    assert 'id="move-direct"' in page
    done = client.post(answer["Location"], {"action": "direct",
                                            "reply": "带身份证到市人社局窗口即可补办"})
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == S.CLOSED and row.direct


# --- the order page ---------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_department_sees_the_caller_masked_and_the_operator_reads_are_logged(
        client_for: Any, market: Department) -> None:
    row = dispatched(market)
    page = client_for(user("reviewer")).get(
        reverse("hotline:order", args=[row.number])).content.decode()
    assert "13912345678" not in page
    before = WorkOrderRead.objects.filter(order=row).count()
    page = client_for(user("hotline")).get(
        reverse("hotline:order", args=[row.number])).content.decode()
    assert "13912345678" in page
    assert WorkOrderRead.objects.filter(order=row).count() == before + 1


@time_machine.travel(MONDAY, tick=False)
def test_a_reporter_is_never_shown_to_the_department(client_for: Any,
                                                     market: Department) -> None:
    row = opened(user("hotline"), kind="report", title="举报无证经营")
    moved(row.number, user("hotline"), action="dispatch", department_id=market.pk)
    url = reverse("hotline:order", args=[row.number])
    for name in ("chief", "reviewer"):  # not even the 首席代表, who may unmask otherwise
        page = client_for(user(name)).get(url).content.decode()
        assert "13912345678" not in page and "王五" not in page and "保密" in page, name


@time_machine.travel(MONDAY, tick=False)
def test_a_refused_move_keeps_what_was_typed(client_for: Any, market: Department) -> None:
    row = dispatched(market)
    moved(row.number, user("reviewer"), action="sign")
    client = client_for(user("reviewer"))
    url = reverse("hotline:order", args=[row.number])
    answer = client.post(url, {"action": "extend_request", "days": "三天",
                               "reason": "需要现场核查两次"})
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "需要现场核查两次" in page and 'id="id_extend_request_days_error"' in page
    answer = client.post(url, {"action": "answer", "reply": ""})
    assert answer.status_code == 422
    assert 'id="move-answer"' in answer.content.decode()
    row.refresh_from_db()
    assert row.status == S.HANDLING


@time_machine.travel(MONDAY, tick=False)
def test_a_return_is_reviewed_on_the_page(client_for: Any, market: Department) -> None:
    row = dispatched(market)
    url = reverse("hotline:order", args=[row.number])
    reviewer = client_for(user("reviewer"))
    refused = reviewer.post(url, {"action": "return", "reason": ""})
    assert refused.status_code == 422
    assert 'id="id_return_reason_error"' in refused.content.decode()
    assert reviewer.post(url, {"action": "return",
                               "reason": "油烟扰民属生态环境部门职责"}).status_code == 302
    row.refresh_from_db()
    assert row.status == S.RETURNED
    operator = client_for(user("hotline"))
    page = operator.get(url).content.decode()
    assert 'id="move-return_approve"' in page and 'id="move-return_reject"' in page
    police = Department.objects.get(short_name="市公安局")
    assert operator.post(url, {"action": "return_approve",
                               "department": str(police.pk)}).status_code == 302
    row.refresh_from_db()
    assert row.status == S.SIGNING and row.department == police and row.return_count == 1
    # 市场监管 no longer sees it; 公安 does.
    assert reviewer.get(url).status_code == 404
    assert client_for(user("gongan")).get(url).status_code == 200


@time_machine.travel(MONDAY, tick=False)
def test_the_supervisor_supervises_from_the_page(client_for: Any, market: Department) -> None:
    row = dispatched(market)
    url = reverse("hotline:order", args=[row.number])
    client = client_for(user("supervisor"))
    page = client.get(url).content.decode()
    assert 'id="move-supervise"' in page and 'id="move-dispatch"' not in page
    assert client.post(url, {"action": "supervise", "note": "请加快办理"}).status_code == 302
    assert row.events.filter(action="supervise").exists()
    # A move the user may not make, or none at all, is refused, not performed.
    assert client.post(url, {"action": "close"}).status_code in (403, 409)
    assert client.post(url, {"action": "nonsense"}).status_code in (403, 409, 422)
    assert client.post(url, {"action": "dispatch", "department": "x"}).status_code in (
        403, 409, 422)
    row.refresh_from_db()
    assert row.status == S.SIGNING


@time_machine.travel(MONDAY, tick=False)
def test_the_department_inbox_lists_its_own_orders_signing_first(
        client_for: Any, market: Department) -> None:
    signed = dispatched(market)
    moved(signed.number, user("reviewer"), action="sign")
    waiting = dispatched(market)
    elsewhere = opened(user("hotline"))
    page = client_for(user("reviewer")).get(reverse("hotline:orders")).content.decode()
    assert waiting.number in page and signed.number in page
    assert page.index(waiting.number) < page.index(signed.number)
    assert elsewhere.number not in page
    everything = client_for(user("hotline")).get(reverse("hotline:orders")).content.decode()
    assert elsewhere.number in everything
    only = client_for(user("hotline")).get(reverse("hotline:orders"),
                                           {"status": S.SIGNING}).content.decode()
    assert waiting.number in only and signed.number not in only


def test_a_whole_order_through_the_pages(client_for: Any, market: Department) -> None:
    # Each sits down at their own time (a staff session ends when idle).
    with time_machine.travel(MONDAY, tick=False):
        operator = client_for(user("hotline"))
        answer = operator.post(reverse("hotline:desk"), CALL)
        assert answer.status_code == 302
        row = WorkOrder.objects.get()
        url = reverse("hotline:order", args=[row.number])
        assert answer["Location"] == url
        page = operator.get(url).content.decode()
        assert 'id="move-dispatch"' in page
        assert operator.post(url, {"action": "dispatch", "department": str(market.pk),
                                   "by": "manual"}).status_code == 302
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        reviewer = client_for(user("reviewer"))
        page = reviewer.get(url).content.decode()
        assert 'id="move-sign"' in page and 'id="move-answer"' not in page
        assert reviewer.post(url, {"action": "sign"}).status_code == 302
        assert reviewer.post(url, {"action": "answer",
                                   "reply": "已现场检查，责令餐馆安装油烟净化设施。"}
                             ).status_code == 302
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        operator = client_for(user("hotline"))
        page = operator.get(url).content.decode()
        assert 'id="move-callback"' in page
        assert operator.post(url, {"action": "callback", "resolved": "yes",
                                   "satisfaction": "satisfied"}).status_code == 302
        assert operator.post(url, {"action": "close"}).status_code == 302
        page = operator.get(url).content.decode()
    row.refresh_from_db()
    assert row.status == S.CLOSED and row.department == market and row.resolved
    for label in ("受理", "派单", "签收", "答复", "回访", "办结"):
        assert label in page.split('id="timeline"', 1)[1], label


# --- the portal -------------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_a_person_reports_and_follows_it_in_my_space(client_for: Any) -> None:
    person = user("zhangsan")
    client = client_for(person)
    fields = {k: v for k, v in CALL.items() if k not in ("channel", "caller_name")}
    refused = client.post(reverse("hotline:new"), fields | {"title": ""})
    assert refused.status_code == 422 and "蔡子池街道某小区1栋" in refused.content.decode()
    answer = client.post(reverse("hotline:new"), fields | {"caller_phone": ""})
    assert answer.status_code == 200
    row = WorkOrder.objects.get()
    assert row.caller == person and row.channel == Channel.WEB
    assert row.caller_phone == person.phone
    assert row.number in client.get(reverse("hotline:mine")).content.decode()
    page = client.get(reverse("hotline:order", args=[row.number]))
    assert page.status_code == 200 and "吴热线" not in page.content.decode()
    assert row.number in client.get("/my/").content.decode()
    other = client_for(user("chuangye"))
    assert other.get(reverse("hotline:order", args=[row.number])).status_code == 404
    assert row.number not in other.get(reverse("hotline:mine")).content.decode()


# --- routing rules ----------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_admin_publishes_a_new_rules_version(client_for: Any, market: Department) -> None:
    before = RoutingVersion.objects.count()
    admin = client_for(user("admin"))
    refused = admin.post(reverse("hotline:rules"), {
        "rows": "region_code,category_code,department,priority\n430481,,没有这个部门,5",
        "note": "试"})
    assert refused.status_code == 422 and "没有这个部门" in refused.content.decode()
    assert RoutingVersion.objects.count() == before
    answer = admin.post(reverse("hotline:rules"), {
        "rows": f"region_code,category_code,department,priority\n430481,,{market.name},5",
        "note": "市场监管兜底"})
    assert answer.status_code == 302
    assert RoutingVersion.objects.count() == before + 1
    page = admin.get(reverse("hotline:rules")).content.decode()
    assert "市场监管兜底" in page and market.short_name in page
    # An operator without the permission sees the table but may not publish.
    operator = client_for(user("hotline"))
    assert 'id="new-rules"' not in operator.get(reverse("hotline:rules")).content.decode()
    assert operator.post(reverse("hotline:rules"), {"rows": "", "note": ""}).status_code == 403


def test_the_timeline_names_the_cards_colour(client_for: Any, market: Department) -> None:
    """A yellow card and a later red one are both 亮牌: the order page's timeline says which."""
    row = dispatched(market)
    late = dt.datetime(2026, 3, 20, 10, tzinfo=SHANGHAI)  # due 9 March; 10–12 passed: red
    with time_machine.travel(late, tick=False):
        services.orders_sweep(late)
    row.refresh_from_db()
    assert row.card == "red"
    with time_machine.travel(late, tick=False):
        page = client_for(user("supervisor")).get(
            reverse("hotline:order", args=[row.number])).content.decode()
    timeline = page.split('id="timeline"', 1)[1]
    assert "亮牌（红牌）" in timeline and "督办" in timeline
    assert "亮牌（无）" not in timeline

"""Duplicate candidates (issue 13 §1): the similarity separates a labelled set of realistic
pairs; the place/category preconditions; the window, the limit and the order of the selector."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.hotline import duplicates, duplicates_selectors
from zhengwu.hotline.duplicates import Order
from zhengwu.hotline.models import Status
from zhengwu.hotline.tests.conftest import at, moved, opened

API = "/api/v1/hotline"

# (title + content of one call, of another call, same matter?) — written for the test, as callers
# in one township of 耒阳 would word them. Different-matter pairs share the category and the
# place (the precondition), so only the text has to tell them apart.
PAIRS: list[tuple[str, str, bool]] = [
    ("五一路小区门口路灯不亮 五一路小区门口的路灯已经坏了一个星期，晚上很黑，请尽快维修。",
     "五一路小区路灯坏了 小区门口路灯坏了好几天了，晚上出行很不方便，希望尽快修好。", True),
    ("超市销售过期食品 蔡子池街道某超市货架上有过期牛奶，请市场监管部门查处。",
     "超市卖过期牛奶 蔡子池街道那家超市货架上的牛奶过期了还在卖，请查处。", True),
    ("工地夜间施工噪音扰民 金华路工地每天晚上十二点以后还在施工，噪音很大，无法休息。",
     "金华路工地半夜施工 金华路的工地半夜还在施工，噪音扰民，影响休息，请管一管。", True),
    ("自来水停水 青麓路一带从早上开始停水，没有任何通知，请问什么时候恢复供水？",
     "青麓路停水没通知 青麓路今天一早就停水了，事先没有通知，什么时候能恢复供水？", True),
    ("下水道堵塞污水外溢 神农路菜市场旁边下水道堵了，污水流到路面上，臭气熏天。",
     "菜市场旁污水外溢 神农路菜市场旁边的下水道堵塞，污水流到路上，气味很难闻。", True),
    ("拖欠农民工工资 某建筑公司拖欠我们十几个农民工半年工资，老板联系不上。",
     "建筑公司拖欠工资 我们十几个农民工被某建筑公司拖欠工资半年了，老板不接电话。", True),
    ("小区垃圾无人清运 城南小区垃圾桶满了好几天没人清运，气味难闻，招苍蝇。",
     "城南小区垃圾堆积 城南小区的垃圾好几天没人清运了，垃圾桶都满了，很臭。", True),
    ("道路坑洼积水 蔡伦大道靠近加油站的路段路面坑洼，下雨积水，车辆经过溅水。",
     "蔡伦大道路面坑洼 蔡伦大道加油站附近路面坑坑洼洼，一下雨就积水，车辆溅水到行人身上。", True),
    ("广场舞音响扰民 人民广场每天晚上广场舞音响声音太大，一直到十点多。",
     "人民广场音响太吵 人民广场跳广场舞的音响声音太大了，每天晚上到十点多，影响休息。", True),
    ("餐馆油烟扰民 灶市街一家餐馆油烟直排到居民楼，窗户都不敢开。",
     "餐馆油烟直排 灶市街那家餐馆的油烟直接排到我们居民楼，窗户都不能开，请处理。", True),
    ("超市销售过期食品 蔡子池街道某超市货架上有过期牛奶，请市场监管部门查处。",
     "药店价格不明码标价 蔡子池街道某药店药品没有标价，结账时价格随意，请查处。", False),
    ("工地夜间施工噪音扰民 金华路工地每天晚上十二点以后还在施工，噪音很大，无法休息。",
     "工地渣土车撒漏 金华路工地的渣土车沿路撒漏泥土，路面很脏，下雨一片泥泞。", False),
    ("自来水停水 青麓路一带从早上开始停水，没有任何通知，请问什么时候恢复供水？",
     "水费计费异常 我家这个月水费比平时多了三倍，家里没有漏水，请核查水表。", False),
    ("下水道堵塞污水外溢 神农路菜市场旁边下水道堵了，污水流到路面上，臭气熏天。",
     "菜市场占道经营 神农路菜市场外面的摊贩占道经营，车辆和行人都过不去。", False),
    ("拖欠农民工工资 某建筑公司拖欠我们十几个农民工半年工资，老板联系不上。",
     "未签劳动合同 我在一家餐饮公司上班三个月，公司一直不和我签劳动合同，也不交社保。", False),
    ("小区垃圾无人清运 城南小区垃圾桶满了好几天没人清运，气味难闻，招苍蝇。",
     "小区绿化带被毁种菜 城南小区有住户把绿化带挖了种菜，还施粪肥，很难闻。", False),
    ("道路坑洼积水 蔡伦大道靠近加油站的路段路面坑洼，下雨积水，车辆经过溅水。",
     "红绿灯时间太短 蔡伦大道加油站路口的行人绿灯只有十几秒，老人过不去。", False),
    ("广场舞音响扰民 人民广场每天晚上广场舞音响声音太大，一直到十点多。",
     "人民广场违规停车 人民广场周边人行道上停满了车，行人只能走机动车道。", False),
    ("餐馆油烟扰民 灶市街一家餐馆油烟直排到居民楼，窗户都不敢开。",
     "餐馆无证经营 灶市街新开的一家餐馆没有营业执照和食品经营许可证。", False),
    ("药店价格不明码标价 蔡子池街道某药店药品没有标价，结账时价格随意。",
     "药店销售过期药品 蔡子池街道某药店在卖过期的感冒药，请查处。", False),
]

# Different matters described at the same spot at length: lexically too close to separate
# (see the module's docstring); shown as a candidate, the operator declines it.
HARD = ("五一路小区门口路灯不亮 五一路小区门口的路灯已经坏了一个星期，晚上很黑，请尽快维修。",
        "五一路小区井盖缺失 五一路小区门口的井盖丢了，晚上很危险，请尽快补上。")


def test_the_labelled_set_is_balanced() -> None:
    labels = [same for _, _, same in PAIRS]
    assert len(PAIRS) >= 20 and labels.count(True) >= 10 and labels.count(False) >= 10


def test_the_default_threshold_separates_the_labelled_pairs() -> None:
    same = [duplicates.similarity(a, b) for a, b, label in PAIRS if label]
    other = [duplicates.similarity(a, b) for a, b, label in PAIRS if not label]
    # Every same-matter pair reaches the threshold, every other pair stays below it (the gap is
    # narrow: 0.19 … 0.224 on this set).
    assert min(same) >= duplicates.DEFAULT_THRESHOLD, sorted(same)
    assert max(other) < duplicates.DEFAULT_THRESHOLD, sorted(other)


def test_the_known_hard_pair_is_shown_rather_than_missed() -> None:
    assert duplicates.similarity(*HARD) >= duplicates.DEFAULT_THRESHOLD


# --- the pure preconditions -------------------------------------------------------------------

def _o(number: str, text: str, *, category_code: str = "030102",
       region_code: str = "430481001001", address: str = "") -> Order:
    title, _, content = text.partition(" ")
    return Order(number=number, title=title, content=content, category_code=category_code,
                 region_code=region_code, address=address)


def test_candidates_need_the_same_category_and_place() -> None:
    a, b = PAIRS[1][0], PAIRS[1][1]
    order = _o("GD1", a)
    same = _o("GD2", b)
    assert [c.number for c in duplicates.candidates(order, [same])] == ["GD2"]
    assert duplicates.candidates(order, [_o("GD3", b, category_code="0101")]) == []
    assert duplicates.candidates(order, [_o("GD4", b, region_code="430481002001")]) == []
    # Another village of the same township (first 9 digits) is the same place.
    assert duplicates.candidates(order, [_o("GD5", b, region_code="430481001002")])
    # No region, but the same address (spaces and punctuation do not matter).
    far = _o("GD1", a, region_code="", address="蔡子池街道 金华路 12号")
    near = _o("GD6", b, region_code="", address="蔡子池街道金华路12号")
    assert [c.number for c in duplicates.candidates(far, [near])] == ["GD6"]
    assert duplicates.candidates(far, [_o("GD7", b, region_code="", address="")]) == []
    assert duplicates.candidates(order, [order]) == []  # never itself


def test_candidates_are_best_first_and_at_most_five() -> None:
    base = PAIRS[0][0]
    pool = [_o(f"GD{n}", base[:len(base) - n]) for n in range(1, 9)]
    found = duplicates.candidates(_o("GD0", base), pool)
    assert len(found) == duplicates.LIMIT
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert found[0].number == "GD1"


@pytest.mark.parametrize(("threshold", "expected"), [(0.99, 0), (0.01, 1)])
def test_the_threshold_is_a_setting(settings: Any, threshold: float, expected: int) -> None:
    settings.HOTLINE_DUPLICATE_THRESHOLD = threshold
    a, b, _ = PAIRS[1]
    assert len(duplicates.candidates(_o("GD1", a), [_o("GD2", b)])) == expected


# --- the selector, the order page and the API -------------------------------------------------

FIRST = {"title": "超市销售过期食品", "content": "蔡子池街道某超市货架上有过期牛奶，请市场监管部门查处。",
         "category_code": "030102", "region_code": "430481001001"}
SECOND = {"title": "超市卖过期牛奶", "content": "蔡子池街道那家超市货架上的牛奶过期了还在卖，请查处。",
          "category_code": "030102", "region_code": "430481001003", "caller_phone": "13800001111"}
OTHER = {"title": "药店价格不明码标价", "content": "蔡子池街道某药店药品没有标价，结账时价格随意，请查处。",
         "category_code": "030102", "region_code": "430481001001"}


def test_the_selector_keeps_to_open_orders_of_the_window(db: Any, operator: User,
                                                         settings: Any) -> None:
    old = opened(operator, at(2026, 11, 20), **SECOND)  # 16 days before: outside the window
    recent = opened(operator, at(2026, 12, 3), **SECOND)
    unrelated = opened(operator, at(2026, 12, 4), **OTHER)
    row = opened(operator, at(2026, 12, 7), **FIRST)
    found = duplicates_selectors.candidates_for(row, now=at(2026, 12, 7, 11))
    assert [c.number for c in found] == [recent.number]
    assert not {old.number, unrelated.number} & {c.number for c in found}
    settings.HOTLINE_DUPLICATE_DAYS = 30
    found = duplicates_selectors.candidates_for(row, now=at(2026, 12, 7, 11))
    assert {c.number for c in found} == {recent.number, old.number}
    # A merged (no longer open) order is no candidate.
    moved(recent.number, operator, at(2026, 12, 7, 11), action="merge", into=row.number)
    found = duplicates_selectors.candidates_for(row, now=at(2026, 12, 7, 12))
    assert [c.number for c in found] == [old.number]


def test_the_order_page_offers_the_merge(client_for: Any, operator: User, market_staff: User,
                                         market: Department) -> None:
    dup = opened(operator, at(2026, 12, 7, 9), **SECOND)
    row = opened(operator, at(2026, 12, 7, 10), **FIRST)
    with time_machine.travel(at(2026, 12, 7, 11), tick=False):
        desk = client_for(operator)
        page = desk.get(reverse("hotline:order", args=[row.number])).content.decode()
        assert "可能重复的工单" in page and dup.number in page and "合并到此工单" in page
        # The button posts the existing merge move on the duplicate, into this order.
        answer = desk.post(reverse("hotline:order", args=[dup.number]),
                           {"action": "merge", "into": row.number})
        assert answer.status_code == 302
        dup.refresh_from_db()
        assert dup.status == Status.MERGED and dup.merged_into_id == row.pk
        page = desk.get(reverse("hotline:order", args=[row.number])).content.decode()
        assert "可能重复的工单" not in page
    # A department's staff do not get the box (merging is the operator's).
    moved(row.number, operator, at(2026, 12, 7, 11), action="dispatch",
          department_id=market.pk)
    other = opened(operator, at(2026, 12, 7, 11), **SECOND)
    moved(other.number, operator, at(2026, 12, 7, 11), action="dispatch",
          department_id=market.pk)
    with time_machine.travel(at(2026, 12, 7, 12), tick=False):
        page = client_for(market_staff).get(
            reverse("hotline:order", args=[row.number])).content.decode()
        assert "可能重复的工单" not in page
        page = client_for(operator).get(
            reverse("hotline:order", args=[row.number])).content.decode()
        assert other.number in page and "合并到此工单" in page


def test_the_api_lists_the_candidates(client_for: Any, operator: User,
                                      market_staff: User) -> None:
    dup = opened(operator, at(2026, 12, 7, 9), **SECOND)
    row = opened(operator, at(2026, 12, 7, 10), **FIRST)
    with time_machine.travel(at(2026, 12, 7, 11), tick=False):
        answer = client_for(operator).get(f"{API}/orders/{row.number}/duplicates")
        assert answer.status_code == 200
        items = answer.json()["items"]
        assert [i["number"] for i in items] == [dup.number]
        assert set(items[0]) == {"number", "title", "score"} and 0.2 <= items[0]["score"] <= 1
        refused = client_for(market_staff).get(f"{API}/orders/{row.number}/duplicates")
        assert refused.status_code == 403 and set(refused.json()) == {"code", "detail"}
        missing = client_for(operator).get(f"{API}/orders/GD000000000000/duplicates")
        assert missing.status_code == 404 and set(missing.json()) == {"code", "detail"}
        assert client_for(None).get(f"{API}/orders/{row.number}/duplicates").status_code == 401

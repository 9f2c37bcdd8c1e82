"""12345 in Chromium (issue 13, "done means"): the operator takes a call at the desk — a first
try without the title is refused next to its field and nothing typed is lost — the order page
shows the routing suggestions (the trained model's, with its score, when the model's command
is present; else the pack's rule), the operator dispatches to 耒阳市市场监督管理局, the department's reviewer (王审核, packs/leiyang/people.csv) signs and
answers, and the operator records the callback and closes the order. axe-core on the desk
(with its errors), the order page and the department's inbox, at phone and desktop widths.

The second story runs on a server of its own with the clock frozen (as the hall story's): on
Tuesday 1 December 2026 the operator takes a complaint (5 working days: due at the end of
Tuesday 8 December) and dispatches it; nobody signs it. `zhengwu sweep --now` on Monday 14
December — overdue by more than 2 further working days (9, 10 December) — gives it its red
card and 督办; the server, restarted at that moment, shows the supervisor (周监察) the red card
in the order list and the 督办 in the order's timeline (the caller's phone unmasked, the view
logged), and the 三率 page counts the order as
dispatched to and overdue for the department.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import REPO, ZHENGWU, ConsoleLog, Server, _run, login
from tests.browser.test_hall_story import FrozenHall

pytestmark = pytest.mark.browser

TITLE = "餐馆出售过期食品"
CONTENT = "蔡子池街道某餐馆出售过期变质的卤菜，顾客吃后腹泻，请市场监管部门查处。"
CALLER = "李来电"
PHONE = "13900004567"
DEPARTMENT = "市市场监督管理局"
REPLY = "已到现场检查，查扣过期食品并立案调查，责令整改。"
# The routing model (its training command) is another part of the app: with it, the call is
# left uncategorised and the model names the department; without it, the pack's rule for
# 食品安全 does.
MODEL = (REPO / "zhengwu/hotline/management/commands/hotline_train.py").exists()


def _page(browser: Browser, server: Server, console: ConsoleLog) -> Page:
    context = browser.new_context(base_url=server.url, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.on("page", console.watch)
    return context.new_page()


def test_a_call_from_the_desk_to_closing(page: Page, browser: Browser, server: Server,
                                         console: ConsoleLog, shots: Path) -> None:
    if MODEL:
        server.zhengwu("hotline_train", "--no-eval", timeout=300)
    login(page, "hotline")
    page.goto("/hotline/desk/")
    call = page.locator("#new-call")
    call.locator("#id_kind").select_option(label="投诉")
    call.locator("#id_content").fill(CONTENT)
    call.locator("#id_category").select_option(value="" if MODEL else "0301")  # 食品安全
    call.locator("#id_region").select_option(index=2)  # a township
    call.locator("#id_caller_name").fill(CALLER)
    call.locator("#id_caller_phone").fill(PHONE)
    call.get_by_role("button", name="受理").click()
    console.take_expected(page, "/hotline/desk/")
    expect(page.locator("#id_title_error")).to_be_visible()
    expect(page.locator("#id_content")).to_have_value(CONTENT)  # nothing typed is lost
    expect(page.locator("#id_caller_phone")).to_have_value(PHONE)
    assert_accessible_at_widths(page, "12345 desk with errors")
    page.screenshot(path=str(shots / "hotline-01-desk-refused.png"), full_page=True)

    page.locator("#id_title").fill(TITLE)
    page.locator("#new-call").get_by_role("button", name="受理").click()
    expect(page.locator("h1")).to_contain_text("工单 GD")
    number = page.locator("h1").inner_text().split()[1]
    suggestions = page.locator("#suggestions li")
    expect(suggestions.first).to_be_visible()
    expect(suggestions.first.locator(".badge")).to_have_text(re.compile("规则|模型"))
    assert_accessible_at_widths(page, "12345 order with suggestions")
    page.screenshot(path=str(shots / "hotline-02-suggestions.png"), full_page=True)
    suggested = page.locator("#suggestions li", has_text=DEPARTMENT)
    expect(suggested.first.locator(".badge")).to_contain_text("模型" if MODEL else "规则")
    if suggested.count():
        suggested.first.get_by_role("button").click()
    else:  # the suggestion went elsewhere: the dispatcher chooses
        dispatch = page.locator("#move-dispatch")
        dispatch.locator("select[name=department]").select_option(label=DEPARTMENT)
        dispatch.get_by_role("button", name="派单").click()
    expect(page.locator("main")).to_contain_text("待签收")

    staff = _page(browser, server, console)
    login(staff, "reviewer")
    staff.goto("/hotline/orders/")
    expect(staff.locator("#orders tr", has_text=number)).to_contain_text("待签收")
    assert_accessible_at_widths(staff, "12345 department inbox")
    staff.get_by_role("link", name=number).click()
    expect(staff.locator("main")).not_to_contain_text(PHONE)  # masked for the department
    staff.locator("#move-sign").get_by_role("button", name="签收").click()
    answer = staff.locator("#move-answer")
    answer.locator("textarea[name=reply]").fill(REPLY)
    answer.get_by_role("button", name="答复").click()
    expect(staff.locator("main")).to_contain_text("待回访")
    staff.screenshot(path=str(shots / "hotline-03-answered.png"), full_page=True)

    page.goto(f"/hotline/orders/{number}/")
    expect(page.locator("main")).to_contain_text(REPLY)
    callback = page.locator("#move-callback")
    callback.locator("select[name=resolved]").select_option(label="已解决")
    callback.locator("select[name=satisfaction]").select_option(label="满意")
    callback.get_by_role("button", name="回访").click()
    page.locator("#move-close").get_by_role("button", name="办结").click()
    expect(page.locator("main")).to_contain_text("已办结")
    timeline = page.locator("#timeline")
    for label in ("受理", "派单", "签收", "答复", "回访", "办结"):
        expect(timeline).to_contain_text(label)
    assert_accessible_at_widths(page, "12345 closed order")
    page.screenshot(path=str(shots / "hotline-04-closed.png"), full_page=True)


BEIJING = dt.timezone(dt.timedelta(hours=8))
TAKEN = dt.datetime(2026, 12, 1, 10, 0, tzinfo=BEIJING)  # a Tuesday: due end of 8 December
SWEPT = dt.datetime(2026, 12, 14, 10, 0, tzinfo=BEIJING)  # 9, 10, 11 December passed: red
LATE_TITLE = "超市销售过期牛奶"
LATE_CONTENT = "蔡子池街道某超市货架上的牛奶已过保质期仍在销售，请市场监管部门查处。"


@pytest.fixture(scope="module")
def frozen_server() -> Iterator[FrozenHall]:
    if not ZHENGWU.exists():
        pytest.fail(f"{ZHENGWU} is missing: run `make setup` first")
    made = FrozenHall()
    try:
        yield made
    finally:
        made.close()


def test_an_unanswered_order_gets_its_red_card_and_supervision(
        frozen_server: FrozenHall, browser: Browser, console: ConsoleLog, shots: Path) -> None:
    # --- Tuesday 1 December: the operator takes the complaint and dispatches it ------------
    server = frozen_server.at(TAKEN)
    page = _page(browser, server, console)
    login(page, "hotline")
    page.goto("/hotline/desk/")
    call = page.locator("#new-call")
    call.locator("#id_kind").select_option(label="投诉")
    call.locator("#id_title").fill(LATE_TITLE)
    call.locator("#id_content").fill(LATE_CONTENT)
    call.locator("#id_category").select_option(value="0301")  # 食品安全: the pack's rule
    call.locator("#id_region").select_option(index=2)
    call.locator("#id_caller_name").fill(CALLER)
    call.locator("#id_caller_phone").fill(PHONE)
    call.get_by_role("button", name="受理").click()
    expect(page.locator("h1")).to_contain_text("工单 GD")
    number = page.locator("h1").inner_text().split()[1]
    suggested = page.locator("#suggestions li", has_text=DEPARTMENT)
    expect(suggested.first).to_be_visible()
    suggested.first.get_by_role("button").click()
    expect(page.locator("main")).to_contain_text("待签收")
    expect(page.locator("#timeline")).not_to_contain_text("督办")
    page.context.close()

    # --- Monday 14 December: the sweep, then the supervisor ---------------------------------
    frozen_server.stop()
    _run(["sweep", "--now", SWEPT.isoformat()], frozen_server.env, frozen_server.log)
    server = frozen_server.at(SWEPT)
    supervisor = _page(browser, server, console)
    login(supervisor, "supervisor")
    supervisor.goto("/hotline/orders/")
    row = supervisor.locator("#orders tr", has_text=number)
    expect(row).to_contain_text("红牌")
    expect(row).to_contain_text("已超期")
    expect(row).to_contain_text("待签收")
    supervisor.screenshot(path=str(shots / "hotline-05-red-card.png"), full_page=True)
    row.get_by_role("link", name=number).click()
    timeline = supervisor.locator("#timeline")
    expect(timeline).to_contain_text("督办")
    expect(timeline).to_contain_text("亮牌（红牌）")
    expect(timeline).to_contain_text("逾期红牌督办")
    expect(supervisor.locator("h1")).to_contain_text("红牌")
    # 电子监察 may see the caller; the page says each view is logged.
    expect(supervisor.locator("main")).to_contain_text("每次查看均被记录")
    supervisor.screenshot(path=str(shots / "hotline-06-supervised.png"), full_page=True)

    supervisor.goto("/hotline/results/?month=2026-12")
    department = supervisor.locator("#by-department tbody tr", has_text=DEPARTMENT)
    expect(department).to_have_count(1)
    expect(department.locator("[data-field=dispatched]")).to_have_text("1")
    expect(department.locator("[data-field=signed_on_time]")).to_have_text("0")
    expect(department.locator("[data-field=overdue]")).to_have_text("1")
    expect(supervisor.locator("#by-department tfoot [data-field=received]")).to_have_text("1")
    assert_accessible_at_widths(supervisor, "12345 三率 with an overdue order")
    supervisor.screenshot(path=str(shots / "hotline-07-results.png"), full_page=True)
    supervisor.context.close()
    assert not console.problems, "console errors / CSP violations:\n" + "\n".join(
        console.problems)

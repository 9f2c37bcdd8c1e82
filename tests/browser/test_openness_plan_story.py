"""政务公开 and the plan's dashboard walked in Chromium (issue 14, "Done means"):

1. 依申请公开: 张三 asks 市市场监督管理局 online for a piece of government information; first
   without saying what he wants (refused next to the field, nothing typed lost), then filed.
   The agency's reviewer (王审核) confirms receipt — the 20-working-day limit appears — and
   answers 予以公开 within it, on a phone (390 px). 张三 reads the answer on his request page.
2. The public 营商环境 dashboard lists the plan's 32 measures with live figures where the
   platform measures them, at desktop and phone width; a measure in four tasks opens on its
   second task's page on the phone; axe-core clean throughout.

Screenshots go to ZHENGWU_SHOTS_DIR as openness-*.png and plan-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

ASKED = "2026年本市食品经营许可证核发数量及抽检结果（浏览器测试）"
PURPOSE = "了解本地食品安全状况"


def test_a_request_is_answered_within_its_limit(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    login(page, "zhangsan")
    page.goto("/openness/requests/new/")
    market = page.locator("#id_department option", has_text="市场监督管理局").first
    page.select_option("#id_department", value=market.get_attribute("value"))
    page.fill("#id_purpose", PURPOSE)
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".error-summary")).to_be_visible()
    console.take_expected(page, "/openness/requests/new/")
    expect(page.locator("#id_purpose")).to_have_value(PURPOSE)
    assert page.locator("#id_information").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "政府信息公开申请（有误）")
    page.fill("#id_information", ASKED)
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_contain_text("政府信息公开申请 GK")
    number = page.locator("h1").inner_text().split()[-1]

    staff = new_page(browser, server, console, width=390)
    login(staff, "reviewer")
    staff.goto(f"/openness/staff/{number}/")
    staff.locator("#move-confirm").get_by_role("button", name="确认收到申请").click()
    expect(staff.locator("main")).to_contain_text("答复期限")
    answer = staff.locator("#move-answer")
    answer.locator("select[name=answer_type]").select_option(label="予以公开")
    answer.locator("textarea[name=note]").fill("所申请信息予以公开：2026年核发食品经营许可证 412 件，"
                                               "抽检合格率 98.6%。")
    answer.get_by_role("button", name="答复申请人").click()
    expect(staff.locator("main")).to_contain_text("予以公开")
    assert_fits(staff, shots, "openness-answered-phone")
    assert_accessible(staff, "依申请公开（工作人员，手机）")

    page.goto(f"/openness/requests/{number}/")
    main = page.locator("main")
    expect(main).to_contain_text("予以公开")
    expect(main).to_contain_text("抽检合格率 98.6%")
    expect(main).to_contain_text("答复期限")
    assert_accessible_at_widths(page, "依申请公开（申请人）")
    page.screenshot(path=str(shots / "openness-requester.png"), full_page=True)


def test_the_dashboard_shows_the_32_measures_with_live_figures(
        page: Page, shots: Path) -> None:
    page.goto("/plan/")
    expect(page.locator("h1")).to_have_text("优化营商环境行动方案督查督办")
    main = page.locator("main")
    expect(page.locator("tr[id^=measure-]")).to_have_count(32)
    expect(main).to_contain_text("网上可办率")
    expect(main).to_contain_text("政策文件配套解读率")
    expect(main).to_contain_text("12345")
    assert_accessible_at_widths(page, "营商环境督查督办")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_fits(page, shots, "plan-dashboard-phone")
    # Measure 20 is four tasks, each with the lead its part names; the second on a phone.
    page.locator("#measure-20 ~ tr").first.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("（任务2）")
    expect(main).to_contain_text("由市自然资源局制定施工图设计方案联合审查办法")
    expect(main.get_by_role("link", name="任务1")).to_be_visible()
    assert_accessible(page, "督查督办任务（手机）")
    assert_fits(page, shots, "plan-task-phone")

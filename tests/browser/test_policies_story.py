"""惠企政策 and 免申即享 walked in Chromium (issue 14 §1, "Done means"):

1. 市人社局's reviewer (李人社) publishes a benefit with its rules from the workbench — first
   with two bad rule lines: each is named under the conditions box, everything typed is
   still there; corrected, it is published, and the enterprises eligible today appear with
   the reasons, condition by condition (the large one does not).
2. She prepares the 免申即享 list; the page tells her a colleague must confirm it, and offers
   her no 复核确认.
3. Her 首席代表 (李首席), on a phone (390 px), confirms it (four-eyes).
4. The enterprise canyin, which never applied, reads the grant and why in 我能享受的政策 —
   at desktop and phone width, axe-core clean, nothing wider than the screen.

Screenshots go to ZHENGWU_SHOTS_DIR (the `shots` fixture) as policies-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

CODE = "JY-BROWSER"
NAME = "小微企业稳岗奖补（浏览器测试）"
BAD_LINES = ("size_class in small,micro | 小型或微型企业\n"
             "revenue gte 100 | 营收\n"
             "layoff_rate lte abc | 裁员率")
GOOD_LINES = ("size_class in small,micro | 小型或微型企业\n"
              "layoff_rate lte 5.5 | 上年度裁员率不高于5.5%\n"
              "dishonest is_false | 未列入失信名单")


def test_a_benefit_is_published_confirmed_and_granted_without_application(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    # 1. 市人社局 publishes, a mistake first.
    login(page, "renshe")
    page.goto("/staff/")
    page.get_by_role("link", name="惠企政策兑现（免申即享名单、复核、拨付）").click()
    page.get_by_role("link", name="发布惠企政策事项").click()
    page.fill("#id_code", CODE)
    page.fill("#id_name", NAME)
    page.select_option("#id_kind", label="奖补")
    page.select_option("#id_mode", label="免申即享")
    page.select_option("#id_document", index=1)
    page.fill("#id_description", "对不裁员或少裁员的小微企业给予一次性奖补。")
    page.fill("#id_lines", BAD_LINES)
    page.fill("#id_effective_from", "2026-01-01")
    page.fill("#id_amount", "1000")
    page.get_by_role("button", name="发布").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("第2行：未知的信息项“revenue”")
    expect(summary).to_contain_text("第3行：“abc”不是数字")
    console.take_expected(page, "/policies/staff/new/")
    expect(page.locator("#id_name")).to_have_value(NAME)
    expect(page.locator("#id_lines")).to_have_value(BAD_LINES)
    expect(page.locator("#id_amount")).to_have_value("1000")
    assert page.locator("#id_lines").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "发布惠企政策事项（有误）")
    page.screenshot(path=str(shots / "policies-publish-refused.png"), full_page=True)
    page.fill("#id_lines", GOOD_LINES)
    page.get_by_role("button", name="发布").click()
    expect(page.locator("h1")).to_have_text(NAME)
    main = page.locator("main")
    expect(main).to_contain_text("耒阳某某餐饮有限公司")
    expect(main).to_contain_text("符合：上年度裁员率不高于5.5%")
    expect(main).not_to_contain_text("耒阳示例建材有限公司")  # large
    expect(main).not_to_contain_text("耒阳示例物流有限公司")  # laid off 8.3 %
    assert_accessible(page, "惠企政策事项（部门）")

    # 2. She prepares the list; confirming is not hers.
    page.get_by_role("button", name="拟定免申即享名单").click()
    expect(main).to_contain_text("待复核")
    expect(main).to_contain_text("须由本部门其他工作人员复核确认")
    expect(page.get_by_role("button", name="复核确认")).to_have_count(0)
    page.screenshot(path=str(shots / "policies-prepared.png"), full_page=True)

    # 3. Her 首席代表 confirms on a phone.
    chief = new_page(browser, server, console, width=390)
    login(chief, "chief_renshe")
    chief.goto(f"/policies/staff/{CODE}/")
    chief.get_by_role("button", name="复核确认").click()
    expect(chief.locator("main")).to_contain_text("已确认")
    assert_fits(chief, shots, "policies-confirmed-phone")
    assert_accessible(chief, "名单已确认（手机）")

    # 4. canyin reads the grant it never applied for.
    canyin = new_page(browser, server, console)
    login(canyin, "canyin")
    canyin.goto("/")
    canyin.get_by_role("link", name="我能享受的政策").click()
    granted = canyin.locator("table").first
    expect(granted).to_contain_text(NAME)
    expect(granted).to_contain_text("1000")
    expect(granted).to_contain_text("待拨付")
    expect(canyin.locator("main")).to_contain_text("符合：小型或微型企业")
    assert_accessible_at_widths(canyin, "我能享受的政策")
    canyin.set_viewport_size({"width": 390, "height": 844})
    assert_fits(canyin, shots, "policies-mine-phone")

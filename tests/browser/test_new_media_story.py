"""政务新媒体 (issue 14 §2, measure 31) walked in Chromium:

市市场监督管理局's reviewer (王审核), on a phone (390 px), opens the department's accounts: the
illustrative 微博 is overdue for inspection and flagged. She records an inspection that found a
broken link but forgets to say which — refused next to the field, everything typed kept — then
says it. The public 名录 shows the account inspected today with the broken link flagged and no
person named, at desktop and phone width; axe-core clean throughout.

Screenshots go to ZHENGWU_SHOTS_DIR as new-media-*.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

ACCOUNT = "耒阳市场监管示例微博"
NOTES = "抽查首页、办事指南和投诉举报菜单（浏览器测试）"
BROKEN = "菜单“办事指南”链接指向已下线页面"


def test_an_overdue_account_is_inspected_on_a_phone(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    phone = new_page(browser, server, console, width=390)
    login(phone, "reviewer")
    phone.goto("/openness/staff/new-media/")
    expect(phone.locator(".error-summary")).to_contain_text("逾期未检查")
    row = phone.locator("tr", has_text=ACCOUNT)
    expect(row).to_contain_text("逾期未检查")
    assert_accessible(phone, "政务新媒体（本部门，手机）")
    assert_fits(phone, shots, "new-media-1-staff-390")
    row.get_by_role("link").click()
    expect(phone.locator("h1")).to_contain_text(ACCOUNT)
    # The server runs on the real clock: the account last posted three days ago.
    beijing = dt.timezone(dt.timedelta(hours=8))
    posted = (dt.datetime.now(beijing).date() - dt.timedelta(days=3)).isoformat()
    phone.fill("#id_last_update_seen", posted)
    phone.fill("#id_broken_links", "1")
    phone.fill("#id_notes", NOTES)
    phone.get_by_role("button", name="登记检查").click()
    expect(phone.locator(".error-summary")).to_be_visible()
    console.take_expected(phone, "/openness/staff/new-media/")
    expect(phone.locator(".error-summary")).to_contain_text("错链断链情况")
    expect(phone.locator("#id_last_update_seen")).to_have_value(posted)
    expect(phone.locator("#id_broken_links")).to_have_value("1")
    expect(phone.locator("#id_notes")).to_have_value(NOTES)
    assert_accessible(phone, "政务新媒体检查（有误，手机）")
    assert_fits(phone, shots, "new-media-2-refused-390")
    phone.fill("#id_broken_links_text", BROKEN)
    phone.get_by_role("button", name="登记检查").click()
    expect(phone.locator("main")).to_contain_text(BROKEN)
    expect(phone.locator("main")).not_to_contain_text("逾期未检查")
    assert_fits(phone, shots, "new-media-3-inspected-390")

    page.goto("/openness/")
    page.get_by_role("link", name="政务新媒体名录").first.click()
    expect(page.locator("h1")).to_have_text("政务新媒体名录")
    listed = page.locator("tr", has_text=ACCOUNT)
    expect(listed).to_contain_text("错链断链 1 处")
    expect(listed).not_to_contain_text("逾期未检查")
    expect(page.locator("main")).not_to_contain_text("示例责任人")
    assert_accessible_at_widths(page, "政务新媒体名录")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_fits(page, shots, "new-media-4-public-390")

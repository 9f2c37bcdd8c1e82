"""办不成事反映 in Chromium (issue 12 §5): someone told "can't be done" at a window opens a
ticket online without an account (a first try with the contact left out is refused next to its
fields, and what was typed is kept), follows it by number and phone, the department's 首席代表
(chief, 市市场监督管理局) records the contact and then the outcome — 依法不能办理 is refused
without its legal basis, nothing typed is lost — and the monthly public list shows the ticket
without the person's name or phone. axe-core on the form with its errors and on the list.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, login

pytestmark = pytest.mark.browser

NAME = "王小五"
PHONE = "13900006789"
ASKED = "想给门面办食品经营许可，窗口说要先办好消防检查"
BASIS = "《中华人民共和国食品安全法》第三十五条"


def _page(browser: Browser, server: Server, console: ConsoleLog) -> Page:
    context = browser.new_context(base_url=server.url, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.on("page", console.watch)
    return context.new_page()


def test_a_ticket_from_the_window_to_the_public_list(page: Page, browser: Browser,
                                                     server: Server, console: ConsoleLog,
                                                     shots: Path) -> None:
    page.goto("/unresolved/new/")
    page.select_option("#id_department", label="市市场监督管理局")
    page.fill("#id_asked", ASKED)
    page.fill("#id_told", "先去办消防，办好了再来")
    page.select_option("#id_where", label="大厅窗口")
    page.get_by_role("button", name=re.compile("提交")).click()
    console.take_expected(page, "/unresolved/new/")
    expect(page.locator("#id_name_error, #id_phone_error").first).to_be_visible()
    expect(page.locator("#id_asked")).to_have_value(ASKED)  # nothing typed is lost
    assert_accessible_at_widths(page, "办不成事反映 with errors")
    page.fill("#id_name", NAME)
    page.fill("#id_phone", PHONE)
    page.get_by_role("button", name=re.compile("提交")).click()
    number = page.locator("#ticket-number").inner_text().strip()
    assert number.startswith("BC"), number
    page.screenshot(path=str(shots / "unresolved-01-opened.png"), full_page=True)

    page.goto("/unresolved/track/")
    page.fill("#id_number", number)
    page.fill("#id_phone", PHONE)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("main")).to_contain_text(number)

    chief = _page(browser, server, console)
    login(chief, "chief")
    chief.goto("/unresolved/staff/")
    chief.get_by_role("link", name=number).click()
    expect(chief.locator("main")).to_contain_text(NAME)  # the officer calls them back
    contact = chief.locator("#move-contact")
    contact.locator("select[name=how]").select_option(label="电话")
    contact.locator("textarea[name=note]").fill("已电话联系，说明消防与食品经营许可的关系")
    contact.get_by_role("button").click()
    expect(chief.locator("main")).to_contain_text("已电话联系")
    resolve = chief.locator("#move-resolve")
    resolve.locator("select[name=outcome]").select_option(label="依法不能办理（已解释说明）")
    resolve.locator("textarea[name=note]").fill("经营场所须先符合食品安全条件")
    resolve.get_by_role("button").click()
    console.take_expected(chief, "/unresolved/staff/")
    resolve = chief.locator("#move-resolve")
    expect(resolve).to_contain_text("法律依据")
    expect(resolve.locator("textarea[name=note]")).to_have_value("经营场所须先符合食品安全条件")
    resolve.locator("textarea[name=legal_basis]").fill(BASIS)
    resolve.locator("[name=summary]").fill("门面办食品经营许可前须符合场所条件")
    resolve.get_by_role("button").click()
    expect(chief.locator("main")).to_contain_text(BASIS)
    chief.screenshot(path=str(shots / "unresolved-02-resolved.png"), full_page=True)

    month = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m")
    page.goto(f"/unresolved/?month={month}")
    row = page.locator("tr", has_text=number)
    expect(row).to_contain_text("依法不能办理")
    expect(page.locator("main")).not_to_contain_text(NAME)
    expect(page.locator("main")).not_to_contain_text(PHONE)
    assert_accessible_at_widths(page, "the monthly 办不成事 list")

"""Accessibility in Chromium: axe-core (WCAG 2.0/2.1 A and AA; tests/browser/axe.py) finds no
violation on the pages people use most, at desktop (1280px) and phone (375px) widths —
public pages, sign-in, the catalogue guide, the apply page (empty and refused with errors),
the case page, 我的办件, 我的空间 and its lists, the address form (refused), the inbox, a
一件事's guide and first step, and the hall manager's 取号叫号统计. Pages checked in other
stories too: this file gives the whole list in one place, so a template change that breaks one
is found here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, login
from tests.browser.item_forms import fill_item_form
from tests.browser.test_case_story import pdf_file

pytestmark = pytest.mark.browser

FOOD = "食品经营许可证核发（新办）"
QYKB = "LY-QYKB"


def _guide_code(page: Page) -> str:
    page.goto("/search/?q=" + "开饭店")
    link = page.locator("ol.results > li h2 a", has_text=FOOD).first
    href = link.get_attribute("href") or ""
    match = re.search(r"/guide/([^/]+)/$", href)
    assert match, href
    return match.group(1)


def test_public_pages_are_accessible(page: Page) -> None:
    code = _guide_code(page)
    for path, what in (("/", "首页"), ("/accounts/login/", "登录"),
                       ("/search/?q=开饭店", "搜索结果"), (f"/guide/{code}/", "办事指南"),
                       ("/bundles/", "一件事列表"), (f"/bundles/{QYKB}/", "一件事指南"),
                       ("/cases/progress/", "进度查询"), ("/lists/", "事项清单"),
                       ("/kpis/", "服务指标")):
        page.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        assert_accessible_at_widths(page, what)
    # A refused sign-in: the error shown.
    page.goto("/accounts/login/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong-password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible_at_widths(page, "登录（密码错误）")


def test_applicant_pages_are_accessible(page: Page) -> None:
    code = _guide_code(page)
    login(page, "zhangsan")
    page.goto(f"/cases/apply/{code}/")
    expect(page.locator("h1")).to_have_text(f"在线申请：{FOOD}")
    assert_accessible_at_widths(page, "在线申请")
    # Refused: every error shown next to its field and in the summary.
    page.fill("#id_phone", "1380000000")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible_at_widths(page, "在线申请（有错误）")
    # Corrected, with the files: the case page.
    fill_item_form(page, code)  # the item's own form (issue 10); name and ID from the account
    page.fill("#id_phone", "13800000001")
    page.fill("#id_address", "耒阳市蔡子池街道")
    required = page.locator("div.material").filter(
        has=page.locator(".badge", has_text=re.compile(r"^必要$")))
    for i in range(required.count()):
        required.nth(i).locator("input[type=file]").set_input_files(pdf_file(f"m{i}.pdf"))
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-title")).to_have_text(re.compile(r"^办件 \d{20}$"))
    assert_accessible_at_widths(page, "办件页")

    page.goto("/cases/mine/")
    expect(page.locator("table.grid tbody tr")).to_have_count(1)
    assert_accessible_at_widths(page, "我的办件")

    for path, what in (("/my/", "我的空间"), ("/my/cases/", "我的空间·我的办件"),
                       ("/my/accesses/", "谁查看过我的办件"), ("/accounts/addresses/", "常用地址"),
                       ("/notifications/", "消息"), ("/bundles/mine/", "我的一件事"),
                       (f"/bundles/{QYKB}/apply/", "一件事申请第一步")):
        page.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        assert_accessible_at_widths(page, what)

    page.goto("/accounts/addresses/new/")
    page.fill("#id_label", "家")
    page.fill("#id_postcode", "4218")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#id_label")).to_have_value("家")
    assert_accessible_at_widths(page, "添加地址（有错误）")


def test_the_hall_dashboard_is_accessible(page: Page, console: ConsoleLog) -> None:
    """取号叫号统计 (the manager's live dashboard): the figures, charts and tables, and a
    period refused with its error next to the field (answered 422, which Chromium logs as a
    failed load: expected here, and only that one)."""
    login(page, "hallmgr")
    page.goto("/hall/manage/LY-ZWFW/queue/")
    expect(page.locator("h1")).to_have_text("取号叫号统计：耒阳市政务服务中心")
    expect(page.locator("#by-hour")).to_be_visible()
    assert_accessible_at_widths(page, "取号叫号统计")
    page.fill("#id_start", "2026-12-05")
    page.fill("#id_end", "2026-12-01")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible_at_widths(page, "取号叫号统计（期间有误）")
    console.take_expected(page, "end=2026-12-01")

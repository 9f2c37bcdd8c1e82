"""办理地区 drills down and 部门 follows it, in Chromium (issue 16): picking a town re-renders the
picker and the departments out of band while the results follow, the region select keeps the
keyboard focus, nothing scrolls sideways on a phone and axe-core finds nothing. Opening a
result counts a click for the query (the link's ping), which the 搜索词调优 page shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import axe
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser
TOWN = "430481100000"  # 黄市镇


@pytest.mark.parametrize("width", [1366, 390], ids=["desktop", "phone"])
def test_picking_a_town_narrows_the_departments_and_keeps_focus(
        browser: Browser, server: Server, console: ConsoleLog, shots: Path, width: int) -> None:
    page = new_page(browser, server, console, width=width)
    page.goto("/search/?q=社保卡")
    page.locator("details.filters-fold > summary").click()
    departments = page.locator("select[name=department] option")
    before = departments.count()
    region = page.locator("select[name=region]")
    region.focus()
    with page.expect_response(lambda r: "/search/" in r.url and TOWN in r.url):
        region.select_option(TOWN)
    expect(page.locator("select[name=department] option")).to_have_count(2)
    assert before > 2
    expect(page.locator("select[name=department] option").nth(1)).to_contain_text("黄市镇")
    expect(page.locator("select[name=region]")).to_be_focused()
    expect(page.locator("select[name=region]")).to_have_value(TOWN)
    assert TOWN in page.url  # the address keeps the filter (hx-push-url)
    found = axe.violations(page)
    assert not found, axe.describe(found)
    assert_fits(page, shots, f"search-picker-{width}")


def test_opening_a_result_counts_a_click_shown_to_the_catalogue_administrator(
        page: Page, browser: Browser, server: Server, console: ConsoleLog) -> None:
    query = "锟斤拷营业执照"  # unusual enough to be this test's own row
    for _ in range(2):
        page.goto(f"/search/?q={query}")
    link = page.locator("#results ol.results li h2 a").first
    assert (link.get_attribute("ping") or "").startswith("/search/click/?q=")
    with page.expect_request(lambda r: "/search/click/" in r.url and r.method == "POST"):
        link.click()
    staff = new_page(browser, server, console)
    login(staff, "catalog")
    staff.goto("/staff/catalog/search-terms/")
    row = staff.locator("tr", has_text=query)
    # Clicked once: no longer "no click", and it found results: not listed at all.
    expect(row).to_have_count(0)
    staff.goto("/search/?q=锟斤拷锟斤拷")
    staff.goto("/search/?q=锟斤拷锟斤拷")
    staff.goto("/staff/catalog/search-terms/?only=empty")
    expect(staff.locator("tr", has_text="锟斤拷锟斤拷")).to_have_count(1)
    found = axe.violations(staff)
    assert not found, axe.describe(found)

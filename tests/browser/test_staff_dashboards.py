"""Staff pages people use all day (issue 16): the workbench's counts, the audit log in plain
Chinese with its filters, and the charts of 服务指标 and 电子监察 — at desktop and phone width,
axe-core at 0 violations, nothing scrolling sideways, every chart bar a working link, and a
mistyped filter told next to its field. Screenshots of each are kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, login

pytestmark = pytest.mark.browser


def _no_sideways(page: Page, width: int = 360) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    wide = page.evaluate(f"""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > {width} + 1)
        .slice(-3).map(e => e.tagName + '.' + e.className + ' ' + e.outerHTML.slice(0, 120))""")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (page.url, wide)
    page.set_viewport_size({"width": 1366, "height": 900})


def _bars_open(page: Page) -> None:
    """Each bar of each chart on the page opens a page (its rows)."""
    hrefs = page.eval_on_selector_all(
        "figure.chart svg a", "links => links.map(a => a.getAttribute('href'))")
    for href in hrefs[:5]:
        response = page.request.get(href)
        assert response.status == 200, href


def test_the_reviewers_workbench_counts_open_their_rows(page: Page, shots: Path) -> None:
    login(page, "reviewer")
    page.goto("/staff/")
    expect(page.get_by_role("heading", name="待办概览")).to_be_visible()
    tiles = page.locator("a.tally")
    assert tiles.count() >= 4
    labels = [t.inner_text() for t in tiles.all()]
    assert any("审批待办" in t for t in labels) and any("已超期" in t for t in labels)
    page.screenshot(path=str(shots / "workbench-reviewer.png"), full_page=True)
    assert_accessible_at_widths(page, "工作台（审批人员）")
    _no_sideways(page)
    with page.expect_navigation():
        tiles.filter(has_text="已超期").first.click()
    expect(page.locator("h1")).to_contain_text("已超期")


def test_the_audit_log_reads_as_words_and_tells_a_bad_date(page: Page, shots: Path,
                                                            console: ConsoleLog) -> None:
    login(page, "supervisor")
    page.goto("/staff/audit/")
    expect(page.locator("h1")).to_have_text("审计日志")
    body = page.locator("table.audit tbody").inner_text()
    raw = body.find("{'")  # a Python dict shown as it is
    assert raw < 0, body[max(0, raw - 300):raw + 100]
    assert "：" in body  # each change as "label：before → after"
    page.screenshot(path=str(shots / "audit-log.png"), full_page=False)
    assert_accessible_at_widths(page, "审计日志")
    _no_sideways(page)
    page.fill("#id_since", "2026-12-09")
    page.fill("#id_until", "2026-12-01")
    page.fill("#id_who", "系统")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    expect(page.locator(".error-summary")).to_contain_text("截止日期不能早于起始日期")
    expect(page.locator("#id_who")).to_have_value("系统")  # nothing typed is lost
    assert_accessible_at_widths(page, "审计日志（日期有误）")


def test_the_kpi_and_monitoring_charts_link_to_their_rows(page: Page, shots: Path) -> None:
    page.goto("/kpis/?kpi=depth_3_or_more")
    expect(page.locator("figure.chart").first).to_be_visible()
    page.screenshot(path=str(shots / "kpis-chart.png"), full_page=False)
    assert_accessible_at_widths(page, "服务指标（图表）")
    _no_sideways(page)
    _bars_open(page)
    login(page, "supervisor")
    page.goto("/cases/staff/monitoring/")
    expect(page.locator("figure.chart").first).to_be_visible()
    page.screenshot(path=str(shots / "monitoring-charts.png"), full_page=True)
    assert_accessible_at_widths(page, "电子监察（图表）")
    _bars_open(page)

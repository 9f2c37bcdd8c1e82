"""Every page kind of issue 16's "done means" at 360 px, 390 px and 1366 px: the portal,
search, a guide (standard and 长辈版), the application form, the workbench and the dashboards
(服务指标, 电子监察, 一件事指标) — nothing wider than the screen, the first search result on a
phone's first screen, axe-core at 0 violations at each width, and a full-page screenshot of
each kept for a person to look at (ZHENGWU_SHOTS_DIR, /tmp/zhengwu-shots by default)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import assert_fits, login
from tests.browser.test_accessibility import _guide_code
from tests.browser.test_portal import logout

pytestmark = pytest.mark.browser

WIDTHS = (360, 390, 1366)


def _each_width(page: Page, shots: Path, name: str) -> None:
    """At each width: no sideways scrolling (with a screenshot) and no axe-core violation."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 640 else 900})
        assert_fits(page, shots, f"kind-{name}-{width}")
        assert_accessible(page, name)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_public_page_kinds_at_every_width(page: Page, shots: Path, elder: bool) -> None:
    mode = "elder" if elder else "std"
    code = _guide_code(page)
    if elder:
        page.goto("/elder/?on=1&next=/")
    for path, name in (("/", "portal"), ("/search/?q=营业执照", "search"),
                       (f"/guide/{code}/", "guide")):
        page.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        _each_width(page, shots, f"{name}-{mode}")
    # The first result — here 企业开办一件事, the 一件事 come first — is on a phone's first
    # screen, in either mode.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/search/?q=营业执照")
    first = page.locator("#results a").first
    expect(first).to_have_text("企业开办一件事")
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, box


def test_staff_and_applicant_page_kinds_at_every_width(page: Page, shots: Path) -> None:
    code = _guide_code(page)
    login(page, "zhangsan")
    page.goto(f"/cases/apply/{code}/")
    expect(page.locator("h1")).to_contain_text("在线申请")
    _each_width(page, shots, "apply-std")
    page.goto(f"/elder/?on=1&next=/cases/apply/{code}/")  # 长辈版 is for applicants too
    expect(page.locator("h1")).to_contain_text("在线申请")
    _each_width(page, shots, "apply-elder")
    page.goto("/elder/?on=0&next=/")
    logout(page)
    login(page, "supervisor")
    for path, name in (("/staff/", "workbench"), ("/kpis/", "kpis"),
                       ("/cases/staff/monitoring/", "monitoring"),
                       ("/bundles/staff/kpis/", "bundle-kpis")):
        page.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        _each_width(page, shots, name)

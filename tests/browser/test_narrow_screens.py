"""Phones (issue 16 "Phone and 长辈版"): nothing scrolls sideways on any public page at 360 px,
in the standard and the elder mode, and on a 390 × 844 phone the first search result is on the
first screen — the five filter dropdowns used to push it to y≈996 (y≈1,399 in 长辈版).

"Every public page" is what a visitor reaches by following links from the home page (a
breadth-first walk over this site's own pages, sign-in, admin, API and downloads aside), so a
page added later is covered once something links it. Screenshots of each are kept.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import ConsoleLog, Server, login, new_page

pytestmark = pytest.mark.browser

NARROW, PHONE = 360, 390
MAX_PAGES = 80
SKIP = re.compile(r"^/(accounts|admin|api|static|media|elder|open311|metrics|healthz)(/|$)"
                  r"|\.(pdf|csv|xlsx|png|svg|json|zip)$|[?&](format|download)=")


def _public_pages(page: Page) -> list[str]:
    """Pages reached from the home page by following links, breadth first: each path once
    (the first link to it, with its query: 45 theme searches are one page)."""
    seen, queue = {"/"}, deque(["/"])
    found: list[str] = []
    while queue and len(found) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(path)
        if response is None or response.status != 200 \
                or "text/html" not in response.headers.get("content-type", ""):
            continue
        found.append(path)
        for href in page.eval_on_selector_all(
                "a[href]", "links => links.map(a => a.getAttribute('href'))"):
            parts = urlsplit(href or "")
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if SKIP.search(target) or parts.path in seen:
                continue
            seen.add(parts.path)
            queue.append(target)
    return found


def _width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_no_public_page_scrolls_sideways_at_360px(
        browser: Browser, server: Server, console: ConsoleLog, shots: Path,
        elder: bool) -> None:
    page = new_page(browser, server, console, width=NARROW)
    if elder:
        page.goto("/elder/?on=1&next=/")
    paths = _public_pages(page)
    assert len(paths) >= 25, paths  # the walk found the site, not just the home page
    wide = []
    for number, path in enumerate(paths):
        page.goto(path)
        if _width(page) > NARROW:
            wide.append((path, _width(page)))
            page.screenshot(path=str(shots / f"narrow-{'elder' if elder else 'std'}-"
                                             f"{number:02d}.png"), full_page=True)
    assert wide == [], f"wider than {NARROW}px: {wide}"


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("query", ["开饭店", "营业执照", "社保卡"])
def test_the_first_search_result_is_on_a_phones_first_screen(
        browser: Browser, server: Server, console: ConsoleLog, shots: Path,
        elder: bool, query: str) -> None:
    page = new_page(browser, server, console, width=PHONE)
    if elder:
        page.goto("/elder/?on=1&next=/")
    page.goto(f"/search/?q={query}")
    first = page.locator("#results section.card a, #results ol.results li h2 a").first
    box = first.bounding_box()
    assert box is not None
    page.screenshot(path=str(shots / f"phone-search-{'elder' if elder else 'std'}-{query}.png"))
    height = page.viewport_size["height"] if page.viewport_size else 0
    assert box["y"] + box["height"] <= height, (query, box, height)
    # The filters are one control away, and open in place.
    page.locator("details.filters-fold > summary").click()
    assert page.locator("select[name=department]").is_visible()
    assert _width(page) <= PHONE


SMALL_TARGETS = """() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
  .filter(input => input.offsetParent !== null)
  .map(input => {
    const target = input.closest('label') || input;
    const box = target.getBoundingClientRect();
    return {name: input.name, height: Math.round(box.height), width: Math.round(box.width)};
  })
  .filter(t => t.height < 44)"""


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_radios_and_checkboxes_are_44px_touch_targets_on_a_phone(
        browser: Browser, server: Server, console: ConsoleLog, shots: Path,
        elder: bool) -> None:
    """Issue 16: radio buttons were 13 px. Each radio or checkbox, with its label (the whole
    label is the target), is at least 44 px high on the forms a citizen fills on a phone: the
    一件事 wizard's questions, the online application, and sign-in."""
    page = new_page(browser, server, console, width=PHONE)
    if elder:
        page.goto("/elder/?on=1&next=/")
    login(page, "zhangsan")
    page.goto("/search/?q=开饭店")
    href = page.locator("ol.results > li h2 a", has_text="食品经营许可证核发（新办）").first \
        .get_attribute("href") or ""
    found_code = re.search(r"/guide/([^/]+)/$", href)
    assert found_code, href
    food = found_code.group(1)
    small = {}
    for path in ("/bundles/LY-QYKB/apply/", f"/cases/apply/{food}/"):
        page.goto(path)
        assert page.locator("input[type=radio], input[type=checkbox]").count() > 0, path
        page.screenshot(path=str(shots / f"touch-{'elder' if elder else 'std'}-"
                                         f"{path.strip('/').replace('/', '_')}.png"),
                        full_page=True)
        found = page.evaluate(SMALL_TARGETS)
        if found:
            small[path] = found
    assert small == {}, small

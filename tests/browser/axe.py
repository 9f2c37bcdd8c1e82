"""Accessibility checks in the browser tests: axe-core (from npm, installed by `make axe` into
tests/browser/node_modules, never downloaded by a test) put into the page Chromium shows,
run with the WCAG 2.0/2.1 A and AA rules (GB/T 37668 follows WCAG 2.0 AA).

    assert_accessible(page, "我的空间")            # the page as it is now, at its width
    assert_accessible_at_widths(page, "我的空间")  # desktop (1280) and phone (375) widths

A violation fails the test with a readable list: the rule, its impact, the help text and the
first few elements it found (selector and HTML).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import Page, ViewportSize

AXE_JS: Final = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS: Final = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP: Final[ViewportSize] = {"width": 1280, "height": 900}
PHONE: Final[ViewportSize] = {"width": 375, "height": 812}
SHOWN_NODES: Final = 5


@functools.cache
def _source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make axe` (make test-browser does)")
    return AXE_JS.read_text(encoding="utf-8")


def _inject(page: Page) -> None:
    """Put axe-core into the page. Not as a <script> tag (page.add_script_tag): the platform's
    Content-Security-Policy (script-src 'self') rightly refuses an inline script, and the
    refusal would be logged as the console error the stories fail on. Evaluated through the
    DevTools protocol, as Playwright's own scripts are, it is not the page's script."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
        if not page.evaluate("() => typeof window.axe === 'object'"):
            pytest.fail("axe-core did not load into the page")


def violations(page: Page, tags: list[str] = TAGS) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (by default the WCAG 2.0/2.1 A and AA
    rules; `tags` picks others, e.g. "best-practice")."""
    _inject(page)
    result: dict[str, Any] = page.evaluate(
        """async (tags) => {
             const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                resultTypes: ['violations']});
             return {violations: r.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
               nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                                         summary: n.failureSummary}))}))};
           }""", tags)
    return list(result["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} 处] {v['helpUrl']}")
        for node in v["nodes"][:SHOWN_NODES]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            summary = " ".join((node.get("summary") or "").split())
            if summary:
                lines.append(f"      {summary[:240]}")
    return "\n".join(lines)


def assert_accessible(page: Page, context: str) -> None:
    """Fail with the list of axe-core violations on the page, if there are any."""
    found = violations(page)
    if found:
        width = page.viewport_size["width"] if page.viewport_size else "?"
        pytest.fail(f"axe-core: {len(found)} accessibility violation(s) on {context} "
                    f"({page.url}, {width}px):\n{describe(found)}", pytrace=False)


def assert_accessible_at_widths(page: Page, context: str) -> None:
    """The page checked at desktop and phone widths (the layout changes at 640px); the
    viewport is put back as it was."""
    before = page.viewport_size
    try:
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            assert_accessible(page, context)
    finally:
        if before is not None:
            page.set_viewport_size(before)

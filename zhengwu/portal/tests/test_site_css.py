"""The site's stylesheet keeps form controls within a phone's width (found in the issue 15
walk: 拟定抽查计划's 监管事项 select, as wide as its longest option, made the page 418px wide
at 390px)."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[1] / "static" / "zhengwu" / "site.css"


def test_a_select_is_never_wider_than_its_column() -> None:
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    rules = re.findall(r"(?:^|\})\s*([^{}]*)\{([^}]*)\}", text)
    assert any(
        "select" in [s.strip() for s in selectors.split(",")] and "@media" not in selectors
        and re.search(r"max-width:\s*100%", body)
        for selectors, body in rules), "select { max-width: 100% } missing from site.css"

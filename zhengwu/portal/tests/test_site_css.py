"""The site's style sheet keeps form controls within a phone's width (issue 15's walks: a
select is as wide as its selected or longest option — a 中介服务事项's full name made 发布项目
407px wide, 拟定抽查计划's 监管事项 418px, at 390px)."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[1] / "static" / "zhengwu" / "site.css"


def _rules(selector: str) -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    return [body for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", text)
            if selector in [s.strip() for s in selectors.split(",")]]


def test_a_select_in_a_form_field_is_never_wider_than_its_line() -> None:
    assert any(re.search(r"max-width:\s*100%", body) for body in _rules(".field select"))


def test_a_select_is_never_wider_than_its_column() -> None:
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    # Each rule after the previous one's "}" (looked behind, not consumed: consuming it made
    # every other rule invisible, so one rule added above select's hid it).
    rules = re.findall(r"(?:^|(?<=\}))\s*([^{}]*)\{([^}]*)\}", text)
    assert any(
        "select" in [s.strip() for s in selectors.split(",")] and "@media" not in selectors
        and re.search(r"max-width:\s*100%", body)
        for selectors, body in rules), "select { max-width: 100% } missing from site.css"

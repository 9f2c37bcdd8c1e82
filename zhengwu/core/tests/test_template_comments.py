"""A `{# … #}` comment in a Django template ends at its line: one spanning lines is printed on
the page as text (the search page showed one to every visitor, issue 16). Longer comments use
`{% comment %}`."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2]


def test_no_template_comment_spans_lines() -> None:
    spanning = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\{#", text):
            end = text.find("#}", match.start())
            if end == -1 or "\n" in text[match.start():end]:
                spanning.append(f"{path.relative_to(TEMPLATES)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert not spanning, spanning

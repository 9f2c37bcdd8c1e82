"""PDF rendering with WeasyPrint and Debian's Noto CJK fonts, embedded and subset.

Official documents must look the same on every computer, so the font travels inside the PDF.
Rendering costs ~150 ms a page (architecture.md): render in requests only for single
documents a person asked for, never in sweeps or bulk jobs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def render_pdf(template: str, context: dict[str, Any], *, base_url: str = ".") -> bytes:
    """Render a Django template to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf

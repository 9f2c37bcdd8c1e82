"""QR codes (segno, pure Python) as SVG or PNG, for guides and notices."""

from __future__ import annotations

import io

import segno


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> str:
    """An SVG document; `title` becomes the accessible name."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=scale, title=title or None,
                                     xmldecl=False, svgns=True, nl=False)
    return out.getvalue().decode("utf-8")


def qr_svg_inline(data: str, *, scale: int = 3) -> str:
    return str(segno.make(data, error="m").svg_inline(scale=scale))


def qr_png(data: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_data_uri(data: str, *, scale: int = 4) -> str:
    return str(segno.make(data, error="m").svg_data_uri(scale=scale))

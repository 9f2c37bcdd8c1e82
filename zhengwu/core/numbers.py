"""Numbers as people read them on a page or a notice.

Working-day limits are stored as Decimal with one decimal place (`Decimal("10.0")`, half days
allowed: GB/T 42504 counts time limits in working days), and Python prints `10.0` for
`f"{value:g}"` and `1E+1` for `value.normalize()`: the case page promised "10.0 个工作日" while
the guide said "10 个工作日" (issue 16 walk-through). One rule here.
"""

from __future__ import annotations

from decimal import Decimal


def plain(value: Decimal | int | float) -> str:
    """10, 2.5, 0.5 — no trailing zeros, no exponent."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text if text != "-0" else "0"

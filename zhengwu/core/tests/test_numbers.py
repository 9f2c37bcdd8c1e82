"""core.numbers: working-day figures as people read them."""

from decimal import Decimal

import pytest

from zhengwu.core.numbers import plain


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("10.0"), "10"), (Decimal("10"), "10"), (Decimal("2.5"), "2.5"),
    (Decimal("0.5"), "0.5"), (Decimal("0.0"), "0"), (Decimal("100.0"), "100"), (20, "20"),
    (1.5, "1.5")])
def test_plain(value, text):
    assert plain(value) == text

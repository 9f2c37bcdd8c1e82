"""Golden cases of the published 综合评分 rule (scoring.py, docs/market.md)."""

from decimal import Decimal

import pytest

from zhengwu.market.scoring import Mark, leaders, panel_score, price_score, rank, trimmed


def test_the_lowest_price_earns_the_full_price_points() -> None:
    assert price_score(Decimal("80000"), Decimal("80000")) == Decimal("30.00")
    # 30 × 80000 / 96000 = 25
    assert price_score(Decimal("96000"), Decimal("80000")) == Decimal("25.00")
    # 30 × 70000 / 90000 = 23.333… → 23.33
    assert price_score(Decimal("90000"), Decimal("70000")) == Decimal("23.33")
    # 30 × 1 / 3 … half up at the second decimal: 30 × 2 / 3 = 20.00; 30 × 1 / 8 = 3.75
    assert price_score(Decimal("8"), Decimal("1")) == Decimal("3.75")


def test_a_price_below_the_lowest_is_refused() -> None:
    with pytest.raises(ValueError, match="prices"):
        price_score(Decimal("1"), Decimal("2"))
    with pytest.raises(ValueError, match="prices"):
        price_score(Decimal("0"), Decimal("0"))


def test_five_marks_drop_the_highest_and_the_lowest() -> None:
    assert trimmed([60, 10, 50, 55, 70]) == (50, 55, 60)
    assert panel_score([60, 10, 50, 55, 70]) == Decimal("55.00")
    # only one of two equal highest marks is left out
    assert trimmed([70, 70, 50, 50, 60]) == (50, 60, 70)


def test_fewer_than_five_marks_are_all_kept() -> None:
    assert trimmed([10, 70, 40]) == (10, 40, 70)
    # (10 + 70 + 41) / 3 = 40.333… → 40.33
    assert panel_score([10, 70, 41]) == Decimal("40.33")
    # (50 + 51 + 51) / 3 = 50.666… → 50.67 (half up)
    assert panel_score([50, 51, 51]) == Decimal("50.67")


def test_marks_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="marks"):
        Mark(41, 0).total()
    with pytest.raises(ValueError, match="marks"):
        Mark(0, 31).total()
    with pytest.raises(ValueError, match="marks"):
        Mark(-1, 10).total()


def test_highest_total_wins_and_price_counts() -> None:
    prices = {"A": Decimal("80000"), "B": Decimal("96000"), "C": Decimal("100000")}
    panel = [
        {"A": Mark(30, 20), "B": Mark(38, 28), "C": Mark(40, 30)},
        {"A": Mark(32, 22), "B": Mark(36, 26), "C": Mark(39, 29)},
        {"A": Mark(28, 20), "B": Mark(37, 27), "C": Mark(20, 10)},
        {"A": Mark(30, 21), "B": Mark(35, 25), "C": Mark(40, 30)},
        {"A": Mark(31, 19), "B": Mark(40, 30), "C": Mark(38, 28)},
    ]
    ranked = rank(prices, panel)
    by = {r.agency: r for r in ranked}
    # A: price 30.00; marks 50, 54, 48, 51, 50 → kept 50, 50, 51 → 50.33; total 80.33
    assert by["A"].marks == (50, 54, 48, 51, 50)
    assert by["A"].kept == (50, 50, 51)
    assert (by["A"].price_score, by["A"].panel_score, by["A"].total) == (
        Decimal("30.00"), Decimal("50.33"), Decimal("80.33"))
    # B: price 25.00; marks 66, 62, 64, 60, 70 → kept 62, 64, 66 → 64.00; total 89.00
    assert by["B"].total == Decimal("89.00")
    # C: price 24.00; marks 70, 68, 30, 70, 66 → kept 66, 68, 70 → 68.00; total 92.00
    assert by["C"].price_score == Decimal("24.00")
    assert by["C"].total == Decimal("92.00")
    assert [r.agency for r in ranked] == ["C", "B", "A"]
    assert leaders(ranked) == ["C"]


def test_equal_highest_totals_go_to_a_draw() -> None:
    prices = {"B": Decimal("100"), "A": Decimal("100"), "C": Decimal("200")}
    panel = [{"A": Mark(30, 20), "B": Mark(30, 20), "C": Mark(40, 30)}] * 3
    ranked = rank(prices, panel)
    # A, B: 30 + 50 = 80; C: 15 + 70 = 85 → C alone
    assert leaders(ranked) == ["C"]
    panel = [{"A": Mark(30, 20), "B": Mark(30, 20), "C": Mark(20, 10)}] * 3
    assert leaders(rank(prices, panel)) == ["A", "B"]


def test_rank_needs_agencies_and_a_panel() -> None:
    with pytest.raises(ValueError, match="no agencies"):
        rank({}, [{}])
    with pytest.raises(ValueError, match="no agencies"):
        rank({"A": Decimal(1)}, [])

"""Golden cases of the published credit formula (credit.py, docs/market.md)."""

from decimal import Decimal

import pytest

from zhengwu.market.credit import Stars, credit_score, evaluation_effect


def test_new_agency_scores_the_base() -> None:
    credit = credit_score(evaluations=[], delays=0, complaints=0, sanctions=0)
    assert credit.score == Decimal("100.0")
    assert not credit.blacklisted


def test_no_deduction_is_zero_not_minus_zero() -> None:
    # The agency page shows each component: a new agency's read "-0" (found by the market walk).
    credit = credit_score(evaluations=[], delays=0, complaints=0, sanctions=0)
    assert [str(part) for part in (credit.delays, credit.complaints, credit.sanctions)] == [
        "0", "0", "0"]


def test_evaluations_add_two_points_per_star_above_three() -> None:
    # 5,5,5 → +4; 4,4,5 → mean 13/3 → +2.666… ; total 6.67 → 6.7
    credit = credit_score(evaluations=[Stars(5, 5, 5), Stars(4, 4, 5)], delays=0,
                          complaints=0, sanctions=0)
    assert credit.evaluations == Decimal("6.7")
    assert credit.score == Decimal("106.7")


def test_poor_evaluations_and_delays_subtract() -> None:
    credit = credit_score(evaluations=[Stars(1, 2, 3)], delays=2, complaints=1, sanctions=0)
    # 1,2,3 → mean 2 → −2; −10 delays; −10 complaint
    assert (credit.evaluations, credit.delays, credit.complaints) == (
        Decimal("-2.0"), Decimal(-10), Decimal(-10))
    assert credit.score == Decimal("78.0")


def test_evaluation_effect_is_capped_both_ways() -> None:
    assert evaluation_effect([Stars(5, 5, 5)] * 10) == Decimal(20)
    assert evaluation_effect([Stars(1, 1, 1)] * 10) == Decimal(-20)


def test_below_sixty_is_blacklisted() -> None:
    credit = credit_score(evaluations=[Stars(1, 1, 1)] * 3, delays=1, complaints=0,
                          sanctions=1)
    # −12 − 5 − 20 = 63: not yet
    assert credit.score == Decimal("63.0") and not credit.blacklisted
    worse = credit_score(evaluations=[Stars(1, 1, 1)] * 3, delays=2, complaints=0,
                         sanctions=1)
    assert worse.score == Decimal("58.0") and worse.blacklisted and worse.below_threshold


def test_a_sanction_may_blacklist_whatever_the_score() -> None:
    credit = credit_score(evaluations=[], delays=0, complaints=0, sanctions=1,
                          sanction_blacklist=True)
    assert credit.score == Decimal("80.0") and credit.blacklisted
    assert not credit.below_threshold


def test_stars_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="stars"):
        evaluation_effect([Stars(6, 3, 3)])


def test_each_upheld_complaint_takes_ten() -> None:
    one = credit_score(evaluations=[Stars(5, 5, 5)], delays=0, complaints=1, sanctions=0)
    # 100 + 4 − 10
    assert (one.complaints, one.score) == (Decimal(-10), Decimal("94.0"))
    # 100 − 10×3 − 5×2 = 60: at the threshold, not below it
    edge = credit_score(evaluations=[], delays=2, complaints=3, sanctions=0)
    assert edge.score == Decimal("60.0") and not edge.blacklisted
    below = credit_score(evaluations=[], delays=2, complaints=4, sanctions=0)
    assert below.score == Decimal("50.0") and below.blacklisted and below.below_threshold


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="counts"):
        credit_score(evaluations=[], delays=0, complaints=-1, sanctions=0)

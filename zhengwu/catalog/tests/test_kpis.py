"""KPI formulas of plan measures [5][21], on hand-computed examples."""

from decimal import Decimal

import pytest

from zhengwu.catalog import kpis


def fact(pk, *, legal=None, promised="1", depth=4, trips=0, applicant=2, baseline=None, dep=1):
    return kpis.ImplFacts(pk, dep, f"部门{dep}", Decimal(legal) if legal is not None else None,
                          Decimal(promised), depth, trips, applicant, baseline)


def by_key(rows):
    return {k.key: k for k in kpis.compute(rows)}


def test_speed_up_is_the_mean_of_each_items_rate():
    # (20-2)/20 = 0.9, (10-0.5)/10 = 0.95, (5-5)/5 = 0 → mean 0.6166…; no legal limit: ignored
    rows = [fact(1, legal="20", promised="2"), fact(2, legal="10", promised="0.5"),
            fact(3, legal="5", promised="5"), fact(4, legal=None, promised="3")]
    kpi = by_key(rows)["speed_up"]
    assert kpi.value == pytest.approx((0.9 + 0.95 + 0.0) / 3)
    assert kpi.considered == 3
    assert kpi.misses == (3,)
    assert kpi.met is False


def test_legal_limit_of_zero_is_not_divided_by():
    kpi = by_key([fact(1, legal="0", promised="0")])["speed_up"]
    assert kpi.value is None
    assert kpi.met is None


def test_online_availability_counts_depth_two_and_up():
    rows = [fact(1, depth=1), fact(2, depth=2), fact(3, depth=3), fact(4, depth=4)]
    result = by_key(rows)
    assert result["online_availability"].value == pytest.approx(0.75)
    assert result["online_availability"].misses == (1,)
    assert result["depth_3_or_more"].value == pytest.approx(0.5)
    assert result["depth_3_or_more"].misses == (1, 2)
    assert result["depth_3_or_more"].met is False


def test_material_reduction_is_against_the_summed_baseline():
    # baseline 10 + 4 = 14, now 6 + 4 = 10 → 1 - 10/14 = 0.2857; item 2 reduced nothing
    rows = [fact(1, applicant=6, baseline=10), fact(2, applicant=4, baseline=4),
            fact(3, applicant=9, baseline=None)]
    kpi = by_key(rows)["material_reduction"]
    assert kpi.value == pytest.approx(1 - 10 / 14)
    assert kpi.considered == 2
    assert kpi.misses == (2,)
    assert kpi.met is True


def test_trip_shares():
    rows = [fact(1, trips=0), fact(2, trips=1), fact(3, trips=2), fact(4, trips=0)]
    result = by_key(rows)
    assert result["zero_trip"].value == pytest.approx(0.5)
    assert result["zero_trip"].target is None
    assert result["at_most_one_trip"].value == pytest.approx(0.75)
    assert result["at_most_one_trip"].misses == (3,)


def test_empty_catalogue_has_no_values():
    assert all(k.value is None for k in kpis.compute([]))


def test_per_department_grouping():
    rows = [fact(1, dep=2, depth=1), fact(2, dep=1), fact(3, dep=2)]
    groups = kpis.by_department(rows)
    assert [g[0] for g in groups] == [1, 2]
    dep2 = {k.key: k for k in groups[1][2]}
    assert dep2["online_availability"].value == pytest.approx(0.5)

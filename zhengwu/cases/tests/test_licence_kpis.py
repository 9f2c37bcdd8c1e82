"""The electronic-licence KPIs as pure computation (issue 11 item 10, cases.licence_kpis):
the period rule, the share of results issued electronically with the items that miss it,
materials replaced by licences or shared data, and the use log per month and kind — each
against figures worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases import licence_kpis as k
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import InvalidInput

TODAY = dt.date(2026, 12, 6)


def impl(pk: int) -> k.ImplRef:
    return k.ImplRef(id=pk, code=f"C{pk}", item=f"事项{pk}", department="某局")


# --- the period ------------------------------------------------------------------------------


def test_the_default_period_is_the_last_twelve_months_including_this_one() -> None:
    period = k.period_parse(None, None, today=TODAY)
    assert (period.first, period.last) == (dt.date(2026, 1, 1), dt.date(2026, 12, 1))
    assert len(period.months) == 12 and period.months[1] == dt.date(2026, 2, 1)
    start, end = period.bounds()
    assert start == dt.datetime(2026, 1, 1, tzinfo=SHANGHAI)
    assert end == dt.datetime(2027, 1, 1, tzinfo=SHANGHAI)  # exclusive
    assert start.astimezone(dt.UTC) == dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC)
    assert period.label == "2026年1月至2026年12月"


def test_one_end_given_the_other_follows() -> None:
    assert k.period_parse("2026-03", "", today=TODAY).last == dt.date(2026, 12, 1)
    only_end = k.period_parse(None, "2026-05", today=TODAY)
    assert (only_end.first, only_end.last) == (dt.date(2025, 6, 1), dt.date(2026, 5, 1))
    one = k.period_parse("2026-02", "2026-02", today=TODAY)
    assert one.months == [dt.date(2026, 2, 1)] and one.label == "2026年2月"
    # The longest period allowed: 36 months.
    assert len(k.period_parse("2024-01", "2026-12", today=TODAY).months) == 36


@pytest.mark.parametrize(("start", "end", "words", "field"), [
    ("2026-13", None, "开始月份格式", "start"),
    ("2026-1", None, "月份格式", "start"),
    ("abcd-ef", None, "月份格式", "start"),
    ("２０２６-01", None, "月份格式", "start"),  # full-width digits are not a month
    (None, "2026-00", "结束月份格式", "end"),
    ("2026-05", "2026-04", "开始月份不能晚于结束月份", "start"),
    ("2023-12", "2026-12", "最长36个月", "start"),
    # Years a date cannot reach from (the months around the period) are refused, not a 500.
    ("9999-12", "9999-12", "2000年至2099年", "end"),
    (None, "0001-01", "2000年至2099年", "end"),
    ("1999-12", "2000-01", "开始月份应在2000年至2099年", "start"),
])
def test_a_bad_period_is_refused_in_chinese(start: str | None, end: str | None,
                                            words: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        k.period_parse(start, end, today=TODAY)
    assert words in refused.value.message
    assert refused.value.code == "licence_kpi.bad_period" and refused.value.http_status == 422
    assert isinstance(refused.value, k.BadPeriod) and refused.value.field == field


# --- results issued electronically -----------------------------------------------------------


def test_results_issued_electronically_with_the_items_that_miss_it() -> None:
    report = k.electronic_results([
        k.GrantFacts(impl(1), names_licence_type=True, granted=4, electronic=3),   # 75%
        k.GrantFacts(impl(2), names_licence_type=False, granted=2, electronic=0),  # 0%
        k.GrantFacts(impl(3), names_licence_type=True, granted=1, electronic=1),   # 100%
        k.GrantFacts(impl(4), names_licence_type=True, granted=0, electronic=0),   # no grant
    ])
    share = report.share
    assert (share.numerator, share.denominator) == (4, 7)
    assert share.value == pytest.approx(4 / 7) and share.target == 0.5 and share.met is True
    # Of the 3 items that granted something, 2 name a licence type.
    assert (report.items.numerator, report.items.denominator) == (2, 3)
    assert report.items.target is None and report.items.met is None
    assert report.misses == (2,)
    assert [r.implementation.id for r in report.rows] == [1, 2, 3]  # most grants first
    assert [r.share for r in report.rows] == [0.75, 0.0, 1.0]
    assert [r.missed for r in report.rows] == [False, True, False]


def test_below_half_the_share_is_missed_and_exactly_half_is_met() -> None:
    low = k.electronic_results([k.GrantFacts(impl(1), True, granted=3, electronic=1)])
    assert low.share.value == pytest.approx(1 / 3) and low.share.met is False
    assert low.misses == (1,)
    half = k.electronic_results([k.GrantFacts(impl(1), True, granted=2, electronic=1)])
    assert half.share.met is True and half.misses == ()


def test_no_grant_in_the_period_has_no_share() -> None:
    report = k.electronic_results([])
    assert report.share.value is None and report.share.met is None
    assert report.items.value is None and report.rows == [] and report.misses == ()


# --- materials replaced (减材料) -----------------------------------------------------------


def test_materials_replaced_per_item_and_overall() -> None:
    report = k.materials_replaced([
        k.MaterialFacts(impl(1), total=5, by_licence=1, by_shared_data=1),  # 2/5
        k.MaterialFacts(impl(2), total=3, by_licence=0, by_shared_data=0),  # 0/3
        k.MaterialFacts(impl(3), total=2, by_licence=2, by_shared_data=0),  # 2/2
    ])
    assert (report.total, report.by_licence, report.by_shared_data) == (10, 3, 1)
    assert (report.share.numerator, report.share.denominator) == (4, 10)
    assert report.share.value == pytest.approx(0.4) and report.share.target is None
    # Most replaced first, then most materials.
    assert [(r.implementation.id, r.replaced, r.share) for r in report.rows] == [
        (1, 2, 0.4), (3, 2, 1.0), (2, 0, 0.0)]


def test_no_material_has_no_share() -> None:
    report = k.materials_replaced([])
    assert report.total == 0 and report.share.value is None and report.rows == []


# --- uses per month --------------------------------------------------------------------------


KINDS = ("preview", "use_in_case", "qr_scan")


def test_uses_per_month_and_kind_with_empty_months_shown() -> None:
    period = k.period_parse("2026-01", "2026-03", today=TODAY)
    jan, mar = dt.date(2026, 1, 1), dt.date(2026, 3, 1)
    report = k.uses_by_month([
        k.UseCount(jan, "preview", k.LICENCE, 2),
        k.UseCount(jan, "use_in_case", k.LICENCE, 1),
        k.UseCount(jan, "use_in_case", k.SHARED_DATA, 4),
        k.UseCount(mar, "qr_scan", k.LICENCE, 5),
        k.UseCount(dt.date(2026, 4, 1), "qr_scan", k.LICENCE, 9),  # outside: left out
    ], period, KINDS)
    assert [m.month for m in report.months] == [jan, dt.date(2026, 2, 1), mar]
    assert [m.counts for m in report.months] == [(2, 5, 0), (0, 0, 0), (0, 0, 5)]
    assert [(m.licences, m.shared_data, m.total) for m in report.months] == [
        (3, 4, 7), (0, 0, 0), (5, 0, 5)]
    assert report.kinds == KINDS
    assert report.totals == (2, 5, 5)
    assert (report.licences, report.shared_data, report.total) == (8, 4, 12)


def test_a_kind_the_list_does_not_name_is_still_counted() -> None:
    period = k.period_parse("2026-01", "2026-01", today=TODAY)
    report = k.uses_by_month([k.UseCount(dt.date(2026, 1, 1), "new_kind", k.LICENCE, 1)],
                             period, KINDS)
    assert report.kinds == (*KINDS, "new_kind")
    assert report.months[0].counts == (0, 0, 0, 1) and report.total == 1


def test_percent_as_the_page_prints_it() -> None:
    assert k.percent(4 / 7) == "57.1%" and k.percent(0.5) == "50.0%" and k.percent(None) == "—"

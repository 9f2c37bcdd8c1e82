"""The live figures of the plan equal their sources: each figure the API answers is computed
here directly from the owning app's own computation (catalog.kpis, bundles, cases,
evaluations.indicators, hotline.results) and compared, after 12345 orders and 好差评 ratings
made through those apps' services so the monthly figures have something to count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhengwu.accounts.models import User
from zhengwu.bundles.selectors import bundle_kpi, overall_kpi, published_bundles
from zhengwu.cases import licence_kpis
from zhengwu.cases.models import DepartmentFailure
from zhengwu.cases.selectors import licence_kpi_grant_facts
from zhengwu.catalog import kpis as catalog_kpis
from zhengwu.catalog.selectors import kpi_facts
from zhengwu.departments.models import Department
from zhengwu.evaluations import indicators
from zhengwu.evaluations import selectors as evaluation_selectors
from zhengwu.evaluations.events import event_record
from zhengwu.evaluations.services import RatingIn, rating_submit
from zhengwu.hotline import results
from zhengwu.hotline.results_selectors import Scope
from zhengwu.hotline.results_selectors import facts as hotline_facts
from zhengwu.hotline.tests.conftest import moved, opened
from zhengwu.plan import figures
from zhengwu.workdays.calendar import SHANGHAI

MONDAY = dt.datetime(2026, 12, 7, 9, tzinfo=SHANGHAI)
NOW = dt.datetime(2026, 12, 8, 10, tzinfo=SHANGHAI)
MONTH = "2026-12"


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _hotline_orders() -> None:
    operator, chief = User.objects.get(username="hotline"), User.objects.get(username="chief")
    market = Department.objects.get(short_name="市市场监督管理局")
    for n, (satisfaction, resolved) in enumerate([("basic", True), ("unsatisfied", False)]):
        start = MONDAY + dt.timedelta(hours=n)
        number = opened(operator, start).number
        moved(number, operator, start + dt.timedelta(minutes=5), action="dispatch",
              department_id=market.pk)
        moved(number, chief, start + dt.timedelta(minutes=30), action="sign")
        moved(number, chief, start + dt.timedelta(hours=2), action="answer", reply="已处理。")
        moved(number, operator, start + dt.timedelta(hours=3), action="callback",
              resolved=resolved, satisfaction=satisfaction)


def _ratings() -> None:
    person = User.objects.get(username="zhangsan")
    market = Department.objects.get(short_name="市市场监督管理局")
    for n, level in enumerate([1, 4, None]):  # 非常满意, 不满意, not rated
        event = event_record(kind="case", key=f"PLAN{n}", person_id=person.pk,
                             phone="13800000001", department_id=market.pk, item_code="X1",
                             item_name="食品经营许可证核发（新办）", staff_id=None,
                             at=MONDAY + dt.timedelta(hours=n))
        if level is not None:
            with time_machine.travel(MONDAY + dt.timedelta(hours=5), tick=False):
                rating_submit(user=person, data=RatingIn(
                    kind="case", key=event.key, level=level,
                    reasons=["A03"] if level == 4 else []))


@pytest.fixture
def answered(db: Any, client_for: Any) -> dict[str, dict[str, Any]]:
    _hotline_orders()
    _ratings()
    with time_machine.travel(NOW, tick=False):
        body = client_for(None).get("/api/v1/plan/measures").json()
    assert body["count"] == 32
    return {t["figure"]["key"]: t["figure"] for m in body["items"] for t in m["targets"]
            if t["figure"]}


def test_catalogue_figures_equal_catalog_kpis(answered: dict[str, dict[str, Any]]) -> None:
    expected = {k.key: percent(k.value) for k in catalog_kpis.compute(kpi_facts())}
    for key in ("online_availability", "depth_3_or_more", "speed_up", "material_reduction"):
        assert answered[key]["value"] == expected[key], key
        assert answered[key]["value"] is not None and answered[key]["period"] == ""
    assert answered["online_availability"]["unit"] == "%"


def test_bundle_figures_equal_bundle_kpis(answered: dict[str, dict[str, Any]]) -> None:
    kpi = bundle_kpi(published_bundles().get(code="LY-QYKB"))
    assert answered["bundle_steps:LY-QYKB"]["value"] == kpi.steps
    assert answered["bundle_materials:LY-QYKB"]["value"] == kpi.materials_after
    longest = kpi.longest_elapsed
    assert answered["bundle_longest_days:LY-QYKB"]["value"] == (
        None if longest is None else float(longest))
    share = overall_kpi().in_time_share
    assert answered["bundle_in_time"]["value"] == (None if share is None else float(share))


def test_hotline_rates_equal_hotline_results(answered: dict[str, dict[str, Any]]) -> None:
    start, end = results.month_bounds(MONTH)
    computed = results.compute(*hotline_facts(Scope(None), start=start, end=end),
                               now=NOW).month(MONTH)
    assert answered["hotline_response_rate"]["value"] == percent(computed.response_rate) == 100.0
    assert answered["hotline_resolution_rate"]["value"] == percent(computed.resolution_rate) == 50.0
    assert (answered["hotline_satisfaction_rate"]["value"]
            == percent(computed.satisfaction_rate) == 50.0)
    assert answered["hotline_response_rate"]["period"] == MONTH


def test_evaluation_figures_equal_the_indicators(answered: dict[str, dict[str, Any]]) -> None:
    computed = indicators.compute(evaluation_selectors.facts(
        *evaluation_selectors.month_bounds(MONTH)))
    assert computed.good_rate is not None and computed.rated_share is not None
    assert answered["evaluation_good_rate"]["value"] == float(computed.good_rate) == 50.0
    assert answered["evaluation_rated_share"]["value"] == float(computed.rated_share) == 66.7


def test_case_figures_equal_their_sources(answered: dict[str, dict[str, Any]]) -> None:
    first = dt.date(2026, 12, 1)
    share = licence_kpis.electronic_results(
        licence_kpi_grant_facts(licence_kpis.MonthPeriod(first, first))).share.value
    assert answered["electronic_results"]["value"] == percent(share)
    start, end = results.month_bounds(MONTH)
    assert answered["deemed_approvals"]["value"] == DepartmentFailure.objects.filter(
        kind="deemed", recorded_at__gte=start, recorded_at__lt=end).count()


def test_the_interpretation_share_equals_the_policy_library(
        answered: dict[str, dict[str, Any]]) -> None:
    from zhengwu.policies.selectors import interpretation_coverage

    covered, total = interpretation_coverage()
    assert answered["policy_interpretation_share"]["value"] == percent(covered / total) == 100.0


def test_the_share_without_application_equals_the_policy_kpis(
        answered: dict[str, dict[str, Any]]) -> None:
    from zhengwu.policies.kpis import application_share

    assert answered["policy_share_without_application"]["value"] == percent(
        application_share().share)


@time_machine.travel(NOW, tick=False)
def test_every_figure_reads_and_monthly_ones_have_a_trend(db: Any) -> None:
    for key, figure in figures.FIGURES.items():
        name = f"{key}:LY-QYKB" if figure.takes_argument else key
        reading = figures.read(name)
        assert reading.period == (MONTH if figure.monthly else "")
        history = figures.trend(name, months=3)
        assert [m for m, _ in history] == (
            ["2026-10", "2026-11", "2026-12"] if figure.monthly else [])


@pytest.mark.parametrize("name", ["nope", "bundle_steps", "speed_up:X"])
def test_a_bad_figure_name_is_refused(name: str) -> None:
    with pytest.raises(figures.UnknownFigure):
        figures.parse_key(name)

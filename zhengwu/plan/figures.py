"""The live figures the plan's targets are bound to: one registry, each figure a function
computing from the platform's own records, with its definition and its source.

Every figure reuses the computation of the app that owns it (catalog.kpis, bundles.kpis,
cases.licence_kpis, evaluations.indicators, hotline.results, policies.selectors); none is
derived again here.
Two kinds:
- monthly figures (好差评, 12345 三率, 电子证照出证率, 超时默认准予): computed for one Beijing
  month, so the dashboard can draw their trend;
- snapshots (the catalogue's shares, 一件事 KPIs): the state now; the catalogue and the bundle
  KPIs keep no history, so their only trend is the months plan.records kept of them.
Shares are given as percentages (0–100), working days as numbers of days. A figure with
nothing to count yet is None ("暂无数据"), never 0.

A target names a figure by key (`online_availability`), or with one argument after ":" for
figures about one thing (`bundle_longest_days:LY-QYKB`, a bundle's code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from zhengwu.core import clock


@dataclass(frozen=True)
class Reading:
    """A figure's value as computed: `period` is the month ("YYYY-MM") for monthly figures,
    "" for a snapshot; `as_of` the moment it was computed."""

    value: float | None
    period: str
    as_of: dt.datetime


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    definition: str
    source: str
    monthly: bool
    compute: Callable[[str, str], float | None]  # (month "YYYY-MM", argument) -> value
    takes_argument: bool = False


class UnknownFigure(ValueError):
    """A target names a figure the registry does not have."""


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_back(month: str, count: int) -> list[str]:
    """`count` months ending with `month`, oldest first."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


# --- the catalogue (catalog.kpis) ------------------------------------------------------------


def _catalog(key: str) -> Callable[[str, str], float | None]:
    def compute(month: str, argument: str) -> float | None:
        from zhengwu.catalog import kpis
        from zhengwu.catalog.selectors import kpi_facts

        found = next(k for k in kpis.compute(kpi_facts()) if k.key == key)
        return _percent(found.value)

    return compute


# --- 一件事 (bundles.kpis) --------------------------------------------------------------------


def _bundle_in_time(month: str, argument: str) -> float | None:
    from zhengwu.bundles.selectors import overall_kpi

    share = overall_kpi().in_time_share
    return None if share is None else float(share)


def _bundle_kpi(which: str) -> Callable[[str, str], float | None]:
    def compute(month: str, argument: str) -> float | None:
        from zhengwu.bundles.selectors import bundle_kpi, published_bundles

        bundle = published_bundles().filter(code=argument).first()
        if bundle is None:
            return None
        days = getattr(bundle_kpi(bundle), which)
        return None if days is None else float(days)

    return compute


# --- cases: 超时默认 and electronic results ----------------------------------------------------


def _deemed(month: str, argument: str) -> float | None:
    # cases records each deemed approval as a department failure (DepartmentFailure, the
    # source of 电子监察's "超时默认" column); cases has no monthly count of them, so the
    # rows of the month are counted here.
    from zhengwu.cases.models import DepartmentFailure, FailureKind
    from zhengwu.evaluations.selectors import month_bounds

    start, end = month_bounds(month)
    return float(DepartmentFailure.objects.filter(
        kind=FailureKind.DEEMED, recorded_at__gte=start, recorded_at__lt=end).count())


def _electronic(month: str, argument: str) -> float | None:
    from zhengwu.cases import licence_kpis
    from zhengwu.cases.selectors import licence_kpi_grant_facts

    first = dt.date.fromisoformat(f"{month}-01")
    period = licence_kpis.MonthPeriod(first, first)
    return _percent(licence_kpis.electronic_results(licence_kpi_grant_facts(period)).share.value)


# --- 好差评 (evaluations.indicators) ----------------------------------------------------------


def _evaluations(field: str) -> Callable[[str, str], float | None]:
    def compute(month: str, argument: str) -> float | None:
        from zhengwu.evaluations import indicators
        from zhengwu.evaluations.selectors import facts, month_bounds

        value = getattr(indicators.compute(facts(*month_bounds(month))), field)
        return None if value is None else float(value)

    return compute


# --- 12345 三率 (hotline.results) -------------------------------------------------------------


def _hotline(rate: str) -> Callable[[str, str], float | None]:
    def compute(month: str, argument: str) -> float | None:
        from zhengwu.hotline import results
        from zhengwu.hotline.results_selectors import Scope, facts

        start, end = results.month_bounds(month)
        orders, events = facts(Scope(None), start=start, end=end)
        computed = results.compute(orders, events, now=clock.now())
        return _percent(getattr(computed.month(month), rate))

    return compute


# --- 惠企政策 (policies.selectors) -------------------------------------------------------------


def _interpretation_share(month: str, argument: str) -> float | None:
    from zhengwu.policies.selectors import interpretation_coverage

    covered, total = interpretation_coverage()
    return _percent(covered / total) if total else None


def _share_without_application(month: str, argument: str) -> float | None:
    from zhengwu.policies.kpis import application_share

    return _percent(application_share().share)


FIGURES: dict[str, Figure] = {f.key: f for f in (
    Figure("policy_share_without_application", "惠企政策免申即享占比", "%",
           "已发布的惠企政策中，经复核确认的免申即享名单兑现数占兑现总数（免申即享加上该政策"
           "事项准予的申请）的比例。",
           "惠企政策兑现（policies.kpis.application_share）", False,
           _share_without_application),
    Figure("policy_interpretation_share", "政策文件配套解读率", "%",
           "政策文件库中有效的政策文件里，至少配有一篇政策解读的占比。",
           "惠企政策文件库（policies.selectors.interpretation_coverage）", False,
           _interpretation_share),
    Figure("online_availability", "网上可办率", "%",
           "已发布实施清单事项中网上办理深度达Ⅱ级及以上（可网上申请）的占比。",
           "事项目录（catalog.kpis 网上可办率）", False, _catalog("online_availability")),
    Figure("depth_3_or_more", "网上办理深度Ⅲ级以上占比", "%",
           "已发布实施清单事项中网上办理深度达Ⅲ级及以上的占比（全程网办深度）。",
           "事项目录（catalog.kpis）", False, _catalog("depth_3_or_more")),
    Figure("speed_up", "法定时限提速率", "%",
           "有法定时限的事项，（法定时限－承诺时限）／法定时限的平均值。",
           "事项目录（catalog.kpis）", False, _catalog("speed_up")),
    Figure("material_reduction", "材料压减率", "%",
           "有压减基数的事项，1－申请人仍需提交材料数之和／基数之和。",
           "事项目录（catalog.kpis）", False, _catalog("material_reduction")),
    Figure("at_most_one_trip", "最多跑一次占比", "%",
           "已发布实施清单事项中到现场次数不超过1次的占比。",
           "事项目录（catalog.kpis）", False, _catalog("at_most_one_trip")),
    Figure("bundle_in_time", "一件事按时办结率", "%",
           "已受理并办结的一件事办件中，在承诺时限内办结的占比（全部时间）。",
           "一件事（bundles.kpis 总体指标）", False, _bundle_in_time),
    Figure("bundle_longest_days", "一件事最长办结时间", "个工作日",
           "该一件事已办结办件从受理到办结的最长用时（工作日，按官方日历）。",
           "一件事（bundles.kpis 办结时间）", False, _bundle_kpi("longest_elapsed"),
           takes_argument=True),
    Figure("bundle_average_days", "一件事平均办结时间", "个工作日",
           "该一件事已办结办件从受理到办结的平均用时（工作日，按官方日历）。",
           "一件事（bundles.kpis 办结时间）", False, _bundle_kpi("average_elapsed"),
           takes_argument=True),
    Figure("bundle_steps", "一件事办理环节", "个",
           "该一件事的办理环节数（并联阶段计为一个环节）。",
           "一件事（bundles.kpis 环节）", False, _bundle_kpi("steps"), takes_argument=True),
    Figure("bundle_materials", "一件事申请材料（去重后）", "份",
           "该一件事去重后需提交的申请材料份数。",
           "一件事（bundles.kpis 申请材料）", False, _bundle_kpi("materials_after"),
           takes_argument=True),
    Figure("deemed_approvals", "超时默认准予件数", "件",
           "当月平台作出超时默认准予的办件数（部门超时记录）。",
           "办件（cases 部门超时记录，电子监察）", True, _deemed),
    Figure("electronic_results", "电子证照出证率", "%",
           "当月准予（含超时默认准予）的办件中，签发了电子证照的占比。",
           "办件与电子证照（cases.licence_kpis）", True, _electronic),
    Figure("evaluation_good_rate", "好差评满意率", "%",
           "当月办结服务的评价中，好评（满意、比较满意）的占比。",
           "好差评（evaluations.indicators 好评率）", True, _evaluations("good_rate")),
    Figure("evaluation_rated_share", "好差评评价率", "%",
           "当月办结的服务中，已评价的占比。",
           "好差评（evaluations.indicators 评价率）", True, _evaluations("rated_share")),
    Figure("evaluation_callback_rate", "实名差评回访率", "%",
           "当月实名差评中，已回访的占比。",
           "好差评（evaluations.indicators 回访率）", True, _evaluations("callback_rate")),
    Figure("hotline_response_rate", "12345响应率", "%",
           "当月派单中按时签收的占比。",
           "12345热线（hotline.results 三率）", True, _hotline("response_rate")),
    Figure("hotline_resolution_rate", "12345解决率", "%",
           "当月回访中诉求已解决的占比。",
           "12345热线（hotline.results 三率）", True, _hotline("resolution_rate")),
    Figure("hotline_satisfaction_rate", "12345满意率", "%",
           "当月有满意度的回访中，满意和基本满意的占比。",
           "12345热线（hotline.results 三率）", True, _hotline("satisfaction_rate")),
)}


def parse_key(name: str) -> tuple[Figure, str]:
    """The figure a target names ("key" or "key:argument") and its argument."""
    key, _, argument = name.partition(":")
    figure = FIGURES.get(key)
    if figure is None:
        raise UnknownFigure(f"未知的实时指标“{key}”")
    if figure.takes_argument and not argument:
        raise UnknownFigure(f"实时指标“{key}”需要参数（例如 {key}:编码）")
    if argument and not figure.takes_argument:
        raise UnknownFigure(f"实时指标“{key}”不带参数")
    return figure, argument


def read(name: str, *, month: str | None = None) -> Reading:
    """A figure's value: for a monthly figure, of `month` (default: this month)."""
    figure, argument = parse_key(name)
    now = clock.now()
    period = (month or month_of(clock.today())) if figure.monthly else ""
    return Reading(figure.compute(period or month_of(clock.today()), argument), period, now)


def trend(name: str, *, months: int = 6) -> list[tuple[str, float | None]]:
    """A monthly figure's values over the last `months` months, oldest first (empty for a
    snapshot: it has no history)."""
    figure, argument = parse_key(name)
    if not figure.monthly:
        return []
    return [(m, figure.compute(m, argument))
            for m in months_back(month_of(clock.today()), months)]

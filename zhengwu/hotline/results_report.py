"""The 三率 report of one month, shared by the staff page, the public statistics page and the
JSON API (so the three can never disagree): the figures (results.compute over the facts of
results_selectors), per department and per category, the trend of the last twelve months with
its charts (core.charts, drawn on the server), and the hot topics. Definitions:
docs/hotline-results.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from zhengwu.core import charts
from zhengwu.hotline import results, results_selectors
from zhengwu.hotline.results import HotTopics, Rates, percent
from zhengwu.hotline.results_selectors import Scope

# 2000–2099, ASCII digits: twelve months back stay real dates.
MONTH = re.compile(r"^(20\d{2})-(0[1-9]|1[0-2])$", re.ASCII)
TREND_MONTHS = 12
NO_DEPARTMENT = "（尚未派单）"
NO_CATEGORY = "（未分类）"
RECEIVED, DIRECT = "#0b5cad", "#1a7f37"
RATE_COLOURS = {"response": "#0b5cad", "resolution": "#1a7f37", "satisfaction": "#9a6700"}


class BadMonth(ValueError):
    """A month that is not YYYY-MM (the message is for people)."""


def month_parse(value: str | None, *, today: dt.date) -> str:
    """`value` ("YYYY-MM") checked; empty means this month (Beijing)."""
    if not value:
        return today.strftime("%Y-%m")
    if not MONTH.match(value.strip()):
        raise BadMonth(f"月份格式应为 YYYY-MM（2000 至 2099 年，例如 {today:%Y-%m}），"
                       f"收到：{value[:20]}")
    return value.strip()


def months_back(month: str, count: int) -> list[str]:
    """`count` months ending with `month`, oldest first."""
    found = [month]
    while len(found) < count:
        found.insert(0, results.previous_month(found[0]))
    return found


@dataclass(frozen=True)
class Row:
    """One line of a table: a department (its id as text) or a category (its code)."""

    key: str
    label: str
    rates: Rates

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **rates_json(self.rates)}


def rates_json(rates: Rates) -> dict[str, Any]:
    """The counts and the three rates (0..1 rounded to 4 places, null without a base)."""
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {name: getattr(rates, name) for name in results.COUNT_FIELDS} | {
        "response_rate": rounded(rates.response_rate),
        "resolution_rate": rounded(rates.resolution_rate),
        "satisfaction_rate": rounded(rates.satisfaction_rate)}


@dataclass(frozen=True)
class Report:
    month: str
    total: Rates
    departments: list[Row]
    categories: list[Row]
    trend: list[tuple[str, Rates]]
    hot: HotTopics
    everything: bool

    def charts(self) -> list[SafeString]:
        labels = [m for m, _ in self.trend]
        ticks = [m[2:] for m in labels]  # "26-12": short enough for twelve bars
        if self.everything:
            drawn = [charts.bar_chart("每月受理工单数", labels, [
                charts.Series("直办", [r.direct for _, r in self.trend], DIRECT),
                charts.Series("其他", [r.received - r.direct for _, r in self.trend], RECEIVED),
            ], unit="件", ticks=ticks, category_name="月份")]
        else:  # orders are received by 12345, not by a department: show what it was sent
            drawn = [charts.bar_chart("每月派至本部门工单数", labels, [
                charts.Series("派单", [r.dispatched for _, r in self.trend], RECEIVED),
            ], unit="件", ticks=ticks, category_name="月份")]
        for key, title, attr in (("response", "响应率", "response_rate"),
                                 ("resolution", "解决率", "resolution_rate"),
                                 ("satisfaction", "满意率", "satisfaction_rate")):
            values = [_pct(getattr(r, attr)) for _, r in self.trend]
            drawn.append(charts.line_chart(
                f"每月{title}", labels, charts.Series(title, values, RATE_COLOURS[key]),
                unit="%", ticks=ticks, category_name="月份"))
        return drawn

    def as_json(self) -> dict[str, Any]:
        def topics(items: list[results.Topic]) -> list[dict[str, Any]]:
            return [{"key": t.key, "label": t.label, "count": t.count, "previous": t.previous,
                     "rise": t.rise} for t in items]

        return {
            "month": self.month, "total": rates_json(self.total),
            "departments": [row.as_json() for row in self.departments],
            "categories": [row.as_json() for row in self.categories],
            "trend": [{"month": m, **rates_json(r)} for m, r in self.trend],
            "hot_topics": {"previous_month": self.hot.previous_month,
                           "categories": topics(self.hot.categories),
                           "regions": topics(self.hot.regions),
                           "rising_categories": topics(self.hot.rising_categories),
                           "rising_regions": topics(self.hot.rising_regions)},
            "definitions": "docs/hotline-results.md",
        }


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def report(scope: Scope, *, month: str, now: dt.datetime) -> Report:
    """The figures of `month` for `scope` (see the module)."""
    trend_months = months_back(month, TREND_MONTHS)
    start, _ = results.month_bounds(trend_months[0])
    _, end = results.month_bounds(month)
    orders, events = results_selectors.facts(scope, start=start, end=end)
    found = results.compute(orders, events, now=now)
    by_department = found.departments(month)
    if scope.departments is not None:
        mine = {str(pk) for pk in scope.departments}
        by_department = {key: rates for key, rates in by_department.items() if key in mine}
    names = results_selectors.department_names(set(by_department))
    departments = sorted(
        (Row(key, names.get(key, NO_DEPARTMENT), rates) for key, rates in by_department.items()),
        key=lambda row: (row.key == results.NONE_KEY, row.label))
    by_category = found.categories(month) if scope.departments is None else \
        found.categories_of(month, {str(pk) for pk in scope.departments})
    category_names = results_selectors.category_names(set(by_category))
    categories = sorted(
        (Row(key, category_names.get(key, NO_CATEGORY), rates)
         for key, rates in by_category.items()),
        key=lambda row: (row.key == results.NONE_KEY, row.key))
    if scope.departments is None:
        total = found.month(month)
        trend = [(m, found.month(m)) for m in trend_months]
    else:  # a department sees its own departments' sum, not the county's
        total = _sum(by_department.values())
        trend = [(m, _sum(r for k, r in found.departments(m).items()
                          if k in {str(pk) for pk in scope.departments}))
                 for m in trend_months]
    hot = results.hot_topics(orders, events, month=month)
    return Report(month=month, total=total, departments=departments, categories=categories,
                  trend=trend, hot=hot, everything=scope.everything)


def _sum(items: Any) -> Rates:
    total = Rates()
    for rates in items:
        total.add(rates)
    return total


__all__ = ["BadMonth", "Report", "Row", "month_parse", "percent", "report"]

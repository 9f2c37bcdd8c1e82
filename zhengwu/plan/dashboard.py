"""What the public 营商环境 dashboard shows (/plan/): the plan's overview (plan.selectors), the
count of tasks per status as a bar chart, and the monthly trend of every figure a target names
that has one (monthly figures; snapshots once recorded, plan.records) as a line chart
(core.charts: inline SVG, nothing downloaded)."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString

from zhengwu.core import charts
from zhengwu.plan import figures, records, selectors
from zhengwu.plan.status import Status

COLOURS = {Status.ON_TRACK: "#1a7f37", Status.AT_RISK: "#9a6700", Status.LATE: "#b3261e",
           Status.DONE: "#0b5cad"}
LINE = "#0b5cad"
NUMERALS = "一二三四五六七八九十"


def group_heading(number: int, name: str) -> str:
    """"四、扎实推进…", as the plan numbers its groups."""
    numeral = NUMERALS[number - 1] if 1 <= number <= len(NUMERALS) else str(number)
    return f"{numeral}、{name}"


def status_chart(counts: dict[str, int]) -> SafeString:
    order = list(Status)
    return charts.bar_chart("各状态任务数", [s.label for s in order], [
        charts.Series("任务", [float(counts.get(s.value, 0)) for s in order], LINE)],
        unit="项", category_name="状态")


def trend_charts(overview: selectors.Overview) -> list[SafeString]:
    names = sorted({t.figure_key for m in overview.measures for t in m.targets
                    if t.figure is not None})
    drawn = []
    for name, values in selectors.trends(names).items():
        figure, argument = figures.parse_key(name)
        title = (f"{figure.label}{f'（{argument}）' if argument else ''}："
                 f"近{records.TREND_MONTHS}个月")
        drawn.append(charts.line_chart(
            title, [m for m, _ in values],
            charts.Series(figure.label, [v for _, v in values], LINE),
            unit=figure.unit, category_name="月份"))
    return drawn


def dashboard() -> dict[str, Any]:
    overview = selectors.overview()
    groups: dict[tuple[int, str], list[selectors.MeasureView]] = {}
    for view in overview.measures:
        groups.setdefault((view.measure.group_number, view.measure.group), []).append(view)
    return {"overview": overview,
            "groups": [(group_heading(*key), views) for key, views in sorted(groups.items())],
            "status_chart": status_chart(overview.counts),
            "trend_charts": trend_charts(overview),
            "statuses": [(s, overview.counts.get(s.value, 0)) for s in Status]}

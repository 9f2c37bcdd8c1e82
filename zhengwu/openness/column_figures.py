"""The 信息公开专栏's computed entries (measure [29]): in the category 好差评和12345数据, this
month's and last month's 好差评 figures and 12345 三率, computed when the column is read — not
typed — so the column can never disagree with the figures it points to.

Each figure is read from the selector its own public page uses, never computed a second way:
好差评 from evaluations.selectors.public_months (the 好差评公开 page), 12345 from
hotline.results_report.report's county total (the 12345办理统计 page, /hotline/stats/). Each
entry is dated (the day its figures run to: today for this month, the month's last day for
last month), owned by the service centre that runs both (OWNER_SETTING; 耒阳's 市政务服务中心,
whose number is 12345), and links to its public page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from zhengwu.core import clock
from zhengwu.departments.models import Department
from zhengwu.evaluations.selectors import public_months
from zhengwu.hotline import results, results_report
from zhengwu.hotline.results_selectors import Scope
from zhengwu.openness.models import ColumnCategory
from zhengwu.workdays.calendar import SHANGHAI

# The owner's full name; empty: the county's department whose name ends in 政务服务中心.
OWNER_SETTING = "OPENNESS_FIGURES_OWNER"
OWNER_SUFFIX = "政务服务中心"


@dataclass(frozen=True)
class Figure:
    label: str
    value: str  # as the entry shows it ("87.5%", "—")


@dataclass(frozen=True)
class ComputedEntry:
    """An entry shaped like openness.ColumnEntry for the column's template, computed."""

    category: str
    key: str  # "evaluations-2026-12", "hotline-2026-11": the anchor and the tests' handle
    title: str
    body: str
    link: str
    department: Department | None
    published_on: dt.date
    figures: tuple[Figure, ...]
    computed: bool = True


def owner() -> Department | None:
    name = getattr(settings, OWNER_SETTING, "") or ""
    rows = Department.objects.select_related("region")
    if name:
        return rows.filter(name=name).first()
    return rows.filter(name__endswith=OWNER_SUFFIX).order_by("region__code", "pk").first()


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _month_end(month: str) -> dt.date:
    _, end = results.month_bounds(month)  # the next month's first moment, Beijing
    return end.astimezone(SHANGHAI).date() - dt.timedelta(days=1)


def _as_of(month: str, today: dt.date) -> dt.date:
    return min(today, _month_end(month))


def _label(month: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def evaluation_entries(today: dt.date, department: Department | None) -> list[ComputedEntry]:
    """This month's and last month's 好差评 (the 好差评公开 page's rows)."""
    link = reverse("evaluations:public")
    found = []
    for month, i in public_months(months=2):
        figures = (Figure("服务事件", str(i.tally.events)), Figure("评价率", _pct(i.rated_share)),
                   Figure("好评率", _pct(i.good_rate)), Figure("差评整改率", _pct(i.rectified_rate)),
                   Figure("整改及时率", _pct(i.on_time_rate)),
                   Figure("实名差评回访率", _pct(i.callback_rate)))
        found.append(ComputedEntry(
            category=ColumnCategory.FIGURES, key=f"evaluations-{month}",
            title=f"{_label(month)}政务服务好差评数据", body=_body(figures), link=link,
            department=department, published_on=_as_of(month, today), figures=figures))
    return found


def hotline_entries(today: dt.date, now: dt.datetime,
                    department: Department | None) -> list[ComputedEntry]:
    """This month's and last month's 12345 三率 (the 12345办理统计 page's totals)."""
    this = today.strftime("%Y-%m")
    found = []
    for month in (this, results.previous_month(this)):
        total = results_report.report(Scope(None), month=month, now=now).total
        figures = (Figure("受理工单", str(total.received)), Figure("办结工单", str(total.closed)),
                   Figure("响应率", total.response_percent),
                   Figure("解决率", total.resolution_percent),
                   Figure("满意率", total.satisfaction_percent))
        found.append(ComputedEntry(
            category=ColumnCategory.FIGURES, key=f"hotline-{month}",
            title=f"{_label(month)}12345热线办理数据", body=_body(figures),
            link=f"{reverse('hotline_results:stats')}?month={month}", department=department,
            published_on=_as_of(month, today), figures=figures))
    return found


def _body(figures: tuple[Figure, ...]) -> str:
    return "；".join(f"{f.label} {f.value}" for f in figures) + "。"


def entries() -> list[ComputedEntry]:
    """The column's computed entries, newest first (this month's before last month's)."""
    today, now = clock.today(), clock.now()
    department = owner()
    rows = evaluation_entries(today, department) + hotline_entries(today, now, department)
    return sorted(rows, key=lambda e: e.published_on, reverse=True)

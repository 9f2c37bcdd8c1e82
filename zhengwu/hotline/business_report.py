"""The 营商环境 weekly report (issue 13 §4, measure 28: "a weekly report goes to the 营商环境
office"). Pure: the facts are handed in (business_selectors reads them), `now` is an argument.

One Beijing ISO week (Monday 00:00 to the next Monday 00:00, Asia/Shanghai), orders flagged
`business` only:
- received, closed, closed on time, 三率 — the figures of results.compute (the same
  definitions as the monthly 三率 page, docs/hotline-results.md) bucketed by ISO week instead of
  by month; nothing is re-counted here;
- the same per department and per category;
- the business orders still open whose deadline (due_at) has passed by the report's end (the
  week's end, or `now` for the running week), listed with number, department and deadline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from zhengwu.hotline import results
from zhengwu.hotline.results import SHANGHAI, EventFact, OrderFact, Rates

WEEK = re.compile(r"^(20\d{2})-W(0[1-9]|[1-4]\d|5[0-3])$")
NO_DEPARTMENT = "尚未派单"
NO_CATEGORY = "未分类"


class BadWeek(ValueError):
    """A week that is not YYYY-Www (the message is for people)."""


def week_of(moment: dt.datetime) -> str:
    """The Beijing ISO week of a moment, "YYYY-Www"."""
    year, week, _ = moment.astimezone(SHANGHAI).isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str) -> tuple[dt.datetime, dt.datetime]:
    """The Monday 00:00 of `week` and of the next week, Beijing time."""
    found = WEEK.match(week)
    if found is None:
        raise BadWeek(f"周次格式应为 YYYY-Www（例如 2026-W49），收到：{week[:20]}")
    try:
        monday = dt.date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise BadWeek(f"{found[1]} 年没有第 {int(found[2])} 周。") from None
    start = dt.datetime(monday.year, monday.month, monday.day, tzinfo=SHANGHAI)
    return start, start + dt.timedelta(days=7)


def last_week(now: dt.datetime) -> str:
    """The last complete Beijing week before `now` (the one a Monday's report is about)."""
    return week_of(now.astimezone(SHANGHAI) - dt.timedelta(days=7))


def week_parse(value: str | None, *, now: dt.datetime) -> str:
    """`value` checked ("YYYY-Www", upper or lower w); empty means the last complete week."""
    if not value or not value.strip():
        return last_week(now)
    week = value.strip().upper()
    week_bounds(week)  # raises BadWeek
    return week


@dataclass(frozen=True)
class Overdue:
    number: str
    title: str
    department: str
    due_at: dt.datetime


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    rates: Rates


@dataclass(frozen=True)
class BusinessReport:
    week: str
    start: dt.datetime
    end: dt.datetime  # exclusive: the next Monday 00:00
    total: Rates
    departments: list[Group]
    categories: list[Group]
    overdue: list[Overdue]

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(days=1)).date()

    def summary(self) -> str:
        t = self.total
        return (f"{self.week}（{self.start:%m月%d日}—{self.last_day:%m月%d日}）营商环境诉求："
                f"受理 {t.received} 件，办结 {t.closed} 件（按期 {t.closed_on_time} 件），"
                f"逾期未办结 {len(self.overdue)} 件；响应率 {t.response_percent}，"
                f"解决率 {t.resolution_percent}，满意率 {t.satisfaction_percent}。")


def build(orders: Iterable[OrderFact], events: Iterable[EventFact], overdue: Iterable[Overdue],
          *, week: str, now: dt.datetime, department_names: Mapping[str, str],
          category_names: Mapping[str, str]) -> BusinessReport:
    """The report of `week` from the business orders' facts (all their events: earlier ones
    say which department held an order) and the overdue open ones."""
    start, end = week_bounds(week)
    found = results.compute(orders, events, now=now, period=week_of)
    departments = sorted(
        (Group(key, department_names.get(key, NO_DEPARTMENT), rates)
         for key, rates in found.departments(week).items()),
        key=lambda g: (g.key == results.NONE_KEY, g.label))
    categories = sorted(
        (Group(key, category_names.get(key, NO_CATEGORY), rates)
         for key, rates in found.categories(week).items()),
        key=lambda g: (g.key == results.NONE_KEY, g.key))
    cutoff = min(now, end)
    late = sorted((row for row in overdue if row.due_at < cutoff),
                  key=lambda row: (row.due_at, row.number))
    return BusinessReport(week=week, start=start, end=end, total=found.month(week),
                          departments=departments, categories=categories, overdue=late)

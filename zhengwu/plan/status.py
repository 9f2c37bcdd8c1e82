"""A task's status (正常推进, 有风险, 已逾期, 已完成), computed purely from its completion date,
its targets' live figures against their thresholds, and the latest progress report. No
database, no clock: `today` is given.

The rules, in order (the first that applies decides; every reason found is kept):
1. The latest report says the task is complete: 已完成 — unless a live figure misses its
   target, then 有风险 ("已报告完成，但实时指标未达到目标"): a claim the platform's own figures
   contradict is not taken as done.
2. The completion date has passed (the day after it or later): 已逾期.
3. A live figure misses its target: 有风险.
4. The completion date is within DUE_SOON_DAYS days: 有风险.
5. No progress report for last month or later (reports are monthly): 有风险.
6. Otherwise 正常推进.
A task without a completion date (长期坚持) is never 已逾期. A figure with no data yet (None)
neither meets nor misses its target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

DUE_SOON_DAYS = 30


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    DONE = "done"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def tone(self) -> str:
        """The site's badge tone it is shown in (site.css .badge.ok/.warn/.bad)."""
        return TONES[self]


LABELS = {Status.ON_TRACK: "正常推进", Status.AT_RISK: "有风险", Status.LATE: "已逾期",
          Status.DONE: "已完成"}
TONES = {Status.ON_TRACK: "ok", Status.AT_RISK: "warn", Status.LATE: "bad", Status.DONE: "ok"}


def met(value: float | None, comparison: str, threshold: Decimal | float | None) -> bool | None:
    """Whether a figure meets its target: None when the value or the threshold is unknown.
    A value equal to the threshold meets it (≥ and ≤ both include it)."""
    if value is None or threshold is None or comparison not in (">=", "<="):
        return None
    limit = float(threshold)
    # Figures are rounded to one decimal; a tolerance keeps 0.1 + 0.2 equal to 0.3.
    return value + 1e-9 >= limit if comparison == ">=" else value - 1e-9 <= limit


@dataclass(frozen=True)
class LatestReport:
    month: dt.date  # the first day of the month reported on
    completed: bool


@dataclass(frozen=True)
class Verdict:
    status: Status
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.status.label


def _first_of_previous_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def task_status(*, today: dt.date, deadline: dt.date | None,
                targets_met: Sequence[bool | None], latest: LatestReport | None) -> Verdict:
    """The status of one task (the rules are in the module's docstring)."""
    missed = any(m is False for m in targets_met)
    reasons: list[str] = []
    if missed:
        reasons.append("实时指标未达到目标")
    if latest is not None and latest.completed:
        if missed:
            return Verdict(Status.AT_RISK, ("已报告完成，但实时指标未达到目标",))
        return Verdict(Status.DONE, ("已报告完成",))
    if deadline is not None and today > deadline:
        return Verdict(Status.LATE, (f"已超过完成时限（{deadline:%Y-%m-%d}）", *reasons))
    if deadline is not None and (deadline - today).days <= DUE_SOON_DAYS:
        reasons.append(f"距完成时限不足{DUE_SOON_DAYS}天")
    if latest is None or latest.month < _first_of_previous_month(today):
        reasons.append("上月进展未报送")
    if reasons:
        return Verdict(Status.AT_RISK, tuple(reasons))
    return Verdict(Status.ON_TRACK, ())

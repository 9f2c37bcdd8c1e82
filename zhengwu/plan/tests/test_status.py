"""Golden cases of a task's status (plan.status): dates, figures against targets and the
latest progress report. Pure: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.plan.status import LatestReport, Status, met, task_status

TODAY = dt.date(2026, 12, 7)
LAST_MONTH = dt.date(2026, 11, 1)


def report(month: dt.date = LAST_MONTH, *, completed: bool = False) -> LatestReport:
    return LatestReport(month, completed)


@pytest.mark.parametrize(("deadline", "targets", "latest", "status", "reasons"), [
    # Reported last month, far from the deadline, figures met: on track.
    (dt.date(2027, 6, 30), [True], report(), Status.ON_TRACK, ()),
    # The deadline was yesterday and nobody says it is done: late.
    (dt.date(2026, 12, 6), [None], report(), Status.LATE, ("已超过完成时限（2026-12-06）",)),
    # The deadline is today: not late yet, but due within 30 days.
    (dt.date(2026, 12, 7), [], report(), Status.AT_RISK, ("距完成时限不足30天",)),
    (dt.date(2027, 1, 6), [], report(), Status.AT_RISK, ("距完成时限不足30天",)),
    (dt.date(2027, 1, 7), [], report(), Status.ON_TRACK, ()),
    # A live figure misses its target.
    (dt.date(2027, 6, 30), [True, False], report(), Status.AT_RISK, ("实时指标未达到目标",)),
    # No report for last month (the latest is two months old, or none at all).
    (dt.date(2027, 6, 30), [], report(dt.date(2026, 10, 1)), Status.AT_RISK,
     ("上月进展未报送",)),
    (dt.date(2027, 6, 30), [], None, Status.AT_RISK, ("上月进展未报送",)),
    # This month's report counts as well as last month's.
    (dt.date(2027, 6, 30), [], report(dt.date(2026, 12, 1)), Status.ON_TRACK, ()),
    # Reported complete, figures met or not measured: done, even after the deadline.
    (dt.date(2021, 8, 31), [True, None], report(completed=True), Status.DONE, ("已报告完成",)),
    # Reported complete, but a live figure misses its target: not taken as done.
    (dt.date(2021, 8, 31), [False], report(completed=True), Status.AT_RISK,
     ("已报告完成，但实时指标未达到目标",)),
    # Late and missing a figure: late, both reasons kept.
    (dt.date(2021, 8, 31), [False], None, Status.LATE,
     ("已超过完成时限（2021-08-31）", "实时指标未达到目标")),
    # 长期坚持 (no completion date): never late.
    (None, [], report(), Status.ON_TRACK, ()),
    (None, [], None, Status.AT_RISK, ("上月进展未报送",)),
])
def test_status(deadline: dt.date | None, targets: list[bool | None],
                latest: LatestReport | None, status: Status, reasons: tuple[str, ...]) -> None:
    verdict = task_status(today=TODAY, deadline=deadline, targets_met=targets, latest=latest)
    assert (verdict.status, verdict.reasons) == (status, reasons)


def test_labels_are_the_plans_words() -> None:
    assert [s.label for s in Status] == ["正常推进", "有风险", "已逾期", "已完成"]


@pytest.mark.parametrize(("value", "comparison", "threshold", "expected"), [
    (1.0, "<=", Decimal("1"), True),   # 企业开办 ≤ 1 working day: exactly 1 meets it
    (1.5, "<=", Decimal("1"), False),
    (85.0, ">=", Decimal("85"), True),
    (84.9, ">=", Decimal("85"), False),
    (0.1 + 0.2, ">=", Decimal("0.3"), True),  # float noise does not miss a target
    (None, ">=", Decimal("85"), None),  # no data yet: neither met nor missed
    (90.0, ">=", None, None),
    (90.0, "", Decimal("85"), None),
])
def test_met(value: float | None, comparison: str, threshold: Decimal | None,
             expected: bool | None) -> None:
    assert met(value, comparison, threshold) is expected

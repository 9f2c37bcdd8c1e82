"""The numbers of 双随机一公开 (issue 15 §3): share rounding, conflict exclusion before the
draw, two inspectors, and working-day deadlines across 国庆 2026."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhengwu.inspections import rules
from zhengwu.workdays.selectors import calendar_get


@pytest.mark.parametrize(("pool", "percent", "count"), [
    (7, 10, 1),    # 0.7 rounded up
    (7, 15, 2),    # 1.05 rounded up
    (30, 10, 3),   # exactly 3 (no float drift to 4)
    (1, 1, 1),     # at least one
    (200, 0.5, 1),
    (201, 0.5, 2),
    (5, 100, 5),
])
def test_share_is_rounded_up_with_at_least_one(pool: int, percent: float, count: int) -> None:
    assert rules.share_count(pool, percent) == count


@pytest.mark.parametrize(("pool", "percent"), [(0, 10), (5, 0), (5, -1), (5, 100.5)])
def test_a_share_that_cannot_be_drawn_is_refused(pool: int, percent: float) -> None:
    with pytest.raises(rules.RuleError):
        rules.share_count(pool, percent)


INSPECTORS = {"ZF001": "ZF001", "ZF002": "ZF002", "ZF003": "ZF003", "ZF004": "ZF004"}
TARGET, OTHER = "91430481MA4L00003J", "91430481MA4L01014X"


def test_conflicted_inspectors_leave_the_candidates_before_the_draw() -> None:
    kept, excluded = rules.inspector_candidates(
        INSPECTORS, [("ZF001", TARGET), ("ZF003", TARGET), ("ZF002", OTHER)], TARGET)
    assert sorted(kept) == ["ZF002", "ZF004"] and excluded == 2
    kept, excluded = rules.inspector_candidates(INSPECTORS, [("ZF001", TARGET)], OTHER)
    assert len(kept) == 4 and excluded == 0


def test_fewer_than_two_inspectors_after_exclusion_is_refused() -> None:
    assert rules.INSPECTORS_PER_INSPECTION == 2
    with pytest.raises(rules.RuleError, match="不足2名"):
        rules.inspector_candidates(INSPECTORS, [(c, TARGET) for c in ("ZF001", "ZF002", "ZF003")],
                                   TARGET)


def test_deadlines_skip_guoqing_2026_and_count_the_tiaoxiu_days(db: Any) -> None:
    cal = calendar_get()
    # 30 Sep 2026 (Wed): 10/1–10/7 off; 10/8 (Thu), 10/9 (Fri), 10/10 (Sat, 调休) work.
    assert rules.due_after(cal, dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert rules.due_after(cal, dt.date(2026, 9, 30), 4) == dt.date(2026, 10, 12)


def test_disclosure_is_due_twenty_working_days_after_the_result(db: Any) -> None:
    cal = calendar_get()
    assert rules.DISCLOSURE_WORKDAYS == 20
    result_on = dt.date(2026, 9, 28)  # Monday before 国庆
    due = rules.disclosure_due(cal, result_on)
    # 9/29, 9/30 (2) + 10/8, 10/9, 10/10 (5) + 10/12–10/16 (10) + 10/19–10/23 (15)
    # + 10/26–10/30 (20).
    assert due == dt.date(2026, 10, 30)
    assert not rules.disclosure_overdue(cal, result_on, dt.date(2026, 10, 30))
    assert rules.disclosure_overdue(cal, result_on, dt.date(2026, 10, 31))

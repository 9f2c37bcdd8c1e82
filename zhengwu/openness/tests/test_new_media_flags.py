"""The 政务新媒体 flags (measure 31), a pure function: an inspection overdue past the account's
interval, 长期未更新 when the last post seen is more than 14 days before the inspection (the
"2 weeks without an update" rule, docs/openness.md), and broken links noted."""

from __future__ import annotations

import datetime as dt

from zhengwu.openness.new_media import STALE_DAYS, account_flags

D = dt.date


def flags(**kw):  # type: ignore[no-untyped-def]
    base = {"status": "active", "registered_on": D(2026, 10, 1), "interval_days": 30,
            "last_inspected_on": None, "last_update_seen": None, "broken_links": 0,
            "today": D(2026, 10, 31)}
    return account_flags(**(base | kw))


def test_the_rule_is_two_weeks() -> None:
    assert STALE_DAYS == 14


def test_never_inspected_counts_from_registration() -> None:
    assert flags().inspection_due_on == D(2026, 10, 31)
    assert not flags().inspection_overdue  # the 30th day is still in time
    assert flags(today=D(2026, 11, 1)).inspection_overdue


def test_the_last_inspection_restarts_the_interval() -> None:
    seen = {"last_inspected_on": D(2026, 10, 20), "last_update_seen": D(2026, 10, 19)}
    assert flags(today=D(2026, 11, 19), **seen).inspection_due_on == D(2026, 11, 19)
    assert not flags(today=D(2026, 11, 19), **seen).inspection_overdue
    assert flags(today=D(2026, 11, 20), **seen).inspection_overdue
    assert flags(today=D(2026, 11, 20), interval_days=7, **seen).inspection_overdue


def test_stale_after_fourteen_days_at_the_inspection() -> None:
    inspected = D(2026, 10, 20)
    fourteen = flags(last_inspected_on=inspected, last_update_seen=inspected - dt.timedelta(14))
    fifteen = flags(last_inspected_on=inspected, last_update_seen=inspected - dt.timedelta(15))
    assert not fourteen.stale and fourteen.days_since_update == 14
    assert fifteen.stale and fifteen.days_since_update == 15
    assert "长期未更新" in " ".join(fifteen.labels)
    # Measured at the inspection, not today: a later day does not make it stale.
    assert not flags(last_inspected_on=inspected, last_update_seen=inspected,
                     today=D(2026, 11, 15)).stale


def test_broken_links_are_flagged() -> None:
    assert flags(last_inspected_on=D(2026, 10, 20), last_update_seen=D(2026, 10, 20),
                 broken_links=2).broken
    assert not flags(last_inspected_on=D(2026, 10, 20), last_update_seen=D(2026, 10, 20)).broken


def test_a_closed_account_has_no_flags() -> None:
    closed = flags(status="closed", today=D(2027, 6, 1), last_inspected_on=D(2026, 10, 2),
                   last_update_seen=D(2026, 1, 1), broken_links=3)
    assert not (closed.inspection_overdue or closed.stale or closed.broken)
    assert closed.labels == []


def test_a_suspended_account_is_still_inspected() -> None:
    assert flags(status="suspended", today=D(2026, 11, 2)).inspection_overdue

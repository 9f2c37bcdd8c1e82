"""The early warning of 依申请公开: the officers are told, once per due date, when the answer is
due within `services.WARN_WORKDAYS` (5) working days, counted on the official calendar — here
across 国庆 (1–7 October 2026 off, 10 October worked)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.notifications.models import OutboxItem
from zhengwu.openness import services
from zhengwu.openness.models import RequestEvent
from zhengwu.openness.tests.conftest import at, moved, submitted

pytestmark = pytest.mark.django_db
D = dt.date


def test_five_working_days(officer, market):
    assert services.WARN_WORKDAYS == 5


def test_warned_five_working_days_before_across_the_holiday(officer, market):
    row = submitted(officer, at(2026, 9, 8), market, channel="in_person", name="王五",
                    id_number="430481199001011234", phone="13912345678",
                    requester_kind="citizen")
    assert row.due_on == D(2026, 10, 12)
    warnings = OutboxItem.objects.filter(dedupe_key__startswith=f"openness:{row.pk}:due_soon")
    # 28 September: 6 working days remain (29, 30 September, 8, 9, 10, 12 October).
    services.due_soon_tell(at(2026, 9, 28, 8))
    assert not warnings.exists()
    # 29 September: 5 remain — two weeks of calendar days, but five working days.
    assert services.due_soon_tell(at(2026, 9, 29, 8)) == 1
    assert warnings.filter(recipient=officer).count() == 1
    assert RequestEvent.objects.filter(application=row, action="due_soon").count() == 1
    services.due_soon_tell(at(2026, 9, 30, 8))
    services.due_soon_tell(at(2026, 10, 8, 8))
    assert warnings.filter(recipient=officer).count() == 1  # once per due date
    # The limit extended by 5 working days (to 19 October): warned again when it nears.
    moved(row.number, officer, at(2026, 9, 30), action="extend", workdays=5,
          approved_by="李主任", note="需调取档案")
    row.refresh_from_db()
    assert row.due_on == D(2026, 10, 19)
    services.due_soon_tell(at(2026, 10, 9, 8))  # 7 remain: 10 (worked), 12–16, 19 October
    assert warnings.filter(recipient=officer).count() == 1
    assert services.due_soon_tell(at(2026, 10, 12, 8)) == 1
    assert warnings.filter(recipient=officer).count() == 2


def test_not_warned_once_answered_or_past_due(officer, market):
    row = submitted(officer, at(2026, 9, 8), market, channel="in_person", name="王五",
                    id_number="430481199001011234", phone="13912345678",
                    requester_kind="citizen")
    moved(row.number, officer, at(2026, 9, 10), action="answer", answer_type="disclosed",
          note="见附件")
    assert services.due_soon_tell(at(2026, 9, 29, 8)) == 0
    assert services.due_soon_tell(at(2026, 10, 13, 8)) == 0

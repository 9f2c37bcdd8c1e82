"""The notice that next year's official holiday schedule is missing (issue 16): shown on the
workbench to those who may enter the schedule, with a link to where they do, never a CLI
command; other staff do not see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.workdays.selectors import calendar_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_missing(monkeypatch: pytest.MonkeyPatch) -> int:
    # Late in a year whose successor has no schedule: the 60-day look-ahead reaches into it.
    year = max(calendar_get().official_years) + 1
    monkeypatch.setattr("zhengwu.core.clock.today", lambda: dt.date(year - 1, 12, 1))
    return year


@pytest.mark.parametrize(("username", "shown"), [("admin", True), ("clerk", False),
                                                   ("chief", False), ("supervisor", False)])
def test_only_who_may_enter_the_schedule_is_asked_to(
        username: str, shown: bool, year_missing: int, client_for: Any) -> None:
    page = client_for(User.objects.get(username=username)).get(reverse("staff:workbench"))
    text = page.content.decode()
    assert (f"{year_missing}年的官方放假安排尚未录入" in text) is shown
    assert ('href="/admin/workdays/scheduleyear/add/"' in text) is shown
    assert "zhengwu workdays" not in text

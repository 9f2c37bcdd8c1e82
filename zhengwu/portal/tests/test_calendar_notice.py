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
    assert (f'href="{reverse("staff:schedule_year")}"' in text) is shown
    assert "zhengwu workdays" not in text


def test_the_schedule_is_entered_on_its_page_through_the_service(year_missing: int,
                                                                   client_for: Any) -> None:
    from zhengwu.core.models import AuditEvent
    from zhengwu.workdays.models import ScheduleYear

    url = reverse("staff:schedule_year")
    assert client_for(User.objects.get(username="clerk")).get(url).status_code == 403
    admin = client_for(User.objects.get(username="admin"))
    page = admin.get(url).content.decode()
    assert f'name="year" value="{year_missing}"' in page  # the missing year, filled in
    days = f"{year_missing}-01-01,放假,元旦\n{year_missing}-02-30,放假,春节"
    refused = admin.post(url, {"year": year_missing, "document": "国办发明电〔X〕1号",
                               "days": days}).content.decode()
    assert "第2行：日期" in refused and "无效" in refused  # the bad line named
    assert "国办发明电〔X〕1号" in refused and f"{year_missing}-02-30,放假,春节" in refused
    assert not ScheduleYear.objects.filter(year=year_missing).exists()  # nothing half-entered
    done = admin.post(url, {"year": year_missing, "document": "国办发明电〔X〕1号",
                            "days": days.replace("02-30", "02-06")})
    assert done.status_code == 302
    schedule = ScheduleYear.objects.get(year=year_missing)
    assert schedule.days.count() == 2
    assert schedule.entered_by is not None and schedule.entered_by.username == "admin"
    assert AuditEvent.objects.filter(action="workdays.year_enter",
                                     object_id=str(schedule.pk)).exists()
    # The admin lists it read-only: a form there would skip the audit and the recomputation.
    assert admin.get("/admin/workdays/scheduleyear/add/").status_code == 403

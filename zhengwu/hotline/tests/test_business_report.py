"""The 营商环境 weekly report (issue 13 §4, measure 28): the week's figures on orders taken and
moved through the services (business orders only, the 三率 of results.py), the overdue open
ones, who may read the page, the command's output and that a week is sent once."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.departments.models import Department
from zhengwu.hotline import business_delivery, business_report, business_selectors
from zhengwu.hotline.business_report import BadWeek
from zhengwu.hotline.tests.conftest import at, moved, opened
from zhengwu.notifications.models import OutboxItem

pytestmark = pytest.mark.django_db
WEEK = "2026-W50"  # Monday 7 December – Sunday 13 December 2026
PAGE = "/hotline/results/business/"


def test_weeks_are_beijing_iso_weeks() -> None:
    start, end = business_report.week_bounds(WEEK)
    assert start == at(2026, 12, 7, 0) and end == at(2026, 12, 14, 0)
    # Sunday 23:30 Beijing is still that week, though it is Sunday 15:30 UTC.
    assert business_report.week_of(at(2026, 12, 13, 23, 30)) == WEEK
    assert business_report.week_of(at(2026, 12, 14, 0, 0)) == "2026-W51"
    assert business_report.last_week(at(2026, 12, 14, 8)) == WEEK
    assert business_report.week_of(at(2027, 1, 1)) == "2026-W53"
    assert business_report.week_parse("2026-w50", now=at(2026, 12, 20)) == WEEK
    for bad in ("2026-50", "2026-W54", "2025-W53", "W50", "2026-W5"):
        with pytest.raises(BadWeek):
            business_report.week_parse(bad, now=at(2026, 12, 20))


@pytest.fixture
def week_orders(operator: User, market_chief: User, police_staff: User, market: Department,
                police: Department) -> dict[str, str]:
    """A: a business category, closed in time, satisfied. B: an enterprise's (USCC), signed late
    and left open past its deadline. C: an ordinary order (not in the report). D: a business
    order of the week before."""
    a = opened(operator, at(2026, 12, 7, 9), category_code="1302", title="涉企乱收费",
               content="某部门向我公司收取不合理的检测费用。").number
    moved(a, operator, at(2026, 12, 7, 9, 5), action="dispatch", department_id=market.pk)
    moved(a, market_chief, at(2026, 12, 7, 9, 30), action="sign")
    moved(a, market_chief, at(2026, 12, 8, 10), action="answer", reply="已责令退还。")
    moved(a, operator, at(2026, 12, 8, 15), action="callback", resolved=True,
          satisfaction="satisfied")
    moved(a, operator, at(2026, 12, 8, 15, 5), action="close")
    b = opened(operator, at(2026, 12, 7, 10), enterprise_uscc="91430481MA4L3XBY88",
               title="企业被阻工", content="我公司工地被人阻工，请公安部门处理。").number
    moved(b, operator, at(2026, 12, 7, 10, 5), action="dispatch", department_id=police.pk)
    moved(b, police_staff, at(2026, 12, 8, 16), action="sign")  # late
    c = opened(operator, at(2026, 12, 7, 11)).number
    moved(c, operator, at(2026, 12, 7, 11, 5), action="dispatch", department_id=market.pk)
    d = opened(operator, at(2026, 12, 2, 9), category_code="1302").number
    return {"a": a, "b": b, "c": c, "d": d}


def test_the_weeks_figures(week_orders: dict[str, str], police: Department) -> None:
    found = business_selectors.report(WEEK, now=at(2026, 12, 21, 9))
    t = found.total
    assert (t.received, t.dispatched, t.signed_on_time) == (2, 2, 1)  # A and B; not C, not D
    assert (t.closed, t.closed_on_time, t.callbacks, t.resolved) == (1, 1, 1, 1)
    assert (t.response_percent, t.resolution_percent, t.satisfaction_percent) == (
        "50.0%", "100.0%", "100.0%")
    assert [(o.number, o.department) for o in found.overdue] == [(week_orders["b"], police.name)]
    assert found.overdue[0].due_at < at(2026, 12, 14, 0)
    by_department = {g.label: g.rates for g in found.departments}
    assert by_department[police.name].signed_late == 1
    assert by_department["耒阳市市场监督管理局"].closed_on_time == 1
    assert by_department["尚未派单"].received == 2  # received before any dispatch (results.py)
    assert {g.key: g.rates.received for g in found.categories} == {"1302": 1, "": 1}  # B has no category
    earlier = business_selectors.report("2026-W49", now=at(2026, 12, 21, 9))
    assert earlier.total.received == 1 and earlier.overdue == []


def test_the_report_of_the_running_week_lists_what_is_overdue_by_now(
        week_orders: dict[str, str]) -> None:
    found = business_selectors.report(WEEK, now=at(2026, 12, 7, 12))
    assert found.overdue == [] and found.total.received == 2


@pytest.fixture
def office_staff(db: Any) -> User:
    office = business_selectors.office()
    assert office is not None and office.name == business_selectors.DEFAULT_OFFICE
    person = User.objects.create_user(username="youhuaban", password="x", is_staff=True)
    RoleAssignment.objects.create(user=person, role=AccountRole.REVIEWER, department=office)
    return person


@pytest.mark.parametrize(("name", "status"), [
    ("hotline", 200), ("supervisor", 200), ("youhuaban", 200), ("reviewer", 403),
    ("zhangsan", 403), ("", 302)])
def test_who_may_read_the_page(client_for: Any, office_staff: User, name: str,
                               status: int) -> None:
    user = User.objects.get(username=name) if name else None
    with time_machine.travel(at(2026, 12, 21, 9), tick=False):
        assert client_for(user).get(f"{PAGE}?week={WEEK}").status_code == status


def test_the_page_shows_the_week(client_for: Any, operator: User,
                                 week_orders: dict[str, str]) -> None:
    with time_machine.travel(at(2026, 12, 21, 9), tick=False):
        page = client_for(operator).get(f"{PAGE}?week={WEEK}").content.decode()
        assert "受理 2 件，办结 1 件（按期 1 件），逾期未办结 1 件" in page
        assert week_orders["b"] in page and week_orders["c"] not in page
        bad = client_for(operator).get(f"{PAGE}?week=2026-99")
        assert bad.status_code == 400 and "周次格式" in bad.content.decode()
        # Without a week: the last complete one (on Monday 21 December, W51).
        assert 'value="2026-W51"' in client_for(operator).get(PAGE).content.decode()


def test_the_command_prints_and_sends_once(office_staff: User,
                                           week_orders: dict[str, str]) -> None:
    with time_machine.travel(at(2026, 12, 21, 9), tick=False):
        out = StringIO()
        call_command("hotline_business_report", "--week", WEEK, stdout=out)
        text = out.getvalue()
        assert "受理 2 件，办结 1 件（按期 1 件），逾期未办结 1 件；响应率 50.0%" in text
        assert week_orders["b"] in text and "已通知" in text and "1 人" in text
        notice = OutboxItem.objects.get(recipient=office_staff)
        assert f"/hotline/results/business/?week={WEEK}" in notice.link
        again = StringIO()
        call_command("hotline_business_report", "--week", WEEK, stdout=again)
        assert "未重复发送" in again.getvalue()
        assert OutboxItem.objects.filter(recipient=office_staff).count() == 1
        with pytest.raises(CommandError):
            call_command("hotline_business_report", "--week", "2026-W99", stdout=StringIO())


def test_the_sweep_sends_last_week_once(office_staff: User, settings: Any,
                                        week_orders: dict[str, str]) -> None:
    with time_machine.travel(at(2026, 12, 14, 9), tick=False):
        assert business_delivery.sweep(at(2026, 12, 14, 9)) == f"营商环境周报 {WEEK}：通知 1 人"
        assert business_delivery.sweep(at(2026, 12, 14, 9, 5)) == f"营商环境周报 {WEEK} 已发送"
    assert OutboxItem.objects.filter(recipient=office_staff).count() == 1
    settings.HOTLINE_BUSINESS_OFFICE = "没有这个部门"
    assert "未找到" in business_delivery.sweep(at(2026, 12, 21, 9))

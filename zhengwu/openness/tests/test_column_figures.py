"""The 信息公开专栏's computed entries (好差评和12345数据): this month's and last month's
figures, each equal to the page it links to (the same selectors, never a second computation),
dated, owned by the 政务服务中心, shown on /openness/ next to the typed entries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.evaluations.events import event_record
from zhengwu.evaluations.selectors import public_months
from zhengwu.hotline import results_report
from zhengwu.hotline.models import Channel
from zhengwu.hotline.results_selectors import Scope
from zhengwu.hotline.tests.conftest import at, moved, opened
from zhengwu.openness import column_figures
from zhengwu.openness.models import ColumnCategory
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 9, 15, tzinfo=SHANGHAI)


def _orders() -> None:
    """Orders in November (one closed satisfied, one unresolved) and December (one closed)."""
    operator = User.objects.get(username="hotline")
    staff = User.objects.get(username="reviewer")
    market = Department.objects.get(short_name="市市场监督管理局")
    for start, satisfied in ((at(2026, 11, 2, 9), True), (at(2026, 11, 3, 9), False),
                             (at(2026, 12, 1, 9), True)):
        row = opened(operator, start, channel=Channel.PHONE)
        moved(row.number, operator, start, action="dispatch", department_id=market.pk,
              by="rule")
        moved(row.number, staff, start + dt.timedelta(hours=1), action="sign")
        later = start + dt.timedelta(days=1)
        moved(row.number, staff, later, action="answer", reply="已处理。")
        moved(row.number, operator, later, action="callback", resolved=satisfied,
              satisfaction="satisfied" if satisfied else "basic")
        if satisfied:
            moved(row.number, operator, later + dt.timedelta(hours=1), action="close")
    with transaction.atomic():
        for n in range(2):
            event_record(kind="case", key=f"FIG{n}", person_id=User.objects.get(
                username="zhangsan").pk, phone="13800000001", department_id=market.pk,
                item_code="X1", item_name="食品经营许可证核发（新办）", staff_id=None,
                at=at(2026, 12, 2 + n))


def test_the_figures_equal_their_sources() -> None:
    _orders()
    with time_machine.travel(NOW, tick=False):
        found = {e.key: e for e in column_figures.entries()}
        assert sorted(found) == ["evaluations-2026-11", "evaluations-2026-12",
                                 "hotline-2026-11", "hotline-2026-12"]
        for month in ("2026-11", "2026-12"):
            total = results_report.report(Scope(None), month=month, now=NOW).total
            shown = {f.label: f.value for f in found[f"hotline-{month}"].figures}
            assert shown == {"受理工单": str(total.received), "办结工单": str(total.closed),
                             "响应率": total.response_percent,
                             "解决率": total.resolution_percent,
                             "满意率": total.satisfaction_percent}
        for month, i in public_months(months=2):
            shown = {f.label: f.value for f in found[f"evaluations-{month}"].figures}
            assert shown["服务事件"] == str(i.tally.events)
            assert shown["好评率"] == ("—" if i.good_rate is None else f"{i.good_rate}%")
            assert shown["差评整改率"] == (
                "—" if i.rectified_rate is None else f"{i.rectified_rate}%")
    # Not vacuous: November had two orders received and one closed, half resolved.
    november = {f.label: f.value for f in found["hotline-2026-11"].figures}
    assert november["受理工单"] == "2" and november["办结工单"] == "1"
    assert november["解决率"] == "50.0%"
    assert {f.label: f.value for f in found["evaluations-2026-12"].figures}["服务事件"] == "2"


def test_dated_owned_and_linked() -> None:
    with time_machine.travel(NOW, tick=False):
        rows = column_figures.entries()
    assert [e.key for e in rows][:2] in (["evaluations-2026-12", "hotline-2026-12"],
                                         ["hotline-2026-12", "evaluations-2026-12"])
    dates = {e.key: e.published_on for e in rows}
    assert dates["hotline-2026-12"] == dt.date(2026, 12, 9)  # as of today
    assert dates["hotline-2026-11"] == dt.date(2026, 11, 30)  # the month's last day
    assert {e.department.name for e in rows if e.department} == {"耒阳市政务服务中心"}
    assert all(e.category == ColumnCategory.FIGURES for e in rows)
    links = {e.key: e.link for e in rows}
    assert links["hotline-2026-11"] == "/hotline/stats/?month=2026-11"
    assert links["evaluations-2026-12"] == "/evaluations/"


def test_shown_on_the_column_with_the_typed_entries() -> None:
    public = Client()
    with time_machine.travel(NOW, tick=False):
        page = public.get("/openness/").content.decode()
        only = public.get("/openness/", {"category": "figures"}).content.decode()
        other = public.get("/openness/", {"category": "fees"}).content.decode()
    for text in (page, only):
        assert 'id="figures-hotline-2026-12"' in text and "2026年11月12345热线办理数据" in text
        assert "2026年12月政务服务好差评数据" in text and "数据截至 2026-12-09" in text
    assert "12345热线办理数据" not in other

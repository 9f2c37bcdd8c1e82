"""The share granted without application, in numbers: WG-2026's confirmed 免申即享 grants
(three enterprises) against the granted cases of its item (失业保险稳岗返还) since its rules
took effect — a denied case and one decided before the benefit existed do not count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.policies import grants
from zhengwu.policies.kpis import application_share, benefit_figures
from zhengwu.policies.models import Benefit
from zhengwu.workdays.selectors import calendar_get


def _decided(case: Case, decision: str, day: dt.date) -> None:
    Case.objects.filter(pk=case.pk).update(
        decision=decision, status="closed",
        decided_at=dt.datetime.combine(day, dt.time(10), tzinfo=clock.SHANGHAI))


def _confirmed(benefit: Benefit) -> None:
    row = grants.grant_list_prepare(user=User.objects.get(username="renshe"),
                                    benefit_id=benefit.pk)
    grants.grant_list_move(number=row.number, user=User.objects.get(username="chief_renshe"),
                           move=grants.ListMoveIn("confirm"))


def test_no_grant_either_way_is_no_share(db: Any) -> None:
    share = application_share()
    assert (share.without_application, share.on_application, share.share) == (0, 0, None)
    assert benefit_figures(calendar_get()) == []


def test_three_without_application_one_applied_is_75_percent(db: Any, submit: Any) -> None:
    wg = Benefit.objects.get(code="WG-2026")
    assert wg.implementation is not None
    _confirmed(wg)  # canyin and two others (test_grants)
    _decided(submit(wg.implementation), "granted", dt.date(2026, 3, 2))
    _decided(submit(wg.implementation), "denied", dt.date(2026, 3, 3))
    _decided(submit(wg.implementation), "granted", dt.date(2026, 1, 31))  # before 2026-02-01
    share = application_share()
    assert (share.without_application, share.on_application) == (3, 1)
    assert share.share == 0.75
    (row,) = benefit_figures(calendar_get())
    assert (row.code, row.granted, row.on_application, row.share_without_application) == (
        "WG-2026", 3, 1, 0.75)
    api = Client().get("/api/v1/policies/kpis").json()
    assert api[0]["on_application"] == 1 and api[0]["share_without_application"] == 0.75
    overall = Client().get("/api/v1/policies/kpis/share").json()
    assert overall == {"without_application": 3, "on_application": 1, "share": 0.75}
    page = Client().get("/policies/").content.decode()
    assert "免申即享占比" in page and "75.0%" in page


def test_applied_only_is_zero_share(db: Any, submit: Any) -> None:
    wg = Benefit.objects.get(code="WG-2026")
    assert wg.implementation is not None
    _decided(submit(wg.implementation), "deemed_approved", dt.date(2026, 3, 2))
    (row,) = benefit_figures(calendar_get())
    assert (row.granted, row.on_application, row.share_without_application) == (0, 1, 0.0)
    assert row.median_workdays is None

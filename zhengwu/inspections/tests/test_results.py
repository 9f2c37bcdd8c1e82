"""Results and their disclosure (一公开, issue 15 §3): recorded by a drawn inspector only;
责令整改 with its rectification due and 复查; published by the department within 20 working
days (across 国庆 2026), in the log with no names, on the public page without inspectors; the
overdue sweep warns once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import override_settings

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.errors import Conflict, FieldsInvalid, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.inspections import results, services
from zhengwu.inspections.models import Inspection, InspectionStatus, Plan, SupervisionItem
from zhengwu.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
CANYIN = "91430481MA4L00003J"
BEFORE_GUOQING = "2026-09-28T10:00:00+08:00"  # Monday


def _u(name: str) -> User:
    return User.objects.get(username=name)


def _assigned(on: dt.date) -> Inspection:
    """An inspection as the draws leave it (the draws themselves: test_plans.py)."""
    officer = _u("reviewer")
    a = services.inspector_register(user=officer, username="reviewer", certificate="ZF01")
    b = services.inspector_register(user=officer, username="chief", certificate="ZF02")
    plan = Plan.objects.create(
        number="CC202600099", name="测试计划", created_by=officer, created_at=clock.now(),
        department=Department.objects.get(short_name="市市场监督管理局"),
        item=SupervisionItem.objects.get(code="LY-JG-001"), percent=10, due_workdays=10,
        status="drawn", pool={CANYIN: "耒阳某某餐饮有限公司"}, target_count=1)
    row = Inspection.objects.create(plan=plan, uscc=CANYIN, enterprise="耒阳某某餐饮有限公司",
                                    status=InspectionStatus.ASSIGNED, assigned_on=on,
                                    due_on=on + dt.timedelta(days=14))
    row.inspectors.set([a, b])
    return row


@override_settings(ZHENGWU_NOW=BEFORE_GUOQING)
def test_a_drawn_inspector_records_and_the_disclosure_is_due_in_20_working_days() -> None:
    row = _assigned(dt.date(2026, 9, 28))
    with pytest.raises(NotAllowed):
        results.result_record(user=_u("renshe"), pk=row.pk, result="passed", findings="x")
    with pytest.raises(FieldsInvalid) as refused:
        results.result_record(user=_u("chief"), pk=row.pk, result="nope", findings=" ",
                              result_on=dt.date(2026, 9, 1))
    assert set(refused.value.fields) == {"result", "findings", "result_on"}
    row = results.result_record(user=_u("chief"), pk=row.pk, result="passed",
                                findings="证照齐全，从业人员健康证明有效。")
    assert row.status == InspectionStatus.INSPECTED
    assert row.disclosure_due == dt.date(2026, 10, 30)  # 国庆 and its 调休 counted
    with pytest.raises(Conflict):
        results.result_record(user=_u("chief"), pk=row.pk, result="passed", findings="again")


@override_settings(ZHENGWU_NOW=BEFORE_GUOQING)
def test_rectification_has_its_working_day_due_and_a_recheck() -> None:
    row = _assigned(dt.date(2026, 9, 28))
    with pytest.raises(FieldsInvalid, match="整改期限"):
        results.result_record(user=_u("reviewer"), pk=row.pk, result="rectify",
                              findings="后厨卫生不合格")
    row = results.result_record(user=_u("reviewer"), pk=row.pk, result="rectify",
                                findings="后厨卫生不合格", rectify_workdays=5)
    assert row.status == InspectionStatus.RECTIFYING
    assert row.rectify_due == dt.date(2026, 10, 10)  # 9/29, 9/30, 10/8, 10/9, 10/10 (调休)
    with pytest.raises(FieldsInvalid) as refused:
        results.recheck_record(user=_u("chief"), pk=row.pk, findings="", remedied=None)
    assert set(refused.value.fields) == {"findings", "remedied"}
    row = results.recheck_record(user=_u("chief"), pk=row.pk, findings="已整改到位",
                                 remedied=True)
    assert row.status == InspectionStatus.RECHECKED and row.remedied is True


def test_the_public_page_says_a_rectification_was_rechecked(client_for: Any) -> None:
    # Found in the browser walk: a published 责令整改 read the same after its 复查.
    row = _assigned(clock.today())
    results.result_record(user=_u("reviewer"), pk=row.pk, result="rectify",
                          findings="后厨卫生不合格", rectify_workdays=5)
    results.result_publish(user=_u("reviewer"), pk=row.pk)
    page = client_for(None).get("/inspections/results/").content.decode()
    assert "责令整改</td>" in page and "已复查" not in page
    results.recheck_record(user=_u("chief"), pk=row.pk, findings="已整改到位", remedied=True)
    page = client_for(None).get("/inspections/results/").content.decode()
    assert f"责令整改（{clock.today():%Y-%m-%d} 已复查）" in page
    assert "已整改到位" not in page  # the findings stay with the department
    assert 'href="/ledger/"' in page  # the log's page, not its raw checkpoint


def test_publication_goes_to_the_log_without_names_and_the_public_page(client_for: Any
                                                                        ) -> None:
    row = _assigned(clock.today())
    results.result_record(user=_u("chief"), pk=row.pk, result="no_issue", findings="正常经营")
    assert client_for(None).get("/inspections/results/").content.decode().count(CANYIN) == 0
    with pytest.raises(NotAllowed):
        results.result_publish(user=_u("renshe"), pk=row.pk)
    row = results.result_publish(user=_u("reviewer"), pk=row.pk)
    with pytest.raises(Conflict):
        results.result_publish(user=_u("reviewer"), pk=row.pk)
    assert row.ledger_index is not None
    entry = LedgerEntry.objects.get(index=row.ledger_index)
    content = json.loads(bytes(entry.entry))
    assert content["kind"] == "inspection.result"
    assert content["data"]["uscc"] == CANYIN and content["data"]["result"] == "no_issue"
    text = json.dumps(content, ensure_ascii=False)
    for name in ("赵首席", "王审核", "ZF01", "ZF02", "耒阳某某餐饮有限公司"):
        assert name not in text
    page = client_for(None).get("/inspections/results/").content.decode()
    assert CANYIN in page and "耒阳某某餐饮有限公司" in page and "未发现问题" in page
    # Found in the browser walk: the index was plain text; the entry is one click away, as on
    # the public credit page.
    assert f'<a href="/api/v1/ledger/entries/{row.ledger_index}">' in page
    assert "赵首席" not in page and "ZF01" not in page
    public = client_for(None).get("/api/v1/inspections/results").json()
    assert [r["uscc"] for r in public] == [CANYIN] and "inspectors" not in public[0]


def test_the_sweep_warns_once_of_a_result_unpublished_at_the_limit() -> None:
    with override_settings(ZHENGWU_NOW=BEFORE_GUOQING):
        row = _assigned(dt.date(2026, 9, 28))
        results.result_record(user=_u("chief"), pk=row.pk, result="passed", findings="正常")
    on_the_day = dt.datetime(2026, 10, 30, 20, 0, tzinfo=clock.SHANGHAI)
    assert results.disclosure_sweep(on_the_day) == "检查结果逾期未公示预警 0 项"
    next_day = dt.datetime(2026, 10, 31, 9, 0, tzinfo=clock.SHANGHAI)
    assert results.disclosure_sweep(next_day) == "检查结果逾期未公示预警 1 项"
    assert results.disclosure_sweep(next_day) == "检查结果逾期未公示预警 0 项"
    row.refresh_from_db()
    assert row.overdue_warned_at is not None
    assert results.overdue(row, dt.date(2026, 10, 31))
    assert not results.overdue(row, dt.date(2026, 10, 30))


def test_the_result_page_refuses_beside_the_field_keeping_the_findings(client_for: Any) -> None:
    row = _assigned(clock.today())
    assert client_for(_u("renshe")).get(
        f"/inspections/staff/inspections/{row.pk}/result/").status_code == 403
    chief = client_for(_u("chief"))
    page = chief.post(f"/inspections/staff/inspections/{row.pk}/result/", {
        "result": "rectify", "findings": "消毒柜未使用，留样不足48小时", "result_on": "",
        "rectify_workdays": ""})
    assert page.status_code == 422
    text = page.content.decode()
    assert "消毒柜未使用，留样不足48小时" in text and "整改期限" in text
    assert 'aria-invalid="true"' in text
    assert chief.post(f"/inspections/staff/inspections/{row.pk}/result/", {
        "result": "rectify", "findings": "消毒柜未使用", "rectify_workdays": "5"}
    ).status_code == 302
    assert "记录复查" in chief.get("/inspections/staff/mine/").content.decode()
    staff = client_for(_u("reviewer")).get(f"/inspections/staff/plans/{row.plan.number}/")
    assert staff.status_code == 200 and "公示结果" in staff.content.decode()
    watcher = client_for(_u("supervisor")).get(f"/inspections/staff/plans/{row.plan.number}/")
    assert watcher.status_code == 200 and "公示结果" not in watcher.content.decode()
    assert client_for(_u("supervisor")).post(f"/inspections/staff/plans/{row.plan.number}/",
                                             {"action": "publish_result",
                                              "inspection": row.pk}).status_code == 403


def test_the_plan_page_refuses_keeping_what_was_typed(client_for: Any) -> None:
    officer = client_for(_u("reviewer"))
    page = officer.post("/inspections/staff/plans/new/", {
        "name": "四季度餐饮抽查", "item": "LY-JG-001", "region_prefix": "43a",
        "percent": "150", "due_workdays": "10"})
    assert page.status_code == 422
    text = page.content.decode()
    assert "四季度餐饮抽查" in text and "150" in text and "区划码前缀" in text
    made = officer.post("/inspections/staff/plans/new/", {
        "name": "四季度餐饮抽查", "item": "LY-JG-001", "region_prefix": "430481",
        "percent": "10", "due_workdays": "10"})
    assert made.status_code == 302
    assert client_for(_u("canyin")).get("/inspections/staff/plans/").status_code == 403
    assert client_for(None).get("/inspections/plans/").status_code == 200


def test_the_api_moves_an_inspection_and_hides_it_from_others(client_for: Any) -> None:
    row = _assigned(clock.today())
    url = f"/api/v1/inspections/inspections/{row.pk}"
    assert client_for(_u("renshe")).get(url).status_code == 404
    assert client_for(_u("supervisor")).get(url).json()["inspectors"] == ["ZF01", "ZF02"]
    bad = client_for(_u("chief")).post(f"{url}/moves", {"action": "result", "result": "x",
                                                        "findings": ""},
                                       content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "inspections.result_invalid"
    done = client_for(_u("chief")).post(f"{url}/moves", {"action": "result",
                                                         "result": "passed", "findings": "好"},
                                        content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "inspected"
    assert client_for(_u("chief")).post(f"{url}/moves", {"action": "publish"},
                                        content_type="application/json").status_code in (200,)
    assert client_for(None).get("/api/v1/inspections/results").json()[0]["uscc"] == CANYIN


def test_each_move_is_an_event_of_the_inspection_with_its_audit_row() -> None:
    from zhengwu.core import sweeps
    from zhengwu.core.models import AuditEvent

    assert "inspections.disclosure" in sweeps.SWEEPS
    row = _assigned(clock.today())
    results.result_record(user=_u("chief"), pk=row.pk, result="rectify", findings="整改",
                          rectify_workdays=3)
    results.result_publish(user=_u("reviewer"), pk=row.pk)
    results.recheck_record(user=_u("reviewer"), pk=row.pk, findings="已整改", remedied=True)
    assert list(row.events.values_list("action", "to_status")) == [
        ("rectify", "rectifying"), ("publish", "rectifying"), ("recheck", "rechecked")]
    assert AuditEvent.objects.filter(object_id=str(row.pk),
                                     action__startswith="inspections.inspection.").count() == 3

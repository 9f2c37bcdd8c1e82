"""The 政务新媒体 register (measure 31): the owner department's staff register an account,
record inspections and close it (each with an audit row); other departments' staff are
refused; the public list and the API show the flags; the sweep tells of an overdue inspection
once a day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from zhengwu.core.models import AuditEvent
from zhengwu.notifications.models import OutboxItem
from zhengwu.openness import new_media
from zhengwu.openness.models import NewMediaAccount, NewMediaInspection
from zhengwu.openness.tests.conftest import at

pytestmark = pytest.mark.django_db

ACCOUNT = {"platform": "wechat", "name": "耒阳市场监管测试号", "handle": "lyscjg-test",
           "responsible": "王测试", "office_phone": "0734-4399999",
           "inspection_interval_days": "30"}


def _registered(client, market) -> NewMediaAccount:  # type: ignore[no-untyped-def]
    response = client.post("/openness/staff/new-media/",
                           ACCOUNT | {"department": str(market.pk)})
    assert response.status_code == 302, response.content.decode()
    return NewMediaAccount.objects.get(name=ACCOUNT["name"])


@time_machine.travel(at(2026, 10, 1), tick=False)
def test_register_with_errors_next_to_the_field_then_inspect_and_close(
        client_for, officer, market):
    staff = client_for(officer)
    refused = staff.post("/openness/staff/new-media/", ACCOUNT | {
        "department": str(market.pk), "office_phone": "13800138000"})
    page = refused.content.decode()
    assert refused.status_code == 422 and "请填写办公固定电话" in page
    assert "耒阳市场监管测试号" in page and "王测试" in page  # nothing typed lost
    account = _registered(staff, market)
    assert AuditEvent.objects.filter(action="openness.new_media.register",
                                     object_id=str(account.pk)).exists()
    # A post on the future, a link count without a description: refused, kept.
    url = f"/openness/staff/new-media/{account.pk}/"
    refused = staff.post(url, {"action": "inspect", "last_update_seen": "2026-10-02",
                               "broken_links": "2"})
    assert refused.status_code == 422
    assert "最近更新日期不能晚于检查日期" in refused.content.decode()
    assert staff.post(url, {"action": "inspect", "last_update_seen": "2026-09-10",
                            "broken_links": "2", "broken_links_text": "菜单“办事指南”链接失效",
                            "notes": "已通知编辑"}).status_code == 302
    account.refresh_from_db()
    flags = new_media.flags_of(account, dt.date(2026, 10, 1))
    assert flags.stale and flags.broken and not flags.inspection_overdue
    assert NewMediaInspection.objects.filter(account=account).count() == 1
    public = client_for(None).get("/openness/new-media/").content.decode()
    assert "耒阳市场监管测试号" in public and "长期未更新" in public and "错链断链 2 处" in public
    assert "王测试" not in public  # the name stays on the staff pages
    # Closing needs a reason; closed shows its date, and no inspection is asked any more.
    assert staff.post(url, {"action": "status", "status": "closed"}).status_code == 422
    assert staff.post(url, {"action": "status", "status": "closed", "on": "2026-10-01",
                            "reason": "功能并入“耒阳发布”"}).status_code == 302
    public = client_for(None).get("/openness/new-media/").content.decode()
    assert "已关停" in public and "（2026-10-01）" in public
    assert AuditEvent.objects.filter(action="openness.new_media.status",
                                     object_id=str(account.pk)).exists()
    again = staff.post(url, {"action": "status", "status": "active"})
    assert again.status_code == 422 and "不能改为" in again.content.decode()


@time_machine.travel(at(2026, 10, 1), tick=False)
def test_other_departments_staff_are_refused(client_for, officer, other_officer, market,
                                             applicant):
    account = _registered(client_for(officer), market)
    other = client_for(other_officer)
    assert other.get(f"/openness/staff/new-media/{account.pk}/").status_code == 403
    assert other.post(f"/openness/staff/new-media/{account.pk}/", {
        "action": "inspect", "last_update_seen": "2026-09-30"}).status_code == 403
    refused = other.post("/openness/staff/new-media/", ACCOUNT | {
        "name": "别人的号", "department": str(market.pk)})
    assert refused.status_code == 422 and not NewMediaAccount.objects.filter(
        name="别人的号").exists()
    assert client_for(applicant).get("/openness/staff/new-media/").status_code == 403
    assert not NewMediaInspection.objects.filter(account=account).exists()


def test_overdue_sweep_tells_once_a_day(client_for, officer, market):
    with time_machine.travel(at(2026, 10, 1), tick=False):
        account = _registered(client_for(officer), market)
    notes = OutboxItem.objects.filter(dedupe_key__startswith=f"openness:media:{account.pk}:")
    new_media.overdue_inspections_tell(at(2026, 10, 31))  # the 30th day: still in time
    assert not notes.exists()
    assert new_media.overdue_inspections_tell(at(2026, 11, 1, 9)) >= 1
    first = notes.count()
    assert first >= 1
    new_media.overdue_inspections_tell(at(2026, 11, 1, 15))
    assert notes.count() == first  # the same day: nothing more
    new_media.overdue_inspections_tell(at(2026, 11, 2, 9))
    assert notes.count() == 2 * first
    with time_machine.travel(at(2026, 11, 2, 10), tick=False):
        staff_page = client_for(officer).get("/openness/staff/new-media/").content.decode()
    assert "逾期未检查" in staff_page


@time_machine.travel(at(2026, 10, 1), tick=False)
def test_the_api_lists_accounts_with_flags(client_for, officer, market):
    account = _registered(client_for(officer), market)
    response = client_for(None).get("/api/v1/openness/new-media")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["items"]}
    row = rows[account.name]
    assert row["status"] == "active" and row["inspection_due_on"] == "2026-10-31"
    assert row["inspection_overdue"] is False and row["department"] == market.short_name
    assert "responsible" not in row


def test_the_pack_s_illustrative_accounts(client_for, settings):
    from pathlib import Path

    from zhengwu.core.audit import SYSTEM
    from zhengwu.openness.pack import new_media_load

    demo = NewMediaAccount.objects.filter(illustrative=True)
    assert demo.count() == 5 and demo.filter(status="closed", closed_on__isnull=False).exists()
    page = client_for(None).get("/openness/new-media/").content.decode()
    assert "示例数据" in page and "耒阳政务服务示例号" in page and "已关停" in page
    assert new_media_load(Path(settings.ZHENGWU_DEFAULT_PACK), actor=SYSTEM) == 0  # idempotent

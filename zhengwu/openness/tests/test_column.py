"""The 信息公开专栏 (主动公开): entries dated and owned by a department, published by its staff
(for their own department only), linking to the catalogue's pages; the public page lists
them by category and leaves out withdrawn ones."""

from __future__ import annotations

import pytest
import time_machine

from zhengwu.openness.models import ColumnEntry
from zhengwu.openness.tests.conftest import at

pytestmark = pytest.mark.django_db


@time_machine.travel(at(2026, 9, 16), tick=False)
def test_publish_list_and_withdraw(client_for, officer, market):
    staff = client_for(officer)
    typed = {"category": "guides", "department": str(market.pk), "title": "食品经营许可办事指南",
             "link": "javascript:alert(1)"}
    refused = staff.post("/openness/staff/column/", typed)
    assert refused.status_code == 422 and "链接应为本平台页面" in refused.content.decode()
    assert "食品经营许可办事指南" in refused.content.decode()
    assert staff.post("/openness/staff/column/", typed | {"link": "/lists/"}).status_code == 302
    assert staff.post("/openness/staff/column/", {
        "category": "fees", "department": str(market.pk), "title": "收费项目",
        "body": "本局行政审批事项均不收费。"}).status_code == 302
    public = client_for(None).get("/openness/").content.decode()
    assert 'href="/lists/"' in public and "本局行政审批事项均不收费" in public
    assert "2026-09-16" in public and "市市场监督管理局" in public
    only_fees = client_for(None).get("/openness/?category=fees").content.decode()
    assert "收费项目" in only_fees and "食品经营许可办事指南" not in only_fees
    entry = ColumnEntry.objects.get(category="fees")
    assert staff.post(f"/openness/staff/column/{entry.pk}/withdraw/").status_code == 302
    assert "本局行政审批事项均不收费" not in client_for(None).get("/openness/").content.decode()


@time_machine.travel(at(2026, 9, 16), tick=False)
def test_only_for_one_s_own_department(client_for, other_officer, officer, market, applicant):
    refused = client_for(other_officer).post("/openness/staff/column/", {
        "category": "fees", "department": str(market.pk), "title": "收费", "body": "不收费"})
    assert refused.status_code == 422 and not ColumnEntry.objects.exists()
    assert client_for(applicant).get("/openness/staff/column/").status_code == 403
    client_for(officer).post("/openness/staff/column/", {
        "category": "fees", "department": str(market.pk), "title": "收费", "body": "不收费"})
    entry = ColumnEntry.objects.get()
    assert client_for(other_officer).post(
        f"/openness/staff/column/{entry.pk}/withdraw/").status_code == 404


@time_machine.travel(at(2026, 9, 16), tick=False)
def test_an_entry_says_something(client_for, officer, market):
    refused = client_for(officer).post("/openness/staff/column/", {
        "category": "policies", "department": str(market.pk), "title": "空条目"})
    assert refused.status_code == 422 and "请填写内容" in refused.content.decode()


def test_the_policies_category_leads_to_the_policy_library(client_for):
    page = client_for(None).get("/openness/?category=policies").content.decode()
    section = page.split('id="policies"')[1].split("</section>")[0]
    assert 'href="/policies/"' in section and "暂无内容" not in section

"""The 中介超市 pages: each form's refusal is shown beside its field with what was typed
kept; the public pages show no personal data."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from zhengwu.accounts.models import User
from zhengwu.market import projects
from zhengwu.market.models import Agency, AgencyStatus, Method, Project
from zhengwu.market.tests.helpers import USCCS, listed, service_type


def test_agency_form_refusal_keeps_what_was_typed(client_for: Any) -> None:
    item = service_type()
    client = client_for(User.objects.get(username="canyin"))
    assert client.get("/market/my-agency/").status_code == 200
    page = client.post("/market/my-agency/", {
        "name": "耒阳示例咨询有限公司", "staff_count": "12", "fee_description": "按标准收费",
        "service_types": [item.pk], "q1_name": "工程咨询资信", "q1_level": "乙级",
        "q1_certificate_number": "ZX-1", "q1_valid_from": "2026-01-01",
        "q1_valid_to": "2025-01-01"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "有效期止不能早于有效期起" in html and 'value="耒阳示例咨询有限公司"' in html
    assert 'value="ZX-1"' in html
    assert not Agency.objects.filter(uscc="91430481MA4L00003J").exists()
    ok = client.post("/market/my-agency/", {
        "name": "耒阳示例咨询有限公司", "staff_count": "12", "fee_description": "按标准收费",
        "service_types": [item.pk], "q1_name": "工程咨询资信", "q1_level": "乙级",
        "q1_certificate_number": "ZX-1", "q1_valid_from": "2026-01-01",
        "q1_valid_to": "2028-01-01"})
    assert ok.status_code == 302
    assert Agency.objects.get(uscc="91430481MA4L00003J").status == AgencyStatus.PENDING


def test_review_return_without_reason_is_refused_beside_the_field(client_for: Any) -> None:
    item = service_type()
    client_for(User.objects.get(username="canyin")).post("/market/my-agency/", {
        "name": "耒阳示例咨询有限公司", "staff_count": "3", "fee_description": "按标准收费",
        "service_types": [item.pk], "q1_name": "资信", "q1_level": "乙级",
        "q1_certificate_number": "ZX-1", "q1_valid_from": "2026-01-01",
        "q1_valid_to": "2028-01-01"})
    assert client_for(User.objects.get(username="renshe")).get(
        "/market/review/").status_code == 403
    admin = client_for(User.objects.get(username="catalog"))
    page = admin.post("/market/review/", {"uscc": "91430481MA4L00003J", "action": "return",
                                          "reason": "  "})
    assert page.status_code == 422 and "请填写退回理由" in page.content.decode()
    assert admin.post("/market/review/", {"uscc": "91430481MA4L00003J",
                                          "action": "verify"}).status_code == 302
    public = client_for(None).get("/market/agencies/91430481MA4L00003J/").content.decode()
    assert "耒阳示例咨询有限公司" in public and "100.0" in public
    assert "陈大厨" not in public and "13800000002" not in public  # no personal data


def test_project_form_refusal_keeps_what_was_typed(client_for: Any) -> None:
    item = service_type()
    client = client_for(User.objects.get(username="renshe"))
    page = client.post("/market/projects/new/", {
        "service_type": item.pk, "title": "示例环评项目", "budget": "50000",
        "requirements": "编制报告", "service_workdays": "10",
        "registration_closes": "2099-01-01", "method": "direct", "direct_reason": ""})
    assert page.status_code == 422
    html = page.content.decode()
    assert "直接选取须从规定情形中选择理由" in html and 'value="示例环评项目"' in html
    assert not Project.objects.filter(title="示例环评项目").exists()
    assert client_for(User.objects.get(username="zhangsan")).get(
        "/market/projects/new/").status_code == 403


def test_evaluation_refusal_keeps_the_stars_typed(client_for: Any, settings: Any) -> None:
    settings.ZHENGWU_NOW = "2026-12-07T09:00:00+08:00"
    item = service_type()
    renshe = User.objects.get(username="renshe")
    row = projects.project_post(user=renshe, data=projects.ProjectIn(
        service_type_id=item.pk, title="示例项目", budget=Decimal(1000), requirements="要求",
        service_workdays=3, registration_closes=dt.date(2026, 12, 8), method=Method.DIRECT,
        direct_reason="sole"))
    agency = listed(item, next(iter(USCCS)))
    client = client_for(renshe)
    page = client.post(f"/market/projects/{row.number}/", {"action": "choose",
                                                           "agency": "91430481MA4L0XXXXX"})
    assert page.status_code == 422 and "统一社会信用代码" in page.content.decode()
    assert client.post(f"/market/projects/{row.number}/", {
        "action": "choose", "agency": agency.uscc}).status_code == 302
    page = client.post(f"/market/projects/{row.number}/", {
        "action": "contract", "on": "2026-12-07", "amount": "99999"})
    assert page.status_code == 422
    assert 'value="99999"' in page.content.decode()
    for action, data in (("contract", {"on": "2026-12-07", "amount": "900"}), ("deliver", {}),
                         ("accept", {}), ("pay", {"on": "2026-12-07", "reference": "P1"})):
        user = renshe if action != "deliver" else User.objects.get(uscc=agency.uscc)
        done = client_for(user).post(f"/market/projects/{row.number}/", {"action": action, **data})
        assert done.status_code == 302, action
        assert done["Location"] == f"/market/projects/{row.number}/", (action, done["Location"])
    page = client.post(f"/market/projects/{row.number}/", {
        "action": "evaluate", "quality": "9", "timeliness": "4", "attitude": "5",
        "text": "认真负责"})
    html = page.content.decode()
    assert page.status_code == 422 and "请为服务质量评1到5星" in html
    assert 'value="9"' in html and "认真负责" in html
    public = client_for(None).get(f"/market/projects/{row.number}/").content.decode()
    assert "renshe" not in public and "评价" not in public.split("<main", 1)[1].split(
        "</dl>", 1)[1]  # nobody else is offered the owner's moves


def test_public_pages_open_for_anyone(client_for: Any) -> None:
    client = client_for(None)
    for path in ("/market/", "/market/credit-rules/", "/api/v1/market/agencies"):
        assert client.get(path).status_code == 200, path
    assert client.get("/market/agencies/91430481MA4L00003J/").status_code == 404
    assert client.get("/api/v1/market/projects/ZJ0").json()["code"] == "not_found"


def test_list_tables_stack_on_a_phone_with_each_cell_labelled(client_for: Any) -> None:
    # Found by the market walk: at 390px the marketplace's six-column table wrapped 随机抽取
    # one character a line. A responsive table stacks each row, a cell naming its column.
    for user, path in ((None, "/market/"), ("renshe", "/market/projects/")):
        who = User.objects.get(username=user) if user else None
        html = client_for(who).get(path).content.decode()
        tables = html.split("<table")[1:]
        assert tables, path
        for table in tables:
            assert table.startswith(' class="grid responsive"'), path
            cells = re.findall(r"<td( [^>]*)?>", table)
            assert all("data-label=" in c or "colspan=" in c for c in cells), (path, cells)

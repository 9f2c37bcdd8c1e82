"""The 综合评分 and 投诉 pages: the 评审专家库 (审改办 only), the expert's scoring form, the
published scores on the project page (codes, no names), complaints filed and decided —
each refusal beside its field with what was typed kept."""

from __future__ import annotations

from typing import Any

from zhengwu.accounts.models import User
from zhengwu.market.models import Complaint, ComplaintStatus, Expert, PanelMember
from zhengwu.market.tests.helpers import USCCS, listed, service_type
from zhengwu.market.tests.test_scored import AGENCIES, MARKS, day, panelled

__all__ = ["day"]  # the fixture, shared


def test_the_expert_pool_is_the_admins_and_keeps_what_was_typed(client_for: Any) -> None:
    item = service_type()
    assert client_for(User.objects.get(username="renshe")).get(
        "/market/experts/").status_code == 403
    admin = client_for(User.objects.get(username="catalog"))
    assert admin.get("/market/experts/").status_code == 200
    page = admin.post("/market/experts/", {
        "form": "expert", "expert-username": "zhangsan", "expert-code": "坏编号",
        "expert-employer": "示例工程咨询协会", "expert-specialties": [item.pk]})
    assert page.status_code == 422
    html = page.content.decode()
    assert "专家编号由大写字母" in html and 'value="示例工程咨询协会"' in html
    ok = admin.post("/market/experts/", {
        "form": "expert", "expert-username": "zhangsan", "expert-code": "ZJ-0100",
        "expert-employer": "示例工程咨询协会", "expert-specialties": [item.pk]})
    assert ok.status_code == 302
    page = admin.post("/market/experts/", {"form": "conflict", "conflict-code": "ZJ-0100",
                                           "conflict-uscc": "123", "conflict-reason": "former",
                                           "conflict-note": "曾任职"})
    assert page.status_code == 422
    assert "18位" in page.content.decode() and 'value="曾任职"' in page.content.decode()
    assert admin.post("/market/experts/", {
        "form": "conflict", "conflict-code": "ZJ-0100", "conflict-uscc": AGENCIES[0],
        "conflict-reason": "former"}).status_code == 302
    assert Expert.objects.get(code="ZJ-0100").conflicts.count() == 1


def test_scoring_form_keeps_marks_and_the_result_is_public_by_code(
        client_for: Any, day: Any) -> None:
    item = service_type()
    project = panelled(item, day)
    members = list(PanelMember.objects.filter(project=project).select_related(
        "expert__user").order_by("expert__code"))
    url = f"/market/projects/{project.number}/score/"
    assert client_for(User.objects.get(username="renshe")).get(url).status_code == 403
    first = client_for(members[0].expert.user)
    assert "/market/panels/" in first.get("/market/").content.decode()
    assert project.number in first.get("/market/panels/").content.decode()
    stranger = client_for(User.objects.get(username="zhangsan"))
    assert "/market/panels/" not in stranger.get("/market/").content.decode()
    assert stranger.get("/market/panels/").status_code == 403
    assert "进入评分" in first.get(f"/market/projects/{project.number}/").content.decode()
    form = {f"{u}_{p}": str(v) for u, row in zip(AGENCIES, MARKS[0], strict=True)
            for p, v in zip(("technical", "quality"), row, strict=True)}
    page = first.post(url, form | {f"{AGENCIES[1]}_quality": "31"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "服务质量保障得分应为0到30的整数" in html
    # the summary says which agency each problem is about
    assert f'href="#mark-{AGENCIES[1]}_quality">{USCCS[AGENCIES[1]]}：服务质量保障' in html
    assert f'id="mark-{AGENCIES[0]}_technical" name="{AGENCIES[0]}_technical" type="number" ' \
           f'min="0" max="40" inputmode="numeric" value="30"' in html
    assert first.post(url, form).status_code == 302
    for member, row in zip(members[1:], MARKS[1:], strict=True):
        marks = {f"{u}_{p}": str(v) for u, r in zip(AGENCIES, row, strict=True)
                 for p, v in zip(("technical", "quality"), r, strict=True)}
        assert client_for(member.expert.user).post(url, marks).status_code == 302
    public = client_for(User.objects.get(username="zhangsan")).get(
        f"/market/projects/{project.number}/").content.decode()
    assert "评分结果" in public and "92.00" in public and "ZJ-0001" in public
    assert "示例专家" not in public
    api = client_for(User.objects.get(username="zhangsan")).get(
        f"/api/v1/market/projects/{project.number}").json()
    assert api["ranking"][0]["agency"] == AGENCIES[2]
    assert sorted(api["panel"]) == [m.expert.code for m in members]


def test_a_complaint_filed_and_upheld_through_the_pages(client_for: Any, day: Any) -> None:
    item = service_type()
    uscc = next(iter(USCCS))
    listed(item, uscc)
    person = client_for(User.objects.get(username="zhangsan"))
    page = person.get(f"/market/complaints/new/?agency={uscc}")
    assert page.status_code == 200 and f'value="{uscc}"' in page.content.decode()
    page = person.post("/market/complaints/new/", {"agency": uscc, "text": ""})
    assert page.status_code == 422 and "请写明投诉事项与理由" in page.content.decode()
    page = person.post("/market/complaints/new/", {"agency": uscc + "X", "text": "收费过高"})
    assert page.status_code == 422
    assert "收费过高" in page.content.decode()
    page = person.post("/market/complaints/new/", {"agency": uscc, "text": "收费过高"})
    assert page.status_code == 302
    row = Complaint.objects.get()
    assert person.get(f"/market/complaints/{row.number}/").status_code == 200
    assert client_for(User.objects.get(username="canyin")).get(
        f"/market/complaints/{row.number}/").status_code == 404
    admin = client_for(User.objects.get(username="catalog"))
    assert row.number in admin.get("/market/complaints/").content.decode()
    page = admin.post(f"/market/complaints/{row.number}/", {"action": "uphold", "reason": ""})
    assert page.status_code == 422 and "请填写处理理由" in page.content.decode()
    assert admin.post(f"/market/complaints/{row.number}/", {
        "action": "uphold", "reason": "收费超出公示标准，属实。"}).status_code == 302
    assert Complaint.objects.get().status == ComplaintStatus.UPHELD
    agency_page = client_for(None).get(f"/market/agencies/{uscc}/").content.decode()
    assert "收费超出公示标准，属实。" in agency_page and "收费过高" not in agency_page
    assert "张三" not in agency_page

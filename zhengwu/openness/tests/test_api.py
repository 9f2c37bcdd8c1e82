"""The API of 依申请公开: submit as the signed-in requester, read it as the requester (masked)
or its agency's staff (logged), the moves; a stranger finds nothing (404); bad input is a 4xx
with {"code","detail"}."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from zhengwu.openness.models import RequestRead
from zhengwu.openness.tests.conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/openness"


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json")


@time_machine.travel(at(2026, 9, 16), tick=False)
def test_submit_follow_and_answer_through_the_api(client_for, applicant, market, officer):
    me = client_for(applicant)
    bad = _post(me, "/requests", {"information": "", "department_id": market.pk})
    assert bad.status_code == 422 and bad.json()["code"] == "openness.invalid"
    assert "所需信息" in bad.json()["detail"]
    made = _post(me, "/requests", {"information": "2025年食品抽检结果",
                                   "department_id": market.pk, "purpose": "研究"})
    assert made.status_code == 201
    number = made.json()["number"]
    assert made.json()["status"] == "submitted" and made.json()["due_on"] is None
    assert "*" in made.json()["phone"]
    staff = client_for(officer)
    shown = staff.get(f"{API}/requests/{number}").json()
    # The officer's JSON carries the phone masked too (whole only on the page, on request).
    assert shown["phone"] != applicant.phone and shown["phone"].endswith(applicant.phone[-4:])
    assert "*" in shown["id_number"] and shown["moves"] == ["confirm"]
    assert RequestRead.objects.filter(application__number=number, user=officer).exists()
    confirmed = _post(staff, f"/requests/{number}/moves", {"action": "confirm"})
    assert confirmed.status_code == 200 and confirmed.json()["due_on"] == "2026-10-20"
    refused = _post(staff, f"/requests/{number}/moves", {
        "action": "answer", "answer_type": "withheld", "note": "不予公开", "reason": "涉密"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "openness.legal_basis_required"
    done = _post(staff, f"/requests/{number}/moves", {
        "action": "answer", "answer_type": "withheld", "note": "不予公开", "reason": "涉密",
        "legal_basis": "条例第十四条"})
    assert done.status_code == 200 and done.json()["status"] == "answered"
    mine = me.get(f"{API}/requests").json()
    assert mine["count"] == 1 and mine["items"][0]["answer_type"] == "withheld"
    assert mine["items"][0]["legal_basis"] == "条例第十四条"
    assert "公开告〔" in mine["items"][0]["notice_number"]
    assert me.get(f"{API}/requests/{number}").json()["moves"] == []


@time_machine.travel(at(2026, 9, 16), tick=False)
def test_a_stranger_and_another_agency_get_404(client_for, applicant, market, stranger,
                                              other_officer):
    number = _post(client_for(applicant), "/requests", {
        "information": "某文件", "department_id": market.pk}).json()["number"]
    for user in (stranger, other_officer):
        client = client_for(user)
        assert client.get(f"{API}/requests/{number}").status_code == 404
        moved = _post(client, f"/requests/{number}/moves", {"action": "confirm"})
        assert moved.status_code == 404 and moved.json()["code"]
    assert client_for(None).get(f"{API}/requests/{number}").status_code == 401


@time_machine.travel(at(2026, 9, 16), tick=False)
def test_the_requester_may_not_make_staff_moves(client_for, applicant, market):
    me = client_for(applicant)
    number = _post(me, "/requests", {"information": "某文件",
                                     "department_id": market.pk}).json()["number"]
    refused = _post(me, f"/requests/{number}/moves", {"action": "confirm"})
    assert refused.status_code == 403 and refused.json()["code"]


@time_machine.travel(at(2026, 9, 16), tick=False)
@pytest.mark.parametrize("body", [
    {"information": "x", "department_id": 0},
    {"information": "x", "department_id": "abc"},
    {"information": "x" * 2001, "department_id": 1},
    {"department_id": 1},
    {"information": "x", "department_id": 999999},
    {"information": "x", "department_id": 1, "delivery": "pigeon"},
])
def test_bad_input_is_a_4xx_with_code_and_detail(client_for, applicant, body):
    answer = _post(client_for(applicant), "/requests", body)
    assert 400 <= answer.status_code < 500
    assert set(answer.json()) >= {"code", "detail"}


@time_machine.travel(at(2026, 9, 16), tick=False)
def test_bad_moves_are_4xx(client_for, applicant, market, officer):
    number = _post(client_for(applicant), "/requests", {
        "information": "某文件", "department_id": market.pk}).json()["number"]
    staff = client_for(officer)
    assert _post(staff, f"/requests/{number}/moves", {"action": "fly"}).status_code in (
        403, 409, 422)
    assert _post(staff, f"/requests/{number}/moves", {
        "action": "confirm", "on": "2026-02-30"}).status_code == 422
    assert _post(staff, f"/requests/{number}/moves", {
        "action": "answer", "answer_type": "disclosed", "note": "x"}).status_code == 409
    assert _post(staff, "/requests/GK2026999999/moves", {"action": "confirm"}).status_code == 404


def test_answer_with_files_through_the_api(client_for, applicant, market, officer, stranger):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengwu.openness.models import AnswerAttachment
    from zhengwu.openness.tests.conftest import moved, submitted

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    row = submitted(applicant, at(2026, 9, 16), market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    url = f"{API}/requests/{row.number}/answer"
    with time_machine.travel(at(2026, 9, 18), tick=False):
        assert client_for(stranger).post(url, {
            "answer_type": "disclosed", "note": "见附件",
            "files": [SimpleUploadedFile("a.pdf", pdf)]}).status_code == 404
        bad = client_for(officer).post(url, {
            "answer_type": "disclosed", "note": "见附件",
            "files": [SimpleUploadedFile("a.pdf", pdf), SimpleUploadedFile("b.txt", b"hi")]})
        assert bad.status_code == 422 and set(bad.json()) >= {"code", "detail"}
        assert not AnswerAttachment.objects.exists()
        done = client_for(officer).post(url, {
            "answer_type": "disclosed", "note": "见附件",
            "files": [SimpleUploadedFile("抽检结果.pdf", pdf)]})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "answered"
    assert [a["name"] for a in done.json()["attachments"]] == ["抽检结果.pdf"]
    mine = client_for(applicant).get(f"{API}/requests/{row.number}").json()
    assert mine["attachments"][0]["name"] == "抽检结果.pdf"

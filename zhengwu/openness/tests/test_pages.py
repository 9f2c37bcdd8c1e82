"""The pages of 依申请公开: apply, one's list, the request page with its timeline and the
answer; staff recording a visit, the worklist and a form per move the engine offers (the
errors next to their field, nothing typed lost); another's request is 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.openness.models import OpennessRequest
from zhengwu.openness.tests.conftest import at, moved, submitted

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@time_machine.travel(at(2026, 9, 16), tick=False)
def test_apply_online_and_follow(client_for, applicant, market):
    me = client_for(applicant)
    assert me.get("/openness/requests/new/").status_code == 200
    typed = {"department": str(market.pk), "information": "", "purpose": "自用",
             "delivery": "electronic"}
    refused = me.post("/openness/requests/new/", typed)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "请填写所需信息" in page and "自用" in page
    done = me.post("/openness/requests/new/", typed | {"information": "2025年食品抽检结果"})
    assert done.status_code == 302
    row = OpennessRequest.objects.get(person=applicant)
    assert row.number in me.get("/openness/requests/").content.decode()
    shown = me.get(f"/openness/requests/{row.number}/").content.decode()
    assert "待确认收到" in shown and "提交申请" in shown


def test_the_requester_reads_the_answer_and_its_file(client_for, applicant, market, officer):
    row = submitted(applicant, at(2026, 9, 16), market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    staff = client_for(officer)
    with time_machine.travel(at(2026, 9, 18), tick=False):
        page = staff.get(f"/openness/staff/{row.number}/").content.decode()
        assert "答复申请人" in page and "征求第三方意见" in page
        refused = staff.post(f"/openness/staff/{row.number}/", {
            "action": "answer", "answer_type": "withheld", "note": "不予公开", "reason": "涉密"})
        assert refused.status_code == 422 and "法律依据" in refused.content.decode()
        assert "涉密" in refused.content.decode()
        done = staff.post(f"/openness/staff/{row.number}/", {
            "action": "answer", "answer_type": "disclosed", "note": "见附件",
            "file1": SimpleUploadedFile("结果.pdf", PDF, content_type="application/pdf")})
        assert done.status_code == 302
    me = client_for(applicant)
    shown = me.get(f"/openness/requests/{row.number}/").content.decode()
    assert "予以公开" in shown and "结果.pdf" in shown and "王审核" not in shown
    file = OpennessRequest.objects.get(pk=row.pk).attachments.get()
    got = me.get(f"/openness/requests/{row.number}/files/{file.pk}/")
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]


def test_a_bad_file_is_refused_and_nothing_answered(client_for, applicant, market, officer):
    row = submitted(applicant, at(2026, 9, 16), market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    with time_machine.travel(at(2026, 9, 18), tick=False):
        refused = client_for(officer).post(f"/openness/staff/{row.number}/", {
            "action": "answer", "answer_type": "disclosed", "note": "见附件",
            "file1": SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")})
    assert 400 <= refused.status_code < 500
    assert OpennessRequest.objects.get(pk=row.pk).status == "processing"


def test_the_requester_submits_the_supplement_on_the_page(client_for, applicant, market,
                                                          officer):
    row = submitted(applicant, at(2026, 9, 16), market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    moved(row.number, officer, at(2026, 9, 18), action="supplement_notice", note="写明批次",
          until=dt.date(2026, 10, 16))
    me = client_for(applicant)
    with time_machine.travel(at(2026, 9, 30), tick=False):
        page = me.get(f"/openness/requests/{row.number}/").content.decode()
        assert re.findall(r'<form method="post"[^>]*id="move-([a-z_]+)"', page) == [
            "supplement_submit"]
        assert me.post(f"/openness/requests/{row.number}/", {
            "action": "supplement_submit", "note": ""}).status_code == 422
        assert me.post(f"/openness/requests/{row.number}/", {
            "action": "supplement_submit", "note": "第三批次"}).status_code == 302
    assert OpennessRequest.objects.get(pk=row.pk).due_on == dt.date(2026, 11, 3)


def test_staff_record_a_visit_and_see_their_worklist(client_for, officer, market):
    staff = client_for(officer)
    with time_machine.travel(at(2026, 9, 16), tick=False):
        refused = staff.post("/openness/staff/new/", {
            "channel": "in_person", "department": str(market.pk), "information": "某文件",
            "requester_kind": "citizen", "name": "王五", "phone": "13912345678",
            "delivery": "paper"})
        assert refused.status_code == 422 and "通信地址" in refused.content.decode()
        done = staff.post("/openness/staff/new/", {
            "channel": "in_person", "department": str(market.pk), "information": "某文件",
            "requester_kind": "citizen", "name": "王五", "phone": "13912345678",
            "id_number": "430481199001011234", "delivery": "paper", "address": "耒阳市某路1号"})
        assert done.status_code == 302
        row = OpennessRequest.objects.get(name="王五")
        assert row.status == "processing" and row.due_on == dt.date(2026, 10, 20)
        assert row.number in staff.get("/openness/staff/").content.decode()


def test_another_s_request_is_404(client_for, applicant, market, stranger, other_officer):
    row = submitted(applicant, at(2026, 9, 16), market)
    assert client_for(stranger).get(f"/openness/requests/{row.number}/").status_code == 404
    assert client_for(other_officer).get(f"/openness/staff/{row.number}/").status_code == 404
    assert client_for(applicant).get(f"/openness/staff/{row.number}/").status_code == 403
    assert row.number not in client_for(other_officer).get("/openness/staff/").content.decode()


def test_my_space_lists_the_request(client_for, applicant, market):
    row = submitted(applicant, at(2026, 9, 16), market)
    page = client_for(applicant).get("/my/").content.decode()
    assert "政府信息公开申请" in page and row.number in page


def test_the_requester_reads_why_the_limit_was_extended(client_for, applicant, market,
                                                        officer):
    row = submitted(applicant, at(2026, 9, 16), market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    moved(row.number, officer, at(2026, 10, 12), action="extend", workdays=20,
          approved_by="李主任", note="需调取2019年档案")
    page = client_for(applicant).get(f"/openness/requests/{row.number}/").content.decode()
    assert "2026-11-17" in page and "需调取2019年档案" in page and "李主任" not in page


def test_the_requesters_numbers_are_masked_until_an_officer_asks(client_for, applicant, market,
                                                                  officer):
    from zhengwu.openness.models import RequestRead

    row = submitted(applicant, at(2026, 9, 16), market, id_number="430481199001011234",
                    phone="13800000001")
    staff = client_for(officer)
    page = staff.get(f"/openness/staff/{row.number}/").content.decode()
    assert "430***********1234" in page and "138****0001" in page
    assert "430481199001011234" not in page and "13800000001" not in page
    shown = staff.post(f"/openness/staff/{row.number}/", {"action": "unmask"})
    assert shown.status_code == 200
    assert "430481199001011234" in shown.content.decode()
    assert "13800000001" in shown.content.decode()
    purposes = list(RequestRead.objects.filter(application=row).values_list("purpose", flat=True))
    assert purposes == ["办理政府信息公开申请", "查看申请人完整身份证明号码和联系电话"]

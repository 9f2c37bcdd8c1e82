"""Attachments of work orders and the caller's e-mail (hotline.attachments, services.clean):
checked by content, kept with their event and audit row, nothing stored when refused, a
confidential order's 诉求附件 hidden from the department, none after closing; a phone or an
e-mail to answer by."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.cases.tests.conftest import pdf_bytes, png_bytes
from zhengwu.core.errors import Conflict, InvalidInput, NotAllowed
from zhengwu.core.models import AuditEvent
from zhengwu.hotline import attachments, services
from zhengwu.hotline.models import AttachmentPart, WorkOrder, WorkOrderAttachment, WorkOrderRead
from zhengwu.hotline.selectors import caller_view
from zhengwu.hotline.tests.conftest import at, moved, opened

pytestmark = pytest.mark.django_db


def test_files_given_with_an_order_are_kept_with_one_event(operator):
    row = opened(operator, at(2026, 12, 7, 9), files=[("来信.pdf", pdf_bytes()),
                                                      ("现场.png", png_bytes())])
    kept = list(row.attachments.order_by("id"))
    assert [(a.original_name, a.content_type, a.part) for a in kept] == [
        ("来信.pdf", "application/pdf", AttachmentPart.REQUEST),
        ("现场.png", "image/png", AttachmentPart.REQUEST)]
    assert kept[0].file.read() == pdf_bytes()
    assert [e.action for e in row.events.all()] == ["accept", "attach"]
    assert AuditEvent.objects.filter(action="hotline.order.attach").count() == 1


def test_a_refused_file_refuses_the_order_and_stores_nothing(operator, tmp_path):
    with pytest.raises(InvalidInput) as refused:
        opened(operator, at(2026, 12, 7, 9), files=[("好.pdf", pdf_bytes()),
                                                    ("坏.pdf", b"just text")])
    assert "坏.pdf" in refused.value.message
    assert not WorkOrder.objects.exists() and not WorkOrderAttachment.objects.exists()


def test_the_department_adds_reply_files_and_never_sees_a_confidential_request(
        operator, market, market_staff, police_staff, caller):
    row = opened(operator, at(2026, 12, 7, 9), kind="report", files=[("举报信.pdf", pdf_bytes())])
    moved(row.number, operator, at(2026, 12, 7, 10), action="dispatch", department_id=market.pk,
          by="rule")
    services.order_attach(number=row.number, user=market_staff, files=[("整改.png", png_bytes())])
    row = WorkOrder.objects.get(pk=row.pk)
    assert [a.part for a in attachments.shown_to(row, market_staff)] == [AttachmentPart.REPLY]
    assert attachments.hidden_count(row, market_staff) == 1
    assert len(attachments.shown_to(row, operator)) == 2
    with pytest.raises(WorkOrder.DoesNotExist):  # another department: no such order
        services.order_attach(number=row.number, user=police_staff, files=[("x.pdf", pdf_bytes())])
    with pytest.raises(WorkOrder.DoesNotExist):  # not the caller's either
        services.order_attach(number=row.number, user=caller, files=[("x.pdf", pdf_bytes())])


def test_no_files_after_closing_and_at_most_ten(operator):
    row = opened(operator, at(2026, 12, 7, 9), kind="consult")
    with pytest.raises(InvalidInput) as refused:
        services.order_attach(number=row.number, user=operator,
                              files=[(f"{n}.pdf", pdf_bytes()) for n in range(11)])
    assert refused.value.code == "order.attachment_count"
    moved(row.number, operator, at(2026, 12, 7, 9, 5), action="direct", reply="已电话解答。")
    with pytest.raises(Conflict):
        services.order_attach(number=row.number, user=operator, files=[("x.pdf", pdf_bytes())])
    assert not WorkOrderAttachment.objects.exists()


def test_not_staff_of_any_part_may_not_attach(operator, market_staff):
    row = opened(operator, at(2026, 12, 7, 9))  # not dispatched: the department has no part
    with pytest.raises((NotAllowed, WorkOrder.DoesNotExist)):
        services.order_attach(number=row.number, user=market_staff, files=[("x.pdf", pdf_bytes())])


def test_an_email_answers_when_there_is_no_phone(operator, market_staff):
    with pytest.raises(services.OrderInvalid) as refused:
        opened(operator, at(2026, 12, 7, 9), caller_phone="")
    assert "电子邮箱" in refused.value.fields["caller_phone"]
    with pytest.raises(services.OrderInvalid) as refused:
        opened(operator, at(2026, 12, 7, 9), caller_phone="", caller_email="wang@")
    assert set(refused.value.fields) == {"caller_email"}
    row = opened(operator, at(2026, 12, 7, 9), caller_phone="", caller_email="wang@example.com")
    assert row.caller_email == "wang@example.com"
    assert caller_view(row, market_staff).email == "w***@example.com"
    assert caller_view(row, operator).email == "wang@example.com"


# --- the pages and the API ------------------------------------------------------------------

PORTAL = {"kind": "complaint", "title": "某餐馆油烟扰民",
          "content": "蔡子池街道某小区楼下餐馆油烟直排，晚上十点后仍在营业。",
          "region": "", "address": "蔡子池街道某小区1栋", "caller_phone": "13912345678",
          "urgency": "normal"}


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_refused_portal_form_keeps_the_chosen_file(client_for, caller, operator, market_staff,
                                                      market):
    client = client_for(caller)
    refused = client.post(reverse("hotline:new"), PORTAL | {
        "title": "", "attachment_1": upload("现场.png", png_bytes()),
        "attachment_2": upload("说明.pdf", b"not a pdf")})
    page = refused.content.decode()
    assert refused.status_code == 422 and "已保留：</strong>现场.png" in page
    assert "说明.pdf" in page and "不是 PDF、JPG 或 PNG" in page  # the refused one, named
    token = re.search(r'name="kept" value="([^"]+)"', page).group(1)
    done = client.post(reverse("hotline:new"), PORTAL | {"kept": token})
    assert done.status_code == 200
    row = WorkOrder.objects.get()
    assert [a.original_name for a in row.attachments.all()] == ["现场.png"]
    # The caller downloads it; the operator too (a logged read); another person finds none.
    url = reverse("hotline:attachment", args=[row.number, row.attachments.get().pk])
    assert client.get(url)["Content-Disposition"].startswith("attachment")
    reads = WorkOrderRead.objects.count()
    assert client_for(operator).get(url).status_code == 200
    assert WorkOrderRead.objects.count() == reads + 1
    assert client_for(User.objects.get(username="chuangye")).get(url).status_code == 404
    assert client_for(market_staff).get(url).status_code == 404  # not dispatched to it


def test_the_department_uploads_on_the_page_and_through_the_api(client_for, operator, market,
                                                                 market_staff):
    row = opened(operator, at(2026, 12, 7, 9))
    moved(row.number, operator, at(2026, 12, 7, 10), action="dispatch", department_id=market.pk,
          by="rule")
    staff = client_for(market_staff)
    page = staff.post(reverse("hotline:attach", args=[row.number]),
                      {"files": [upload("a.pdf", b"text")]}, follow=True)
    assert "附件未上传" in page.content.decode() and not row.attachments.exists()
    api = staff.post(f"/api/v1/hotline/orders/{row.number}/attachments",
                     {"files": [upload("整改后.png", png_bytes()), upload("报告.pdf", pdf_bytes())]})
    assert api.status_code == 201, api.content
    body = api.json()
    assert [(a["name"], a["part"]) for a in body["attachments"]] == [
        ("整改后.png", "reply"), ("报告.pdf", "reply")]
    assert staff.get(body["attachments"][1]["url"]).status_code == 200
    bad = staff.post(f"/api/v1/hotline/orders/{row.number}/attachments",
                     {"files": [upload("x.pdf", b"<html>")]})
    assert bad.status_code == 422 and set(bad.json()) == {"code", "detail"}
    shown = staff.get(reverse("hotline:order", args=[row.number])).content.decode()
    assert "整改后.png" in shown and 'id="attach-form"' in shown


def test_too_many_files_are_refused_before_any_is_read(client_for, operator):
    row = opened(operator, at(2026, 12, 7, 9))
    answer = client_for(operator).post(
        f"/api/v1/hotline/orders/{row.number}/attachments",
        {"files": [upload(f"{n}.pdf", pdf_bytes()) for n in range(11)]})
    assert answer.status_code == 422 and answer.json()["code"] == "order.attachment_count"
    assert not row.attachments.exists()

"""Attachments of work orders and the caller's e-mail (hotline.attachments, services.clean):
checked by content, kept with their event and audit row, nothing stored when refused, a
confidential order's 诉求附件 hidden from the department, none after closing; a phone or an
e-mail to answer by."""

from __future__ import annotations

import pytest

from zhengwu.cases.tests.conftest import pdf_bytes, png_bytes
from zhengwu.core.models import AuditEvent
from zhengwu.core.errors import Conflict, InvalidInput, NotAllowed
from zhengwu.hotline import attachments, services
from zhengwu.hotline.models import AttachmentPart, WorkOrder, WorkOrderAttachment
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

"""The answer as a numbered notice (政府信息公开申请答复告知书): numbered when the answer is
given, in the agency's 文号 sequence of the year (core.numbering: prefix + 公开告 + 〔year〕 +
sequence + 号), one per request, signed with the agency's key; a refused answer takes no number;
shown on the requester's and the staff page; the PDF (one test renders it)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from tests.pdfcheck import embedded_fonts
from zhengwu.core.errors import InvalidInput
from zhengwu.openness.models import AnswerType, RequestNotice
from zhengwu.openness.tests.conftest import at, moved, submitted

pytestmark = pytest.mark.django_db
D = dt.date
NUMBER = re.compile(r"^(?P<prefix>.+)公开告〔(?P<year>\d{4})〕(?P<n>\d+)号$")


def _visit(officer, market, when):  # type: ignore[no-untyped-def]
    return submitted(officer, when, market, channel="in_person", name="王五",
                     id_number="430481199001011234", phone="13912345678",
                     requester_kind="citizen")


def _answered(number, officer, when, **extra):  # type: ignore[no-untyped-def]
    return moved(number, officer, when, action="answer",
                 **({"answer_type": AnswerType.DISCLOSED, "note": "见附件"} | extra))


def _parts(row):  # type: ignore[no-untyped-def]
    match = NUMBER.match(row.notices.get().number)
    assert match, row.notices.get().number
    return match["prefix"], int(match["year"]), int(match["n"])


def test_numbered_in_the_year_s_sequence_and_a_refusal_takes_no_number(officer, market):
    first = _visit(officer, market, at(2026, 9, 16))
    second = _visit(officer, market, at(2026, 9, 16))
    assert not first.notices.exists()  # no notice before the answer
    first = _answered(first.number, officer, at(2026, 9, 17))
    prefix, year, n = _parts(first)
    assert prefix == (market.document_prefix or "政务") and year == 2026
    # 不予公开 without its legal basis is refused: the move rolls back with its number.
    with pytest.raises(InvalidInput):
        _answered(second.number, officer, at(2026, 9, 18), answer_type=AnswerType.WITHHELD,
                  reason="涉及商业秘密")
    second = _answered(second.number, officer, at(2026, 9, 18))
    assert _parts(second) == (prefix, 2026, n + 1)
    notice = second.notices.get()
    assert notice.kind == "answer" and notice.signature and notice.kid  # signed
    assert notice.content["answer_type"] == AnswerType.DISCLOSED


def test_a_new_year_starts_at_one(officer, market):
    late = _visit(officer, market, at(2026, 12, 28))
    late = _answered(late.number, officer, at(2027, 1, 4))
    assert _parts(late)[1:] == (2027, 1)


def test_one_notice_per_request_in_the_database(officer, market):
    from django.db import IntegrityError, transaction

    row = _answered(_visit(officer, market, at(2026, 9, 16)).number, officer, at(2026, 9, 17))
    notice = row.notices.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestNotice.objects.create(application=row, kind="answer", number=notice.number + "x",
                                     issued_at=notice.issued_at, verify_code="0" * 20)


def test_shown_to_the_requester_and_staff_and_printed_as_pdf(client_for, applicant, officer,
                                                            market, stranger):
    row = submitted(applicant, at(2026, 9, 16), market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    row = _answered(row.number, officer, at(2026, 9, 17))
    number = row.notices.get().number
    mine = client_for(applicant).get(f"/openness/requests/{row.number}/").content.decode()
    staff = client_for(officer).get(f"/openness/staff/{row.number}/").content.decode()
    pdf_url = f"/openness/requests/{row.number}/notice.pdf"
    assert number in mine and number in staff and pdf_url in mine and pdf_url in staff
    assert client_for(stranger).get(pdf_url).status_code == 404
    response = client_for(applicant).get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-")
    fonts = {name: ok for name, ok in embedded_fonts(PdfReader(io.BytesIO(data))).items()
             if "CJK" in name}
    assert fonts and all(fonts.values())
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "政府信息公开申请答复告知书" in text and "公开告" in text
    verify = client_for(None).get(f"/openness/notices/{row.notices.get().verify_code}/")
    assert verify.status_code == 200 and "核验通过" in verify.content.decode()
    assert "王五" not in verify.content.decode()

"""Notice PDFs: the number and Chinese text, the CJK font embedded, a QR code to the public
verification page, rendered once and cached; the verification page shows no personal data."""

import datetime as dt
import io
from unittest import mock

import pypdfium2
import pytest
import time_machine
import zxingcpp
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from tests.pdfcheck import embedded_fonts
from zhengwu.cases import notices
from zhengwu.cases.models import Notice, NoticeKind
from zhengwu.cases.services import MoveIn, case_transition, notice_issue
from zhengwu.cases.tasks import notice_render_task
from zhengwu.cases.tests.conftest import FORM
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

FULL_ID = FORM["id_number"]
MASKED_ID = "430***********123X"


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def accepted(food, submit, clerk):
    case = submit(food)
    return case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def embedded_cjk_fonts(data):
    return {name: ok for name, ok in embedded_fonts(PdfReader(io.BytesIO(data))).items()
            if "CJK" in name}


def qr_texts(data):
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_an_acceptance_notice_is_a_pdf_with_number_text_font_and_qr(accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    data = notices.notice_pdf(notice)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert notice.number in text
    assert notice.number.startswith("耒")
    assert "受理通知书" in text
    assert "食品经营许可证核发" in text
    assert accepted.department.name in text
    assert "（印章）" in text
    assert "2026年3月2日" in text
    assert MASKED_ID in text
    assert FULL_ID not in text
    fonts = embedded_cjk_fonts(data)
    assert fonts, "no CJK font in the PDF"
    assert all(fonts.values()), fonts
    assert all("+" in name for name in fonts), fonts  # subset
    url = f"{settings.ZHENGWU_PUBLIC_URL}/notices/verify/{notice.verify_code}/"
    assert qr_texts(data) == [url]
    assert notices.verify_url(notice) == url


def test_the_supplement_notice_lists_every_item_with_its_reason(food, submit, clerk):
    case = submit(food)
    items = [{"material": "食品安全规章制度目录清单", "reason": "缺少进货查验制度"},
             {"material": "经营场所平面图", "reason": "未标明面积"}]
    case = case_transition(case_id=case.pk, user=clerk,
                           move=MoveIn(action="ask_supplement", supplement_items=items))
    notice = case.notices.get(kind=NoticeKind.SUPPLEMENT)
    text = pdf_text(notices.notice_pdf(notice))
    assert "一次性补正材料告知书" in text
    for item in items:
        assert item["material"] in text
        assert item["reason"] in text


def test_the_denial_states_the_reason_and_the_right_to_review_and_sue(accepted, reviewer):
    case = case_transition(case_id=accepted.pk, user=reviewer,
                           move=MoveIn(action="deny", reason="经营场所不符合卫生要求"))
    notice = case.notices.get(kind=NoticeKind.DENIAL)
    text = pdf_text(notices.notice_pdf(notice))
    assert "不予行政许可决定书" in text
    assert "经营场所不符合卫生要求" in text
    assert "行政复议" in text
    assert "行政诉讼" in text


@pytest.mark.parametrize(("kind", "content", "phrases"), [
    (NoticeKind.ACCEPTANCE, {"due": "2026-03-16T23:59:59+08:00", "provisional": False},
     ["决定予以受理", "2026年3月16日"]),
    (NoticeKind.REFUSAL, {"reason": "不属于本机关职权范围"}, ["不属于本机关职权范围", "不予受理",
                                                               "行政复议"]),
    (NoticeKind.SUPPLEMENT, {"items": [{"material": "营业执照", "reason": "已过期"}]},
     ["营业执照", "已过期", "一次性告知"]),
    (NoticeKind.SUSPENSION, {"kind": "expert_review", "reason": "需组织专家论证"},
     ["专家评审", "需组织专家论证", "不计算在办理期限内"]),
    (NoticeKind.EXTENSION, {"reason": "情况复杂", "new_due": "2026-04-01T23:59:59+08:00"},
     ["情况复杂", "2026年4月1日", "第四十二条"]),
    (NoticeKind.GRANT, {"reason": ""}, ["准予行政许可"]),
    (NoticeKind.DENIAL, {"reason": "条件不符"}, ["条件不符", "行政诉讼"]),
    (NoticeKind.DEEMED, {"due_at": "2026-03-16T23:59:59+08:00"}, ["视为准予", "超时默认"]),
    (NoticeKind.REVOCATION, {"reason": "承诺不实"}, ["承诺不实", "撤销该行政许可", "行政复议"]),
    (NoticeKind.FILING, {"reason": ""}, ["予以备案", "办件详情中下载"]),
    (NoticeKind.FILING_DENIAL, {"reason": "印模不清"}, ["印模不清", "不予备案", "行政复议"]),
    (NoticeKind.COMPLETION, {"reason": ""}, ["准予办理，现已办结", "办件详情中下载"]),
    (NoticeKind.NOT_DONE, {"reason": "账户已存在"}, ["账户已存在", "不予办理", "行政复议"]),
])
def test_every_kind_has_its_body(accepted, kind, content, phrases):
    notice = notice_issue(accepted, kind, content)
    html = render_to_string("cases/notice_pdf.html", notices.notice_context(notice))
    assert notice.number in html
    assert NoticeKind(kind).label in html
    for phrase in phrases:
        assert phrase in html
    assert FULL_ID not in html
    assert "（印章）" in html


def test_the_second_download_is_served_from_the_cached_file(client_for, accepted, applicant):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    url = reverse("cases:notice_pdf", args=[accepted.number, notice.pk])
    client = client_for(applicant)
    with mock.patch("zhengwu.cases.notices.render_pdf", wraps=notices.render_pdf) as render:
        first = client.get(url)
        second = client.get(url)
    assert render.call_count == 1
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"].startswith("attachment;")
    assert first.content == second.content
    notice.refresh_from_db()
    assert notice.pdf.name.startswith("notices/")


def test_a_missing_cached_file_is_rendered_again(accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    notices.notice_pdf(notice)
    notice.pdf.storage.delete(notice.pdf.name)
    with mock.patch("zhengwu.cases.notices.render_pdf", wraps=notices.render_pdf) as render:
        assert notices.notice_pdf(Notice.objects.get(pk=notice.pk)).startswith(b"%PDF-")
    assert render.call_count == 1


def test_the_task_prerenders_so_a_download_does_not_render(accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    result = notice_render_task.enqueue(notice.pk)
    assert result.return_value > 1000
    notice.refresh_from_db()
    assert notice.pdf
    with mock.patch("zhengwu.cases.notices.render_pdf") as render:
        assert notices.notice_pdf(notice).startswith(b"%PDF-")
    render.assert_not_called()
    assert notice_render_task.enqueue(10**9).return_value == 0


def test_another_applicant_cannot_download_the_notice(client_for, accepted, staff_of):
    from zhengwu.accounts.models import User

    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    url = reverse("cases:notice_pdf", args=[accepted.number, notice.pk])
    other = User.objects.get(username="canyin")
    assert client_for(other).get(url).status_code == 404
    assert client_for(staff_of("市教育局")).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_the_verify_page_shows_the_notice_without_personal_data(client, accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    response = client.get(reverse("cases:notice_verify", args=[notice.verify_code]))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (notice.number, "受理通知书", accepted.department.name, accepted.number,
                  "2026年3月2日"):
        assert shown in page
    for hidden in (FULL_ID, MASKED_ID, FORM["applicant_name"], FORM["phone"], FORM["address"],
                   "138****0001"):
        assert hidden not in page
    assert client.get(reverse("cases:notice_verify", args=["0" * 20])).status_code == 404
    assert client.get("/cases/notices/verify/..%2F/").status_code == 404

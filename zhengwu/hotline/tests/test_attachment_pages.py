"""What the 12345 pages say when a file is refused, found wanting by the browser walk
tests/browser/test_hotline_attachments.py:
- one refusal of 我要反映 names every problem: a refused file does not hide the problems of
  what was typed (a person on a phone would otherwise fix the file, submit, and only then
  learn that the title was missing);
- the outcome of 上传附件 on an order's page is said in its 附件 section, where the upload
  returns to, not at the top of a long page out of sight;
- a long file name (as phones name photos) may break between lines: it widened a 390 px
  page;
- a confidential order's caller reads “（保密）” once at the department, not once for each of
  name, phone and e-mail (which also told that the caller had given an e-mail)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengwu.cases.tests.conftest import pdf_bytes, png_bytes
from zhengwu.hotline.models import WorkOrder
from zhengwu.hotline.tests.conftest import at, moved, opened

pytestmark = pytest.mark.django_db

PORTAL = {"kind": "complaint", "title": "", "content": "蔡子池街道某小区门口井盖破损塌陷。",
          "region": "", "address": "", "caller_phone": "13912345678", "urgency": "normal"}


def _summary(html: str) -> list[str]:
    start = html.index('class="error-summary"')
    return re.findall(r'href="#id_([a-z_0-9]+)"', html[start:html.index("</div>", start)])


def test_a_bad_file_and_a_missing_title_are_named_in_one_refusal(client_for: Any,
                                                                   caller: Any) -> None:
    page = client_for(caller).post(reverse("hotline:new"), PORTAL | {
        "attachment_1": SimpleUploadedFile("现场.png", png_bytes()),
        "attachment_2": SimpleUploadedFile("说明.pdf", b"not a pdf")})
    html = page.content.decode()
    assert page.status_code == 422
    assert _summary(html) == ["title", "attachment_2"]
    assert 'id="id_title_error"' in html and 'id="id_attachment_2_error"' in html
    assert re.search(r'<input[^>]*id="id_title"[^>]*aria-invalid="true"', html) or re.search(
        r'<input[^>]*aria-invalid="true"[^>]*id="id_title"', html)
    assert "已保留：</strong>现场.png" in html  # the good file is still kept
    assert not WorkOrder.objects.exists()


def test_a_bad_file_alone_is_the_only_problem_named(client_for: Any, caller: Any) -> None:
    page = client_for(caller).post(reverse("hotline:new"), PORTAL | {
        "title": "井盖破损", "attachment_2": SimpleUploadedFile("说明.pdf", b"not a pdf")})
    assert page.status_code == 422
    assert _summary(page.content.decode()) == ["attachment_2"]
    assert not WorkOrder.objects.exists()


def test_a_form_level_problem_does_not_hide_the_others(client_for: Any, caller: Any) -> None:
    # A kept file that is not this account's (a stale token): said above the form, the
    # missing title still named next to its field, and the photo chosen now kept.
    page = client_for(caller).post(reverse("hotline:new"), PORTAL | {
        "kept": "no-such-token", "attachment_1": SimpleUploadedFile("现场.png", png_bytes())})
    html = page.content.decode()
    assert page.status_code == 422
    assert "已保留的文件已失效" in html
    assert "title" in _summary(html)
    assert "已保留：</strong>现场.png" in html
    assert not WorkOrder.objects.exists()


def _section(html: str) -> str:
    start = html.index('id="attachments"')
    return html[start:html.index("</section>", start)]


def test_the_upload_s_outcome_is_said_in_the_attachments_section(
        client_for: Any, operator: Any, market: Any) -> None:
    # The upload returns to #attachments, far below the top of a long order page: its
    # outcome is said there, where the reader is, and not a second time at the top.
    row = opened(operator, at(2026, 12, 7, 9))
    staff = client_for(operator)
    refused = staff.post(reverse("hotline:attach", args=[row.number]),
                         {"files": [SimpleUploadedFile("补充.pdf", b"text")]}, follow=True)
    html = refused.content.decode()
    assert refused.redirect_chain[-1][0].endswith("#attachments")
    assert "附件未上传" in _section(html) and html.count("附件未上传") == 1
    assert re.search(r'role="alert"[^>]*>附件未上传', _section(html))
    done = staff.post(reverse("hotline:attach", args=[row.number]),
                      {"files": [SimpleUploadedFile("扫描.pdf", pdf_bytes())]}, follow=True)
    html = done.content.decode()
    assert "已上传 1 个附件" in _section(html) and html.count("已上传 1 个附件") == 1
    # A move's message stays at the top of the page.
    moved = staff.post(reverse("hotline:order", args=[row.number]),
                       {"action": "dispatch", "department": str(market.pk),
                        "by": "manual"}, follow=True)
    html = moved.content.decode()
    assert "已派单" in html and "已派单" not in _section(html)


def test_the_caller_s_progress_page_says_the_outcome_in_its_section(client_for: Any,
                                                                     caller: Any) -> None:
    client = client_for(caller)
    client.post(reverse("hotline:new"), PORTAL | {"title": "井盖破损"})
    row = WorkOrder.objects.get()
    page = client.post(reverse("hotline:attach", args=[row.number]),
                       {"files": [SimpleUploadedFile("现场.png", png_bytes())]}, follow=True)
    html = page.content.decode()
    assert "已上传 1 个附件" in _section(html) and html.count("已上传 1 个附件") == 1


def test_a_long_file_name_may_break_between_lines(client_for: Any, operator: Any) -> None:
    row = opened(operator, at(2026, 12, 7, 9))
    name = "IMG_20261207_103015_HDR_market_inspection_stall_12.png"
    staff = client_for(operator)
    staff.post(reverse("hotline:attach", args=[row.number]),
               {"files": [SimpleUploadedFile(name, png_bytes())]})
    html = _section(staff.get(reverse("hotline:order", args=[row.number])).content.decode())
    link = re.search(r'<a href="[^"]+" download>(.*?)</a>', html)
    assert link is not None
    pieces = link.group(1).split("<wbr>")
    assert "".join(pieces) == name  # the name as given, only with places to break
    assert len(pieces) > 1 and max(len(p) for p in pieces) <= 12
    assert "<wbr>" not in html.split("download>", 1)[0]  # the href is not touched
    # A short name, or a Chinese one (it breaks anywhere), is left whole.
    staff.post(reverse("hotline:attach", args=[row.number]),
               {"files": [SimpleUploadedFile("现场照片.png", png_bytes())]})
    html = _section(staff.get(reverse("hotline:order", args=[row.number])).content.decode())
    assert "download>现场照片.png</a>" in html


def test_a_confidential_caller_reads_confidential_once(client_for: Any, operator: Any,
                                                      market: Any, market_staff: Any) -> None:
    row = opened(operator, at(2026, 12, 7, 9), kind="report", caller_email="wang@example.com")
    moved(row.number, operator, at(2026, 12, 7, 10), action="dispatch", department_id=market.pk,
          by="manual")
    html = client_for(market_staff).get(reverse("hotline:order", args=[row.number])).content
    caller = html.decode().split('id="caller"', 1)[1].split("</dl>", 1)[0]
    assert caller.count("（保密）") == 1, caller
    assert "wang" not in caller and "example.com" not in caller and "1391" not in caller
    # The operator still sees all three.
    shown = client_for(operator).get(reverse("hotline:order", args=[row.number])).content
    caller = shown.decode().split('id="caller"', 1)[1].split("</dl>", 1)[0]
    assert "王五" in caller and "13912345678" in caller and "wang@example.com" in caller

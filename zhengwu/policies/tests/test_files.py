"""Files published with a policy document (issue 14 §1: 政策文件 with attachments, 解读 with
graphics): the document's department uploads a 附件 (public, downloaded with the type its
content has) or a 图解 of one of its 解读 (an image, shown in the page with its text
description); a refused attempt names the field and keeps the chosen file; other departments
are refused; each upload has its audit row with the file's SHA-256."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.cases.tests.conftest import pdf_bytes, png_bytes
from zhengwu.core.models import AuditEvent
from zhengwu.policies.models import PolicyDocument, PolicyFile

PACK_NUMBER = "耒人社发〔2026〕1号（示例）"


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _document() -> PolicyDocument:
    return PolicyDocument.objects.get(doc_number=PACK_NUMBER)


def _url(document: PolicyDocument) -> str:
    return f"/policies/documents/{document.pk}/files/new/"


def test_an_attachment_is_published_with_the_document(db: Any) -> None:
    document = _document()
    made = _client("renshe").post(_url(document), {
        "target": "", "description": "稳岗返还申报表",
        "file": SimpleUploadedFile("申报表.pdf", pdf_bytes())})
    assert made.status_code == 302
    row = PolicyFile.objects.get(document=document)
    assert (row.content_type, row.sha256) == ("application/pdf",
                                              hashlib.sha256(pdf_bytes()).hexdigest())
    audit = AuditEvent.objects.get(action="policies.file_add", object_id=str(row.pk))
    assert audit.after is not None and audit.after["sha256"] == row.sha256
    page = Client().get(f"/policies/documents/{document.pk}/").content.decode()
    link = f'href="/policies/documents/{document.pk}/files/{row.pk}/"'
    assert link in page and "稳岗返还申报表" in page
    download = Client().get(f"/policies/documents/{document.pk}/files/{row.pk}/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download.getvalue() == pdf_bytes()
    # A file is reached only under its own document.
    assert Client().get(f"/policies/documents/{document.pk + 1}/files/{row.pk}/").status_code \
        == 404


def test_a_graphic_needs_its_description_and_keeps_the_chosen_image(db: Any) -> None:
    document = _document()
    interpretation = document.interpretations.first()
    assert interpretation is not None
    renshe = _client("renshe")
    refused = renshe.post(_url(document), {
        "target": str(interpretation.pk), "description": "",
        "file": SimpleUploadedFile("图解.png", png_bytes())})
    assert refused.status_code == 422
    assert "请用文字说明图解的内容" in refused.content.decode()
    assert not PolicyFile.objects.exists()
    # The image was kept: the next attempt sends only its token and the description.
    token = re.search(r'name="kept" value="([^"]+)"', refused.content.decode())
    assert token is not None and "已保留" in refused.content.decode()
    made = renshe.post(_url(document), {"target": str(interpretation.pk), "kept": token[1],
                                        "description": "申领流程：企业无需申报，确认后直接拨付"})
    assert made.status_code == 302
    graphic = PolicyFile.objects.get(interpretation=interpretation)
    assert graphic.content_type == "image/png"
    page = Client().get(f"/policies/documents/{document.pk}/").content.decode()
    assert 'alt="申领流程：企业无需申报，确认后直接拨付"' in page
    shown = Client().get(f"/policies/documents/{document.pk}/files/{graphic.pk}/")
    assert shown["Content-Type"] == "image/png" and shown["X-Content-Type-Options"] == "nosniff"
    assert not shown["Content-Disposition"].startswith("attachment")


def test_wrong_files_are_refused_next_to_the_field(db: Any) -> None:
    document = _document()
    interpretation = document.interpretations.first()
    assert interpretation is not None
    renshe = _client("renshe")
    pdf_graphic = renshe.post(_url(document), {
        "target": str(interpretation.pk), "description": "流程图",
        "file": SimpleUploadedFile("流程.pdf", pdf_bytes())})
    assert pdf_graphic.status_code == 422
    assert "图解应为 JPG 或 PNG 图片" in pdf_graphic.content.decode()
    assert "流程图" in pdf_graphic.content.decode()  # what was typed stays
    text = renshe.post(_url(document), {"target": "", "description": "申报表",
                                        "file": SimpleUploadedFile("申报表.pdf", b"hello")})
    assert text.status_code == 422 and "不是 PDF、JPG 或 PNG 文件" in text.content.decode()
    nothing = renshe.post(_url(document), {"target": "", "description": "申报表"})
    assert nothing.status_code == 422 and "请选择要上传的文件" in nothing.content.decode()
    assert not PolicyFile.objects.exists()


def test_only_the_documents_department_uploads(db: Any) -> None:
    document = _document()
    for username in ("reviewer", "zhangsan"):  # another department's officer, a citizen
        answer = _client(username).post(_url(document), {
            "target": "", "file": SimpleUploadedFile("a.pdf", pdf_bytes())})
        assert answer.status_code == 403
    assert Client().post(_url(document)).status_code == 302  # to sign in
    assert not PolicyFile.objects.exists()


def test_a_step_that_fails_after_writing_the_file_leaves_no_file(
        db: Any, settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    """The file is written before the row is saved; when the step then fails, the rolled-back
    row never existed and the file is deleted with it (core.stored_files)."""
    from zhengwu.policies import library

    settings.MEDIA_ROOT = tmp_path

    def refuse(**kwargs: Any) -> None:
        raise RuntimeError("the audit store is down")

    monkeypatch.setattr(library, "audit_record", refuse)
    try:
        library.file_add(user=User.objects.get(username="renshe"), document_id=_document().pk,
                         name="申报表.pdf", content=pdf_bytes(), description="申报表")
    except RuntimeError:
        pass
    else:  # pragma: no cover - the monkeypatched audit always raises
        raise AssertionError("the step should have failed")
    assert not PolicyFile.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_orphan_sweep_covers_every_apps_uploaded_files(
        db: Any, settings: Any, tmp_path: Any) -> None:
    import datetime as dt
    import os

    from zhengwu.cases.sweeps import remove_orphan_uploads
    from zhengwu.core import clock

    settings.MEDIA_ROOT = tmp_path
    made = _client("renshe").post(_url(_document()), {
        "target": "", "description": "申报表", "file": SimpleUploadedFile("申报表.pdf", pdf_bytes())})
    assert made.status_code == 302
    kept = tmp_path / PolicyFile.objects.get().file.name
    assert kept.relative_to(tmp_path).parts[0] == "policies"
    orphans = [tmp_path / folder / "2026" / "01" / "left-over.pdf"
               for folder in ("policies", "openness", "hotline")]
    old = (clock.now() - dt.timedelta(days=3)).timestamp()
    for path in [*orphans, kept]:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_bytes(pdf_bytes())
        os.utime(path, (old, old))
    assert remove_orphan_uploads(clock.now()) == 3
    assert kept.exists() and not any(path.exists() for path in orphans)

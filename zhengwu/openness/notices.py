"""The answer to a 依申请公开 request as a notice: 政府信息公开申请答复告知书, numbered and
signed with the agency's key when the answer is given (services._answer_notice), printed as a
PDF like every notice of the platform (A4, the Noto CJK font embedded and subset, a QR code to
the public verification page, documents/_notice_style.html) and kept in the cache, since
WeasyPrint costs ~150 ms a page (architecture.md). A notice never changes once issued, so its
PDF is cached by the notice's id and verification code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from zhengwu.core.masking import mask_citizen_id, mask_name
from zhengwu.documents.pdf import render_pdf
from zhengwu.documents.qr import qr_data_uri
from zhengwu.licences.notice_signature import (
    NoticeCheck,
    notice_document,
    notice_seal,
    notice_verify,
    printed_digest,
)
from zhengwu.openness.models import (
    AnswerType,
    OpennessRequest,
    RequesterKind,
    RequestNotice,
    RequestNoticeKind,
)
from zhengwu.process.models import REMEDY

NOTICE_TTL = 30 * 24 * 3600

# The article of the 政府信息公开条例 each answer is given under (models.AnswerType).
ARTICLE = {AnswerType.ALREADY_PUBLIC: "第三十六条第（一）项", AnswerType.DISCLOSED: "第三十六条第（二）项",
           AnswerType.WITHHELD: "第三十六条第（三）项", AnswerType.NOT_EXIST: "第三十六条第（四）项",
           AnswerType.NOT_OURS: "第三十六条第（五）项", AnswerType.REPEATED: "第三十六条第（六）项",
           AnswerType.SPECIAL_LAW: "第三十六条第（七）项", AnswerType.PARTIAL: "第三十七条",
           AnswerType.NEEDS_PROCESSING: "第三十八条",
           AnswerType.NOT_GOVERNMENT_INFO: "第二条、第三十九条"}


def _absolute(path: str) -> str:
    return settings.ZHENGWU_PUBLIC_URL + path


def requester_display(row: OpennessRequest) -> dict[str, str]:
    """The requester as the signature carries it: a person masked, an organisation whole."""
    if row.requester_kind == RequesterKind.ORGANISATION:
        return {"kind": row.requester_kind, "name": row.name, "idNumber": row.id_number}
    return {"kind": row.requester_kind, "name": mask_name(row.name),
            "idNumber": mask_citizen_id(row.id_number)}


def notice_document_of(notice: RequestNotice, row: OpennessRequest) -> dict[str, Any]:
    return notice_document(
        kind=notice.kind, title=str(RequestNoticeKind(notice.kind).label), number=notice.number,
        verify_code=notice.verify_code, issued_at=notice.issued_at,
        subject={"type": "openness_request", "number": row.number,
                 "item": "政府信息公开申请"},
        applicant=requester_display(row), content=notice.content or {})


def notice_sealer(row: OpennessRequest) -> Callable[[RequestNotice], None]:
    """The `seal` of ProcessNotice.issue: signed by the agency the request was addressed to."""
    def seal(notice: RequestNotice) -> None:
        notice_seal(notice, notice_document_of(notice, row), row.department)
    return seal


def signature_of(notice: RequestNotice) -> NoticeCheck:
    return notice_verify(notice, notice.application.department)


def notice_context(notice: RequestNotice) -> dict[str, Any]:
    row = notice.application
    content = notice.content or {}
    answer = str(content.get("answer_type", ""))
    verify_url = _absolute(reverse("openness:notice_verify", kwargs={"code": notice.verify_code}))
    return {
        "notice": notice, "row": row, "title": RequestNoticeKind(notice.kind).label,
        "issuer": row.department.name, "content": content,
        "answer_label": AnswerType(answer).label if answer in AnswerType.values else "",
        "article": ARTICLE.get(AnswerType(answer), "") if answer in AnswerType.values else "",
        # A person's ID number is personal data; an organisation's credit code is public.
        "requester_id": row.id_number if row.requester_kind == RequesterKind.ORGANISATION
        else mask_citizen_id(row.id_number),
        "remedy": REMEDY, "verify_url": verify_url, "kid": notice.kid,
        "digest": printed_digest(notice),
        "progress_url": _absolute(reverse("openness:detail", args=[row.number])),
        "qr_inline": qr_data_uri(verify_url, scale=4)}


def notice_pdf(notice: RequestNotice) -> bytes:
    """The notice as PDF bytes: rendered once, then from the cache."""
    raw = f"openness|{notice.pk}|{notice.verify_code}|{settings.ZHENGWU_PUBLIC_URL}"
    key = "openness:pdf:" + hashlib.sha256(raw.encode()).hexdigest()[:40]
    data = cache.get(key)
    if isinstance(data, bytes) and data.startswith(b"%PDF-"):
        return data
    data = render_pdf("openness/notice_pdf.html", notice_context(notice))
    cache.set(key, data, NOTICE_TTL)
    return data

"""一件事 PDFs: the guide's printable 一次性告知单 and the bundle case's notices (受理, 一次性补正,
不予受理, 办结), rendered like cases.notices — A4, the Noto CJK font embedded and subset, a QR
code — and kept in the cache, since WeasyPrint costs ~150 ms a page (architecture.md).

A guide's PDF is cached per bundle version and print date; a notice never changes once issued,
so its PDF is cached by the notice's id and verification code. Each notice is signed by the
lead department's key when it is issued (licences.notice_signature); the PDF prints the key id
and the digest of the signed bytes, which the verification page shows beside its check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from zhengwu.bundles.models import (
    Bundle,
    BundleCase,
    BundleNotice,
    BundleNoticeKind,
    BundleResult,
)
from zhengwu.cases.models import ApplicantKind
from zhengwu.cases.notices import applicant_display
from zhengwu.core import clock
from zhengwu.core.masking import mask_citizen_id
from zhengwu.documents.pdf import render_pdf
from zhengwu.documents.qr import qr_data_uri
from zhengwu.licences.notice_signature import (
    NoticeCheck,
    notice_document,
    notice_seal,
    notice_verify,
    printed_digest,
)
from zhengwu.process.models import REMEDY

GUIDE_TTL = 24 * 3600
NOTICE_TTL = 30 * 24 * 3600


def absolute(path: str) -> str:
    """The public address of a path (ZHENGWU_PUBLIC_URL), as printed in QR codes."""
    return settings.ZHENGWU_PUBLIC_URL + path


def _key(*parts: object) -> str:
    raw = "|".join(str(p) for p in (*parts, settings.ZHENGWU_PUBLIC_URL))
    return "bundles:pdf:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def guide_pdf(bundle: Bundle, context: Callable[[], dict[str, Any]]) -> bytes:
    """The bundle's 一次性告知单 as PDF bytes; `context` is built only when not cached."""
    today = clock.today()
    key = _key("guide", bundle.code, bundle.version, today.isoformat())
    data = cache.get(key)
    if isinstance(data, bytes) and data.startswith(b"%PDF-"):
        return data
    values = context()
    values["printed_on"] = today
    data = render_pdf("bundles/guide_pdf.html", values)
    cache.set(key, data, GUIDE_TTL)
    return data


def notice_context(notice: BundleNotice) -> dict[str, Any]:
    """Everything bundles/notice_pdf.html needs."""
    bundle_case = notice.bundle_case
    content = notice.content or {}
    # A person's ID number is personal data; an enterprise's credit code is public.
    applicant_id = bundle_case.applicant_id_number \
        if bundle_case.applicant_kind == ApplicantKind.ENTERPRISE \
        else mask_citizen_id(bundle_case.applicant_id_number)
    result = str(content.get("result", ""))
    url = absolute(bundle_case.get_absolute_url())
    verify_url = absolute(reverse("bundles:notice_verify", kwargs={"code": notice.verify_code}))
    return {
        "notice": notice, "bundle_case": bundle_case, "bundle": bundle_case.bundle,
        "kind": notice.kind, "title": BundleNoticeKind(notice.kind).label,
        "issuer": bundle_case.bundle.lead_department.name, "applicant_id": applicant_id,
        "content": content, "reason": str(content.get("reason", "")),
        "items": list(content.get("items") or []),
        "members": list(content.get("members") or []),
        "result": BundleResult(result).label if result in BundleResult.values else "",
        "in_time": bool(content.get("in_time")), "provisional": bool(content.get("provisional")),
        "due": bundle_case.due_at, "remedy": REMEDY, "progress_url": url,
        "verify_url": verify_url, "kid": notice.kid,
        "digest": printed_digest(notice),
        # The printed QR opens the public verification page (no sign-in, no personal data).
        "qr_inline": qr_data_uri(verify_url, scale=4),
    }


def notice_document_of(notice: BundleNotice, bundle_case: BundleCase) -> dict[str, Any]:
    """What a bundle notice says, as its lead department signs it (issue 11 item 9)."""
    return notice_document(
        kind=notice.kind, title=str(BundleNoticeKind(notice.kind).label), number=notice.number,
        verify_code=notice.verify_code, issued_at=notice.issued_at,
        subject={"type": "bundle", "number": bundle_case.number,
                 "item": bundle_case.bundle.name},
        applicant=applicant_display(bundle_case.applicant_kind, bundle_case.applicant_name,
                                    bundle_case.applicant_id_number),
        content=notice.content or {})


def notice_sealer(bundle_case: BundleCase) -> Callable[[BundleNotice], None]:
    """The `seal` of ProcessNotice.issue: signed by the bundle's lead department."""
    def seal(notice: BundleNotice) -> None:
        notice_seal(notice, notice_document_of(notice, bundle_case),
                    bundle_case.bundle.lead_department)
    return seal


def signature_of(notice: BundleNotice) -> NoticeCheck:
    """The notice's signature checked with the lead department's key (verification page)."""
    return notice_verify(notice, notice.bundle_case.bundle.lead_department)


def notice_pdf(notice: BundleNotice) -> bytes:
    """The notice as PDF bytes: rendered once, then from the cache."""
    key = _key("notice", notice.pk, notice.verify_code)
    data = cache.get(key)
    if isinstance(data, bytes) and data.startswith(b"%PDF-"):
        return data
    data = render_pdf("bundles/notice_pdf.html", notice_context(notice))
    cache.set(key, data, NOTICE_TTL)
    return data

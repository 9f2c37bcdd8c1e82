"""Notices (文书) as printable A4 PDFs: the document number at the top, the applicant with a
masked ID number, the body by kind, the issuing department with a seal placeholder and the
date, and a QR code to the public verification page.

A notice is rendered once and the bytes are kept in `Notice.pdf`; later downloads read the
file (architecture.md: ~150 ms a page, never in a sweep). `notice_render_task` pre-renders
in the background; `cases.services.notice_issue` enqueues it when the move that issued the
notice commits, so every way of making a move (page, API, a bundle driving its members)
renders alike and no view has to remember it. A sweep's bulk notices are not enqueued.

Every notice is signed by its department's key before its row is inserted (issue 11 item 9,
licences.notice_signature): `notice_sealer` builds what it says (kind, number, case, item,
masked applicant, content) and signs it. The PDF prints the key id and the SM3 digest of the
signed bytes; the verification page checks the signature (`signature_of`).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django_tasks import task

from zhengwu.cases.models import ApplicantKind, Case, Notice, NoticeKind, ProcedureKind
from zhengwu.cases.results import collection_text
from zhengwu.core.masking import mask_citizen_id, mask_name
from zhengwu.departments.models import Department
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

logger = logging.getLogger(__name__)

VERIFY_PATH = "/notices/verify/{code}/"


def verify_url(notice: Notice) -> str:
    """The public address printed as a QR code on the notice."""
    return settings.ZHENGWU_PUBLIC_URL + VERIFY_PATH.format(code=notice.verify_code)


def _moment(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _applicant_id(notice: Notice) -> str:
    case = notice.case
    # A person's ID number is personal data; an enterprise's credit code is public.
    if case.applicant_kind == ApplicantKind.ENTERPRISE:
        return case.applicant_id_number
    return mask_citizen_id(case.applicant_id_number)


def notice_context(notice: Notice) -> dict[str, Any]:
    """Everything the notice template needs (also used by the HTML preview in tests)."""
    case = notice.case
    content = notice.content or {}
    url = verify_url(notice)
    procedure = ""
    if notice.kind == NoticeKind.SUSPENSION:
        kind = str(content.get("kind", ""))
        procedure = str(ProcedureKind(kind).label) if kind in ProcedureKind.values else kind
    extension = getattr(case, "extension", None) if notice.kind == NoticeKind.EXTENSION else None
    return {
        "notice": notice, "case": case, "kind": NoticeKind(notice.kind),
        "title": NoticeKind(notice.kind).label, "item": case.implementation.item,
        "department": case.department, "applicant_id": _applicant_id(notice),
        "content": content, "reason": str(content.get("reason", "")),
        "items": list(content.get("items") or []), "procedure": procedure,
        "due": _moment(content.get("due")) or _moment(content.get("due_at")) or case.due_at,
        "provisional": bool(content.get("provisional")),
        "new_due": _moment(content.get("new_due")), "extension": extension,
        "remedy": REMEDY, "verify_url": url, "kid": notice.kid,
        "digest": printed_digest(notice), "qr_inline": qr_data_uri(url, scale=4),
        "collection": collection_text(
            bundle_number=case.bundle_number, department=case.department.name,
            delivery_label=case.get_delivery_method_display() if case.delivery_method else ""),
    }


def applicant_display(kind: str, name: str, id_number: str) -> dict[str, str]:
    """The applicant as a notice's signature carries it: a person masked, an enterprise whole
    (its name and credit code are public)."""
    if kind == ApplicantKind.ENTERPRISE:
        return {"kind": kind, "name": name, "idNumber": id_number}
    return {"kind": kind, "name": mask_name(name), "idNumber": mask_citizen_id(id_number)}


def notice_document_of(notice: Notice, case: Case, item: str | None = None) -> dict[str, Any]:
    """What a case notice says, as its department signs it (licences.notice_signature);
    `item` is the item's name when the caller has it (a sweep, without the join)."""
    return notice_document(
        kind=notice.kind, title=str(NoticeKind(notice.kind).label), number=notice.number,
        verify_code=notice.verify_code, issued_at=notice.issued_at,
        subject={"type": "case", "number": case.number,
                 "item": case.implementation.item.name if item is None else item},
        applicant=applicant_display(case.applicant_kind, case.applicant_name,
                                    case.applicant_id_number),
        content=notice.content or {})


def notice_sealer(case: Case, department: Department,
                  item: str | None = None) -> Callable[[Notice], None]:
    """The `seal` of ProcessNotice.issue for a notice of `case` issued by `department`."""
    def seal(notice: Notice) -> None:
        notice_seal(notice, notice_document_of(notice, case, item), department)
    return seal


def signature_of(notice: Notice) -> NoticeCheck:
    """The notice's signature checked with its department's key (the verification page)."""
    return notice_verify(notice, notice.case.department)


def _cached(notice: Notice) -> bytes | None:
    if not notice.pdf:
        return None
    try:
        with notice.pdf.open("rb") as stored:
            data: bytes = stored.read()
    except OSError:
        logger.warning("notice %s: cached PDF %s is missing; rendering again",
                       notice.pk, notice.pdf.name)
        return None
    return data if data.startswith(b"%PDF-") else None


def notice_pdf(notice: Notice) -> bytes:
    """The notice as PDF bytes: from the cached file, or rendered once and cached."""
    data = _cached(notice)
    if data is not None:
        return data
    data = render_pdf("cases/notice_pdf.html", notice_context(notice))
    stale = notice.pdf.name if notice.pdf else ""
    notice.pdf.save(f"{secrets.token_hex(12)}.pdf", ContentFile(data), save=False)
    # Only the first of two concurrent renders keeps its file; the other removes its copy.
    stored = Notice.objects.filter(pk=notice.pk, pdf=stale).update(pdf=notice.pdf.name)
    if not stored:
        notice.pdf.storage.delete(notice.pdf.name)
        notice.refresh_from_db(fields=["pdf"])
    return data


@task()
def notice_render_task(notice_id: int) -> int:
    """Render and cache one notice's PDF; returns its size in bytes (0 when gone)."""
    notice = Notice.objects.select_related(
        "case__department", "case__implementation__item").filter(pk=notice_id).first()
    if notice is None:
        return 0
    return len(notice_pdf(notice))

"""The printable licence (版式文件): an A4 PDF of what the signed credential says, with the
Chinese font embedded (documents.pdf, Debian's Noto CJK) and two QR codes: the short public
verification address (licences.presentation, version ≤ 3) and the offline compact code
(licences.compact, signed, version ≤ 15).

As notices are (cases.notices), a licence is rendered once, after the issue commits, by
`licence_render_task`, and the bytes are kept in `Licence.pdf`; a download reads the file,
rendering it first only if the task has not run. The PDF is a convenience: what counts is
the signed credential, which the verification page checks.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django_tasks import task

from zhengwu.documents.pdf import render_pdf
from zhengwu.documents.qr import qr_data_uri
from zhengwu.licences.fields import labelled
from zhengwu.licences.models import Licence
from zhengwu.licences.presentation import (
    compact_qr,
    licence_compact_code,
    verify_qr_text,
    verify_short_url,
)

logger = logging.getLogger(__name__)


def verify_url(licence: Licence) -> str:
    """The public address printed under the QR code (the online verification page)."""
    return verify_short_url(licence)


def licence_context(licence: Licence) -> dict[str, Any]:
    compact = licence_compact_code(licence)
    return {"licence": licence, "type": licence.licence_type,
            "department": licence.issuer_department,
            "fields": labelled(licence.licence_type.fields, licence.payload),
            "verify_url": verify_url(licence),
            "qr_inline": qr_data_uri(verify_qr_text(licence), scale=4),
            "compact_qr": compact_qr(compact).svg_data_uri(scale=2) if compact else ""}


def _cached(licence: Licence) -> bytes | None:
    if not licence.pdf:
        return None
    try:
        with licence.pdf.open("rb") as stored:
            data: bytes = stored.read()
    except OSError:
        logger.warning("licence %s: cached PDF %s is missing; rendering again",
                       licence.pk, licence.pdf.name)
        return None
    return data if data.startswith(b"%PDF-") else None


def licence_pdf(licence: Licence) -> bytes:
    """The licence as PDF bytes: from the cached file, or rendered once and cached."""
    data = _cached(licence)
    if data is not None:
        return data
    data = render_pdf(licence.licence_type.pdf_template, licence_context(licence))
    stale = licence.pdf.name if licence.pdf else ""
    licence.pdf.save(f"{secrets.token_hex(12)}.pdf", ContentFile(data), save=False)
    # Only the first of two concurrent renders keeps its file; the other removes its copy.
    if not Licence.objects.filter(pk=licence.pk, pdf=stale).update(pdf=licence.pdf.name):
        licence.pdf.storage.delete(licence.pdf.name)
        licence.refresh_from_db(fields=["pdf"])
    return data


@task()
def licence_render_task(licence_id: int) -> int:
    """Render and cache one licence's PDF; returns its size in bytes (0 when gone)."""
    licence = Licence.objects.select_related(
        "licence_type", "issuer_department").filter(pk=licence_id).first()
    if licence is None:
        return 0
    return len(licence_pdf(licence))

"""Licence pages: the holder's downloads (PDF, signed JSON; their own only, logged) and the
public verification page the QR code opens.

The verification page here is minimal — type, issuer, masked holder, validity, status, and
whether the stored signature holds — and reserves the URL name `licences:verify` that the QR
codes print; the full page (scan log, rate limit, offline code) is issue 11 item 3.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.licences import selectors, services, status
from zhengwu.licences.credential import credential_verify_with
from zhengwu.licences.export import licence_export_bytes
from zhengwu.licences.models import Licence, LicenceStatus
from zhengwu.licences.pdf import licence_pdf
from zhengwu.licences.signing import KeyRing

_IDENTIFIER_MAX = 120


def _holder(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required let only signed-in users through
    return user


def _own(request: HttpRequest, identifier: str) -> Licence:
    """The signed-in holder's licence, or 404 — for anyone else too (never 403: whether a
    licence exists is not told to someone who does not hold it)."""
    licence = selectors.licence_of_holder(request.user, identifier[:_IDENTIFIER_MAX])
    if licence is None:
        raise Http404("证照不存在")
    return licence


def _attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def licence_pdf_download(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = _own(request, identifier)
    services.licence_download_record(licence=licence, actor=actor_for(_holder(request)),
                                     what="pdf")
    return _attachment(licence_pdf(licence), "application/pdf",
                       f"{licence.licence_type.name}-{licence.serial}-{licence.version:03d}.pdf")


@login_required
def licence_credential_download(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = _own(request, identifier)
    services.licence_download_record(licence=licence, actor=actor_for(_holder(request)),
                                     what="credential")
    return _attachment(licence_export_bytes(licence), "application/json",
                       f"{licence.identifier}.json")


def licence_verify(request: HttpRequest, identifier: str) -> HttpResponse:
    """证照核验 (minimal): what the licence says, masked, its status and its signature."""
    licence = selectors.licence_public(identifier[:_IDENTIFIER_MAX])
    if licence is None:
        raise Http404("证照不存在")
    keys = KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR)
    checked = credential_verify_with(keys, licence.data, bytes(licence.signature))
    status = selectors.status_now(licence)
    return render(request, "licences/verify.html", {
        "licence": licence, "type": licence.licence_type,
        "department": licence.issuer_department,
        "status": status, "status_label": LicenceStatus(status).label,
        "valid": checked.ok and status == LicenceStatus.VALID, "signature": checked})


def status_list_view(request: HttpRequest, issuer: str, purpose: str,
                     number: int) -> HttpResponse:
    """A published status list: the stored signed bytes verbatim with the signature
    (licences.status.status_list_export). Public and cacheable — for at most a few minutes
    and never past the list's validUntil — and not logged: who fetches a list says nothing
    about a licence, and verifiers fetch it often."""
    status_list = status.status_list_published(issuer[:18], purpose[:12], number)
    if status_list is None or status_list.valid_until is None:
        raise Http404("状态列表不存在")
    left = int((status_list.valid_until - clock.now()).total_seconds())
    response = JsonResponse(status.status_list_export(status_list))
    response["Cache-Control"] = f"public, max-age={max(0, min(status.CACHE_SECONDS, left))}"
    return response

"""Licence pages: the holder's licence page (online and offline QR, 亮证 code) and downloads
(PDF, signed JSON; their own only, logged), and the public verification pages — by the short
QR address (`/V/<token>`), by identifier (`licences:verify`) and by 亮证 code — which show the
masked licence, its status and whether its signature holds, log the look in the holder's use
log and are limited per client address (licences.presentation).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts.mandates import agent_actor
from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.accounts.space import spaces_for
from zhengwu.core import clock
from zhengwu.core.audit import Actor
from zhengwu.core.http import client_ip, private_attachment
from zhengwu.licences import presentation, selectors, services, status
from zhengwu.licences.export import licence_export_bytes
from zhengwu.licences.fields import labelled
from zhengwu.licences.models import Licence, LicenceStatus
from zhengwu.licences.pdf import licence_pdf

_IDENTIFIER_MAX = 120


def _holder(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required let only signed-in users through
    return user


def _holding(request: HttpRequest, identifier: str) -> tuple[Licence, User]:
    """A licence of the signed-in person's, or of an enterprise they represent (its legal
    representative opens its licences from its space: accounts.space), with the account that
    holds it; 404 for anyone else (never 403: whether a licence exists is not told to someone
    who does not hold it)."""
    for account in spaces_for(_holder(request)):
        licence = selectors.licence_of_holder(account, identifier[:_IDENTIFIER_MAX])
        if licence is not None:
            return licence, account
    raise Http404("证照不存在")


def _own(request: HttpRequest, identifier: str) -> Licence:
    return _holding(request, identifier)[0]


def _actor(request: HttpRequest, account: User) -> Actor:
    """The person acting, for the enterprise when it holds the licence."""
    user = _holder(request)
    return actor_for(user) if account.pk == user.pk else agent_actor(user, account)


@login_required
def licence_pdf_download(request: HttpRequest, identifier: str) -> HttpResponse:
    licence, account = _holding(request, identifier)
    services.licence_download_record(licence=licence, actor=_actor(request, account),
                                     what="pdf")
    return private_attachment(licence_pdf(licence), "application/pdf",
                       f"{licence.licence_type.name}-{licence.serial}-{licence.version:03d}.pdf")


@login_required
def licence_credential_download(request: HttpRequest, identifier: str) -> HttpResponse:
    licence, account = _holding(request, identifier)
    services.licence_download_record(licence=licence, actor=_actor(request, account),
                                     what="credential")
    return private_attachment(licence_export_bytes(licence), "application/json",
                       f"{licence.identifier}.json")


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(request, "licences/too_many.html", {"retry_after": retry_after},
                      status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _shown(request: HttpRequest, look: presentation.Look) -> HttpResponse:
    licence = look.licence
    response = render(request, "licences/verify.html", {
        "look": look, "licence": licence, "type": licence.licence_type,
        "department": licence.issuer_department,
        "fields": labelled(licence.licence_type.fields, licence.payload)
        if look.presented else []})
    response["Cache-Control"] = "private, no-store"
    return response


def _scan(request: HttpRequest, licence: Licence | None) -> HttpResponse:
    if licence is None:
        raise Http404("证照不存在")
    return _shown(request, presentation.licence_scan(licence))


def licence_verify(request: HttpRequest, identifier: str) -> HttpResponse:
    """证照核验 by identifier (the long address of the first printed licences)."""
    try:
        presentation.look_allow(client_ip(request))
    except presentation.TooManyLooks as refused:
        return _too_many(request, refused.retry_after)
    return _scan(request, selectors.licence_public(identifier[:_IDENTIFIER_MAX]))


def licence_verify_short(request: HttpRequest, token: str) -> HttpResponse:
    """证照核验 by the short address the QR code holds."""
    try:
        presentation.look_allow(client_ip(request))
    except presentation.TooManyLooks as refused:
        return _too_many(request, refused.retry_after)
    return _scan(request, presentation.licence_by_token(token))


@require_http_methods(["GET", "POST"])
def licence_present_check(request: HttpRequest, code: str = "") -> HttpResponse:
    """亮证码核验: the form (GET without a code), a typed code (POST) or the 亮证 QR (GET with
    the code in the address). Unknown, ended and expired codes get one answer."""
    typed = request.POST.get("code", "")[:32] if request.method == "POST" else code[:32]
    if not typed:
        return render(request, "licences/present_check.html", {"code": ""})
    try:
        presentation.look_allow(client_ip(request))
    except presentation.TooManyLooks as refused:
        return _too_many(request, refused.retry_after)
    look = presentation.present_code_use(typed)
    if look is None:
        return render(request, "licences/present_check.html", {
            "code": typed, "error": "亮证码无效或已过期（有效期 2 分钟），请持证人重新生成。"},
            status=404)
    return _shown(request, look)


def _holder_page(request: HttpRequest, licence: Licence,
                 code: presentation.PresentCode | None = None) -> HttpResponse:
    status = selectors.status_now(licence)
    compact = presentation.licence_compact_code(licence)
    context = {
        "licence": licence, "type": licence.licence_type,
        "department": licence.issuer_department,
        "fields": labelled(licence.licence_type.fields, licence.payload),
        "status_label": LicenceStatus(status).label, "status": status,
        "verify_url": presentation.verify_short_url(licence),
        "verify_qr": presentation.qr_inline(presentation.verify_qr_text(licence), "联网核验二维码"),
        "compact": compact, "compact_qr": presentation.compact_qr(compact).svg_inline(
            scale=2, title="离线核验二维码") if compact else "",
        "present": code, "present_seconds": presentation.PRESENT_SECONDS,
    }
    if code is not None:
        url = presentation.present_url(code.code)
        context.update({"present_url": url, "present_qr": presentation.qr_inline(url, "亮证二维码")})
    response = render(request, "licences/mine.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def licence_mine(request: HttpRequest, identifier: str) -> HttpResponse:
    """The holder's own licence: what it says, its two QR codes, and the 亮证 button."""
    return _holder_page(request, _own(request, identifier))


@login_required
@require_POST
def licence_present(request: HttpRequest, identifier: str) -> HttpResponse:
    """Make a 亮证 code (the holder only: 404 for anyone else) and show it once."""
    licence, account = _holding(request, identifier)
    if selectors.status_now(licence) != LicenceStatus.VALID:
        raise Http404("证照当前不可出示")
    code = presentation.present_code_create(user=account, licence=licence,
                                            actor=_actor(request, account))
    return _holder_page(request, licence, code)


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

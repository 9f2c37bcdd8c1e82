"""Small helpers for views."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

# Headers a reverse proxy adds: with them, REMOTE_ADDR is the proxy's address, not the client's.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def private_attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    """A download of a person's document (a notice PDF, a licence file): saved under `name`
    (RFC 6266, Chinese names kept) and never stored by a shared cache."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx made the request (django-htmx sets request.htmx)."""
    return bool(getattr(request, "htmx", False))


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind ZHENGWU_TRUSTED_PROXIES reverse proxies,
    the address the outermost trusted proxy saw (X-Forwarded-For, counted from the right so a
    client cannot forge its way past the proxies)."""
    from django.conf import settings

    proxies = int(getattr(settings, "ZHENGWU_TRUSTED_PROXIES", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return str(hops[-proxies])[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def is_loopback_client(request: HttpRequest) -> bool:
    """True when the client itself is on this machine. A reverse proxy on the same host makes
    every client look local: behind ZHENGWU_TRUSTED_PROXIES the forwarded address counts, and
    without trusted proxies a forwarded request is never taken for a local one."""
    from django.conf import settings

    proxies = int(getattr(settings, "ZHENGWU_TRUSTED_PROXIES", 0))
    if proxies == 0 and any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False

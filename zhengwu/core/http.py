"""Small helpers for views."""

from __future__ import annotations

from django.http import HttpRequest


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

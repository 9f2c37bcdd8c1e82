"""Small helpers for views."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx made the request (django-htmx sets request.htmx)."""
    return bool(getattr(request, "htmx", False))

"""Staff sessions end after ZHENGWU_STAFF_IDLE_SECONDS without a request (quality.md #16)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_staff", False):
            now = int(time.time())
            last = request.session.get("last_seen", now)
            if now - int(last) > settings.ZHENGWU_STAFF_IDLE_SECONDS:
                logout(request)
            elif now - int(last) >= 60 or "last_seen" not in request.session:
                # Minute resolution is enough for a 30-minute timeout, and most requests then
                # leave the session row alone (no write lock per page view on SQLite).
                request.session["last_seen"] = now
        return self.get_response(request)

"""Session rules for signed-in users (quality.md #16).

- SecondFactorMiddleware: someone who needs a second factor (accounts.selectors) is signed in
  only by a session that passed it; a password-only session (e.g. made by a library's login
  form) is ended and the person sent to the second step, or refused 401 on the API.
- StaffIdleTimeoutMiddleware: staff sessions end after ZHENGWU_STAFF_IDLE_SECONDS idle.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from zhengwu.accounts.backends import SECOND_FACTOR_BACKEND
from zhengwu.accounts.models import User
from zhengwu.accounts.selectors import second_factor_required

PENDING = "pending_second_factor_user"


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (isinstance(user, User) and user.is_authenticated
                and request.session.get(BACKEND_SESSION_KEY) != SECOND_FACTOR_BACKEND
                and second_factor_required(user)):
            user_id = user.pk
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "second_factor_required",
                                     "detail": "请先登录并完成双因素认证。"}, status=401)
            request.session[PENDING] = user_id
            return redirect("accounts:totp")
        return self.get_response(request)


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

"""Session rules for signed-in users (quality.md #16).

- SecondFactorMiddleware: someone who needs a second factor (accounts.selectors) is signed in
  only by a session that passed it; a password-only session (e.g. made by a library's login
  form) is ended and the person sent to the second step, or refused 401 on the API.
- StaffIdleTimeoutMiddleware: staff sessions end after ZHENGWU_STAFF_IDLE_SECONDS idle.
- PrivacyConsentMiddleware: an applicant who agreed to an older privacy notice is asked to
  agree to the current one (accounts.consent) before any other page, or refused 403 on the
  API; the notice, the consent page, signing out and closing the account stay open.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from zhengwu.accounts.backends import SECOND_FACTOR_BACKEND
from zhengwu.accounts.consent import consent_needed, notice_current
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


CONSENTED = "privacy_version_consented"
# Pages an applicant may still reach before agreeing (reading the notice, agreeing, leaving).
_OPEN_NAMES = ("accounts:privacy", "accounts:consent", "accounts:logout", "accounts:close")
_OPEN_PREFIXES = ("/static/", "/media/", "/api/v1/accounts/")


class PrivacyConsentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (isinstance(user, User) and user.is_authenticated and not user.is_staff
                and not request.path.startswith(_OPEN_PREFIXES)
                and request.path not in {reverse(name) for name in _OPEN_NAMES}):
            current = notice_current()
            if current is not None and request.session.get(CONSENTED) != current.version:
                if consent_needed(user, current):
                    if request.path.startswith("/api/"):
                        return JsonResponse({"code": "accounts.consent_required",
                                             "detail": "隐私政策已更新，请先阅读并同意新版本"
                                                       f"（{current.version}）。"}, status=403)
                    target = reverse("accounts:consent")
                    if request.method == "GET":
                        target += "?" + urlencode({"next": request.get_full_path()})
                    return redirect(target)
                request.session[CONSENTED] = current.version
        return self.get_response(request)

"""Sign-in pages: the password (username or mobile number), then the second step — a TOTP code
or a recovery code, or, for someone whose role requires TOTP and who has none yet, enrolment
(QR code, confirm a code, recovery codes shown once); TOTP set-up and new recovery codes.

Attempts are throttled by accounts.services (HTTP 429 with Retry-After; ADR 0011).
"""

from __future__ import annotations

from collections.abc import Callable

import segno
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts import selectors, services, sso
from zhengwu.accounts.backends import PASSWORD_BACKEND, SECOND_FACTOR_BACKEND
from zhengwu.accounts.forms import LoginForm, TotpForm
from zhengwu.accounts.middleware import PENDING
from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError
from zhengwu.core.http import client_ip

NEXT = "next_after_sign_in"


def next_target(request: HttpRequest) -> str:
    """Where `next` asks to go after an account page, if it is on this site; else "" (an
    open redirect would send a person signing in to a look-alike site)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _next_url(request: HttpRequest, user: User | None = None) -> str:
    target = next_target(request)
    if target:
        return target
    who = user if user is not None else request.user
    return "/staff/" if who.is_authenticated and who.is_staff else "/"


def _too_many(response: HttpResponse, retry_after: int) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(retry_after)
    return response


def _wait_message(seconds: int) -> str:
    return services.Throttled(seconds).message


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    retry_after = 0
    if request.method == "POST" and form.is_valid():
        attempt = services.password_sign_in(request, identifier=form.cleaned_data["username"],
                                            password=form.cleaned_data["password"],
                                            address=client_ip(request))
        user = attempt.user
        if attempt.retry_after:
            retry_after = attempt.retry_after
            form.add_error(None, _wait_message(retry_after))
        elif user is None:
            form.add_error(None, "用户名/手机号或密码错误。")
        elif selectors.second_factor_required(user):
            # Half signed in: nothing but the second step until it is passed.
            request.session.cycle_key()
            request.session[PENDING] = user.pk
            request.session[NEXT] = _next_url(request, user)
            return redirect("accounts:totp")
        else:
            login(request, user, backend=PASSWORD_BACKEND)  # rotates the session key
            return HttpResponseRedirect(_next_url(request))
    response = render(request, "accounts/login.html",
                      {"form": form, "next": request.GET.get("next", ""),
                       "sso": sso.sso_config()})
    return _too_many(response, retry_after) if retry_after else response


def _complete(request: HttpRequest, user: User) -> str:
    """Sign the user in as having passed the second step; where to go next."""
    target = str(request.session.get(NEXT) or ("/staff/" if user.is_staff else "/"))
    login(request, user, backend=SECOND_FACTOR_BACKEND)  # rotates the session key
    return target


@require_http_methods(["GET", "POST"])
def totp_view(request: HttpRequest) -> HttpResponse:
    """The second step: a code (or a recovery code); enrolment first when TOTP is required
    and not yet set up."""
    user_id = request.session.get(PENDING)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("accounts:login")
    if not user.totp_enabled:
        return _enrol(request, user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = services.second_factor_attempt(user=user, code=form.cleaned_data["code"])
        if attempt.retry_after:
            form.add_error("code", _wait_message(attempt.retry_after))
            return _too_many(render(request, "accounts/totp.html", {"form": form}),
                             attempt.retry_after)
        if attempt.user is not None:
            return HttpResponseRedirect(_complete(request, user))
        form.add_error("code", "验证码不正确。")
    return render(request, "accounts/totp.html", {"form": form})


def _enrol(request: HttpRequest, user: User) -> HttpResponse:
    """First sign-in of someone who must use TOTP: show the secret, confirm a code, then show
    the recovery codes once and go on."""
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _enrol_confirm(request, user, form, _enrol_page)
        if done is not None:
            return done
    elif not user.totp_secret:
        services.totp_begin(user=user)
    return _enrol_page(request, user, form)


def _enrol_confirm(request: HttpRequest, user: User, form: TotpForm,
                   page: Callable[[HttpRequest, User, TotpForm], HttpResponse],
                   ) -> HttpResponse | None:
    """Turn TOTP on with the code in `form`: the recovery codes, shown once, on success (the
    code just shown proves the second factor, so this session has passed it); a 429 page when
    throttled; None with the error on the form when the code is wrong."""
    try:
        codes = services.totp_enrol(user=user, code=form.cleaned_data["code"])
    except services.Throttled as error:
        form.add_error("code", error.message)
        return _too_many(page(request, user, form), error.retry_after)
    except DomainError as error:
        form.add_error("code", error.message)
        return None
    target = _complete(request, user)
    return render(request, "accounts/recovery_codes.html",
                  {"codes": codes, "next": target, "first": True})


def _enrol_page(request: HttpRequest, user: User, form: TotpForm) -> HttpResponse:
    return render(request, "accounts/totp_setup.html",
                  {"form": form, "qr_svg": _qr(user), "secret": user.totp_secret,
                   "enabled": False, "required": True})


def _qr(user: User) -> str:
    return str(segno.make(services.totp_uri(user), error="m").svg_inline(scale=4))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("/")


@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    """TOTP for staff who choose it (required roles enrol at sign-in)."""
    user = request.user
    assert isinstance(user, User)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and not user.totp_enabled:
        if form.is_valid():
            done = _enrol_confirm(request, user, form, _setup_page)
            if done is not None:
                return done
    elif not user.totp_enabled and not user.totp_secret:
        services.totp_begin(user=user)
    return _setup_page(request, user, form)


def _setup_page(request: HttpRequest, user: User, form: TotpForm) -> HttpResponse:
    qr_svg = "" if user.totp_enabled else _qr(user)
    return render(request, "accounts/totp_setup.html",
                  {"form": form, "qr_svg": qr_svg, "secret": user.totp_secret,
                   "enabled": user.totp_enabled,
                   "codes_left": user.recovery_codes.filter(used_at__isnull=True).count(),
                   "sso": sso.sso_config() if user.is_staff_user else None})


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """A new set of recovery codes (the old ones stop working), shown once."""
    user = request.user
    assert isinstance(user, User)
    if not user.totp_enabled:
        return redirect("accounts:totp_setup")
    codes = services.recovery_codes_new(user=user)
    return render(request, "accounts/recovery_codes.html",
                  {"codes": codes, "next": "/staff/" if user.is_staff else "/", "first": False})

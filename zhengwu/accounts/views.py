"""Sign-in pages: password (username or mobile number), then TOTP when enabled; TOTP set-up."""

from __future__ import annotations

import segno
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts import services
from zhengwu.accounts.forms import LoginForm, TotpForm
from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError

PENDING = "pending_totp_user"


def _next_url(request: HttpRequest, user: User | None = None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    who = user if user is not None else request.user
    return "/staff/" if who.is_authenticated and who.is_staff else "/"


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"],
                            password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, "用户名/手机号或密码错误；连续失败5次将锁定15分钟。")
        elif isinstance(user, User) and user.totp_enabled:
            request.session[PENDING] = user.pk
            request.session["next"] = _next_url(request, user)
            return redirect("accounts:totp")
        else:
            login(request, user)  # rotates the session key
            return HttpResponseRedirect(_next_url(request))
    return render(request, "accounts/login.html",
                  {"form": form, "next": request.GET.get("next", "")})


@require_http_methods(["GET", "POST"])
def totp_view(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return redirect("accounts:login")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.login_is_locked(user):
            # Wrong codes count as failed sign-ins; a locked account is refused even the right code.
            form.add_error("code", "连续验证失败次数过多，账号已锁定15分钟，请稍后再试。")
        elif services.totp_check(user, form.cleaned_data["code"]):
            target = request.session.get("next", "/staff/")
            services.login_succeeded(user=user)
            login(request, user, backend="zhengwu.accounts.backends.UsernameOrPhoneBackend")
            return HttpResponseRedirect(target)
        else:
            services.login_failed(user=user)
            form.add_error("code", "验证码不正确。")
    return render(request, "accounts/totp.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("/")


@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = TotpForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.totp_confirm(user=user, code=form.cleaned_data["code"])
            except DomainError as error:
                form.add_error("code", error.message)
            else:
                return render(request, "accounts/totp_setup.html", {"done": True})
    elif not user.totp_enabled:
        services.totp_begin(user=user)
    qr_svg = ""
    if user.totp_secret and not user.totp_enabled:
        qr_svg = segno.make(services.totp_uri(user), error="m").svg_inline(scale=4)
    return render(request, "accounts/totp_setup.html",
                  {"form": form, "qr_svg": qr_svg, "secret": user.totp_secret,
                   "enabled": user.totp_enabled})

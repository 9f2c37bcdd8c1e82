"""Pages for people's own accounts: sign-up, password reset, change of mobile number, closing,
the privacy notice and the consent to a new version of it.

Each form page has two kinds of button: "获取验证码" (name="action", value="send_code" — or
send_old / send_new on the change of phone) sends a code and shows the page again with
everything typed kept (never a password); the main button does the act. The rules are in
accounts.signup, accounts.closing and accounts.consent; a refused field gets the service's
message beside it. Throttled requests answer 429 with Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zhengwu.accounts import closing, consent, signup
from zhengwu.accounts.backends import PASSWORD_BACKEND
from zhengwu.accounts.forms import (
    CloseForm,
    ConsentForm,
    PasswordResetForm,
    PhoneChangeForm,
    ServiceForm,
    SignupForm,
)
from zhengwu.accounts.middleware import CONSENTED
from zhengwu.accounts.models import CodePurpose, User
from zhengwu.accounts.phone_codes import Sent
from zhengwu.accounts.services import Throttled, actor_for
from zhengwu.accounts.views import next_target
from zhengwu.core.errors import DomainError
from zhengwu.core.http import client_ip


class _Outcome:
    """What a form page's POST came to: a page status and a Retry-After, if throttled."""

    def __init__(self) -> None:
        self.status = 200
        self.retry_after = 0
        self.sent: Sent | None = None


def _attempt(form: ServiceForm, outcome: _Outcome, act: Callable[[], Any],
             phone_field: str = "phone") -> Any:
    """Run a service call for the form: its refusals become form errors (a bad number on
    `phone_field`), a throttle a 429. Returns the call's result, or None when refused."""
    try:
        return act()
    except signup.FormInvalid as error:
        form.refuse(error.fields)
    except Throttled as error:
        form.add_error(None, error.message)
        outcome.status, outcome.retry_after = 429, error.retry_after
    except DomainError as error:
        if error.code == "accounts.phone_invalid":
            form.refuse({phone_field: error.message})
        else:
            form.add_error(None, error.message)
    return None


def _render(request: HttpRequest, template: str, context: dict[str, Any],
            outcome: _Outcome) -> HttpResponse:
    # Step 2 (the code and the rest) once a code was sent, or asked for (?step=2: "I have a
    # code"); step 1 has only what sending needs, so Enter there can only send a code.
    step2 = (outcome.sent is not None or request.POST.get("step") == "2"
             or request.GET.get("step") == "2")
    response = render(request, template, {**context, "sent": outcome.sent, "step2": step2},
                      status=outcome.status)
    if outcome.retry_after:
        response["Retry-After"] = str(outcome.retry_after)
    return response


def _send(request: HttpRequest, form: ServiceForm, outcome: _Outcome, purpose: str, *,
          phone: str = "", phone_field: str = "phone") -> None:
    user = request.user if isinstance(request.user, User) else None
    outcome.sent = _attempt(form, outcome, lambda: signup.code_request(
        purpose=purpose, phone=phone, user=user, address=client_ip(request)),
        phone_field=phone_field)


@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("/")
    notice = consent.notice_current()
    form = SignupForm(request.POST or None)
    outcome = _Outcome()
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send_code":
            _send(request, form, outcome, CodePurpose.SIGNUP, phone=form.value("phone"))
        else:
            version = request.POST.get("notice_version", "") if form.cleaned_data["consent"] \
                else ""
            user = _attempt(form, outcome, lambda: signup.signup(
                phone=form.value("phone"), code=form.value("code"),
                password=form.cleaned_data.get("password") or "",
                display_name=form.value("display_name"), consent_version=version,
                address=client_ip(request)))
            if user is not None:
                login(request, user, backend=PASSWORD_BACKEND)  # rotates the session key
                if notice is not None:
                    request.session[CONSENTED] = notice.version
                return redirect("accounts:signup_done")
    return _render(request, "accounts/signup.html", {"form": form, "notice": notice}, outcome)


@login_required
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(request.POST or None)
    outcome = _Outcome()
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send_code":
            _send(request, form, outcome, CodePurpose.RESET, phone=form.value("phone"))
        else:
            user = _attempt(form, outcome, lambda: signup.password_reset(
                phone=form.value("phone"), code=form.value("code"),
                password=form.cleaned_data.get("password") or "", address=client_ip(request)))
            if user is not None:
                if request.user.is_authenticated:
                    logout(request)
                messages.success(request, "密码已重置，其他设备上的登录已失效。请用新密码登录。")
                return redirect("accounts:login")
    return _render(request, "accounts/password_reset.html", {"form": form}, outcome)


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_http_methods(["GET", "POST"])
def phone_change(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    form = PhoneChangeForm(request.POST or None)
    outcome = _Outcome()
    action = request.POST.get("action")
    context_extra: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        if action == "send_codes":
            # Both numbers at once; the new one first, as a wrong new number is the likely
            # mistake, and nothing goes to the old number until the new one is accepted.
            _send(request, form, outcome, CodePurpose.NEW_PHONE, phone=form.value("new_phone"),
                  phone_field="new_phone")
            if outcome.sent is not None:
                new_sent = outcome.sent
                _send(request, form, outcome, CodePurpose.OLD_PHONE)
                sent_old = outcome.sent
                outcome.sent = new_sent
                context_extra["sent_old"] = sent_old
        else:
            changed = _attempt(form, outcome, lambda: signup.phone_change(
                user=user, password=form.cleaned_data.get("password") or "",
                new_phone=form.value("new_phone"), old_code=form.value("old_code"),
                new_code=form.value("new_code"), address=client_ip(request)),
                phone_field="new_phone")
            if changed is not None:
                messages.success(request, "手机号已更换，今后请用新手机号登录；原号码已收到通知。")
                return redirect("accounts:phone_change")
    return _render(request, "accounts/phone_change.html", {"form": form, **context_extra},
                   outcome)


@login_required
@require_http_methods(["GET", "POST"])
def close_account(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    notice = consent.notice_current()
    form = CloseForm(request.POST or None)
    outcome = _Outcome()
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send_code":
            _send(request, form, outcome, CodePurpose.CLOSE)
        elif not form.cleaned_data["confirm"]:
            form.refuse({"confirm": "请确认您已了解注销的后果。"})
        else:
            done = _attempt(form, outcome, lambda: closing.account_close(
                user=user, password=form.cleaned_data.get("password") or "",
                code=form.value("code"), address=client_ip(request)))
            if done:
                logout(request)
                return render(request, "accounts/closed.html", {"notice": notice})
    return _render(request, "accounts/close.html",
                   {"form": form, "notice": notice,
                    "blockers": closing.closure_blockers(user)}, outcome)


def privacy(request: HttpRequest) -> HttpResponse:
    """The current privacy notice, public; the earlier versions listed."""
    notice = consent.notice_current()
    return render(request, "accounts/privacy.html",
                  {"notice": notice, "versions": consent.notices_since(None)})


def _next(request: HttpRequest) -> str:
    return next_target(request) or "/"


@login_required
@require_http_methods(["GET", "POST"])
def consent_view(request: HttpRequest) -> HttpResponse:
    """Agree to the current notice: what changed since the version last agreed to."""
    user = _me(request)
    notice = consent.notice_current()
    if notice is None:
        return redirect("/")
    form = ConsentForm(request.POST or None, initial={"version": notice.version})
    if request.method == "POST" and form.is_valid():
        try:
            consent.consent_record(user=user, version=form.cleaned_data["version"],
                                   actor=actor_for(user))
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            request.session[CONSENTED] = notice.version
            messages.success(request, f"您已同意隐私政策（{notice.version}）。")
            return HttpResponseRedirect(_next(request))
    agreed = consent.consented_version(user)
    return render(request, "accounts/consent.html", {
        "form": form, "notice": notice, "next": _next(request), "first": agreed is None,
        "changed": consent.notices_since(agreed),
        "privacy_url": reverse("accounts:privacy")})

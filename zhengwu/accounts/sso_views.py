"""Single sign-on pages (accounts.sso): the redirect to the identity platform, its callback,
and the staff member's own page where they link their identity there.

The callback signs in only an answer to an authorization request made in this same session
(its `state`, spent once), redeemed with that request's PKCE verifier, whose ID token carries
that request's nonce. Staff who need a second factor are then only half signed in, exactly as
after a password (accounts.views). Failed callbacks are throttled per address (ADR 0011).
When single sign-on is not configured every page here answers 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from zhengwu.accounts import selectors, services, sso, throttle
from zhengwu.accounts.backends import SSO_BACKEND
from zhengwu.accounts.forms import LoginForm
from zhengwu.accounts.middleware import PENDING
from zhengwu.accounts.models import User
from zhengwu.accounts.views import NEXT
from zhengwu.core.errors import DomainError
from zhengwu.core.http import client_ip

# Session keys: the states of link requests (state → the staff member's id), and the page to
# go to after sign-in (kept by mozilla-django-oidc, already checked to be on this site).
LINK_STATES = "sso_link_states"
LIBRARY_NEXT = "oidc_login_next"


def _config() -> sso.SsoConfig:
    config = sso.sso_config()
    if config is None:
        raise Http404("未启用统一身份认证登录。")
    return config


def _enabled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 before anything else (sign-in redirects included) when SSO is not configured."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _config()
        return view(request, *args, **kwargs)

    return wrapped


def _refusal(request: HttpRequest, message: str, status: int,
             retry_after: int = 0) -> HttpResponse:
    """The sign-in page with why single sign-on did not sign anyone in."""
    response = render(request, "accounts/login.html",
                      {"form": LoginForm(), "next": "", "sso_error": message,
                       "sso": sso.sso_config()}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _start(request: HttpRequest, config: sso.SsoConfig) -> tuple[HttpResponse, str]:
    """The redirect to the provider and its state; the refusal page and "" when the provider
    cannot be used."""
    try:
        metadata = sso.provider_metadata(config)
    except sso.SsoUnavailable as error:
        return _refusal(request, error.message, error.http_status), ""
    return sso.authorization_redirect(request, config, metadata)


@_enabled
@require_GET
def sso_login(request: HttpRequest) -> HttpResponse:
    """To the identity platform's sign-in (`?next=` kept when it is a page of this site)."""
    config = _config()
    return _start(request, config)[0]


@_enabled
@login_required
@require_GET
def sso_page(request: HttpRequest) -> HttpResponse:
    """The signed-in person's link to the identity platform: staff link theirs here."""
    config = _config()
    user = request.user
    assert isinstance(user, User)
    return render(request, "accounts/sso.html",
                  {"sso": config, "link": selectors.external_identity(user, config.issuer)})


@_enabled
@login_required
@require_POST
def sso_link(request: HttpRequest) -> HttpResponse:
    """A staff member, signed in here, signs in at the identity platform to link that
    identity to their account."""
    config = _config()
    user = request.user
    assert isinstance(user, User)
    if not user.is_staff_user:
        return _refusal(request, "只有工作人员需要手动关联统一身份认证账户；"
                                 "办事群众使用统一身份认证登录时按已核验的身份证号自动关联。", 403)
    response, state = _start(request, config)
    if state:
        links = dict(request.session.get(LINK_STATES) or {})
        links[state] = user.pk
        request.session[LINK_STATES] = links
    return response


@_enabled
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    config = _config()
    address = client_ip(request)
    verdict = throttle.attempt((services.SSO_ADDRESS_RULE, address))
    if not verdict.allowed:
        return _refusal(request, services.Throttled(verdict.retry_after).message, 429,
                        verdict.retry_after)
    states = dict(request.session.get("oidc_states") or {})
    state = request.GET.get("state", "")
    entry = states.pop(state, None)
    links = dict(request.session.get(LINK_STATES) or {})
    link_user_id = links.pop(state, None)
    if entry is not None:
        # Spent now, whatever happens next: a state answers one callback only.
        request.session["oidc_states"] = states
        request.session[LINK_STATES] = links
    if entry is None or not isinstance(entry, dict):
        return _refusal(request, "登录请求无效或已过期，请重新登录。", 400)
    if request.GET.get("error") or not request.GET.get("code"):
        return _refusal(request, f"未在{config.display_name}完成登录授权。", 403)
    try:
        metadata = sso.provider_metadata(config)
        identity = sso.callback_identity(request, config, metadata, nonce=entry.get("nonce") or "",
                                         code_verifier=entry.get("code_verifier"))
        if link_user_id is not None:
            return _linked(request, config, identity, link_user_id)
        user = services.sso_sign_in(identity=identity)
    except DomainError as error:
        return _refusal(request, error.message, error.http_status)
    throttle.release(services.SSO_ADDRESS_RULE, address)
    target = str(request.session.pop(LIBRARY_NEXT, None)
                 or ("/staff/" if user.is_staff else "/"))
    if selectors.second_factor_required(user):
        # Half signed in, as after a password: nothing but the second step until it is passed.
        request.session.cycle_key()
        request.session[PENDING] = user.pk
        request.session[NEXT] = target
        return redirect("accounts:totp")
    login(request, user, backend=SSO_BACKEND)  # rotates the session key
    return HttpResponseRedirect(target)


def _linked(request: HttpRequest, config: sso.SsoConfig, identity: sso.VerifiedIdentity,
            user_id: int) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or user.pk != user_id:
        return _refusal(request, "关联请求与当前登录的账号不符，请重新登录后再关联。", 403)
    services.sso_link(user=user, identity=identity)
    throttle.release(services.SSO_ADDRESS_RULE, client_ip(request))
    return redirect("accounts:sso")

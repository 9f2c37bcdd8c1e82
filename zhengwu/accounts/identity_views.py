"""Pages of 实名认证 (accounts:verify), 授权管理 (accounts:authorizations) and, for window
clerks, 柜面核验 (accounts:window_verify) and the check of a signed 授权委托书.

Plain server-rendered forms; the rules are in accounts.identity and accounts.mandates.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts import consent, mandates
from zhengwu.accounts.identity import (
    identity_verify,
    identity_verify_in_person,
    window_account_open,
)
from zhengwu.accounts.identity_forms import (
    GrantForm,
    RequestForm,
    VerifyForm,
    WindowVerifyForm,
    field_for,
)
from zhengwu.accounts.levels import FILE, level_refusal
from zhengwu.accounts.models import Authorization, RealNameLevel, User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.selectors import user_has_role
from zhengwu.accounts.services import Throttled
from zhengwu.accounts.views import next_target
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.http import client_ip
from zhengwu.core.masking import mask_citizen_id


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _next(request: HttpRequest) -> str:
    return next_target(request)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """实名认证: the account's level, and for a person below L2 the form to verify online."""
    user = _user(request)
    if user.kind == UserKind.STAFF:
        raise PermissionDenied("工作人员账号无需实名认证。")
    can_verify = user.kind == UserKind.PERSON and user.realname_level < RealNameLevel.IDENTITY
    form = VerifyForm(request.POST if request.method == "POST" else None,
                      initial={"name": user.display_name})
    status = 200
    if request.method == "POST" and can_verify and form.is_valid():
        try:
            identity_verify(user=user, name=form.cleaned_data["name"],
                            id_number=form.cleaned_data["id_number"],
                            address=client_ip(request))
        except Throttled as error:
            form.add_error(None, error.message)
            status = 429
        except DomainError as error:
            form.add_error(field_for(form, error.code), error.message)
            status = error.http_status if error.http_status == 503 else 200
        else:
            messages.success(request, "实名认证成功：您的账号已达到“L2 身份已核验”，可以网上申请办件。")
            return redirect(_next(request) or reverse("accounts:verify"))
    response = render(request, "accounts/verify.html", {
        "form": form, "can_verify": can_verify, "account": user,
        "level": RealNameLevel(user.realname_level).label,
        "masked_id": mask_citizen_id(user.citizen_id) if user.citizen_id else "",
        "file_refusal": level_refusal(user, FILE), "next": _next(request)})
    response.status_code = status
    if status == 429:
        response["Retry-After"] = "3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def window_verify(request: HttpRequest) -> HttpResponse:
    """柜面核验: a window clerk records the identity on the ID card shown in person."""
    clerk = _user(request)
    if not user_has_role(clerk, Role.WINDOW_CLERK):
        raise PermissionDenied("仅窗口人员可以当面核验身份。")
    form = WindowVerifyForm(request.POST if request.method == "POST" else None)
    notice = consent.notice_current()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The version the clerk's page showed is the one signed; a newer one published
        # meanwhile is refused by the service (accounts.notice_outdated).
        shown = request.POST.get("notice_version") or (notice.version if notice else "")
        version = shown if data["paper_consent"] else None
        account = User.objects.filter(phone=data["account_phone"].strip(),
                                      is_active=True).exclude(kind=UserKind.STAFF).first()
        try:
            if account is None and data["open_account"]:
                account = window_account_open(clerk=clerk, phone=data["account_phone"],
                                              name=data["name"], id_number=data["id_number"],
                                              paper_consent_version=version or "",
                                              card_prevails=data["card_prevails"])
                done = f"已为申请人开户（{account.phone}）并登记身份和书面同意，核验人：{clerk}。" \
                       "请告知申请人用“找回密码”设置登录密码。"
            elif account is None:
                form.add_error("account_phone", "未找到使用该手机号注册的个人账号；"
                                                "如需为申请人开户，请勾选“为申请人开户”。")
                done = ""
            else:
                identity_verify_in_person(clerk=clerk, account=account, name=data["name"],
                                          id_number=data["id_number"],
                                          paper_consent_version=version,
                                          card_prevails=data["card_prevails"])
                done = f"已为账号（{account.phone}）登记身份" + ("和书面同意" if version else "") \
                    + f"，核验人：{clerk}。"
        except DomainError as error:
            form.add_error(field_for(form, error.code), error.message)
        else:
            if done:
                messages.success(request, done)
                return redirect("accounts:window_verify")
    return render(request, "accounts/window_verify.html", {"form": form, "notice": notice})


def _authorization_rows(rows: list[Authorization]) -> list[dict[str, object]]:
    today = clock.today()
    return [{"a": a, "status": mandates.status_label(a, today),
             "pending": a.revoked_at is None and a.confirmed_at is None
             and a.confirmation == "online",
             "active": a.revoked_at is None and a.ends_on >= today} for a in rows]


@login_required
@require_http_methods(["GET", "POST"])
def authorizations(request: HttpRequest) -> HttpResponse:
    """授权管理: given (by the account, or by the enterprises it is legal representative of) and
    received; grant, ask, confirm, revoke."""
    user = _user(request)
    if user.kind == UserKind.STAFF:
        raise PermissionDenied("工作人员账号没有授权管理。")
    principals = list(mandates.represented(user))
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "")
    today = clock.today()
    defaults = {"starts_on": today, "ends_on": today.replace(year=today.year + 1)
                if not (today.month == 2 and today.day == 29) else today}
    grant = GrantForm(post if action == "grant" else None,
                      initial={**defaults, "principal": str(user.pk)}, principals=principals)
    ask = RequestForm(post if action == "request" else None,
                      request.FILES if action == "request" else None, initial=defaults)
    if action == "grant" and grant.is_valid():
        try:
            mandates.authorization_grant(
                user=user, principal=grant.chosen_principal(),
                agent_phone=grant.cleaned_data["agent_phone"],
                scope_all=grant.cleaned_data["scope_all"], item_codes=grant.codes,
                starts_on=grant.cleaned_data["starts_on"], ends_on=grant.cleaned_data["ends_on"])
        except DomainError as error:
            grant.add_error(field_for(grant, error.code), error.message)
        else:
            messages.success(request, "已授权经办人。")
            return redirect("accounts:authorizations")
    if action == "request" and ask.is_valid():
        principal = mandates.principal_lookup(ask.cleaned_data["principal_identifier"])
        if principal is None or principal.pk == user.pk:
            ask.add_error("principal_identifier", "未找到该委托人的账号，请核对手机号或统一社会信用代码。")
        else:
            try:
                mandates.authorization_request(
                    agent=user, principal=principal, scope_all=ask.cleaned_data["scope_all"],
                    item_codes=ask.codes, starts_on=ask.cleaned_data["starts_on"],
                    ends_on=ask.cleaned_data["ends_on"], letter=ask.cleaned_data.get("letter"),
                    letter_reference=ask.cleaned_data.get("letter_reference") or "")
            except DomainError as error:
                ask.add_error(field_for(ask, error.code), error.message)
            else:
                messages.success(request, "已提交授权申请：上传了委托书的可立即使用（窗口受理时核验原件），"
                                          "否则请委托人在其“授权管理”页面确认。")
                return redirect("accounts:authorizations")
    return render(request, "accounts/authorizations.html", {
        "given": _authorization_rows(list(mandates.authorizations_given(user))),
        "received": _authorization_rows(list(mandates.authorizations_received(user))),
        "grant": grant, "ask": ask if user.kind == UserKind.PERSON else None, "can_grant": bool(principals) and (
            user.kind == UserKind.ENTERPRISE or user.realname_level >= RealNameLevel.IDENTITY),
        "file_refusal": level_refusal(user, FILE)})


@login_required
@require_POST
def authorization_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        mandates.authorization_confirm(user=_user(request), authorization_id=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已确认授权。")
    return redirect("accounts:authorizations")


@login_required
@require_POST
def authorization_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        mandates.authorization_revoke(user=_user(request), authorization_id=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已撤销授权：此后不能再以该授权申请，已提交的办件不受影响。")
    return redirect("accounts:authorizations")


def _may_see_letter(user: User, authorization: Authorization) -> bool:
    return (mandates.speaks_for(user, authorization.principal)
            or user.pk == authorization.agent_id
            or user_has_role(user, Role.WINDOW_CLERK)
            or user_has_role(user, Role.CHIEF_REPRESENTATIVE))


@login_required
def authorization_letter(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded 授权委托书: for the principal's side, the agent and window staff."""
    authorization = get_object_or_404(Authorization.objects.select_related("principal"), pk=pk)
    if not authorization.letter or not _may_see_letter(_user(request), authorization):
        raise PermissionDenied("无权查看该授权委托书。")
    # Served as what its content is; anything else (stored before letters were judged by
    # content) only as a download, never rendered by the browser.
    content_type = mandates.letter_content_type(authorization)
    return FileResponse(authorization.letter.open("rb"), as_attachment=content_type is None,
                        content_type=content_type or "application/octet-stream",
                        filename=authorization.letter.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def authorization_letter_check(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """The window checked the original 授权委托书: cases filed through it may be accepted."""
    try:
        mandates.authorization_letter_check(clerk=_user(request), authorization_id=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "授权委托书已核验，可以受理。")
    return redirect(_next(request) or reverse("staff:workbench"))

"""The accounts JSON API (`/api/v1/accounts/…`): SMS codes, sign-up, password reset, the
privacy notice and consent, change of mobile number, closing an account.

Anonymous operations (codes for sign-up and reset, reset, the notice) take no session; the
`me/…` ones are the signed-in caller's own (session + CSRF, like every write of the API).
Sign-up opens a session, so it is CSRF-checked too although anonymous: otherwise another site
could sign a visitor's browser into an account it controls (login CSRF). The token comes with
the privacy notice, which a client reads first for the version it agrees to.
Rules are in accounts.signup, accounts.closing and accounts.consent; a refusal is
`{"code", "detail"}` with 4xx (config/api.py), a throttle 429 with Retry-After.
"""

# No `from __future__ import annotations`: ninja reads the annotations at import.

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.contrib.auth import login, logout
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth
from ninja.utils import check_csrf

from zhengwu.accounts import closing, consent, signup
from zhengwu.accounts.backends import PASSWORD_BACKEND
from zhengwu.accounts.middleware import CONSENTED
from zhengwu.accounts.models import PrivacyNotice, User
from zhengwu.accounts.phone_codes import Sent
from zhengwu.accounts.services import Throttled, actor_for
from zhengwu.core.http import client_ip

router = Router(tags=["accounts"])

_TOO_MANY = {429: {"description": "请求过于频繁：`Retry-After` 秒后再试。"}}

Phone = Field(..., max_length=20, description="中国大陆11位手机号", examples=["13800000009"])
Code = Field(..., max_length=6, description="短信验证码（6位数字）", examples=["123456"])
Password = Field(..., max_length=128, description="密码：至少8位，不能全是数字或常见密码")


class CodeIn(Schema):
    purpose: Literal["signup", "reset"] = Field(..., description="signup 注册；reset 找回密码")
    phone: str = Phone


class MyCodeIn(Schema):
    purpose: Literal["old_phone", "new_phone", "close"] = Field(
        ..., description="old_phone 原手机号；new_phone 新手机号（须填 phone）；close 注销账号")
    phone: str = Field("", max_length=20, description="新手机号（仅 new_phone）")


class SentOut(Schema):
    detail: str
    masked_phone: str
    expires_in: int = Field(..., description="验证码有效秒数")
    resend_after: int = Field(..., description="多少秒后可重新获取")


class SignupIn(Schema):
    phone: str = Phone
    code: str = Code
    password: str = Password
    display_name: str = Field(..., max_length=50, description="姓名")
    privacy_version: str = Field(..., max_length=32,
                                 description="所同意的隐私政策版本（须为当前版本）")


class AccountOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str | None
    kind: str
    realname_level: int
    realname_level_label: str


class ResetIn(Schema):
    phone: str = Phone
    code: str = Code
    password: str = Password


class DoneOut(Schema):
    detail: str


class PhoneChangeIn(Schema):
    password: str = Field(..., max_length=128, description="当前密码")
    new_phone: str = Phone
    old_code: str = Field(..., max_length=6, description="原手机号收到的验证码")
    new_code: str = Field(..., max_length=6, description="新手机号收到的验证码")


class CloseIn(Schema):
    password: str = Field(..., max_length=128, description="当前密码")
    code: str = Code


class AccountNoticeOut(Schema):
    version: str
    title: str
    body: str
    changes: str
    closure: str = Field(..., description="注销账号后保留哪些信息、保存多久")
    published_at: dt.datetime


class ConsentIn(Schema):
    version: str = Field(..., max_length=32, description="所同意的隐私政策版本（须为当前版本）")


class ConsentOut(Schema):
    version: str
    at: dt.datetime


def _too_many(error: Throttled) -> JsonResponse:
    response = JsonResponse({"code": error.code, "detail": error.message}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def _throttled(act: Callable[[], Any]) -> Any:
    try:
        return act()
    except Throttled as error:
        return _too_many(error)


def _sent(sent: Any) -> Any:
    if not isinstance(sent, Sent):
        return sent  # the 429 response
    return {"detail": f"如号码可用，验证码已发送至 {sent.masked_phone}。",
            "masked_phone": sent.masked_phone, "expires_in": sent.expires_in,
            "resend_after": sent.resend_after}


def _account(user: User) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "display_name": user.display_name,
            "phone": user.phone, "kind": user.kind, "realname_level": user.realname_level,
            "realname_level_label": user.get_realname_level_display()}


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # django_auth let only signed-in users through
    return user


@router.post("/codes", response={202: SentOut}, auth=None, openapi_extra={"responses": _TOO_MANY})
def request_code(request: HttpRequest, body: CodeIn) -> Any:
    """短信验证码（注册、找回密码）。号码是否已注册，回答都一样；每个号码60秒一条、每天有上限。"""
    result = _throttled(lambda: signup.code_request(
        purpose=body.purpose, phone=body.phone, user=None, address=client_ip(request)))
    return Status(202, _sent(result)) if isinstance(result, Sent) else result


@router.post("/me/codes", response={202: SentOut}, auth=django_auth,
             openapi_extra={"responses": _TOO_MANY})
def request_my_code(request: HttpRequest, body: MyCodeIn) -> Any:
    """本人的短信验证码：原手机号、新手机号（更换手机号）、注销账号。"""
    result = _throttled(lambda: signup.code_request(
        purpose=body.purpose, phone=body.phone, user=_me(request), address=client_ip(request)))
    return Status(202, _sent(result)) if isinstance(result, Sent) else result


_CSRF_REFUSED = {403: {"description": "CSRF 校验失败：请求须带 X-CSRFToken 请求头（令牌随 "
                                        "GET /api/v1/accounts/privacy 的 csrftoken Cookie 下发）"}}


@router.post("/signup", response={201: AccountOut}, auth=None,
             openapi_extra={"responses": {**_TOO_MANY, **_CSRF_REFUSED}})
def sign_up(request: HttpRequest, body: SignupIn) -> Any:
    """注册个人账号（L1 手机号已验证），同意当前隐私政策，并登录。会建立登录会话，因此与其他写操作一样
    须带 CSRF 令牌（`X-CSRFToken` 请求头；令牌见 GET /privacy 下发的 csrftoken Cookie）。"""
    if check_csrf(request) is not None:
        # Before the code is looked at: a forged request spends nothing of the person's.
        raise HttpError(403, "CSRF check Failed")
    result = _throttled(lambda: signup.signup(
        phone=body.phone, code=body.code, password=body.password,
        display_name=body.display_name, consent_version=body.privacy_version,
        address=client_ip(request)))
    if not isinstance(result, User):
        return result
    login(request, result, backend=PASSWORD_BACKEND)
    request.session[CONSENTED] = body.privacy_version
    return Status(201, _account(result))


@router.post("/password/reset", response=DoneOut, auth=None,
             openapi_extra={"responses": _TOO_MANY})
def reset_password(request: HttpRequest, body: ResetIn) -> Any:
    """用短信验证码重设密码；其他设备上的登录随之失效。"""
    result = _throttled(lambda: signup.password_reset(
        phone=body.phone, code=body.code, password=body.password, address=client_ip(request)))
    if not isinstance(result, User):
        return result
    return {"detail": "密码已重置，请用新密码登录。"}


@router.get("/privacy", response=AccountNoticeOut, auth=None)
def current_privacy_notice(request: HttpRequest) -> PrivacyNotice:
    """当前隐私政策（个人信息处理规则）。同时下发 csrftoken Cookie，供注册（POST /signup）使用。"""
    get_token(request)  # the CSRF cookie, set on the response by the CSRF middleware
    notice = consent.notice_current()
    if notice is None:
        raise PrivacyNotice.DoesNotExist
    return notice


@router.post("/me/consent", response=ConsentOut, auth=django_auth)
def give_consent(request: HttpRequest, body: ConsentIn) -> dict[str, Any]:
    """同意当前版本的隐私政策（版本更新后须重新同意）。"""
    user = _me(request)
    record = consent.consent_record(user=user, version=body.version, actor=actor_for(user))
    request.session[CONSENTED] = body.version
    return {"version": body.version, "at": record.at}


@router.post("/me/phone", response=AccountOut, auth=django_auth,
             openapi_extra={"responses": _TOO_MANY})
def change_phone(request: HttpRequest, body: PhoneChangeIn) -> Any:
    """更换手机号：当前密码，原号码和新号码各一个验证码；新号码须未被使用。"""
    result = _throttled(lambda: signup.phone_change(
        user=_me(request), password=body.password, new_phone=body.new_phone,
        old_code=body.old_code, new_code=body.new_code, address=client_ip(request)))
    return _account(result) if isinstance(result, User) else result


@router.post("/me/close", response=DoneOut, auth=django_auth,
             openapi_extra={"responses": _TOO_MANY})
def close_account(request: HttpRequest, body: CloseIn) -> Any:
    """注销本人账号：当前密码和短信验证码；有办理中的办件时拒绝（409）。"""
    result = _throttled(lambda: closing.account_close(
        user=_me(request), password=body.password, code=body.code,
        address=client_ip(request)))
    if not isinstance(result, User):
        return result
    logout(request)
    return {"detail": "账号已注销。已办理的办件及其档案按规定保存。"}

"""The JSON API of 实名认证 and 授权管理 (`/api/v1/accounts/identity`, `/api/v1/accounts/
authorizations…`): the caller's own identity and authorizations only. Errors are
{"code","detail"} (config/api.py); the rules are in accounts.identity and accounts.mandates.
The signed 授权委托书 is uploaded to a request with multipart/form-data
(`POST …/authorizations/{id}/letter`); everything else is JSON.
"""

# No `from __future__ import annotations`: ninja reads the annotations at import.

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.security import SessionAuth, django_auth
from pydantic import ConfigDict

from zhengwu.accounts import mandates
from zhengwu.accounts.identity import identity_verify
from zhengwu.accounts.models import Authorization, RealNameLevel, User, UserKind
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.http import client_ip
from zhengwu.core.masking import mask_citizen_id
from zhengwu.core.schemas import PathId

router = Router(tags=["accounts"], auth=django_auth)


class IdentityOut(Schema):
    kind: str
    display_name: str
    realname_level: int = Field(..., description="实名等级：0 未实名，1 手机号已验证，2 身份已核验")
    realname_level_label: str
    identity_method: str = Field(..., description="provider | window | sso | pack；未核验为空")
    identity_verified_at: dt.datetime | None
    id_number_masked: str = Field(..., description="身份证号码（脱敏）；企业为空")
    uscc: str


class IdentityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=150, description="姓名")
    id_number: str = Field(..., min_length=18, max_length=18, description="居民身份证号码")


class AuthorizationOut(Schema):
    id: int
    principal: str = Field(..., description="授权人（委托人、企业）名称")
    principal_id: int
    agent: str = Field(..., description="经办人（受托人）姓名")
    agent_id: int
    kind: str = Field(..., description="enterprise_agent 企业经办人 | personal_mandate 个人委托代办")
    scope_all: bool
    item_codes: list[str] = Field(..., description="授权的基本目录事项编码（scope_all 为真时为空）")
    starts_on: dt.date
    ends_on: dt.date
    confirmation: str = Field(..., description="online 委托人网上确认 | letter 书面授权委托书")
    confirmed: bool
    letter_checked: bool
    revoked: bool
    status: str = Field(..., description="状态（中文）")


class AuthorizationsOut(Schema):
    given: list[AuthorizationOut]
    received: list[AuthorizationOut]


class _ScopeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    scope_all: bool = False
    item_codes: list[str] = Field(default_factory=list, max_length=200)
    starts_on: dt.date
    ends_on: dt.date


class GrantIn(_ScopeIn):
    agent_phone: str = Field(..., min_length=1, max_length=20, description="经办人注册手机号")
    principal_id: int | None = Field(None, ge=1, le=2**31 - 1, description=(
        "授权人账号 id：默认本人；企业法定代表人以个人账号登录时填写企业账号 id"))


class RequestIn(_ScopeIn):
    principal: str = Field(..., min_length=1, max_length=64,
                           description="委托人：注册手机号、用户名或企业统一社会信用代码")


def _user(request: HttpRequest) -> User:
    """The signed-in applicant: staff have neither 实名认证 nor 授权管理, as on the pages."""
    user = request.user
    assert isinstance(user, User)
    if user.kind == UserKind.STAFF:
        raise NotAllowed("工作人员账号没有实名认证和授权管理。", code="accounts.applicants_only")
    return user


def _identity_out(user: User) -> dict[str, object]:
    return {"kind": user.kind, "display_name": user.display_name,
            "realname_level": user.realname_level,
            "realname_level_label": str(RealNameLevel(user.realname_level).label),
            "identity_method": user.identity_method,
            "identity_verified_at": user.identity_verified_at,
            "id_number_masked": mask_citizen_id(user.citizen_id) if user.citizen_id else "",
            "uscc": user.uscc}


def _authorization_out(a: Authorization) -> dict[str, object]:
    return {"id": a.pk, "principal": str(a.principal), "principal_id": a.principal_id,
            "agent": str(a.agent), "agent_id": a.agent_id, "kind": a.kind,
            "scope_all": a.scope_all, "item_codes": a.item_codes, "starts_on": a.starts_on,
            "ends_on": a.ends_on, "confirmation": a.confirmation,
            "confirmed": a.confirmed_at is not None,
            "letter_checked": a.letter_checked_at is not None,
            "revoked": a.revoked_at is not None, "status": mandates.status_label(a)}


@router.get("/identity", response=IdentityOut)
def get_identity(request: HttpRequest) -> dict[str, object]:
    """The caller's real-name level and how it was verified (the number masked)."""
    return _identity_out(_user(request))


@router.post("/identity", response=IdentityOut, openapi_extra={"responses": {
    422: {"description": "身份证号码无效，或姓名与号码不一致（identity.not_verified）"},
    403: {"description": "号码已在另一账号实名（identity.number_taken），或不是个人账号"},
    409: {"description": "已完成实名认证"}, 429: {"description": "尝试次数过多"},
    503: {"description": "身份认证服务暂不可用"}}})
def verify_identity(request: HttpRequest, body: IdentityIn) -> dict[str, object]:
    """实名认证 (L2): the name and ID number checked by the identity provider."""
    user = identity_verify(user=_user(request), name=body.name, id_number=body.id_number,
                           address=client_ip(request))
    return _identity_out(user)


@router.get("/authorizations", response=AuthorizationsOut)
def list_authorizations(request: HttpRequest) -> dict[str, object]:
    """授权管理: given (by the caller or the enterprises it is legal representative of) and
    received."""
    user = _user(request)
    return {"given": [_authorization_out(a) for a in mandates.authorizations_given(user)],
            "received": [_authorization_out(a) for a in mandates.authorizations_received(user)]}


@router.post("/authorizations", response={201: AuthorizationOut})
def grant_authorization(request: HttpRequest, body: GrantIn) -> Status[dict[str, object]]:
    """Authorize an agent (the principal's side; confirmed at once)."""
    user = _user(request)
    principal = user
    if body.principal_id is not None:
        found = mandates.represented(user).filter(pk=body.principal_id).first()
        if found is None:
            raise InvalidInput("您不能代表该账号授权。", code="authorization.forbidden",
                               http_status=403)
        principal = found
    authorization = mandates.authorization_grant(
        user=user, principal=principal, agent_phone=body.agent_phone,
        scope_all=body.scope_all, item_codes=body.item_codes, starts_on=body.starts_on,
        ends_on=body.ends_on)
    return Status(201, _authorization_out(authorization))


@router.post("/authorizations/requests", response={201: AuthorizationOut})
def request_authorization(request: HttpRequest,
                          body: RequestIn) -> Status[dict[str, object]]:
    """The caller asks to act for a principal, who confirms it on their own page or through
    POST …/{id}/confirm — or the caller uploads the signed 授权委托书 (POST …/{id}/letter)."""
    user = _user(request)
    principal = mandates.principal_lookup(body.principal)
    if principal is None or principal.pk == user.pk:
        raise InvalidInput("未找到该委托人的账号。", code="authorization.principal_unknown")
    authorization = mandates.authorization_request(
        agent=user, principal=principal, scope_all=body.scope_all, item_codes=body.item_codes,
        starts_on=body.starts_on, ends_on=body.ends_on)
    return Status(201, _authorization_out(authorization))


@router.post("/authorizations/{authorization_id}/confirm", response=AuthorizationOut)
def confirm_authorization(request: HttpRequest, authorization_id: PathId) -> dict[str, object]:
    """The principal (or the enterprise's legal representative) confirms an agent's request."""
    return _authorization_out(mandates.authorization_confirm(
        user=_user(request), authorization_id=authorization_id))


@router.post("/authorizations/{authorization_id}/revoke", response=AuthorizationOut)
def revoke_authorization(request: HttpRequest, authorization_id: PathId) -> dict[str, object]:
    """Revoke (the principal's side) or renounce (the agent); filed cases stay filed."""
    return _authorization_out(mandates.authorization_revoke(
        user=_user(request), authorization_id=authorization_id))


# A letter of at most LETTER_MAX_BYTES, its reference and the multipart framing.
_LETTER_REQUEST_MAX = mandates.LETTER_MAX_BYTES + 64 * 1024


class LetterUploadAuth(SessionAuth):
    """Session auth (with its CSRF check) that refuses an oversized body by its declared length
    before anything reads it: the CSRF check parses a multipart body."""

    def _get_key(self, request: HttpRequest) -> str | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _LETTER_REQUEST_MAX:
            raise InvalidInput("授权委托书不超过 10 MB。", code="authorization.letter_too_large",
                               http_status=413)
        return super()._get_key(request)


@router.post("/authorizations/{authorization_id}/letter", response=AuthorizationOut,
             auth=LetterUploadAuth(), openapi_extra={"responses": {
                 403: {"description": "不是该授权的经办人（authorization.forbidden）"},
                 404: {"description": "授权不存在（authorization.unknown）"},
                 409: {"description": "已确认、已核验或已撤销（authorization.state）"},
                 413: {"description": "请求超过 10 MB（authorization.letter_too_large）"},
                 422: {"description": "不是 PDF/JPG/PNG 或超过 10 MB（authorization.letter），"
                                      "或缺少 letter 文件（invalid_input）"}}})
def upload_letter(request: HttpRequest, authorization_id: PathId,
                  letter: File[UploadedFile],
                  reference: Annotated[str, Form(max_length=200,
                                                 description="委托书编号或说明（可选）")] = "",
                  ) -> dict[str, object]:
    """上传已签署的授权委托书（multipart/form-data：`letter` 文件，PDF/JPG/PNG，不超过 10 MB；
    `reference` 可选）。仅该授权的经办人、委托人确认前可传；上传后授权即可使用，以其提交的办件
    须窗口核验委托书原件后才能受理。委托人会收到站内消息和短信。"""
    return _authorization_out(mandates.authorization_letter_upload(
        agent=_user(request), authorization_id=authorization_id, letter=letter,
        letter_reference=reference))

"""Authorizations (授权): an enterprise's 经办人 and a person's 委托代办, and on whose identity an
application is filed.

The rules, each in one place:

- **Who speaks for a principal** (`speaks_for`): the account itself, and for an enterprise also
  the person whose verified ID number is the enterprise's legal representative's.
- **Grant** (`authorization_grant`): the principal's side names an agent (an existing person
  account, found by mobile number), a scope (all items, or a list of basic item codes) and the
  dates; confirmed at once. **Ask** (`authorization_request`): the agent asks; the principal
  confirms on their own page (`authorization_confirm`), or the agent uploads a signed
  授权委托书 (with the request, or later while unconfirmed: `authorization_letter_upload`),
  which makes the authorization usable at once but leaves every case filed through
  it waiting for the window to check the letter (`authorization_letter_check`) before
  acceptance. **Revoke** (`authorization_revoke`): the principal's side, or the agent
  renouncing; from then on nothing more may be filed through it.
- **Filing** (`filing_basis`): a case is filed under the account's own verified identity
  (the level needed to file, accounts.levels), or for an enterprise by its verified legal
  representative (LEGAL_REPRESENTATIVE: no authorization needed, `speaks_for`), or for a
  principal through an authorization
  valid today that covers every item (authorization.missing / unconfirmed / expired /
  out_of_scope otherwise), or by window staff who checked the ID card in person. A
  帮代办员 (Role.PROXY_AGENT) files for an enterprise only through an authorization, even at
  the hall (`proxy_needs_authorization`): the enterprise's will is the authorization of its
  代办项目 (zhengwu.assistance), never the agent's word.
- **For a 帮代办员** (`proxy_authorization_request`): the hall manager asks, for a
  代办项目, that an enterprise authorize a 代办员 (a staff account) for the project's items;
  the enterprise confirms on its 授权管理 page like any request (`authorization_confirm`).

Each write is one transaction with its audit row; an act by an agent is audited with the agent
as actor and the principal named (`agent_actor`). The other party is told of each step in the
same transaction (accounts.notices: 站内消息 and SMS, linking to their 授权管理 page): the
principal of a request and of a letter given in their name; the agent when the principal
confirms or revokes and when the window has checked the letter; the principal when the agent
renounces.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from zhengwu.accounts import notices
from zhengwu.accounts.levels import FILE, level_refusal
from zhengwu.accounts.models import (
    Authorization,
    AuthorizationKind,
    Confirmation,
    IdentityBasis,
    RealNameLevel,
    User,
    UserKind,
)
from zhengwu.accounts.roles import Role
from zhengwu.accounts.selectors import user_has_role
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.codes import normalize_code
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.upload_check import MAX_BYTES, SNIFF_BYTES, CheckedFile, check_upload, sniff

ITEM_CODE: Final = re.compile(r"^[0-9A-Z]{4,31}$")
MAX_YEARS: Final = 5  # an authorization longer than this is asked to be renewed
LETTER_MAX_BYTES: Final = MAX_BYTES  # the upload check's limit (core.upload_check)

SELF: Final = IdentityBasis.SELF
AUTHORIZATION: Final = IdentityBasis.AUTHORIZATION
IN_PERSON: Final = IdentityBasis.IN_PERSON
LEGAL_REPRESENTATIVE: Final = IdentityBasis.LEGAL_REPRESENTATIVE


# --- reads ---------------------------------------------------------------------------------


def speaks_for(user: User, principal: User) -> bool:
    """Whether `user` may grant, confirm and revoke for `principal`: the account itself, or —
    for an enterprise — the person whose identity verified (L2) is its legal representative."""
    if not user.is_authenticated:
        return False
    if user.pk == principal.pk:
        return True
    return (principal.kind == UserKind.ENTERPRISE and user.kind == UserKind.PERSON
            and user.realname_level >= RealNameLevel.IDENTITY
            and bool(principal.legal_representative_id)
            and normalize_code(user.citizen_id) == normalize_code(
                principal.legal_representative_id))


def represented(user: User) -> QuerySet[User]:
    """The accounts `user` speaks for: itself and the enterprises it is legal representative of."""
    condition = Q(pk=user.pk)
    if user.kind == UserKind.PERSON and user.realname_level >= RealNameLevel.IDENTITY \
            and user.citizen_id:
        condition |= Q(kind=UserKind.ENTERPRISE,
                       legal_representative_id=normalize_code(user.citizen_id))
    return User.objects.filter(condition)


def authorizations_given(user: User) -> QuerySet[Authorization]:
    """授权管理, given: by `user` and by the enterprises it represents, newest first."""
    return Authorization.objects.filter(principal__in=represented(user)).select_related(
        "principal", "agent").order_by("-created_at", "-pk")


def authorizations_received(user: User) -> QuerySet[Authorization]:
    return Authorization.objects.filter(agent=user).select_related(
        "principal", "agent").order_by("-created_at", "-pk")


def covers(authorization: Authorization, item_codes: Iterable[str]) -> bool:
    return authorization.scope_all or set(item_codes) <= set(authorization.item_codes)


def usable(authorization: Authorization, today: dt.date) -> bool:
    """Valid today: not revoked, within its dates, confirmed online or backed by a letter."""
    return (authorization.revoked_at is None
            and authorization.starts_on <= today <= authorization.ends_on
            and (authorization.confirmation == Confirmation.LETTER
                 or authorization.confirmed_at is not None))


def status_label(authorization: Authorization, today: dt.date | None = None) -> str:
    today = today or clock.today()
    if authorization.revoked_at is not None:
        return "已撤销"
    if authorization.ends_on < today:
        return "已过期"
    if authorization.confirmation == Confirmation.ONLINE and authorization.confirmed_at is None:
        return "待委托人确认"
    if authorization.starts_on > today:
        return "未生效"
    if authorization.letter_pending:
        return "有效（委托书待窗口核验）"
    return "有效"


def principals_for(agent: User, item_codes: Sequence[str],
                   today: dt.date | None = None) -> list[User]:
    """The principals `agent` may file for today for these items (the apply pages' choice
    "以谁的名义申请"): the enterprises it is the legal representative of, then those that
    authorized it."""
    today = today or clock.today()
    seen: dict[int, User] = {principal.pk: principal for principal in
                             represented(agent).exclude(pk=agent.pk).order_by("pk")}
    for authorization in authorizations_received(agent).filter(revoked_at__isnull=True,
                                                                starts_on__lte=today,
                                                                ends_on__gte=today):
        if usable(authorization, today) and covers(authorization, item_codes):
            seen.setdefault(authorization.principal_id, authorization.principal)
    return list(seen.values())


@dataclass(frozen=True)
class OnBehalf:
    """以谁的名义申请 on an apply page: the principals the user may choose, and the one chosen
    (None: the user's own name)."""

    principals: list[User]
    chosen: User | None
    # The principals the user is the legal representative of (no authorization needed).
    represented: frozenset[int] = frozenset()

    @property
    def as_legal_representative(self) -> bool:
        return self.chosen is not None and self.chosen.pk in self.represented


def on_behalf_choice(user: User, item_codes: Sequence[str], chosen: str) -> OnBehalf:
    """The choice for `user` filing these items; `chosen` is the principal's account id from
    the page (anything else, or a principal no longer valid, means the user's own name). With
    no item codes (a bundle, whose members depend on the answers) every valid authorization is
    offered and the service checks the scope on submission."""
    principals = principals_for(user, item_codes) if user.kind == UserKind.PERSON else []
    legal = frozenset(p.pk for p in principals if p.kind == UserKind.ENTERPRISE
                      and speaks_for(user, p))
    return OnBehalf(principals, next((p for p in principals if str(p.pk) == chosen), None),
                    legal)


def principal_lookup(identifier: str) -> User | None:
    """A principal named by the API's `on_behalf_of`: an account's user name, an enterprise's
    USCC, or a mobile number."""
    identifier = identifier.strip()
    if not identifier:
        return None
    code = normalize_code(identifier)
    return User.objects.filter(
        Q(username=identifier) | Q(phone=identifier) | Q(kind=UserKind.ENTERPRISE, uscc=code),
        is_active=True, kind__in=[UserKind.PERSON, UserKind.ENTERPRISE]).first()


def authorization_for_filing(*, agent: User, principal: User, item_codes: Sequence[str],
                             today: dt.date) -> Authorization:
    """The authorization through which `agent` files for `principal` today for these items, or
    NotAllowed with the reason (authorization.missing / unconfirmed / expired / out_of_scope)."""
    candidates = list(Authorization.objects.filter(agent=agent, principal=principal,
                                                   revoked_at__isnull=True).order_by("-pk"))
    if not candidates:
        raise NotAllowed(f"您没有“{principal}”的有效授权，不能以其名义申请。请由对方在“授权管理”中"
                         "授权您为经办人，或上传其签署的授权委托书。", code="authorization.missing")
    current = [a for a in candidates if a.starts_on <= today <= a.ends_on]
    if not current:
        raise NotAllowed(f"您获得的“{principal}”的授权不在有效期内（已过期或尚未生效），"
                         "请对方重新授权。", code="authorization.expired")
    confirmed = [a for a in current if usable(a, today)]
    if not confirmed:
        raise NotAllowed(f"“{principal}”尚未确认您的授权申请，确认后才能以其名义申请。",
                         code="authorization.unconfirmed")
    for authorization in confirmed:
        if covers(authorization, item_codes):
            return authorization
    raise NotAllowed(f"您获得的“{principal}”的授权不包括本事项，请对方扩大授权范围。",
                     code="authorization.out_of_scope")


@dataclass(frozen=True)
class FilingBasis:
    """On what identity a case is filed: SELF (the account's verified identity),
    AUTHORIZATION (for a principal, through `authorization`) or IN_PERSON (window staff or a
    帮代办员 checked the ID card)."""

    basis: str
    authorization: Authorization | None = None

    def facts(self, owner: User) -> dict[str, object]:
        """What the submit event and its audit row record about the basis: for an agent, the
        principal (the subject) and the authorization; in person, that the ID card was checked
        by the actor who filed."""
        facts: dict[str, object] = {"identity_basis": str(self.basis)}
        if self.authorization is not None:
            facts.update(authorization=self.authorization.pk, on_behalf_of=owner.pk,
                         on_behalf_of_name=str(owner),
                         letter_pending=self.authorization.letter_pending)
        if self.basis == IN_PERSON:
            facts["id_card_checked_in_person"] = True
        if self.basis == LEGAL_REPRESENTATIVE:
            facts.update(on_behalf_of=owner.pk, on_behalf_of_name=str(owner))
        return facts


def proxy_needs_authorization(submitted_by: User, owner: User) -> bool:
    """A 帮代办员 filing for an enterprise: only through the enterprise's authorization (its
    代办项目's), whatever the channel — an enterprise has no ID card to check at a window."""
    return (owner.kind == UserKind.ENTERPRISE and owner.pk != submitted_by.pk
            and submitted_by.kind == UserKind.STAFF
            and user_has_role(submitted_by, Role.PROXY_AGENT))


def filing_basis(*, submitted_by: User, owner: User, item_codes: Sequence[str],
                 in_person: bool) -> FilingBasis:
    """Whether `submitted_by` may file for `owner` (itself or a principal) for these items,
    and on what basis; NotAllowed with a clear code otherwise. In-person filing by staff was
    already allowed by the caller (cases.access.files_for_others)."""
    if proxy_needs_authorization(submitted_by, owner):
        return FilingBasis(AUTHORIZATION, authorization_for_filing(
            agent=submitted_by, principal=owner, item_codes=item_codes, today=clock.today()))
    if in_person:
        return FilingBasis(IN_PERSON)
    refusal = level_refusal(submitted_by, FILE)
    if refusal is not None:
        raise NotAllowed(refusal.message, code=refusal.code)
    if owner.pk == submitted_by.pk:
        return FilingBasis(SELF)
    if owner.kind == UserKind.ENTERPRISE and speaks_for(submitted_by, owner):
        return FilingBasis(LEGAL_REPRESENTATIVE)
    return FilingBasis(AUTHORIZATION, authorization_for_filing(
        agent=submitted_by, principal=owner, item_codes=item_codes, today=clock.today()))


def agent_actor(agent: User, principal: User) -> Actor:
    """The audit actor of an agent acting for a principal: the agent is the actor, the
    principal is named in the label (and in the row's data by the caller)."""
    actor = actor_for(agent, role="agent")
    return Actor(user=agent, label=f"{agent}（代{principal}）"[:150], role="agent",
                 department_id=actor.department_id, department_label=actor.department_label)


def filing_actor(submitted_by: User, owner: User, basis: FilingBasis) -> Actor:
    """Who the audit names for a filing: the agent (or legal representative) acting for the
    principal, or the filer."""
    if basis.authorization is not None or basis.basis == LEGAL_REPRESENTATIVE:
        return agent_actor(submitted_by, owner)
    return actor_for(submitted_by)


def letter_unchecked(authorization_id: int | None) -> bool:
    """Whether a case filed through this authorization waits for the window to check the
    signed 授权委托书 before it may be accepted."""
    if authorization_id is None:
        return False
    return Authorization.objects.filter(pk=authorization_id, confirmation=Confirmation.LETTER,
                                        letter_checked_at__isnull=True).exists()


LETTER_UNCHECKED_MESSAGE: Final = ("本件由经办人凭书面授权委托书代为申请，委托书尚未核验：请先核验委托书原件"
                                   "（核验通过后再受理），不符合的请不予受理。")


# --- writes --------------------------------------------------------------------------------


def _codes(scope_all: bool, item_codes: Iterable[str]) -> list[str]:
    codes = sorted({normalize_code(c) for c in item_codes if c and c.strip()})
    bad = [c for c in codes if not ITEM_CODE.match(c)]
    if bad:
        raise InvalidInput(f"事项编码“{bad[0]}”格式不正确。", code="authorization.item_code")
    if not scope_all and not codes:
        raise InvalidInput("请选择“全部事项”或填写授权的事项编码。", code="authorization.scope")
    return [] if scope_all else codes


def _dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise InvalidInput("截止日期不能早于起始日期。", code="authorization.dates")
    if ends_on < clock.today():
        raise InvalidInput("截止日期已过。", code="authorization.dates")
    if (ends_on - starts_on).days > MAX_YEARS * 366:
        raise InvalidInput(f"授权期限最长{MAX_YEARS}年，到期后请重新授权。", code="authorization.dates")


def _agent_by_phone(phone: str, principal: User) -> User:
    agent = User.objects.filter(phone=phone.strip(), is_active=True,
                                kind=UserKind.PERSON).first()
    if agent is None:
        raise InvalidInput("未找到使用该手机号注册的个人账号，请经办人先注册。",
                           code="authorization.agent_unknown")
    if agent.pk == principal.pk:
        raise InvalidInput("不能授权给自己。", code="authorization.self")
    return agent


def _kind(principal: User) -> str:
    return AuthorizationKind.ENTERPRISE_AGENT if principal.kind == UserKind.ENTERPRISE \
        else AuthorizationKind.PERSONAL_MANDATE


def _audit_row(authorization: Authorization) -> dict[str, object]:
    return {"principal": authorization.principal_id, "agent": authorization.agent_id,
            "kind": authorization.kind, "scope_all": authorization.scope_all,
            "item_codes": authorization.item_codes,
            "starts_on": authorization.starts_on.isoformat(),
            "ends_on": authorization.ends_on.isoformat(),
            "confirmation": authorization.confirmation}


CATEGORY: Final = "accounts.authorization"


def _tell(authorization: Authorization, recipient: User, event: str, title: str,
          body: str) -> None:
    """Tell one party of a step, in the caller's transaction, with a link to 授权管理."""
    notices.tell([notices.Notice(recipient=recipient, title=title, body=body,
                                 link=reverse("accounts:authorizations"),
                                 key=f"authorization:{authorization.pk}:{event}")],
                 category=CATEGORY)


def _scope_text(authorization: Authorization) -> str:
    scope = "全部事项" if authorization.scope_all else f"{len(authorization.item_codes)}个事项"
    return (f"{scope}，{authorization.starts_on:%Y年%m月%d日}至"
            f"{authorization.ends_on:%Y年%m月%d日}")


def _tell_requested(authorization: Authorization, principal: User, agent: User) -> None:
    if authorization.confirmation == Confirmation.LETTER:
        _tell(authorization, principal, f"letter:{authorization.letter.name}",
              "有人凭委托书以您的名义办事",
              f"{agent}上传了以您名义签署的授权委托书（{_scope_text(authorization)}），"
              "可代您申请办件，窗口受理时核验原件。如您未签署，请立即在“授权管理”中撤销"
              "并联系政务服务中心。")
        return
    _tell(authorization, principal, "request", "待确认的授权申请",
          f"{agent}申请代您办理政务服务事项（{_scope_text(authorization)}）。请在“授权管理”中"
          "确认；不认识申请人请不要确认。")


def _letter_checked(letter: UploadedFile) -> CheckedFile:
    """The one check of an uploaded 授权委托书 (page and API): PDF, JPG or PNG judged by its
    content — the check of every upload (core.upload_check) — at most 10 MB."""
    if (letter.size or 0) > LETTER_MAX_BYTES:
        raise InvalidInput("授权委托书请上传 PDF 或图片（JPG、PNG），不超过 10 MB。",
                           code="authorization.letter")
    letter.seek(0)
    try:
        return check_upload(letter.name or "", letter.read(), what="授权委托书")
    except InvalidInput as error:
        raise InvalidInput(error.message, code="authorization.letter") from error


def _letter_file(checked: CheckedFile) -> tuple[str, ContentFile[bytes]]:
    """The letter as stored: named by its content's type, never by the uploaded name."""
    return f"letter.{checked.extension}", ContentFile(checked.content)


def letter_content_type(authorization: Authorization) -> str | None:
    """The type of the stored letter's content (PDF, PNG or JPEG), or None for anything else —
    e.g. a file stored before letters were judged by their content."""
    with authorization.letter.open("rb") as stored:
        head = stored.read(SNIFF_BYTES)
    kind = sniff(head)
    return kind[0] if kind else None


@transaction.atomic
def authorization_grant(*, user: User, principal: User, agent_phone: str, scope_all: bool,
                        item_codes: Iterable[str], starts_on: dt.date,
                        ends_on: dt.date) -> Authorization:
    """The principal's side authorizes an agent; confirmed at once (the principal is who acts)."""
    if not speaks_for(user, principal):
        raise NotAllowed("只有本人，或企业的法定代表人，可以授权经办人。", code="authorization.forbidden")
    if principal.realname_level < RealNameLevel.IDENTITY:
        raise NotAllowed("授权他人代办前，授权人须完成实名认证（企业须在窗口核验营业执照）。",
                         code="identity.level_too_low")
    agent = _agent_by_phone(agent_phone, principal)
    codes = _codes(scope_all, item_codes)
    _dates(starts_on, ends_on)
    now = clock.now()
    authorization = Authorization.objects.create(
        principal=principal, agent=agent, kind=_kind(principal), scope_all=scope_all,
        item_codes=codes, starts_on=starts_on, ends_on=ends_on,
        confirmation=Confirmation.ONLINE, confirmed_at=now, confirmed_by=user,
        created_by=user, created_at=now)
    audit_record(actor=actor_for(user), action="accounts.authorization_grant",
                 obj=authorization, after=_audit_row(authorization))
    return authorization


@transaction.atomic
def authorization_request(*, agent: User, principal: User, scope_all: bool,
                          item_codes: Iterable[str], starts_on: dt.date, ends_on: dt.date,
                          letter: UploadedFile | None = None,
                          letter_reference: str = "") -> Authorization:
    """The agent asks to act for `principal`: the principal confirms online, or — with a signed
    授权委托书 uploaded — it is usable at once and the window checks the letter at acceptance."""
    if agent.kind != UserKind.PERSON:
        raise NotAllowed("只有个人账号可以作为经办人。", code="authorization.forbidden")
    if agent.pk == principal.pk:
        raise InvalidInput("不能授权给自己。", code="authorization.self")
    codes = _codes(scope_all, item_codes)
    _dates(starts_on, ends_on)
    checked = _letter_checked(letter) if letter is not None else None
    now = clock.now()
    authorization = Authorization(
        principal=principal, agent=agent, kind=_kind(principal), scope_all=scope_all,
        item_codes=codes, starts_on=starts_on, ends_on=ends_on,
        confirmation=Confirmation.LETTER if checked is not None else Confirmation.ONLINE,
        letter_reference=letter_reference.strip()[:200], created_by=agent, created_at=now)
    if checked is not None:
        authorization.letter.save(*_letter_file(checked), save=False)
    authorization.save()
    audit_record(actor=agent_actor(agent, principal), action="accounts.authorization_request",
                 obj=authorization, after=_audit_row(authorization))
    _tell_requested(authorization, principal, agent)
    return authorization


def proxy_authorization_request(*, manager: User, principal: User, agent: User,
                                item_codes: Iterable[str], starts_on: dt.date,
                                ends_on: dt.date) -> Authorization:
    """A hall manager asks `principal` (an enterprise) to authorize the 帮代办员 `agent` for
    these items (a 代办项目, zhengwu.assistance): a request the enterprise confirms on its
    授权管理 page (`authorization_confirm`), told as any request is. Runs in the caller's
    transaction, which records the project and the audit row of its own."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("proxy_authorization_request runs inside the caller's transaction")
    if principal.kind != UserKind.ENTERPRISE:
        raise InvalidInput("帮代办项目只为企业办理。", code="authorization.principal")
    if agent.kind != UserKind.STAFF or not user_has_role(agent, Role.PROXY_AGENT):
        raise InvalidInput("只能指定帮代办员。", code="authorization.agent_unknown")
    codes = _codes(False, item_codes)
    _dates(starts_on, ends_on)
    authorization = Authorization.objects.create(
        principal=principal, agent=agent, kind=AuthorizationKind.ENTERPRISE_AGENT,
        scope_all=False, item_codes=codes, starts_on=starts_on, ends_on=ends_on,
        confirmation=Confirmation.ONLINE, created_by=manager, created_at=clock.now())
    audit_record(actor=actor_for(manager), action="accounts.authorization_request",
                 obj=authorization, after={**_audit_row(authorization), "proxy": True})
    _tell_requested(authorization, principal, agent)
    return authorization


@transaction.atomic
def authorization_letter_upload(*, agent: User, authorization_id: int, letter: UploadedFile,
                                letter_reference: str = "") -> Authorization:
    """The agent of a request not yet confirmed uploads the signed 授权委托书 (or a better scan
    of it, until the window has checked the original): usable at once, checked at acceptance,
    as when the letter comes with the request. Not after the principal confirmed online, the
    window checked a letter, or either side revoked it (409 authorization.state)."""
    authorization = _locked(authorization_id)
    if agent.pk != authorization.agent_id:
        raise NotAllowed("只有该授权的经办人可以上传授权委托书。", code="authorization.forbidden")
    if (authorization.revoked_at is not None or authorization.confirmed_at is not None
            or authorization.letter_checked_at is not None):
        raise InvalidInput("该授权已确认、已核验或已撤销，不能再上传委托书。", code="authorization.state",
                           http_status=409)
    stored_as = _letter_file(_letter_checked(letter))
    replaced = authorization.letter.name or ""
    authorization.letter.save(*stored_as, save=False)
    authorization.confirmation = Confirmation.LETTER
    if letter_reference.strip():
        authorization.letter_reference = letter_reference.strip()[:200]
    authorization.save(update_fields=["letter", "confirmation", "letter_reference"])
    if replaced:
        # The earlier scan goes once the new one is recorded; kept if this transaction fails.
        storage = authorization.letter.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    audit_record(actor=agent_actor(agent, authorization.principal),
                 action="accounts.authorization_letter_upload", obj=authorization,
                 after={"principal": authorization.principal_id, "agent": agent.pk,
                        "replaced": bool(replaced)})
    _tell_requested(authorization, authorization.principal, agent)
    return authorization


def _locked(authorization_id: int) -> Authorization:
    authorization = Authorization.objects.select_for_update().select_related(
        "principal", "agent").filter(pk=authorization_id).first()
    if authorization is None:
        raise InvalidInput("授权不存在。", code="authorization.unknown", http_status=404)
    return authorization


@transaction.atomic
def authorization_confirm(*, user: User, authorization_id: int) -> Authorization:
    """The principal (or the enterprise's legal representative) confirms an agent's request."""
    authorization = _locked(authorization_id)
    if not speaks_for(user, authorization.principal):
        raise NotAllowed("只有委托人本人或企业法定代表人可以确认授权。", code="authorization.forbidden")
    if authorization.revoked_at is not None or authorization.confirmed_at is not None:
        raise InvalidInput("该授权已确认或已撤销。", code="authorization.state", http_status=409)
    authorization.confirmed_at, authorization.confirmed_by = clock.now(), user
    authorization.save(update_fields=["confirmed_at", "confirmed_by"])
    audit_record(actor=actor_for(user), action="accounts.authorization_confirm",
                 obj=authorization, after={"confirmed": True})
    _tell(authorization, authorization.agent, "confirm", "授权已确认",
          f"{authorization.principal}已确认您的授权申请（{_scope_text(authorization)}），"
          "您可以以其名义申请办件。")
    return authorization


@transaction.atomic
def authorization_revoke(*, user: User, authorization_id: int, reason: str = "") -> Authorization:
    """The principal's side revokes, or the agent renounces. Cases already filed stay filed."""
    authorization = _locked(authorization_id)
    if not (speaks_for(user, authorization.principal) or user.pk == authorization.agent_id):
        raise NotAllowed("只有委托人、企业法定代表人或经办人本人可以撤销授权。",
                         code="authorization.forbidden")
    if authorization.revoked_at is not None:
        raise InvalidInput("该授权已撤销。", code="authorization.state", http_status=409)
    authorization.revoked_at, authorization.revoked_by = clock.now(), user
    authorization.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor_for(user), action="accounts.authorization_revoke",
                 obj=authorization, after={"revoked": True}, reason=reason[:500])
    if user.pk == authorization.agent_id:
        _tell(authorization, authorization.principal, "revoke", "经办人已撤销授权",
              f"{authorization.agent}已放弃您给予的授权，此后不能再以您的名义申请；"
              "已提交的办件不受影响。")
    else:
        _tell(authorization, authorization.agent, "revoke", "授权已撤销",
              f"{authorization.principal}已撤销给您的授权，此后不能再以其名义申请；"
              "已提交的办件不受影响。")
    return authorization


@transaction.atomic
def authorization_letter_check(*, clerk: User, authorization_id: int) -> Authorization:
    """The window checked the signed 授权委托书 (and the principal's and agent's ID cards)."""
    if not (user_has_role(clerk, Role.WINDOW_CLERK)
            or user_has_role(clerk, Role.CHIEF_REPRESENTATIVE)):
        raise NotAllowed("只有窗口人员可以核验授权委托书。", code="authorization.forbidden")
    authorization = _locked(authorization_id)
    if not authorization.letter_pending:
        raise InvalidInput("该授权没有待核验的委托书。", code="authorization.state", http_status=409)
    authorization.letter_checked_at, authorization.letter_checked_by = clock.now(), clerk
    authorization.save(update_fields=["letter_checked_at", "letter_checked_by"])
    audit_record(actor=actor_for(clerk), action="accounts.authorization_letter_check",
                 obj=authorization, after={"letter_checked": True,
                                           "principal": authorization.principal_id,
                                           "agent": authorization.agent_id})
    _tell(authorization, authorization.agent, "letter_checked", "委托书已核验",
          f"窗口已核验{authorization.principal}的授权委托书原件，以该授权提交的办件可以受理。")
    return authorization

"""Writes for accounts: role groups, users, role assignments, sign-in protection, TOTP and
recovery codes, and the accounts signed in through the identity platform (single sign-on).

Each function is one transaction with its audit row (core.audit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from zhengwu.accounts import throttle
from zhengwu.accounts.models import (
    Address,
    ExternalIdentity,
    IdentityMethod,
    RealNameLevel,
    RecoveryCode,
    RoleAssignment,
    User,
    UserKind,
)
from zhengwu.accounts.roles import APPLICANT_ROLES, ROLE_PERMISSIONS, Role
from zhengwu.accounts.selectors import (
    NUMBER_TAKEN_MESSAGE,
    USCC_TAKEN_MESSAGE,
    citizen_id_holder,
    identity_mismatch,
)
from zhengwu.accounts.sso import VerifiedIdentity
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.codes import normalize_code
from zhengwu.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from zhengwu.core.text import TextError, check_text
from zhengwu.departments.models import Department
from zhengwu.regions.models import Region


def actor_for(user: User | None, *, role: str = "", department: Department | None = None) -> Actor:
    """The audit Actor for a user acting in a role (first assigned role by default)."""
    if user is None or not user.is_authenticated:
        return SYSTEM
    if not role or department is None:
        assignment = user.role_assignments.select_related("department").first()
        if assignment is not None:
            role = role or assignment.role
            department = department or assignment.department
    return Actor(user=user, label=str(user), role=role or user.kind,
                 department_id=department.pk if department else None,
                 department_label=department.name if department else "")


@transaction.atomic
def role_groups_ensure() -> None:
    """Create or refresh one Django group per role with exactly its permissions."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label,
                                                      codename=codename))
        group.permissions.set(permissions)


@transaction.atomic
def user_create(*, username: str, password: str, kind: str, display_name: str = "",
                phone: str | None = None, citizen_id: str = "", uscc: str = "",
                identity_method: str = IdentityMethod.PACK, actor: Actor = SYSTEM,
                legal_representative_name: str = "", legal_representative_id: str = "") -> User:
    """A new account, made by trusted code (the data pack, the admin, tests). An applicant's
    identity given here counts as verified by `identity_method` and makes the account L2; a
    phone number alone makes it L1. People signing up themselves go through the sign-up
    service, which verifies each step."""
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"用户名 {username} 已存在。", code="accounts.username_taken")
    if phone and User.objects.filter(phone=phone).exists():
        raise InvalidInput("该手机号已注册。", code="accounts.phone_taken")
    if kind == UserKind.PERSON and citizen_id_holder(citizen_id) is not None:
        raise NotAllowed(NUMBER_TAKEN_MESSAGE, code="identity.number_taken")
    if kind == UserKind.ENTERPRISE and uscc and User.objects.filter(
            kind=UserKind.ENTERPRISE, uscc=normalize_code(uscc)).exists():
        raise NotAllowed(USCC_TAKEN_MESSAGE, code="identity.number_taken")
    user = User(username=username, kind=kind, display_name=display_name, phone=phone or None,
                citizen_id=normalize_code(citizen_id) if citizen_id else "",
                uscc=normalize_code(uscc) if uscc else "",
                legal_representative_name=legal_representative_name.strip(),
                legal_representative_id=normalize_code(legal_representative_id),
                is_staff=kind == UserKind.STAFF)
    if kind != UserKind.STAFF:
        if citizen_id or uscc:
            user.realname_level = RealNameLevel.IDENTITY
            user.identity_method = identity_method
            user.identity_verified_at = clock.now()
        elif phone:
            user.realname_level = RealNameLevel.MOBILE
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=actor, action="accounts.user_create", obj=user,
                 after={"username": username, "kind": kind})
    return user


@transaction.atomic
def enterprise_register(*, uscc: str, name: str, legal_representative_name: str,
                        legal_representative_id: str, actor: Actor,
                        case_number: str = "") -> User:
    """The account of an enterprise the platform has just registered (设立登记,
    cases.registration): its 统一社会信用代码 as user name, verified (L2) by the registration
    itself, and no password — nobody signs in as the enterprise; its legal representative, a
    verified person, speaks for it (accounts.mandates.speaks_for) and may authorize 经办人."""
    code = normalize_code(uscc)
    if User.objects.filter(kind=UserKind.ENTERPRISE, uscc=code).exists() \
            or User.objects.filter(username=code).exists():
        raise NotAllowed(USCC_TAKEN_MESSAGE, code="identity.number_taken")
    user = User(username=code, kind=UserKind.ENTERPRISE, display_name=name.strip()[:150],
                uscc=code, legal_representative_name=legal_representative_name.strip()[:150],
                legal_representative_id=normalize_code(legal_representative_id),
                realname_level=RealNameLevel.IDENTITY,
                identity_method=IdentityMethod.REGISTRATION,
                identity_verified_at=clock.now())
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    role_assign(user=user, role=Role.APPLICANT_ENTERPRISE, actor=actor)
    audit_record(actor=actor, action="accounts.enterprise_register", obj=user,
                 after={"uscc": code, "name": user.display_name,
                        "legal_representative_name": user.legal_representative_name,
                        "case": case_number})
    return user


@transaction.atomic
def role_assign(*, user: User, role: Role, department: Department | None = None,
                region: Region | None = None, actor: Actor = SYSTEM) -> RoleAssignment:
    if role in APPLICANT_ROLES and user.kind == UserKind.STAFF:
        raise InvalidInput("工作人员不能被分配申请人角色。", code="accounts.role_mismatch")
    if role not in APPLICANT_ROLES and user.kind != UserKind.STAFF:
        raise InvalidInput("只有工作人员可以被分配工作角色。", code="accounts.role_mismatch")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, department=department, region=region)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    if created:
        audit_record(actor=actor, action="accounts.role_assign", obj=user,
                     after={"role": role.value,
                            "department": department.pk if department else None,
                            "region": region.pk if region else None})
    return assignment


@transaction.atomic
def role_revoke(*, user: User, role: Role, region: Region | None = None,
                department: Department | None = None, actor: Actor = SYSTEM) -> int:
    """Take back a role assignment (the one scoped to `region` and `department`); the group
    goes with the last assignment of the role. Returns how many assignments were removed."""
    removed, _ = RoleAssignment.objects.filter(user=user, role=role, region=region,
                                               department=department).delete()
    if removed:
        if not RoleAssignment.objects.filter(user=user, role=role).exists():
            user.groups.remove(*Group.objects.filter(name=role.value))
        audit_record(actor=actor, action="accounts.role_revoke", obj=user,
                     before={"role": role.value,
                             "department": department.pk if department else None,
                             "region": region.pk if region else None})
    return removed


# --- sign-in protection (ADR 0011) --------------------------------------------------------
# Failed passwords from one address, whatever the account (password spraying).
ADDRESS_RULE = throttle.Rule("login.address", limit=20, window=600)
# Failed passwords for one account from one address: five free, then waits that double up to
# 15 minutes. Per pair, so a guesser elsewhere never locks the owner out.
PAIR_RULE = throttle.Rule("login.pair", limit=5, window=3600, delay=2, max_delay=900)
# Failed passwords for one account from all addresses it was never signed in from (a guesser
# with many addresses); addresses the account signed in from lately are not held by it.
ACCOUNT_RULE = throttle.Rule("login.account", limit=50, window=3600)
KNOWN_ADDRESS = throttle.Rule("login.known_address", limit=1, window=30 * 86400)
# Wrong second-factor codes per account, counted on their own: a right password resets nothing
# here (issue 8 finding 3). The guesser already holds the password, so the account is held.
SECOND_FACTOR_RULE = throttle.Rule("login.second_factor", limit=5, window=900)
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Attempt:
    """The outcome of one sign-in step: the user when it passed; retry_after > 0 when throttled."""

    user: User | None = None
    retry_after: int = 0


class Throttled(DomainError):
    """Too many attempts: try again after `retry_after` seconds (HTTP 429 with Retry-After)."""

    code = "too_many_requests"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        wait = f"{retry_after} 秒" if retry_after < 120 else f"{(retry_after + 59) // 60} 分钟"
        super().__init__(f"尝试次数过多，请 {wait}后再试。")
        self.retry_after = retry_after


def _account_subject(identifier: str) -> str:
    # The same account typed as user name or as mobile number is one subject.
    user_id = User.objects.filter(Q(username=identifier) | Q(phone=identifier)).values_list(
        "pk", flat=True).first()
    return f"user:{user_id}" if user_id is not None else f"name:{identifier}"


def password_sign_in(request: HttpRequest | None, *, identifier: str, password: str,
                     address: str) -> Attempt:
    """The password step, throttled per address, per (account, address) pair and per account.

    Unknown accounts, inactive ones and wrong passwords all run the password hasher once and
    give the same answer; a throttled attempt runs nothing and answers the same for every name.
    """
    identifier = identifier.strip()
    account = _account_subject(identifier)
    pair = f"{account}\0{address}"
    known = throttle.remembered(KNOWN_ADDRESS, pair)
    checks = [(ADDRESS_RULE, address), (PAIR_RULE, pair)]
    if not known:
        checks.append((ACCOUNT_RULE, account))
    verdict = throttle.attempt(*checks)
    if not verdict.allowed:
        return Attempt(retry_after=verdict.retry_after)
    user = authenticate(request, username=identifier, password=password)
    if not isinstance(user, User):
        return Attempt()
    # A right password: this attempt was no failure.
    throttle.release(ADDRESS_RULE, address)
    if not known:
        throttle.release(ACCOUNT_RULE, account)
    throttle.clear(PAIR_RULE, pair)
    throttle.remember(KNOWN_ADDRESS, pair)
    return Attempt(user=user)


def _recovery_hash(user: User, code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"{user.pk}:{normalized}".encode()).hexdigest()


def applicant_identity_confirm(*, owner: User, id_number: str, name: str,
                               verified_by: User | None) -> None:
    """Inside an application's transaction: whether `owner` may apply as `name` with
    `id_number` (the USCC for an enterprise) — issue 8, finding 9.

    Online (`verified_by` None) only as the identity recorded on the account
    (accounts.selectors.identity_mismatch). At a window or through a 帮代办员 (`verified_by`,
    the staff member who filed) the person's ID card, or the agent's 授权委托书, was checked in
    person, so any number goes; an account with no identity recorded is bound to the one the
    staff member verified (柜面核验), with an audit row naming them, and may then apply online.
    """
    owner = User.objects.select_for_update().get(pk=owner.pk)
    if verified_by is None:
        refusal = identity_mismatch(owner, id_number, name)
        if refusal is not None:
            raise NotAllowed(refusal.message, code=refusal.code)
        return
    field = "uscc" if owner.kind == UserKind.ENTERPRISE else "citizen_id"
    if getattr(owner, field):
        return
    identity_bind(owner=owner, id_number=id_number, name=name, method=IdentityMethod.WINDOW,
                  verified_by=verified_by, actor=actor_for(verified_by))


def identity_bind(*, owner: User, id_number: str, name: str, method: str,
                  verified_by: User | None, actor: Actor, provider: str = "",
                  take_name: bool = False) -> None:
    """Record a verified identity on `owner` (locked by the caller, inside its transaction):
    the number (USCC for an enterprise), L2, how and by whom it was verified, the name (when
    `take_name`: the name was verified with the number; else only when none was recorded),
    and an audit row — which fields, how, who; never the number
    (quality.md #11). One ID number belongs to one person account, one USCC to one enterprise
    account: looked up first (accounts.selectors.citizen_id_holder) for the clear refusal, and
    held by the database's constraints, which refuse the same way when two verifications of
    one number race past the look-up."""
    enterprise = owner.kind == UserKind.ENTERPRISE
    field = "uscc" if enterprise else "citizen_id"
    number = normalize_code(id_number)
    if not enterprise and citizen_id_holder(number, besides=owner) is not None:
        raise NotAllowed(NUMBER_TAKEN_MESSAGE, code="identity.number_taken")
    setattr(owner, field, number)
    owner.realname_level = RealNameLevel.IDENTITY
    owner.identity_method = method
    owner.identity_verified_at = clock.now()
    owner.identity_verified_by = verified_by
    fields = [field, "realname_level", "identity_method", "identity_verified_at",
              "identity_verified_by"]
    if take_name or not owner.display_name:
        owner.display_name = name.strip()
        fields.append("display_name")
    try:
        # A savepoint: on PostgreSQL the refused UPDATE must not abort the caller's transaction
        # before it can answer. The only unique fields written here are the number's.
        with transaction.atomic():
            owner.save(update_fields=fields)
    except IntegrityError as error:
        owner.refresh_from_db()
        raise NotAllowed(USCC_TAKEN_MESSAGE if enterprise else NUMBER_TAKEN_MESSAGE,
                         code="identity.number_taken") from error
    audit_record(actor=actor, action="accounts.identity_recorded", obj=owner,
                 after={"fields": fields, "method": method, "provider": provider,
                        "verified_in_person": method == IdentityMethod.WINDOW,
                        "verified_by": verified_by.pk if verified_by else None})


@transaction.atomic
def recovery_codes_new(*, user: User) -> list[str]:
    """A new set of single-use recovery codes, replacing the old set; only hashes are kept, so
    the returned codes are shown once and never again."""
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in
             range(RECOVERY_CODES)]
    codes = [f"{code[:5]}-{code[5:]}" for code in codes]
    user.recovery_codes.all().delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_recovery_hash(user, code)) for code in codes])
    audit_record(actor=actor_for(user), action="accounts.recovery_codes_new", obj=user,
                 after={"count": len(codes)})
    return codes


def _recovery_code_use(user: User, code: str) -> bool:
    # One UPDATE … WHERE used_at IS NULL: two sign-ins racing with one code, one wins.
    used = RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(user, code),
                                       used_at__isnull=True).update(used_at=clock.now())
    if used:
        audit_record(actor=actor_for(user), action="accounts.recovery_code_use", obj=user,
                     after={"left": user.recovery_codes.filter(used_at__isnull=True).count()})
    return bool(used)


def second_factor_attempt(*, user: User, code: str, recovery: bool = True) -> Attempt:
    """One second-factor attempt (a TOTP code, or a recovery code when `recovery`), counted per
    account on its own rule; a right code clears the count."""
    subject = f"user:{user.pk}"
    verdict = throttle.attempt((SECOND_FACTOR_RULE, subject))
    if not verdict.allowed:
        return Attempt(retry_after=verdict.retry_after)
    code = code.strip()
    with transaction.atomic():
        passed = (totp_check(user, code) if code.isdigit() and len(code) == 6
                  else recovery and _recovery_code_use(user, code))
        if passed:
            throttle.clear(SECOND_FACTOR_RULE, subject)
            return Attempt(user=user)
        if verdict.remaining == 0:
            audit_record(actor=SYSTEM, action="accounts.second_factor_locked", obj=user,
                         after={"seconds": SECOND_FACTOR_RULE.window})
    return Attempt()


@transaction.atomic
def totp_begin(*, user: User) -> str:
    """Give the user a new TOTP secret (not yet active until confirmed with a code)."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled = False
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    return user.totp_secret


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username,
                                                        issuer_name="Zhengwu 政务")


def totp_check(user: User, code: str) -> bool:
    """Whether `code` is the user's TOTP code for the previous, current or next 30-second step
    (clock drift of a phone) and newer than the last code accepted: each code is good once
    (RFC 6238 §5.2). Taking the step is one conditional UPDATE, so of two sign-ins racing with
    one code exactly one passes."""
    if not user.totp_secret:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    # Real time, never the platform's (possibly frozen, demo) clock: the code comes from a phone.
    current = totp.timecode(timezone.now())
    code = code.strip()
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            taken = User.objects.filter(pk=user.pk).filter(
                Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step),
            ).update(totp_last_step=step)
            if taken:
                user.totp_last_step = step
            return bool(taken)
    return False


def totp_enrol(*, user: User, code: str) -> list[str]:
    """Turn TOTP on once the user shows a code from the new secret (a wrong code counts as a
    failed second factor); returns the first set of recovery codes."""
    result = second_factor_attempt(user=user, code=code, recovery=False)
    if result.retry_after:
        raise Throttled(result.retry_after)
    if result.user is None:
        raise InvalidInput("验证码不正确，请查看认证器上的6位数字后重试。", code="accounts.totp_invalid")
    with transaction.atomic():
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
        audit_record(actor=actor_for(user), action="accounts.totp_enable", obj=user)
        return recovery_codes_new(user=user)


# --- single sign-on (accounts.sso) ----------------------------------------------------------
# Callbacks from one address that signed nobody in (a forged or replayed state, a code the
# provider refused, an identity refused here): as many as a crowded hall's sign-ins may fail.
SSO_ADDRESS_RULE = throttle.Rule("sso.address", limit=30, window=600)
_CLOSED = "该账号已停用或注销，不能登录。如有疑问请到政务服务大厅窗口咨询。"


def _sso_login_audit(user: User, identity: VerifiedIdentity) -> None:
    audit_record(actor=actor_for(user), action="accounts.sso_login", obj=user,
                 after={"issuer": identity.issuer})


def _sso_link_record(user: User, identity: VerifiedIdentity, how: str,
                     actor: Actor) -> ExternalIdentity:
    try:
        with transaction.atomic():
            link = ExternalIdentity.objects.create(issuer=identity.issuer,
                                                   subject=identity.subject, user=user,
                                                   linked_at=clock.now())
    except IntegrityError as error:
        # The same person's first sign-in twice at once (two tabs): one links, this one stops
        # (its new account, if any, rolls back with it) and the next try finds the link.
        raise Conflict("登录正在处理中，请重新登录。", code="sso.link_race") from error
    # Which provider and how the link was made; never the ID number (quality.md #11).
    audit_record(actor=actor, action="accounts.sso_link", obj=user,
                 after={"issuer": identity.issuer, "how": how})
    return link


def _sso_account_new(identity: VerifiedIdentity) -> User:
    """A person account for someone the platform has not met: L2 (SSO) when the provider
    vouched for the ID number, without identity otherwise. No password: they sign in through
    the provider (or set one later through password reset)."""
    user = user_create(username=f"sso-{secrets.token_hex(6)}",
                       password=secrets.token_urlsafe(32), kind=UserKind.PERSON,
                       display_name=identity.name)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if identity.id_number:
        # One number, one person account (identity_bind): a number recorded on an account
        # that was never verified is not silently duplicated; the window sorts it out.
        identity_bind(owner=user, id_number=identity.id_number, name=identity.name,
                      method=IdentityMethod.SSO, verified_by=None, actor=actor_for(user),
                      provider=identity.issuer, take_name=True)
    return user


@transaction.atomic
def sso_sign_in(*, identity: VerifiedIdentity) -> User:
    """The account that `identity` signs in to, linked on first use.

    Later sign-ins: the account linked to (issuer, subject), unless it is closed or its
    verified ID number is not the one the provider vouches for now (never taken over). First
    sign-in: the person account whose ID number was verified (L2) and equals the one the
    provider vouches for; a new account when there is none. A name alone links nothing: two
    people share a name, never a verified ID number. Staff accounts are linked only by their
    holder (sso_link).
    """
    link = ExternalIdentity.objects.filter(issuer=identity.issuer,
                                           subject=identity.subject).first()
    if link is not None:
        user = User.objects.select_for_update().get(pk=link.user_id)
        if not user.is_active:
            raise NotAllowed(_CLOSED, code="sso.account_closed")
        if (identity.id_number and user.kind == UserKind.PERSON and user.citizen_id
                and user.citizen_id != identity.id_number):
            raise NotAllowed("统一身份认证提供的身份与本账号登记的身份不一致，不能登录。"
                             "请到政务服务大厅窗口核实。", code="sso.identity_conflict")
        _sso_login_audit(user, identity)
        return user
    if identity.id_number:
        matches = list(User.objects.select_for_update().filter(
            kind=UserKind.PERSON, realname_level=RealNameLevel.IDENTITY,
            citizen_id=identity.id_number).order_by("pk")[:2])
        if len(matches) > 1:
            raise NotAllowed("该身份证号对应多个账号，不能自动关联。请到政务服务大厅窗口核实。",
                             code="sso.identity_ambiguous")
        if matches:
            user = matches[0]
            if not user.is_active:
                raise NotAllowed(_CLOSED, code="sso.account_closed")
            if ExternalIdentity.objects.filter(issuer=identity.issuer, user=user).exists():
                raise NotAllowed("您的账号已关联另一个统一身份认证账户，不能再关联。"
                                 "请到政务服务大厅窗口核实。", code="sso.identity_conflict")
            _sso_link_record(user, identity, "id_number", actor_for(user))
            _sso_login_audit(user, identity)
            return user
    user = _sso_account_new(identity)
    _sso_link_record(user, identity, "new_account", actor_for(user))
    _sso_login_audit(user, identity)
    return user


@transaction.atomic
def sso_link(*, user: User, identity: VerifiedIdentity) -> ExternalIdentity:
    """Link the signed-in staff member's own identity at the provider to their account (they
    just signed in there themselves). Staff are never linked by claims; their roles stay
    managed here, and signing in through the provider still asks their second factor."""
    if not user.is_staff_user:
        raise NotAllowed("只有工作人员需要手动关联统一身份认证账户。", code="sso.link_staff_only")
    existing = ExternalIdentity.objects.filter(issuer=identity.issuer,
                                               subject=identity.subject).first()
    if existing is not None:
        if existing.user_id == user.pk:
            return existing
        raise NotAllowed("该统一身份认证账户已关联其他账号。", code="sso.identity_taken")
    if ExternalIdentity.objects.filter(issuer=identity.issuer, user=user).exists():
        raise NotAllowed("您的账号已关联另一个统一身份认证账户。", code="sso.already_linked")
    return _sso_link_record(user, identity, "staff_self", actor_for(user))
# --- addresses (我的空间) ------------------------------------------------------------------------

ADDRESS_LIMIT = 20


class AddressInvalid(InvalidInput):
    """An address breaks a rule; `field` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str, code: str = "address.invalid") -> None:
        super().__init__(message, code=code)
        self.field = field


@dataclass(frozen=True)
class AddressIn:
    label: str
    region_code: str
    detail: str
    postcode: str = ""
    is_default: bool = False


def address_clean(data: AddressIn) -> tuple[dict[str, str], Region]:
    """The address's fields checked and trimmed, or AddressInvalid on the first wrong one.
    The one place these rules live: the pages and the API both come here."""
    values = {"label": data.label.strip(), "detail": data.detail.strip(),
              "postcode": normalize_code(data.postcode)}
    for name, label, limit in (("label", "名称", 20), ("detail", "详细地址", 200)):
        text = values[name]
        if not text:
            raise AddressInvalid(f"请填写{label}。", field=name)
        if len(text) > limit:
            raise AddressInvalid(f"{label}最多 {limit} 个字（现在 {len(text)} 个）。", field=name)
        try:
            check_text(text, label=label)
        except TextError as error:
            raise AddressInvalid(error.message, field=name) from error
    postcode = values["postcode"]
    if postcode and not (len(postcode) == 6 and postcode.isascii() and postcode.isdigit()):
        raise AddressInvalid("邮政编码应为 6 位数字。", field="postcode")
    region = Region.objects.filter(code=data.region_code).first() if data.region_code else None
    if region is None:
        raise AddressInvalid("请选择所在区划。", field="region")
    return values, region


@transaction.atomic
def address_save(*, user: User, data: AddressIn, address_id: int | None = None) -> Address:
    """Add an address to the person's own list (at most ADDRESS_LIMIT), or change one of theirs
    (`address_id`; another's is absent: DoesNotExist). Made the default, it takes the place of
    the previous default."""
    values, region = address_clean(data)
    # Lock the person's row: two tabs adding the twentieth address at once add one.
    User.objects.select_for_update().filter(pk=user.pk).first()
    mine = Address.objects.filter(user=user)
    if address_id is None:
        if mine.count() >= ADDRESS_LIMIT:
            raise AddressInvalid(f"最多保存 {ADDRESS_LIMIT} 个常用地址，请先删除不用的地址。",
                                 field="__all__", code="address.limit")
        address = Address(user=user, created_at=clock.now())
        before = None
    else:
        address = mine.get(pk=address_id)
        before = _address_audit(address)
    if data.is_default:
        mine.exclude(pk=address.pk).filter(is_default=True).update(is_default=False)
    address.label = values["label"]
    address.detail = values["detail"]
    address.postcode = values["postcode"]
    address.region = region
    address.is_default = data.is_default
    address.save()
    audit_record(actor=actor_for(user), action="accounts.address_save", obj=address,
                 object_repr=address.label,
                 before=before, after=_address_audit(address))
    return address


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    """Remove one of the person's own addresses (another's is absent: DoesNotExist)."""
    address = Address.objects.select_for_update().get(user=user, pk=address_id)
    before = _address_audit(address)
    audit_record(actor=actor_for(user), action="accounts.address_delete", obj=address,
                 object_repr=address.label,
                 before=before)
    address.delete()


def _address_audit(address: Address) -> dict[str, object]:
    # The audit row says which address changed, not where the person lives: the region only.
    return {"label": address.label, "region": address.region_id,
            "is_default": address.is_default}

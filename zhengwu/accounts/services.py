"""Writes for accounts: role groups, users, role assignments, sign-in protection, TOTP and
recovery codes.

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
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from zhengwu.accounts import throttle
from zhengwu.accounts.models import (
    Address,
    IdentityMethod,
    RealNameLevel,
    RecoveryCode,
    RoleAssignment,
    User,
    UserKind,
)
from zhengwu.accounts.roles import APPLICANT_ROLES, ROLE_PERMISSIONS, Role
from zhengwu.accounts.selectors import identity_mismatch
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.codes import normalize_code
from zhengwu.core.errors import DomainError, InvalidInput, NotAllowed
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
                identity_method: str = IdentityMethod.PACK, actor: Actor = SYSTEM) -> User:
    """A new account, made by trusted code (the data pack, the admin, tests). An applicant's
    identity given here counts as verified by `identity_method` and makes the account L2; a
    phone number alone makes it L1. People signing up themselves go through the sign-up
    service, which verifies each step."""
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"用户名 {username} 已存在。", code="accounts.username_taken")
    if phone and User.objects.filter(phone=phone).exists():
        raise InvalidInput("该手机号已注册。", code="accounts.phone_taken")
    user = User(username=username, kind=kind, display_name=display_name, phone=phone or None,
                citizen_id=normalize_code(citizen_id) if citizen_id else "",
                uscc=normalize_code(uscc) if uscc else "",
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
    setattr(owner, field, normalize_code(id_number))
    owner.realname_level = RealNameLevel.IDENTITY
    owner.identity_method = IdentityMethod.WINDOW
    owner.identity_verified_at = clock.now()
    fields = [field, "realname_level", "identity_method", "identity_verified_at"]
    if not owner.display_name:
        owner.display_name = name
        fields.append("display_name")
    owner.save(update_fields=fields)
    # Which fields were recorded and who verified the papers, never the number (quality.md #11).
    audit_record(actor=actor_for(verified_by), action="accounts.identity_recorded", obj=owner,
                 after={"fields": fields, "verified_in_person": True})


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

"""Writes for accounts: role groups, users, role assignments, sign-in protection, TOTP.

Each function is one transaction with its audit row (core.audit).
"""

from __future__ import annotations

import datetime as dt

import pyotp
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from zhengwu.accounts.models import RoleAssignment, User, UserKind
from zhengwu.accounts.roles import APPLICANT_ROLES, ROLE_PERMISSIONS, Role
from zhengwu.accounts.selectors import identity_mismatch
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.codes import normalize_code
from zhengwu.core.errors import InvalidInput, NotAllowed
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
                actor: Actor = SYSTEM) -> User:
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"用户名 {username} 已存在。", code="accounts.username_taken")
    if phone and User.objects.filter(phone=phone).exists():
        raise InvalidInput("该手机号已注册。", code="accounts.phone_taken")
    user = User(username=username, kind=kind, display_name=display_name, phone=phone or None,
                citizen_id=normalize_code(citizen_id) if citizen_id else "",
                uscc=normalize_code(uscc) if uscc else "",
                is_staff=kind == UserKind.STAFF)
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


def applicant_identity_confirm(*, owner: User, id_number: str, on_behalf: bool) -> None:
    """Inside an application's transaction: refuse an ID number (USCC for an enterprise) other
    than the one recorded on the applicant's account, unless the filing is 代办 (at a window
    or by a 帮代办员, who checked the papers); an account with none recorded gets this one,
    with an audit row (issue 8, finding 9; see accounts.selectors.identity_mismatch)."""
    if on_behalf:
        return
    owner = User.objects.select_for_update().get(pk=owner.pk)
    refusal = identity_mismatch(owner, id_number)
    if refusal is not None:
        raise NotAllowed(refusal, code="identity.mismatch")
    field = "uscc" if owner.kind == UserKind.ENTERPRISE else "citizen_id"
    if not getattr(owner, field):
        setattr(owner, field, normalize_code(id_number))
        owner.save(update_fields=[field])
        # Which field was recorded, never the number itself (quality.md #11).
        audit_record(actor=actor_for(owner), action="accounts.identity_recorded", obj=owner,
                     after={"field": field})


def login_is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > clock.now()


@transaction.atomic
def login_failed(*, user: User) -> None:
    """Count a failed sign-in; lock the account after the configured number (quality.md #16)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.failed_logins += 1
    fields = ["failed_logins"]
    if user.failed_logins >= settings.ZHENGWU_LOGIN_MAX_FAILURES:
        user.locked_until = clock.now() + dt.timedelta(seconds=settings.ZHENGWU_LOGIN_LOCK_SECONDS)
        user.failed_logins = 0
        fields.append("locked_until")
        audit_record(actor=SYSTEM, action="accounts.locked", obj=user,
                     after={"locked_until": user.locked_until.isoformat()})
    user.save(update_fields=fields)


@transaction.atomic
def login_succeeded(*, user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


@transaction.atomic
def totp_begin(*, user: User) -> str:
    """Give the user a new TOTP secret (not yet active until confirmed with a code)."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled = False
    user.save(update_fields=["totp_secret", "totp_enabled"])
    return user.totp_secret


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username,
                                                        issuer_name="Zhengwu 政务")


def totp_check(user: User, code: str) -> bool:
    if not user.totp_secret:
        return False
    return bool(pyotp.TOTP(user.totp_secret).verify(code.strip(), for_time=clock.now(),
                                                    valid_window=1))


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> None:
    if not totp_check(user, code):
        raise InvalidInput("验证码不正确，请查看认证器上的6位数字后重试。", code="accounts.totp_invalid")
    user.totp_enabled = True
    user.save(update_fields=["totp_enabled"])
    audit_record(actor=actor_for(user), action="accounts.totp_enable", obj=user)

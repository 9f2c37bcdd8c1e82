"""Reads about users and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.db.models import QuerySet

from zhengwu.accounts.models import Address, ExternalIdentity, RoleAssignment, User, UserKind
from zhengwu.accounts.roles import SECOND_FACTOR_ROLES, Role
from zhengwu.core.codes import normalize_code
from zhengwu.core.text import name_key
from zhengwu.regions.selectors import region_ancestors

# 后台审批人员 and 首席代表: who act for a department in its back office (policies, openness,
# inspections…); one definition, so an app cannot drift from the others.
OFFICER_ROLES: Final = (Role.REVIEWER, Role.CHIEF_REPRESENTATIVE)


def holds(user: User | None, *roles: str) -> bool:
    """Whether a signed-in member of staff holds one of `roles` (anywhere)."""
    return bool(user is not None and user.is_authenticated and user.is_staff
                and RoleAssignment.objects.filter(user=user, role__in=roles).exists())


def is_supervisor(user: User | None) -> bool:
    """电子监察: reads every department's work and acts on none."""
    return holds(user, Role.SUPERVISOR)


def officer_department_ids(user: User | None) -> set[int]:
    """The departments `user` acts for as 后台审批人员 or 首席代表 (empty for non-staff)."""
    if user is None or not user.is_authenticated or not user.is_staff:
        return set()
    return set(RoleAssignment.objects.filter(
        user=user, role__in=OFFICER_ROLES, department__isnull=False).values_list(
        "department_id", flat=True))


def user_roles(user: User) -> list[RoleAssignment]:
    return list(user.role_assignments.select_related("department", "region"))


def user_has_role(user: User, role: Role) -> bool:
    return user.is_authenticated and user.role_assignments.filter(role=role).exists()


def second_factor_required(user: User) -> bool:
    """Whether signing in needs a second factor: the user turned TOTP on, or holds a role that
    requires it (roles.SECOND_FACTOR_ROLES; only staff hold such roles)."""
    if user.totp_enabled:
        return True
    return bool(user.is_staff) and user.role_assignments.filter(
        role__in=SECOND_FACTOR_ROLES).exists()


def external_identity(user: User, issuer: str) -> ExternalIdentity | None:
    """The user's identity at the provider `issuer` (single sign-on), if linked."""
    return ExternalIdentity.objects.filter(user=user, issuer=issuer).first()


# The refusals of identity_mismatch by API error code, with the form field each is about: pages
# show the message next to it.
IDENTITY_REFUSAL_FIELDS: Final = {"identity.unrecorded": "id_number",
                                  "identity.mismatch": "id_number",
                                  "identity.name_mismatch": "applicant_name"}


@dataclass(frozen=True)
class IdentityRefusal:
    """Why an applicant may not apply as whom they said."""

    code: str
    message: str

    @property
    def field(self) -> str:
        return IDENTITY_REFUSAL_FIELDS[self.code]


def _self(owner: User) -> str:
    """How the refusals name the account's holder: a person is 本人, an enterprise 本单位."""
    return "本单位" if owner.kind == UserKind.ENTERPRISE else "本人"


def citizen_id_holder(id_number: str, *, besides: User | None = None) -> User | None:
    """The person account that holds `id_number` as its identity (one number, one person
    account), other than `besides`, or None."""
    number = normalize_code(id_number)
    if not number:
        return None
    holders = User.objects.filter(kind=UserKind.PERSON, citizen_id=number)
    if besides is not None:
        holders = holders.exclude(pk=besides.pk)
    return holders.first()


NUMBER_TAKEN_MESSAGE: Final = ("该身份证号码已在另一个账号完成实名认证：一个身份证号码只能对应一个个人账号。"
                               "如果那个账号不是您本人的，请携带居民身份证到政务服务大厅窗口处理。")
USCC_TAKEN_MESSAGE: Final = ("该统一社会信用代码已登记在另一个企业账号：一个企业只能有一个法人账号。"
                             "请携带营业执照到政务服务大厅窗口处理。")


def identity_missing(owner: User) -> IdentityRefusal | None:
    """Why `owner` cannot apply online in its own name at all (no identity recorded on the
    account; see identity_mismatch), or None. The apply pages say it before the form is filled."""
    enterprise = owner.kind == UserKind.ENTERPRISE
    if normalize_code(owner.uscc if enterprise else owner.citizen_id):
        return None
    what, papers = ("统一社会信用代码", "营业执照") if enterprise else ("身份证号码", "居民身份证")
    online = "" if enterprise else "在“实名认证”页面在线核验，或"
    return IdentityRefusal("identity.unrecorded", (
        f"您的账号尚未登记{what}，暂不能网上以{_self(owner)}名义申请。"
        f"请先{online}携带{papers}到政务服务大厅窗口办理：核验后账号即登记身份，之后即可网上申请。"))


def identity_mismatch(owner: User, id_number: str, name: str = "") -> IdentityRefusal | None:
    """Why `owner` may not apply in their own name as `name` with `id_number`, or None.

    Until accounts carry an identity verified by an identity provider (issue 10), the one
    recorded on the account is binding (issue 8, finding 9): online, an applicant applies only
    as the person or enterprise the account belongs to — that ID number (USCC) and, when the
    account has a name recorded, that name (core.text.name_key: full-width forms, spaces and
    middle-dot variants do not count). An account with no identity recorded cannot apply online
    in its own name at all: anyone could otherwise claim a stranger's number once. Its holder
    brings the ID card (business licence) to a window, where the clerk verifies it in person and
    the account is bound (accounts.services.applicant_identity_confirm). Filing for someone else
    (代办) is the window's and the 帮代办员's work, who check the ID card and the 授权委托书.
    """
    missing = identity_missing(owner)
    if missing is not None:
        return missing
    enterprise = owner.kind == UserKind.ENTERPRISE
    recorded = normalize_code(owner.uscc if enterprise else owner.citizen_id)
    what = "统一社会信用代码" if enterprise else "身份证号码"
    if recorded != normalize_code(id_number):
        return IdentityRefusal("identity.mismatch", (
            f"{what}与您账号登记的不一致：网上只能以{_self(owner)}名义申请。"
            "代他人办理请到窗口，或由帮代办员凭授权委托书代为申请。"))
    if name and owner.display_name and name_key(name) != name_key(owner.display_name):
        who = "名称" if enterprise else "姓名"
        return IdentityRefusal("identity.name_mismatch", (
            f"申请人{who}与您账号登记的“{owner.display_name}”不一致：网上只能以{_self(owner)}"
            "名义申请。代他人办理请到窗口，或由帮代办员凭授权委托书代为申请。"))
    return None


def addresses_for(user: User) -> QuerySet[Address]:
    """The person's own addresses, the default first (for 我的空间 and for prefilling forms:
    `addresses_for(user).first()` is the one to offer first)."""
    if not user.is_authenticated:
        return Address.objects.none()
    return Address.objects.filter(user=user).select_related("region").order_by(
        "-is_default", "id")


# The levels whose names open an address written out: the county (耒阳市) and below; the
# province and the city are left to the region code.
_WRITTEN_FROM = ("county", "street", "town", "township", "community", "village")


def address_text(address: Address) -> str:
    """The address written out as forms ask for it: 耒阳市蔡子池街道五一路8号."""
    names = [r.name for r in region_ancestors(address.region) if r.level in _WRITTEN_FROM]
    return "".join(names) + address.detail


def address_prefill(user: User) -> dict[str, str] | None:
    """What the person's default address (else their first) puts into a form: the region
    code, the address written out and the postcode; None when they kept none. For the item
    forms' prefill (issue 10 §3) — an answer the person can still change."""
    address = addresses_for(user).first()
    if address is None:
        return None
    return {"region": address.region_id, "address": address_text(address),
            "postcode": address.postcode}

"""Reads about users and their roles."""

from __future__ import annotations

from zhengwu.accounts.models import RoleAssignment, User, UserKind
from zhengwu.accounts.roles import SECOND_FACTOR_ROLES, Role
from zhengwu.core.codes import normalize_code


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


def identity_mismatch(owner: User, id_number: str) -> str | None:
    """Why `owner` may not apply in their own name with `id_number`, or None.

    Until accounts carry a verified identity (issue 10), the one recorded on the account is
    binding: an applicant applies only as the person or enterprise the account belongs to
    (issue 8, finding 9). An account with none recorded gets the first one it files with
    (accounts.services.applicant_identity_confirm). Filing for someone else (代办) is the
    window's and the 帮代办员's work, who check the ID card and the 授权委托书 in person.
    """
    enterprise = owner.kind == UserKind.ENTERPRISE
    recorded = normalize_code(owner.uscc if enterprise else owner.citizen_id)
    if not recorded or recorded == normalize_code(id_number):
        return None
    what = "统一社会信用代码" if enterprise else "身份证号码"
    return (f"{what}与您账号登记的不一致：网上只能以本人（本单位）名义申请。"
            "代他人办理请到窗口，或由帮代办员凭授权委托书代为申请。")

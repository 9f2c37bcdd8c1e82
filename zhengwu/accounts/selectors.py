"""Reads about users and their roles."""

from __future__ import annotations

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import SECOND_FACTOR_ROLES, Role


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

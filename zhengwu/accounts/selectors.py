"""Reads about users and their roles."""

from __future__ import annotations

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role


def user_roles(user: User) -> list[RoleAssignment]:
    return list(user.role_assignments.select_related("department", "region"))


def user_has_role(user: User, role: Role) -> bool:
    return user.is_authenticated and user.role_assignments.filter(role=role).exists()

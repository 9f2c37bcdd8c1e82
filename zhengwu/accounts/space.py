"""Whose 我的空间 a signed-in person is looking at: their own, or that of an enterprise they
speak for as its legal representative (accounts.mandates.speaks_for).

An enterprise registered on the platform (设立登记) has no password: its legal representative
opens its space from their own — 我的空间 offers the choice (切换空间) among the accounts they
speak for, and the choice is kept in the session until they switch back or sign out. Every
request checks it again (`space_owner`), so a person who stops being the legal
representative sees only their own space at once. An enterprise's 经办人 (an authorization)
files for it but does not get its space: that needs the legal representative.

Pages of 我的空间 (portal, licences, sharing) take their owner from `space_owner`, never
from `request.user` directly; staff are refused as before (core.personal_space.owner_check).
"""

from __future__ import annotations

from typing import Final

from django.http import HttpRequest

from zhengwu.accounts.mandates import represented
from zhengwu.accounts.models import User
from zhengwu.core import personal_space
from zhengwu.core.errors import NotAllowed

SESSION_KEY: Final = "zhengwu.space_for"


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the views are login_required
    personal_space.owner_check(user)
    return user


def spaces_for(user: User) -> list[User]:
    """The spaces `user` may open: their own first, then the enterprises they represent."""
    others = list(represented(user).exclude(pk=user.pk).order_by("pk"))
    return [user, *others]


def space_owner(request: HttpRequest) -> User:
    """The account whose space the page shows: the one chosen, if the signed-in person still
    speaks for it; else their own."""
    user = _signed_in(request)
    chosen = request.session.get(SESSION_KEY)
    if chosen is None or chosen == user.pk:
        return user
    owner = represented(user).filter(pk=chosen).first() if isinstance(chosen, int) else None
    if owner is None:
        request.session.pop(SESSION_KEY, None)
        return user
    return owner


def space_of(user: User, account_id: int | None) -> User:
    """The account `account_id` names, if `user` may open its space (the API's `account`
    parameter); NotAllowed `space.forbidden` otherwise. None: the user's own."""
    if account_id is None or account_id == user.pk:
        return user
    owner = next((a for a in spaces_for(user) if a.pk == account_id), None)
    if owner is None:
        raise NotAllowed("您不是该企业的法定代表人，不能进入其空间。", code="space.forbidden")
    return owner


def space_row(account: User) -> dict[str, object]:
    """A space as the API lists it."""
    return {"id": account.pk, "name": str(account), "kind": account.kind,
            "uscc": account.uscc}


def space_choose(request: HttpRequest, account_id: str) -> User:
    """Open the space of `account_id` (one the person speaks for; NotAllowed otherwise)."""
    user = _signed_in(request)
    chosen = account_id.strip()
    owner = space_of(user, int(chosen) if chosen.isdigit() else -1)
    if owner.pk == user.pk:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = owner.pk
    return owner

"""Authentication backends.

`UsernameOrPhoneBackend` checks a password (username for staff, mobile number for applicants).
`SecondFactorBackend` checks nothing itself: the sign-in views log a user in through it once
the second step is done, and the session then records it (`_auth_user_backend`). A session made
by the password backend alone is a full sign-in only for users who need no second factor;
accounts.middleware.SecondFactorMiddleware ends any other (e.g. one made by a third-party login
form). It is listed first in AUTHENTICATION_BACKENDS, so a login() without a backend in tests
(Client.force_login) is a completed sign-in. `SingleSignOnBackend` also checks nothing: the
single sign-on callback (accounts.sso_views) logs in through it a user the provincial identity
platform vouched for; like a password, that is a first factor only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from zhengwu.accounts.models import User

PASSWORD_BACKEND = "zhengwu.accounts.backends.UsernameOrPhoneBackend"  # noqa: S105 (a path)
SECOND_FACTOR_BACKEND = "zhengwu.accounts.backends.SecondFactorBackend"
SSO_BACKEND = "zhengwu.accounts.backends.SingleSignOnBackend"


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> User | None:
        if not username or not password:
            return None
        user = User.objects.filter(Q(username=username) | Q(phone=username)).first()
        if user is None:
            # The same work as a real check: an unknown name answers in the same time.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class SecondFactorBackend(BaseBackend):
    """Loads the user of a session whose sign-in passed the second step."""

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


class SingleSignOnBackend(BaseBackend):
    """Loads the user of a session signed in through the identity platform (OpenID Connect).
    It authenticates nobody itself: the callback view checks the provider's answer."""

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None

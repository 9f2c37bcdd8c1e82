"""Test helper: an applicant account made by `user_create` as if its holder had agreed to the
current privacy notice online (as sign-up does), so that tests of other things are not stopped
at the consent page (accounts.middleware.PrivacyConsentMiddleware)."""

from __future__ import annotations

from zhengwu.accounts.consent import consent_record, notice_current
from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for


def consented(user: User) -> User:
    notice = notice_current()
    if notice is not None:
        consent_record(user=user, version=notice.version, actor=actor_for(user))
    return user

"""The privacy notice (个人信息处理规则) in versions, and people's consent to them (PIPL
art. 14, 17).

The notice text comes from the data pack (packs/<pack>/privacy.md, zhengwu.packs.loader) and is
published as a new version, never edited in place: a consent names the exact text agreed to.
The current notice is the newest one published by now. A signed-in applicant whose last consent
is to an older version is asked again (accounts.middleware.PrivacyConsentMiddleware) before
anything else; staff are not. Accounts that never gave consent on this site (made by the data
pack, the admin or a window clerk, whose consent is taken on paper) are not stopped.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhengwu.accounts.models import PrivacyConsent, PrivacyNotice, User, UserKind
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import InvalidInput


def notice_current() -> PrivacyNotice | None:
    return PrivacyNotice.objects.filter(published_at__lte=clock.now()).first()


def notices_since(version: str | None) -> list[PrivacyNotice]:
    """The versions published after `version` up to the current one, newest first (what
    changed since a person last agreed)."""
    published = PrivacyNotice.objects.filter(published_at__lte=clock.now())
    since = published.filter(version=version).first() if version else None
    if since is not None:
        published = published.filter(published_at__gt=since.published_at)
    return list(published)


@transaction.atomic
def notice_publish(*, version: str, title: str, body: str, changes: str = "", closure: str = "",
                   published_at: dt.datetime, actor: Actor = SYSTEM) -> tuple[PrivacyNotice, bool]:
    """Publish a version of the notice (True) or find it unchanged (False). A published
    version's text is never changed: people agreed to it; a new text needs a new version."""
    if not version.strip() or not title.strip() or not body.strip():
        raise InvalidInput("隐私政策须有版本号、标题和正文。", code="accounts.notice_invalid")
    fields = {"title": title, "body": body, "changes": changes, "closure": closure}
    existing = PrivacyNotice.objects.filter(version=version).first()
    if existing is not None:
        if any(getattr(existing, key) != value for key, value in fields.items()):
            raise InvalidInput(f"隐私政策 {version} 已发布，内容变化须使用新的版本号。",
                               code="accounts.notice_changed")
        return existing, False
    notice = PrivacyNotice.objects.create(version=version, published_at=published_at, **fields)
    audit_record(actor=actor, action="accounts.privacy_notice_publish", obj=notice,
                 after={"version": version, "published_at": published_at.isoformat()})
    return notice, True


def consented_version(user: User) -> str | None:
    """The version of the user's latest consent, or None."""
    latest = (PrivacyConsent.objects.filter(user=user).select_related("notice")
              .order_by("-notice__published_at", "-pk").first())
    return latest.notice.version if latest is not None else None


def consent_needed(user: User, current: PrivacyNotice | None) -> bool:
    """Whether `user` must agree to `current` before going on: an applicant who agreed to an
    older version."""
    if current is None or user.kind == UserKind.STAFF or user.is_staff:
        return False
    consents = PrivacyConsent.objects.filter(user=user)
    return consents.exists() and not consents.filter(notice=current).exists()


def consent_record(*, user: User, version: str, actor: Actor) -> PrivacyConsent:
    """Record the user's consent to the current notice, which must be `version` (the one they
    were shown); inside the caller's transaction or its own."""
    current = notice_current()
    if current is None or current.version != version:
        raise InvalidInput("隐私政策已更新，请阅读当前版本后再同意。",
                           code="accounts.notice_outdated")
    with transaction.atomic():
        consent, created = PrivacyConsent.objects.get_or_create(
            user=user, notice=current, defaults={"at": clock.now()})
        if created:
            audit_record(actor=actor, action="accounts.privacy_consent", obj=user,
                         after={"version": current.version})
    return consent

"""The privacy notice (个人信息处理规则) in versions, and people's consent to them (PIPL
art. 14, 17).

The notice text comes from the data pack (packs/<pack>/privacy.md, zhengwu.packs.loader) and is
published as a new version, never edited in place: a consent names the exact text agreed to.
The current notice is the newest one published by now. A signed-in applicant (person or
enterprise) without a consent to it is asked (accounts.middleware.PrivacyConsentMiddleware)
before anything else — whether they agreed to an older version or never agreed on this site
(an account made by the admin, at a first single sign-on); staff are not. A consent is given
online (`consent_record`), on paper at a window and recorded by the clerk
(`consent_on_paper`, so the walk-in is not asked again online), or written by the demo pack for
its demo applicants (`consent_demo`, marked as demo data, not a person's consent).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhengwu.accounts.models import (
    ConsentMethod,
    PrivacyConsent,
    PrivacyNotice,
    User,
    UserKind,
)
from zhengwu.accounts.roles import Role
from zhengwu.accounts.selectors import user_has_role
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import InvalidInput, NotAllowed

APPLICANT_KINDS = (UserKind.PERSON, UserKind.ENTERPRISE)
PAPER_BASIS = "窗口当面签署的纸质《个人信息处理规则》同意书"


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


def is_applicant(user: User) -> bool:
    return user.kind in APPLICANT_KINDS and not user.is_staff


def consent_needed(user: User, current: PrivacyNotice | None) -> bool:
    """Whether `user` must agree to `current` before going on: an applicant with no consent to
    it (an older version's, or none at all)."""
    if current is None or not is_applicant(user):
        return False
    return not PrivacyConsent.objects.filter(user=user, notice=current).exists()


def _current(version: str) -> PrivacyNotice:
    current = notice_current()
    if current is None or current.version != version:
        raise InvalidInput("隐私政策已更新，请阅读当前版本后再同意。",
                           code="accounts.notice_outdated")
    return current


def _record(*, user: User, notice: PrivacyNotice, actor: Actor, method: str,
            recorded_by: User | None = None, basis: str = "") -> PrivacyConsent:
    with transaction.atomic():
        consent, created = PrivacyConsent.objects.get_or_create(
            user=user, notice=notice, defaults={"at": clock.now(), "method": method,
                                                "recorded_by": recorded_by, "basis": basis})
        if created:
            after: dict[str, object] = {"version": notice.version, "method": method}
            if recorded_by is not None:
                after.update(recorded_by=recorded_by.pk, basis=basis)
            audit_record(actor=actor, action="accounts.privacy_consent", obj=user, after=after)
    return consent


def consent_record(*, user: User, version: str, actor: Actor) -> PrivacyConsent:
    """Record the user's own consent online to the current notice, which must be `version`
    (the one they were shown); inside the caller's transaction or its own."""
    return _record(user=user, notice=_current(version), actor=actor,
                   method=ConsentMethod.ONLINE)


def consent_on_paper(*, clerk: User, user: User, version: str,
                     basis: str = PAPER_BASIS) -> PrivacyConsent:
    """A window clerk records that the applicant signed the current notice (`version`, the one
    handed over) on paper: by the clerk, audited with the clerk as actor, and the person is not
    asked again online. The signed sheet stays with the window's files (`basis` names it)."""
    if not user_has_role(clerk, Role.WINDOW_CLERK):
        raise NotAllowed("只有窗口人员可以登记书面同意。", code="accounts.consent_forbidden")
    if not is_applicant(user):
        raise NotAllowed("只有申请人账号需要同意隐私政策。", code="accounts.consent_forbidden")
    return _record(user=user, notice=_current(version), actor=actor_for(clerk),
                   method=ConsentMethod.PAPER, recorded_by=clerk,
                   basis=basis.strip()[:200] or PAPER_BASIS)


def consent_demo(*, user: User, actor: Actor = SYSTEM) -> PrivacyConsent | None:
    """The data pack's demo applicant "consents" to the current notice: marked as demo data
    (no real person agreed), so that the demo accounts are not stopped at the consent page.
    None when no notice is published yet."""
    current = notice_current()
    if current is None or not is_applicant(user):
        return None
    return _record(user=user, notice=current, actor=actor, method=ConsentMethod.DEMO,
                   basis="演示数据包加载")

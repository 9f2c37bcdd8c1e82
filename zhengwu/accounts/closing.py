"""Closing an account (注销账号) at the person's own request.

Refused while something the person started is still running: apps above accounts register a
guard here (cases register "cases still open", zhengwu.cases.apps), because accounts may not
import them. On closing, in one transaction with its audit row: the account can no longer sign
in (inactive, no usable password, no TOTP secret or recovery codes), the mobile number, e-mail
and ID number are removed from the account (the number can be registered again), and
`closed_at` is set. Kept: the cases and everything recorded about them (each case holds its own
copy of the applicant's name and ID number), the audit trail and the privacy consents — what the
law requires to be kept (the pack's closure text says which rules and for how long, shown on the
page before the person confirms).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Q

from zhengwu.accounts import phone_codes, sms
from zhengwu.accounts.models import Authorization, CodePurpose, RealNameLevel, User, UserKind
from zhengwu.accounts.services import actor_for
from zhengwu.accounts.signup import FormInvalid, _reauthenticate, _verified
from zhengwu.core import clock
from zhengwu.core.audit import audit_record
from zhengwu.core.errors import Conflict, NotAllowed

# (user) -> why the account cannot be closed now, or "" when nothing stands in the way.
ClosureGuard = Callable[[User], str]
GUARDS: dict[str, ClosureGuard] = {}


def closure_guard_register(name: str, guard: ClosureGuard) -> None:
    """Register (or replace) one app's guard; called in its AppConfig.ready."""
    GUARDS[name] = guard


def closure_blockers(user: User) -> list[str]:
    """Why `user` cannot close the account now (empty: it can)."""
    return [reason for guard in GUARDS.values() if (reason := guard(user))]


def _closable(user: User) -> None:
    if user.kind != UserKind.PERSON or user.is_staff:
        raise NotAllowed("只有自然人账号可以在此注销；工作人员账号由系统管理员停用，企业账号请到窗口办理。",
                         code="accounts.close_not_person")
    blockers = closure_blockers(user)
    if blockers:
        raise Conflict("暂不能注销账号：" + "；".join(blockers), code="accounts.close_blocked")


def account_close(*, user: User, password: str, code: str, address: str) -> User:
    """Close the signed-in person's own account: the password again and an SMS code to the
    account's number; refused while a guard objects (409 accounts.close_blocked)."""
    _closable(user)
    _reauthenticate(user, password)
    if not user.phone:
        raise FormInvalid({"code": "账号未绑定手机号，请到窗口办理注销。"}, code="accounts.no_phone")
    row = _verified(phone=user.phone, purpose=CodePurpose.CLOSE, code=code, address=address)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        _closable(locked)  # again under the lock: a case filed meanwhile in another tab
        phone_codes.code_use(row)
        old_phone = locked.phone or ""
        removed = [field for field in ("phone", "email", "citizen_id", "totp_secret")
                   if getattr(locked, field)]
        locked.is_active = False
        locked.set_unusable_password()
        locked.phone = None
        locked.email = locked.citizen_id = locked.totp_secret = ""
        locked.totp_enabled = False
        locked.totp_last_step = None
        locked.realname_level = RealNameLevel.NONE
        locked.closed_at = clock.now()
        locked.save()
        locked.recovery_codes.all().delete()
        # A closed account signs in by no route and acts for nobody: its single sign-on links
        # go (the person may come back through the provider as a new account) and every
        # authorization it gave or holds ends now (kept, revoked, for the cases filed on it).
        if locked.external_identities.all().delete()[0]:
            removed.append("sso_links")
        ended = Authorization.objects.filter(
            Q(principal=locked) | Q(agent=locked), revoked_at__isnull=True).update(
            revoked_at=locked.closed_at, revoked_by=locked)
        audit_record(actor=actor_for(locked), action="accounts.close", obj=locked,
                     after={"removed": removed, "authorizations_revoked": ended,
                            "kept": ["cases", "audit", "privacy_consents"]})
        if old_phone:
            sms.transport().notice_queue(
                phone=old_phone, title="账号已注销",
                body="您的政务服务账号已注销，不能再登录。已办理的办件及其档案按规定保存；"
                     "本手机号可重新注册。如非本人操作，请立即联系政务服务中心。")
    return locked

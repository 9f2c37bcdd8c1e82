"""SMS verification codes: six digits, for one purpose and one phone, good for five minutes,
once, and void after five wrong tries.

Only an HMAC of the code (keyed with SECRET_KEY, bound to phone and purpose) is stored; the
code itself exists in memory, in the SMS handed to the sender (accounts.sms), and nowhere else —
not in the outbox, the log or the audit trail. A new code for the same phone and purpose voids
the one before.

Sending is throttled with accounts.throttle (HTTP 429 + Retry-After): one code per phone per
minute, a daily cap per phone and per client address. Wrong codes are also counted per address,
so that trying many phones from one place is slowed as well.

Every failed check answers the same "不正确或已失效": whether a code was ever sent (whether the
phone has an account, for a password reset) cannot be read from the answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhengwu.accounts import sms, throttle
from zhengwu.accounts.models import CodePurpose, PhoneCode
from zhengwu.accounts.services import Throttled
from zhengwu.core.errors import DomainError, InvalidInput
from zhengwu.core.masking import mask_phone

CODE_TTL = dt.timedelta(minutes=5)
# Rows are deleted this long after they expired (sweep): they name a phone number.
KEEP_ROWS = dt.timedelta(days=1)
MAX_WRONG = 5
# One code per phone per minute (whatever the purpose: each one is a message to the person).
RESEND_RULE = throttle.Rule("sms.resend", limit=1, window=60)
PHONE_DAY_RULE = throttle.Rule("sms.phone_day", limit=10, window=86400)
ADDRESS_DAY_RULE = throttle.Rule("sms.address_day", limit=30, window=86400)
# Wrong codes from one address (any phone, any purpose) per hour.
WRONG_ADDRESS_RULE = throttle.Rule("sms.wrong_address", limit=30, window=3600)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A fixed line with its area code (0734-1234567): people without a mobile give one to be
# called back (12345, 办不成事); kept as digits, as a mobile number is.
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
CONTACT_PHONE_HELP = "请填写正确的手机号码（11位）或固定电话（如0734-1234567）。"
INVALID_CODE = "验证码不正确或已失效，请核对后重试，或重新获取验证码。"

_TEXTS = {
    CodePurpose.SIGNUP: "您正在注册账号",
    CodePurpose.RESET: "您正在找回密码",
    CodePurpose.OLD_PHONE: "您正在更换绑定的手机号（原号码验证）",
    CodePurpose.NEW_PHONE: "您正在将本号码绑定到账号",
    CodePurpose.CLOSE: "您正在注销账号",
}


class SendFailed(DomainError):
    code = "accounts.sms_failed"
    http_status = 503


def phone_normalize(phone: str) -> str:
    """A mainland mobile number as 11 digits (spaces, dashes and +86 dropped), or InvalidInput."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not MOBILE.match(digits):
        raise InvalidInput("请输入正确的11位手机号码。", code="accounts.phone_invalid")
    return digits


def contact_phone_normalize(phone: str) -> str:
    """A number to call a person back on: a fixed line with its area code or a mobile number,
    as digits; InvalidInput (CONTACT_PHONE_HELP) for anything else."""
    value = (phone or "").strip()
    if LANDLINE.match(value):
        return value.replace("-", "")
    try:
        return phone_normalize(value)
    except InvalidInput:
        raise InvalidInput(CONTACT_PHONE_HELP, code="accounts.phone_invalid") from None


def contact_phone_field(value: str | None, *, key: str, problems: dict[str, str],
                        missing: str) -> str:
    """contact_phone_normalize for a form that shows every problem at once: the number as
    digits, or `value` as typed (to show it again) with the problem under `key`."""
    value = (value or "").strip()
    if not value:
        problems[key] = missing
        return value
    try:
        return contact_phone_normalize(value)
    except InvalidInput as error:
        problems[key] = error.message
        return value


def _hash(phone: str, purpose: str, code: str) -> str:
    message = f"sms-code\0{purpose}\0{phone}\0{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Sent:
    """What the person is told: where (masked), for how long, when to ask again."""

    masked_phone: str
    expires_in: int = int(CODE_TTL.total_seconds())
    resend_after: int = RESEND_RULE.window


def send_limits(*, phone: str, address: str) -> None:
    """Count one message to `phone` from `address`, or raise Throttled (429 + Retry-After)."""
    verdict = throttle.attempt((RESEND_RULE, phone), (PHONE_DAY_RULE, phone),
                               (ADDRESS_DAY_RULE, address))
    if not verdict.allowed:
        raise Throttled(verdict.retry_after)


def code_issue(*, phone: str, purpose: str, address: str, deliver: bool = True,
               text: str = "") -> Sent:
    """Make and send a new code for (phone, purpose), voiding earlier ones; throttled.

    With `deliver` False the same limits are counted and the same answer given, but no code is
    made: the caller sends `text` instead (a password reset for an unknown number says
    nothing; a sign-up for a registered one gets "you already have an account")."""
    phone = phone_normalize(phone)
    send_limits(phone=phone, address=address)
    if not deliver:
        if text:
            _deliver(phone, text, secret="")
        return Sent(masked_phone=mask_phone(phone))
    code = f"{secrets.randbelow(10 ** 6):06d}"
    now = timezone.now()  # real time: a code is about the person's phone, not the demo clock
    with transaction.atomic():
        PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True,
                                 void=False).update(void=True)
        PhoneCode.objects.create(phone=phone, purpose=purpose, code_hash=_hash(phone, purpose, code),
                                 created_at=now, expires_at=now + CODE_TTL)
    minutes = int(CODE_TTL.total_seconds() // 60)
    _deliver(phone, f"验证码 {code}，{_TEXTS[CodePurpose(purpose)]}，{minutes}分钟内有效。"
                    "请勿告诉他人，工作人员不会向您索要验证码。", secret=code)
    return Sent(masked_phone=mask_phone(phone))


def _deliver(phone: str, text: str, *, secret: str) -> None:
    try:
        sms.transport().code_send(phone=phone, text=text, secret=secret or "\0")
    except sms.DeliveryFailed as error:
        raise SendFailed("短信发送失败，请稍后重新获取验证码。") from error


def code_verify(*, phone: str, purpose: str, code: str, address: str) -> PhoneCode:
    """The live code of (phone, purpose) if `code` is it, else InvalidInput (one answer for a
    wrong, expired, used or never-sent code) or Throttled. The code is not used up yet: the
    act it allows calls `code_use` in its own transaction, so a refused act (a weak password,
    the other code of a change of phone) leaves it good. Call outside any transaction: a wrong
    try is counted (and the code voided at the fifth) even though the request fails."""
    verdict = throttle.attempt((WRONG_ADDRESS_RULE, address))
    if not verdict.allowed:
        raise Throttled(verdict.retry_after)
    now = timezone.now()
    row = (PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True,
                                    void=False, expires_at__gt=now)
           .order_by("-created_at", "-pk").first())
    if row is not None and hmac.compare_digest(row.code_hash,
                                               _hash(phone, purpose, (code or "").strip())):
        throttle.release(WRONG_ADDRESS_RULE, address)
        return row
    if row is not None:
        with transaction.atomic():
            PhoneCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
            PhoneCode.objects.filter(pk=row.pk, attempts__gte=MAX_WRONG).update(void=True)
    raise InvalidInput(INVALID_CODE, code="accounts.code_invalid")


def code_use(row: PhoneCode) -> None:
    """Inside the act's transaction: mark a verified code used; a code used (or voided) by a
    concurrent request in the meantime is refused like a wrong one."""
    if not PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True, void=False).update(
            used_at=timezone.now()):
        raise InvalidInput(INVALID_CODE, code="accounts.code_invalid")


def sweep() -> int:
    """Delete code rows that expired more than KEEP_ROWS ago (real time)."""
    deleted, _ = PhoneCode.objects.filter(expires_at__lt=timezone.now() - KEEP_ROWS).delete()
    return deleted

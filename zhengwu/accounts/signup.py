"""Accounts people make and keep themselves: asking for an SMS code, signing up with a mobile
number (L1, accounts.models.RealNameLevel.MOBILE), resetting a forgotten password, changing the
mobile number. Closing an account is accounts.closing.

Each act checks everything it can before it uses a code: the code is checked
(accounts.phone_codes.code_verify, a wrong one counted) together with the other fields, so that
every error is told in one answer, and used only once all is well — a weak password or a missing
consent leaves the code good. The act then runs as one transaction with its audit row. Neither audit rows nor logs hold a phone number or a code.

User names of people who sign up are "p" and 12 hex digits of an HMAC of the phone number at
sign-up: stable (kept when the number changes), unique, and not the number itself. People sign in
with their mobile number (accounts.backends); the user name is an internal handle.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.accounts import phone_codes, sms, throttle
from zhengwu.accounts.consent import consent_record, notice_current
from zhengwu.accounts.models import CodePurpose, PhoneCode, RealNameLevel, User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import Throttled, actor_for, role_assign
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, audit_record
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.masking import mask_phone
from zhengwu.core.text import TextError, check_text

# Wrong passwords re-entered by a signed-in person (change of phone, closing) per account.
REAUTH_RULE = throttle.Rule("accounts.reauth", limit=5, window=900)
DISPLAY_NAME_MAX = 50

PASSWORD_HELP = "至少8位；不能全是数字；不能是常见密码；不能与手机号、姓名相近。"  # noqa: S105
# One clear message per rule of AUTH_PASSWORD_VALIDATORS (config/settings/base.py), by code.
_PASSWORD_MESSAGES = {
    "password_too_short": "密码太短：至少需要{min_length}个字符。",
    "password_too_common": "密码过于常见，容易被猜中，请换一个。",
    "password_entirely_numeric": "密码不能全是数字，请加入字母或符号。",
    "password_too_similar": "密码与手机号或姓名太相近，请换一个。",
}


class FormInvalid(InvalidInput):
    """Several fields are wrong: `fields` maps each to its Chinese message (pages show them
    beside the fields; the API joins them in `detail`)."""

    def __init__(self, fields: dict[str, str], *, code: str = "invalid_input") -> None:
        super().__init__("；".join(fields.values()), code=code)
        self.fields = fields


def password_problems(password: str, user: User | None = None) -> list[str]:
    """Every rule `password` breaks, in Chinese (empty when it is good)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        messages = []
        for item in error.error_list:
            template = _PASSWORD_MESSAGES.get(item.code or "")
            messages.append(template.format(**(item.params or {})) if template
                            else " ".join(item.messages))
        return messages
    return []


def username_for(phone: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"username\0{phone}".encode(),
                      hashlib.sha256).hexdigest()
    base = f"p{digest[:12]}"
    name, n = base, 1
    while User.objects.filter(username=name).exists():  # a recycled number after a change
        n += 1
        name = f"{base}-{n}"
    return name


def _reauthenticate(user: User, password: str) -> None:
    """A signed-in person's password typed again, counted per account (REAUTH_RULE)."""
    subject = f"user:{user.pk}"
    verdict = throttle.attempt((REAUTH_RULE, subject))
    if not verdict.allowed:
        raise Throttled(verdict.retry_after)
    if not user.check_password(password):
        raise FormInvalid({"password": "密码不正确。"}, code="accounts.password_wrong")
    throttle.clear(REAUTH_RULE, subject)


# --- codes -----------------------------------------------------------------------------------

def code_request(*, purpose: str, phone: str, user: User | None,
                 address: str) -> phone_codes.Sent:
    """Send a code for `purpose`. Sign-up and reset answer the same whether or not the number
    has an account: a registered number asking to sign up gets a reminder instead of a code,
    an unknown number asking for a reset gets nothing. The old number, closing: the signed-in
    account's own number (`phone` is ignored)."""
    try:
        purpose = CodePurpose(purpose)
    except ValueError as error:
        raise InvalidInput("验证码用途无效。", code="accounts.purpose_invalid") from error
    if purpose in (CodePurpose.OLD_PHONE, CodePurpose.NEW_PHONE, CodePurpose.CLOSE):
        if user is None or not user.is_authenticated:
            raise NotAllowed("请先登录。", code="unauthenticated", http_status=401)
        if purpose != CodePurpose.NEW_PHONE:
            if not user.phone:
                raise InvalidInput("账号未绑定手机号，请到窗口办理。", code="accounts.no_phone")
            phone = user.phone
    phone = phone_codes.phone_normalize(phone)
    registered = User.objects.filter(phone=phone, is_active=True).exists()
    if purpose == CodePurpose.SIGNUP and registered:
        return phone_codes.code_issue(
            phone=phone, purpose=purpose, address=address, deliver=False,
            text="该手机号已注册账号，请直接用手机号登录；如忘记密码，请在登录页选择“找回密码”。")
    if purpose == CodePurpose.RESET and not registered:
        return phone_codes.code_issue(phone=phone, purpose=purpose, address=address,
                                      deliver=False)
    if purpose == CodePurpose.NEW_PHONE and user is not None and phone == user.phone:
        raise FormInvalid({"new_phone": "新手机号与当前绑定的手机号相同。"},
                          code="accounts.phone_same")
    return phone_codes.code_issue(phone=phone, purpose=purpose, address=address)


# --- sign-up ---------------------------------------------------------------------------------

def signup(*, phone: str, code: str, password: str, display_name: str, consent_version: str,
           address: str) -> User:
    """A new PERSON account at L1 from a verified mobile number, with consent to the current
    privacy notice; returns it (the caller signs it in)."""
    errors: dict[str, str] = {}
    try:
        phone = phone_codes.phone_normalize(phone)
    except InvalidInput as error:
        errors["phone"] = error.message
    display_name = (display_name or "").strip()
    if not display_name:
        errors["display_name"] = "请填写姓名。"
    elif len(display_name) > DISPLAY_NAME_MAX:
        errors["display_name"] = f"姓名不能超过{DISPLAY_NAME_MAX}个字。"
    else:
        try:
            check_text(display_name, label="姓名")
        except TextError as error:
            errors["display_name"] = str(error)
    probe = User(username="", phone=phone if "phone" not in errors else "",
                 display_name=display_name)
    problems = password_problems(password, probe)
    if problems:
        errors["password"] = "".join(problems)
    current = notice_current()
    if current is None:
        raise InvalidInput("隐私政策尚未发布，暂不能注册。", code="accounts.notice_missing")
    # Named as the notice is titled (《个人信息处理规则》), not by a generic word.
    if not consent_version:
        errors["consent"] = f"请阅读并同意《{current.title}》。"
    elif consent_version != current.version:
        errors["consent"] = "隐私政策已更新，请阅读当前版本后再同意。"
    row = _code_checked(errors, phone=phone, purpose=CodePurpose.SIGNUP, code=code,
                        address=address)
    with transaction.atomic():
        phone_codes.code_use(row)
        if User.objects.filter(phone=phone).exists():
            raise FormInvalid({"phone": "该手机号已注册，请直接登录或找回密码。"},
                              code="accounts.phone_taken")
        user = User(username=username_for(phone), kind=UserKind.PERSON,
                    display_name=display_name, phone=phone,
                    realname_level=RealNameLevel.MOBILE)
        user.set_password(password)
        user.save()
        actor = actor_for(user)
        audit_record(actor=actor, action="accounts.signup", obj=user,
                     after={"username": user.username, "kind": user.kind,
                            "realname_level": int(user.realname_level)})
        role_assign(user=user, role=Role.APPLICANT_PERSON, actor=actor)
        consent_record(user=user, version=consent_version, actor=actor)
    return user


def _code_checked(errors: dict[str, str], *, phone: str, purpose: str, code: str,
                  address: str) -> PhoneCode:
    """The code checked (not used) along with the other fields' `errors`, so that a wrong code
    and a weak password are told in one answer; FormInvalid with all of them, else the
    verified code. A wrong code counts as a try whatever else is wrong. Without a valid
    number there is no code to check."""
    row: PhoneCode | None = None
    refused_code = "invalid_input"
    if "phone" not in errors:
        try:
            row = _verified(phone=phone, purpose=purpose, code=code, address=address)
        except FormInvalid as error:
            errors = {**errors, **error.fields}
            refused_code = error.code if len(errors) == 1 else refused_code
    if errors or row is None:
        raise FormInvalid(errors, code=refused_code)
    return row


def _verified(*, phone: str, purpose: str, code: str, address: str,
              field: str = "code") -> PhoneCode:
    try:
        return phone_codes.code_verify(phone=phone, purpose=purpose, code=code, address=address)
    except Throttled:
        raise
    except InvalidInput as error:
        raise FormInvalid({field: error.message}, code=error.code) from error


# --- password reset --------------------------------------------------------------------------

def password_reset(*, phone: str, code: str, password: str, address: str) -> User:
    """A new password for the account of `phone`, proven by an SMS code. The new password
    changes the session hash, so every session signed in with the old one ends."""
    try:
        phone = phone_codes.phone_normalize(phone)
    except InvalidInput as error:
        raise FormInvalid({"phone": error.message}, code=error.code) from error
    user = User.objects.filter(phone=phone, is_active=True).first()
    problems = password_problems(password, user)
    errors = {"password": "".join(problems)} if problems else {}
    # An unknown number has no code: the same answer as a wrong code.
    try:
        row = _code_checked(errors, phone=phone, purpose=CodePurpose.RESET, code=code,
                            address=address)
    except FormInvalid as error:
        raise FormInvalid(error.fields, code="accounts.password_weak" if problems
                          else error.code) from error
    with transaction.atomic():
        phone_codes.code_use(row)
        user = User.objects.select_for_update().filter(phone=phone, is_active=True).first()
        if user is None:
            raise FormInvalid({"code": phone_codes.INVALID_CODE}, code="accounts.code_invalid")
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=SYSTEM, action="accounts.password_reset", obj=user,
                     after={"by": "sms_code"})
    return user


# --- change of mobile number -----------------------------------------------------------------

def phone_change(*, user: User, password: str, new_phone: str, old_code: str, new_code: str,
                 address: str) -> User:
    """Move the account to `new_phone`: the password again, a code sent to the old number and
    one sent to the new; the new number must be free. The old number is told."""
    _reauthenticate(user, password)
    try:
        new_phone = phone_codes.phone_normalize(new_phone)
    except InvalidInput as error:
        raise FormInvalid({"new_phone": error.message}, code=error.code) from error
    if not user.phone:
        raise InvalidInput("账号未绑定手机号，请到窗口办理。", code="accounts.no_phone")
    if new_phone == user.phone:
        raise FormInvalid({"new_phone": "新手机号与当前绑定的手机号相同。"},
                          code="accounts.phone_same")
    old_phone = user.phone
    errors: dict[str, str] = {}
    rows = []
    for field, phone, purpose, code in (("old_code", old_phone, CodePurpose.OLD_PHONE, old_code),
                                        ("new_code", new_phone, CodePurpose.NEW_PHONE, new_code)):
        try:
            rows.append(_verified(phone=phone, purpose=purpose, code=code, address=address,
                                  field=field))
        except FormInvalid as error:
            errors.update(error.fields)
    if errors:
        raise FormInvalid(errors, code="accounts.code_invalid")
    with transaction.atomic():
        for row in rows:
            phone_codes.code_use(row)
        locked = User.objects.select_for_update().get(pk=user.pk)
        if User.objects.filter(phone=new_phone).exclude(pk=user.pk).exists():
            raise FormInvalid({"new_phone": "该手机号已被其他账号使用，不能绑定。"},
                              code="accounts.phone_taken")
        locked.phone = new_phone
        locked.save(update_fields=["phone"])
        audit_record(actor=actor_for(locked), action="accounts.phone_change", obj=locked,
                     after={"phone_changed": True, "verified": ["old_phone", "new_phone"]})
        sms.transport().notice_queue(
            phone=old_phone, title="账号手机号已更换",
            body=(f"您的政务服务账号绑定手机号已于{timezone.localtime(clock.now()):%Y-%m-%d %H:%M}更换为"
                  f"{mask_phone(new_phone)}，本号码不再用于登录。如非本人操作，请立即联系政务服务中心。"))
    user.phone = new_phone
    return locked

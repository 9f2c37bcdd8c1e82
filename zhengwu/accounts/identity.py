"""Real-name verification (实名认证, L2): online through the identity provider, or in person at
a window with the ID card.

- `identity_verify`: the person types their name and ID number; the provider
  (accounts.identity_providers) answers. Throttled per account and per address
  (accounts.throttle), because each check asks a provincial service and a guesser could
  otherwise probe which name goes with which number. One ID number belongs to one person
  account: a number already verified on another account is refused with a clear message —
  said only after the provider matched the name and number (accounts.services.identity_bind),
  so typing a number alone tells nobody whether it has an account.
- `identity_verify_in_person`: a window clerk saw the ID card and records it for the account
  found by mobile number; the account remembers who verified it. The card in the clerk's hand
  decides, but when the identity provider knows the number under another name the clerk is
  told (identity.name_differs) and asked to look again; the identity is recorded only once
  the clerk confirms "以证件为准" (`card_prevails`), audited as
  accounts.identity_card_prevails. A number the provider does not know, or a provider that
  cannot answer, does not hold the window up.
- `window_account_open`: for a walk-in without an account, the clerk opens one (mobile number,
  the identity on the ID card seen) once the person has signed the privacy notice on paper;
  the person sets a password later through 找回密码 (an SMS code to that number).

At a window the clerk also records the walk-in's paper consent to the privacy notice
(accounts.consent.consent_on_paper), in the same transaction, so that the person is not asked
again at their first online visit.

Both end in accounts.services.identity_bind, the one place an identity is written, with its
audit row (never the number).
"""

from __future__ import annotations

from django.db import transaction

from zhengwu.accounts import consent, throttle
from zhengwu.accounts.identity_providers import MATCH, MISMATCH, UNAVAILABLE, identity_provider
from zhengwu.accounts.models import IdentityMethod, RealNameLevel, User, UserKind
from zhengwu.accounts.phone_codes import phone_normalize
from zhengwu.accounts.roles import Role
from zhengwu.accounts.selectors import user_has_role
from zhengwu.accounts.services import Throttled, actor_for, identity_bind, role_assign
from zhengwu.accounts.signup import username_for
from zhengwu.core.audit import audit_record
from zhengwu.core.codes import CodeError, normalize_code, validate_citizen_id
from zhengwu.core.errors import DomainError, InvalidInput, NotAllowed
from zhengwu.core.masking import mask_citizen_id
from zhengwu.core.text import TextError, check_text

# Checks per account: a person mistyping a digit twice is fine; a guesser is stopped.
ACCOUNT_RULE = throttle.Rule("identity.verify.account", limit=5, window=3600)
ADDRESS_RULE = throttle.Rule("identity.verify.address", limit=20, window=3600)


NAME_DIFFERS_MESSAGE = ("身份认证服务中，该身份证号码登记的姓名与所填姓名不一致。请再次核对居民身份证上的姓名和号码；"
                        "确认与证件一致的，请勾选“以证件为准”后再提交（将记入审计日志）。")


class ProviderUnavailable(DomainError):
    code = "identity.unavailable"
    http_status = 503


def _checked(name: str, id_number: str) -> tuple[str, str]:
    """The name and canonical number, or InvalidInput naming the field (code
    identity.name_invalid / identity.id_number_invalid)."""
    try:
        name = check_text(name.strip(), label="姓名")
    except TextError as error:
        raise InvalidInput(error.message + "。", code="identity.name_invalid") from error
    if not name:
        raise InvalidInput("请填写姓名。", code="identity.name_invalid")
    return name, id_number_checked(id_number)


def id_number_checked(id_number: str) -> str:
    """The canonical citizen ID number, or InvalidInput (identity.id_number_invalid) saying
    what is wrong with it; the forms call it too, so that it is said with their other errors."""
    try:
        return validate_citizen_id(id_number)
    except CodeError as error:
        raise InvalidInput(error.message + "。", code="identity.id_number_invalid") from error


def _unverified_person(user: User, number: str) -> None:
    """Only a person account without a verified identity verifies (a correction is a
    window's work)."""
    if user.kind != UserKind.PERSON:
        raise NotAllowed("实名认证只适用于个人账号；企业账号请携带营业执照到窗口核验。",
                         code="identity.not_person")
    if user.realname_level >= RealNameLevel.IDENTITY and user.citizen_id:
        if normalize_code(user.citizen_id) == number:
            raise InvalidInput("您的账号已完成实名认证。", code="identity.already_verified",
                               http_status=409)
        raise InvalidInput("您的账号已以另一身份证号码完成实名认证；如需更正，请携带居民身份证到窗口办理。",
                           code="identity.already_verified", http_status=409)


def identity_verify(*, user: User, name: str, id_number: str, address: str) -> User:
    """Online L2: check the name and number with the provider and record them on `user`."""
    name, number = _checked(name, id_number)
    _unverified_person(user, number)
    subject = f"user:{user.pk}"
    verdict = throttle.attempt((ACCOUNT_RULE, subject), (ADDRESS_RULE, address))
    if not verdict.allowed:
        raise Throttled(verdict.retry_after)
    provider = identity_provider()
    check = provider.verify(name, number)
    if check.outcome == UNAVAILABLE:
        # Not the person's fault: the attempt is given back.
        throttle.release(ACCOUNT_RULE, subject)
        throttle.release(ADDRESS_RULE, address)
        raise ProviderUnavailable(check.message)
    with transaction.atomic():
        owner = User.objects.select_for_update().get(pk=user.pk)
        if check.outcome != MATCH:
            audit_record(actor=actor_for(owner), action="accounts.identity_verify_failed",
                         obj=owner, after={"provider": provider.name,
                                           "id_number": mask_citizen_id(number)})
            failed = InvalidInput(check.message, code="identity.not_verified")
        else:
            failed = None
            _unverified_person(owner, number)  # again, under the lock
            identity_bind(owner=owner, id_number=number, name=name,
                          method=IdentityMethod.PROVIDER, verified_by=None,
                          actor=actor_for(owner), provider=provider.name, take_name=True)
    if failed is not None:
        raise failed
    throttle.clear(ACCOUNT_RULE, subject)
    return owner


def _card_against_provider(name: str, number: str, card_prevails: bool) -> str:
    """Before an in-person identity is recorded (outside its transaction: a network call):
    the provider's name of the record when it knows `number` under another name and the
    clerk confirmed "以证件为准" (to audit), "" when nothing differs — a match, a number it
    does not know, or no answer (the card decides) — and identity.name_differs otherwise."""
    provider = identity_provider()
    check = provider.verify(name, number)
    if check.outcome != MISMATCH or check.unknown_number:
        return ""
    if not card_prevails:
        raise InvalidInput(NAME_DIFFERS_MESSAGE, code="identity.name_differs")
    return provider.name


def _card_prevailed(clerk: User, owner: User, number: str, provider: str) -> None:
    """The audit row of a "以证件为准": the clerk recorded a name the provider has otherwise."""
    if provider:
        audit_record(actor=actor_for(clerk), action="accounts.identity_card_prevails",
                     obj=owner, after={"provider": provider,
                                       "id_number": mask_citizen_id(number)})


def identity_verify_in_person(*, clerk: User, account: User, name: str, id_number: str,
                              paper_consent_version: str | None = None,
                              card_prevails: bool = False) -> User:
    """柜面核验: a window clerk saw `account`'s holder's ID card (name and number as printed);
    with `paper_consent_version`, the person also signed that version of the privacy notice.
    `card_prevails`: the clerk confirmed the card after being told the provider knows the
    number under another name."""
    if not user_has_role(clerk, Role.WINDOW_CLERK):
        raise NotAllowed("只有窗口人员可以当面核验身份。", code="identity.forbidden")
    name, number = _checked(name, id_number)
    prevailed = _card_against_provider(name, number, card_prevails)
    with transaction.atomic():
        owner = User.objects.select_for_update().get(pk=account.pk)
        _unverified_person(owner, number)
        identity_bind(owner=owner, id_number=number, name=name, method=IdentityMethod.WINDOW,
                      verified_by=clerk, actor=actor_for(clerk), take_name=True)
        _card_prevailed(clerk, owner, number, prevailed)
        if paper_consent_version:
            consent.consent_on_paper(clerk=clerk, user=owner, version=paper_consent_version)
    return owner


def window_account_open(*, clerk: User, phone: str, name: str, id_number: str,
                        paper_consent_version: str, card_prevails: bool = False) -> User:
    """A window clerk opens a person account for a walk-in: the mobile number given, the
    identity on the ID card seen (L2, verified by the clerk; `card_prevails` as for
    `identity_verify_in_person`), the paper consent to the notice the person signed. No
    password: the person sets one with 找回密码 (an SMS code to this number), which also proves
    the number is theirs."""
    if not user_has_role(clerk, Role.WINDOW_CLERK):
        raise NotAllowed("只有窗口人员可以为群众开户。", code="identity.forbidden")
    if not paper_consent_version:
        raise InvalidInput("开户前须请申请人签署纸质《个人信息处理规则》同意书。",
                           code="accounts.consent_missing")
    name, number = _checked(name, id_number)
    phone = phone_normalize(phone)
    prevailed = _card_against_provider(name, number, card_prevails)
    with transaction.atomic():
        if User.objects.filter(phone=phone).exists():
            raise InvalidInput("该手机号已有账号，请直接核验身份。", code="accounts.phone_taken")
        actor = actor_for(clerk)
        owner = User(username=username_for(phone), kind=UserKind.PERSON, phone=phone)
        owner.set_unusable_password()
        owner.save()
        audit_record(actor=actor, action="accounts.window_account_open", obj=owner,
                     after={"username": owner.username, "kind": owner.kind,
                            "opened_by": clerk.pk})
        role_assign(user=owner, role=Role.APPLICANT_PERSON, actor=actor)
        identity_bind(owner=owner, id_number=number, name=name, method=IdentityMethod.WINDOW,
                      verified_by=clerk, actor=actor, take_name=True)
        _card_prevailed(clerk, owner, number, prevailed)
        consent.consent_on_paper(clerk=clerk, user=owner, version=paper_consent_version)
    return owner

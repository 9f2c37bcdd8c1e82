"""SMS verification codes (accounts.phone_codes): only a keyed hash kept, never the code in the
outbox, the log or the audit trail; five minutes; five wrong tries; once; one per minute and a
daily cap per phone and per address (429 + Retry-After)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from zhengwu.accounts import phone_codes, throttle
from zhengwu.accounts.models import CodePurpose, PhoneCode
from zhengwu.accounts.services import Throttled
from zhengwu.accounts.signup import code_request
from zhengwu.accounts.tests.sms_fake import last_code, last_text
from zhengwu.core.errors import InvalidInput
from zhengwu.core.models import AuditEvent
from zhengwu.notifications.models import OutboxItem

pytestmark = pytest.mark.django_db

PHONE = "13900000077"
ADDRESS = "203.0.113.7"


def issue(phone: str = PHONE, purpose: str = CodePurpose.SIGNUP, address: str = ADDRESS) -> str:
    phone_codes.code_issue(phone=phone, purpose=purpose, address=address)
    return last_code(phone)


def verify(code: str, phone: str = PHONE, purpose: str = CodePurpose.SIGNUP) -> PhoneCode:
    return phone_codes.code_verify(phone=phone, purpose=purpose, code=code, address=ADDRESS)


def test_only_a_keyed_hash_is_kept_and_the_code_is_in_no_record(sms, caplog):
    caplog.set_level(logging.DEBUG)
    code = issue()
    row = PhoneCode.objects.get(phone=PHONE)
    assert code not in row.code_hash and len(row.code_hash) == 64
    item = OutboxItem.objects.get(address=PHONE)
    assert code not in item.body and "******" in item.body and item.status == "sent"
    assert code in last_text(PHONE)  # the person's phone has it
    assert not any(code in str(e.after) + str(e.before) for e in AuditEvent.objects.all())
    assert code not in caplog.text


def test_the_default_sender_logs_no_code_and_the_development_one_does(caplog, settings,
                                                                      monkeypatch):
    monkeypatch.setattr(phone_codes.secrets, "randbelow", lambda n: 424242)
    caplog.set_level(logging.INFO)
    settings.ZHENGWU_NOTIFY_SENDERS = {}
    phone_codes.code_issue(phone=PHONE, purpose=CodePurpose.SIGNUP, address=ADDRESS)
    assert "短信验证码" in caplog.text and "424242" not in caplog.text
    caplog.clear()
    throttle.clear(phone_codes.RESEND_RULE, PHONE)
    settings.ZHENGWU_NOTIFY_SENDERS = {"sms": "zhengwu.notifications.senders.ConsoleSmsSender"}
    phone_codes.code_issue(phone=PHONE, purpose=CodePurpose.SIGNUP, address=ADDRESS)
    assert "开发环境短信" in caplog.text and "验证码 424242" in caplog.text
    assert "139****0077" in caplog.text and PHONE not in caplog.text


def test_a_right_code_passes_once(sms):
    code = issue()
    phone_codes.code_use(verify(code))
    with pytest.raises(InvalidInput):
        verify(code)


def test_a_code_expires_after_five_minutes(sms, time_machine):
    code = issue()
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=5, seconds=1))
    with pytest.raises(InvalidInput) as refused:
        verify(code)
    assert refused.value.code == "accounts.code_invalid"


def test_five_wrong_tries_void_the_code(sms):
    code = issue()
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for _ in range(phone_codes.MAX_WRONG):
        with pytest.raises(InvalidInput):
            verify(wrong)
    with pytest.raises(InvalidInput):
        verify(code)  # the right one, too late
    assert PhoneCode.objects.get(phone=PHONE).void


def test_four_wrong_tries_leave_the_code_good(sms):
    code = issue()
    for _ in range(phone_codes.MAX_WRONG - 1):
        with pytest.raises(InvalidInput):
            verify("000000" if code != "000000" else "111111")
    assert verify(code)


def test_a_code_is_for_its_purpose_only_and_a_new_one_voids_the_old(sms):
    code = issue(purpose=CodePurpose.SIGNUP)
    with pytest.raises(InvalidInput):
        verify(code, purpose=CodePurpose.RESET)
    throttle.clear(phone_codes.RESEND_RULE, PHONE)
    newer = issue()
    if newer != code:
        with pytest.raises(InvalidInput):
            verify(code)
    assert verify(newer)


def test_one_code_per_phone_per_minute(sms, time_machine):
    issue()
    with pytest.raises(Throttled) as refused:
        issue()
    assert 0 < refused.value.retry_after <= 60
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=61))
    assert issue()


def test_a_daily_cap_per_phone(sms):
    for _ in range(phone_codes.PHONE_DAY_RULE.limit):
        issue(address=f"198.51.100.{_}")
        throttle.clear(phone_codes.RESEND_RULE, PHONE)
    with pytest.raises(Throttled) as refused:
        issue(address="198.51.100.99")
    assert refused.value.retry_after > 3600


def test_a_daily_cap_per_address(sms):
    for n in range(phone_codes.ADDRESS_DAY_RULE.limit):
        issue(phone=f"139000001{n:02d}")
    with pytest.raises(Throttled):
        issue(phone="13900000199")


def test_a_reset_answers_the_same_for_a_number_with_no_account(sms):
    known = code_request(purpose=CodePurpose.RESET, phone="13800000001", user=None,
                         address=ADDRESS)
    unknown = code_request(purpose=CodePurpose.RESET, phone="13900000123", user=None,
                           address=ADDRESS)
    assert (known.expires_in, known.resend_after) == (unknown.expires_in, unknown.resend_after)
    assert not PhoneCode.objects.filter(phone="13900000123").exists()
    assert [phone for phone, _ in sms.sent] == ["13800000001"]
    # And throttled alike: the unknown number's minute is counted too.
    with pytest.raises(Throttled):
        code_request(purpose=CodePurpose.RESET, phone="13900000123", user=None, address=ADDRESS)


def test_signing_up_with_a_registered_number_texts_a_reminder_not_a_code(sms):
    sent = code_request(purpose=CodePurpose.SIGNUP, phone="13800000001", user=None,
                        address=ADDRESS)
    assert sent.masked_phone == "138****0001"
    assert not PhoneCode.objects.filter(phone="13800000001").exists()
    assert "已注册" in last_text("13800000001")


@pytest.mark.parametrize("typed", ["+86 139 0000 0077", "139-0000-0077", "008613900000077"])
def test_numbers_are_normalized(typed):
    assert phone_codes.phone_normalize(typed) == PHONE


@pytest.mark.parametrize("typed", ["", "1390000007", "23900000077", "0734-12345", "abc"])
def test_a_wrong_number_is_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        phone_codes.phone_normalize(typed)
    assert refused.value.code == "accounts.phone_invalid"


def test_a_gateway_failure_is_told_and_recorded_without_the_code(settings, monkeypatch):
    monkeypatch.setattr(phone_codes.secrets, "randbelow", lambda n: 424242)
    settings.ZHENGWU_NOTIFY_SENDERS = {"sms": "zhengwu.notifications.tests.fakes.BrokenSender"}
    with pytest.raises(phone_codes.SendFailed) as refused:
        phone_codes.code_issue(phone=PHONE, purpose=CodePurpose.SIGNUP, address=ADDRESS)
    assert "短信发送失败" in refused.value.message
    item = OutboxItem.objects.get(address=PHONE)
    assert item.status == "failed" and "424242" not in item.body + item.last_error


def test_the_sweep_deletes_code_rows_a_day_after_they_expired(sms, time_machine):
    issue()
    assert phone_codes.sweep() == 0
    time_machine.move_to(timezone.now() + phone_codes.CODE_TTL + phone_codes.KEEP_ROWS
                         + dt.timedelta(seconds=1))
    assert phone_codes.sweep() == 1
    assert not PhoneCode.objects.exists()

"""The privacy notice and its consent, change of mobile number, closing an account:

- the pack's notice is current and public; a published version is never edited;
- a newer version asks again an applicant who agreed to an older one (pages redirect to the
  consent page showing what changed, the API answers 403); staff are not stopped;
- a change of number needs the password and both codes (old and new); a wrong one names its
  field and leaves the other good; the new number must be free; the old number is told;
- closing is refused while the person has cases running; on closing the account cannot sign
  in, the number is freed, the cases stay; one audit row; the page says what is kept.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.accounts import consent, signup
from zhengwu.accounts.closing import account_close
from zhengwu.accounts.models import PrivacyConsent, PrivacyNotice, User, UserKind
from zhengwu.accounts.services import actor_for, user_create
from zhengwu.accounts.tests.sms_fake import last_code
from zhengwu.cases.models import Case, CaseStatus
from zhengwu.core import clock
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.core.models import AuditEvent
from zhengwu.notifications.models import OutboxItem

pytestmark = pytest.mark.django_db

OLD, NEW = "13800000001", "13900000066"
PASSWORD = "demo-2026"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- privacy notice ------------------------------------------------------------------------------

def test_the_pack_publishes_an_illustrative_notice_shown_publicly(client):
    notice = consent.notice_current()
    assert notice is not None and notice.version == "2025-01"
    assert "示例" in notice.body and "示例" in notice.closure
    for part in ("目的", "收集", "保存多久", "权利", "联系方式"):
        assert part in notice.body
    html = client.get(reverse("accounts:privacy")).content.decode()
    assert notice.title in html and "档案法" in html


def test_a_published_version_is_never_rewritten():
    notice = consent.notice_current()
    with pytest.raises(InvalidInput) as refused:
        consent.notice_publish(version=notice.version, title=notice.title, body="另一段正文",
                               published_at=notice.published_at)
    assert refused.value.code == "accounts.notice_changed"


def _new_version() -> PrivacyNotice:
    notice, _ = consent.notice_publish(
        version="2026-02", title="耒阳市政务服务平台个人信息处理规则", body="新版正文。",
        changes="新增：身份核验时调用省统一身份认证平台。",
        published_at=clock.now() - dt.timedelta(minutes=1))
    return notice


def test_a_new_version_asks_again_those_who_agreed_to_an_older_one(applicant):
    old = consent.notice_current()
    PrivacyConsent.objects.get_or_create(user=applicant, notice=old, defaults={"at": clock.now()})
    client = signed_in(applicant)
    assert client.get(reverse("cases:mine")).status_code == 200
    _new_version()
    page = client.get(reverse("cases:mine"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:consent"))
    api = client.get("/api/v1/cases/mine")
    assert api.status_code == 403 and api.json()["code"] == "accounts.consent_required"
    shown = client.get(page["Location"]).content.decode()
    assert "新增：身份核验时调用省统一身份认证平台" in shown and 'id="id_consent"' in shown
    # The notice, signing out and closing stay open.
    assert client.get(reverse("accounts:privacy")).status_code == 200
    refused = client.post(reverse("accounts:consent"), {"version": "2026-02"})
    assert "请勾选同意后继续" in refused.content.decode()
    agreed = client.post(reverse("accounts:consent") + "?next=/cases/mine/",
                         {"version": "2026-02", "consent": "on",
                          "next": reverse("cases:mine")})
    assert agreed.status_code == 302 and agreed["Location"] == reverse("cases:mine")
    assert client.get(reverse("cases:mine")).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.privacy_consent",
                                     after__version="2026-02").exists()


def test_staff_are_not_stopped_by_a_new_notice(clerk):
    PrivacyConsent.objects.create(user=clerk, notice=consent.notice_current(), at=clock.now())
    _new_version()
    assert signed_in(clerk).get("/staff/").status_code == 200


def test_an_outdated_consent_is_refused(applicant):
    _new_version()
    with pytest.raises(InvalidInput) as refused:
        consent.consent_record(user=applicant, version="2025-01", actor=actor_for(applicant))
    assert refused.value.code == "accounts.notice_outdated"


# --- change of mobile number ----------------------------------------------------------------------

def _send_codes(client: Client, new: str = NEW):
    return client.post(reverse("accounts:phone_change"), {"new_phone": new,
                                                          "action": "send_codes"})


def _change(client: Client, **overrides: str):
    data = {"new_phone": NEW, "password": PASSWORD, "step": "2", "action": "change", **overrides}
    data.setdefault("old_code", last_code(OLD))
    data.setdefault("new_code", last_code(NEW))
    return client.post(reverse("accounts:phone_change"), data)


def test_changing_the_number_needs_both_codes_and_tells_the_old_number(applicant, sms):
    client = signed_in(applicant)
    html = _send_codes(client).content.decode()
    for control in ("id_new_phone", "id_old_code", "id_new_code", "id_password"):
        assert f'id="{control}"' in html
    assert "139****0066" in html and "138****0001" in html
    done = _change(client)
    assert done.status_code == 302
    applicant.refresh_from_db()
    assert applicant.phone == NEW
    notice = OutboxItem.objects.get(address=OLD, category="accounts.notice")
    assert "139****0066" in notice.body and NEW not in notice.body
    event = AuditEvent.objects.get(action="accounts.phone_change")
    assert OLD not in str(event.after) and NEW not in str(event.after)
    assert client.get(reverse("cases:mine")).status_code == 200  # still signed in


def test_a_wrong_old_code_names_its_field_and_leaves_the_new_code_good(applicant, sms):
    client = signed_in(applicant)
    _send_codes(client)
    right = last_code(OLD)
    wrong = "000000" if right != "000000" else "111111"
    html = _change(client, old_code=wrong).content.decode()
    assert 'id="id_old_code_error"' in html and 'id="id_new_code_error"' not in html
    assert f'value="{NEW}"' in html and "demo-2026" not in html  # typed values kept, no password
    applicant.refresh_from_db()
    assert applicant.phone == OLD
    assert _change(client).status_code == 302


def test_the_new_number_code_alone_is_not_enough(applicant, sms):
    client = signed_in(applicant)
    _send_codes(client)
    html = _change(client, old_code="").content.decode()
    assert "验证码不正确或已失效" in html
    applicant.refresh_from_db()
    assert applicant.phone == OLD


def test_the_password_is_asked_again(applicant, sms):
    client = signed_in(applicant)
    _send_codes(client)
    html = _change(client, password="wrong-password").content.decode()
    assert "密码不正确" in html and 'id="id_password_error"' in html
    applicant.refresh_from_db()
    assert applicant.phone == OLD


def test_the_new_number_must_be_free(applicant, sms):
    user_create(username="lisi", password="x-demo-2026-x", kind=UserKind.PERSON, phone=NEW)
    client = signed_in(applicant)
    _send_codes(client)
    html = _change(client).content.decode()
    assert "该手机号已被其他账号使用" in html
    applicant.refresh_from_db()
    assert applicant.phone == OLD


# --- closing an account ---------------------------------------------------------------------------

def _close(client: Client, **overrides: str):
    data = {"code": last_code(OLD), "password": PASSWORD, "confirm": "on", "step": "2",
            "action": "close"}
    data.update(overrides)
    return client.post(reverse("accounts:close"), data)


def test_closing_is_refused_while_a_case_is_running(applicant, sms, food, submit):
    case = submit(food)
    assert case.status == CaseStatus.SUBMITTED
    client = signed_in(applicant)
    html = client.get(reverse("accounts:close")).content.decode()
    assert "暂不能注销" in html and "尚在办理中" in html and 'id="id_password"' not in html
    signup.code_request(purpose="close", phone="", user=applicant, address="x")
    with pytest.raises(Conflict) as refused:
        account_close(user=applicant, password=PASSWORD, code=last_code(OLD), address="x")
    assert refused.value.code == "accounts.close_blocked"
    applicant.refresh_from_db()
    assert applicant.is_active


def test_closing_says_what_is_kept_deletes_the_login_and_keeps_the_cases(applicant, sms, food,
                                                                         submit):
    case = submit(food)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.WITHDRAWN)
    client = signed_in(applicant)
    page = client.get(reverse("accounts:close")).content.decode()
    assert "删除" in page and "保留" in page and "档案法" in page
    assert 'id="send_code"' in page
    html = client.post(reverse("accounts:close"), {"action": "send_code"}).content.decode()
    assert 'id="id_code"' in html and 'id="id_confirm"' in html
    unconfirmed = _close(client, confirm="").content.decode()
    assert "请确认" in unconfirmed
    done = _close(client)
    assert done.status_code == 200 and "账号已注销" in done.content.decode()
    applicant.refresh_from_db()
    assert not applicant.is_active and not applicant.has_usable_password()
    assert applicant.phone is None and applicant.citizen_id == "" and applicant.closed_at
    assert not applicant.totp_secret and not applicant.recovery_codes.exists()
    assert Case.objects.filter(pk=case.pk, applicant=applicant).exists()
    assert AuditEvent.objects.filter(action="accounts.close", object_id=str(applicant.pk)
                                     ).count() == 1
    assert OutboxItem.objects.filter(address=OLD, category="accounts.notice").exists()
    assert client.get(reverse("cases:mine")).status_code == 302  # signed out
    assert not Client().login(username=OLD, password=PASSWORD)
    # The number can be registered again.
    assert not User.objects.filter(phone=OLD).exists()


def test_closing_needs_the_password(applicant, sms):
    client = signed_in(applicant)
    client.post(reverse("accounts:close"), {"action": "send_code"})
    html = _close(client, password="wrong").content.decode()
    assert "密码不正确" in html
    applicant.refresh_from_db()
    assert applicant.is_active


def test_staff_cannot_close_their_account_here(clerk):
    html = signed_in(clerk).post(reverse("accounts:close"), {
        "code": "123456", "password": PASSWORD, "confirm": "on", "step": "2",
        "action": "close"}).content.decode()
    assert "只有自然人账号可以在此注销" in html
    clerk.refresh_from_db()
    assert clerk.is_active

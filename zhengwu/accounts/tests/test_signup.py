"""Sign-up (/accounts/signup/) and password reset (/accounts/password/reset/) through the pages:
mobile number → SMS code → password (the validators, one Chinese message per broken rule) +
name + consent to the current privacy notice; an L1 PERSON account, signed in, audited. A reset
answers the same for a number with no account and ends every other session."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.accounts.consent import notice_current
from zhengwu.accounts.models import PrivacyConsent, RealNameLevel, User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.tests.sms_fake import last_code
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PHONE = "13900000088"
GOOD = "Leiyang-2026-ok"
SIGNUP = "/accounts/signup/"
RESET = "/accounts/password/reset/"


def send(client: Client, url: str = SIGNUP, phone: str = PHONE):
    return client.post(url, {"phone": phone, "action": "send_code"})


def form(code: str, **overrides: str) -> dict[str, str]:
    notice = notice_current()
    assert notice is not None
    data = {"phone": PHONE, "code": code, "display_name": "李四", "password": GOOD,
            "consent": "on", "notice_version": notice.version, "step": "2", "action": "signup"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def value_of(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    found = re.search(r'value="([^"]*)"', match.group(0))
    return found.group(1) if found else ""


def test_the_urls_are_where_the_brief_says():
    assert reverse("accounts:signup") == SIGNUP
    assert reverse("accounts:password_reset") == RESET


def test_the_login_page_links_to_sign_up_and_reset(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{SIGNUP}"' in html and f'href="{RESET}"' in html
    assert "注册" in html and "找回密码" in html


def test_step_one_asks_only_for_the_number(client):
    html = client.get(SIGNUP).content.decode()
    assert 'id="id_phone"' in html and 'id="send_code"' in html
    assert 'id="id_password"' not in html


def test_signing_up_makes_a_signed_in_l1_person_with_consent_and_audit(client, sms):
    sent = send(client)
    html = sent.content.decode()
    assert sent.status_code == 200 and "验证码已发送至 139****0088" in html
    for control in ("id_code", "id_display_name", "id_password", "id_consent"):
        assert f'id="{control}"' in html
    assert value_of(html, "phone") == PHONE
    done = client.post(SIGNUP, form(last_code(PHONE)))
    assert done.status_code == 302 and done["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(phone=PHONE)
    assert (user.kind, user.realname_level, user.display_name) == (
        UserKind.PERSON, RealNameLevel.MOBILE, "李四")
    assert re.fullmatch(r"p[0-9a-f]{12}", user.username)
    assert user.check_password(GOOD) and user.password.startswith(("argon2", "md5"))
    assert user.role_assignments.filter(role=Role.APPLICANT_PERSON).exists()
    assert PrivacyConsent.objects.filter(user=user, notice=notice_current()).exists()
    audit = AuditEvent.objects.get(action="accounts.signup", object_id=str(user.pk))
    assert PHONE not in str(audit.after)
    page = client.get(reverse("accounts:signup_done"))
    assert page.status_code == 200 and "注册成功" in page.content.decode()


@pytest.mark.parametrize(("password", "message"), [
    ("Ab1-x", "密码太短：至少需要8个字符"),
    ("2026051812345", "密码不能全是数字"),
    ("password123", "密码过于常见"),
    ("13900000088a", "与手机号或姓名太相近"),
])
def test_each_broken_password_rule_has_its_chinese_message(client, sms, password, message):
    send(client)
    code = last_code(PHONE)
    page = client.post(SIGNUP, form(code, password=password))
    html = page.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.filter(phone=PHONE).exists()
    # Everything typed is kept but the password; the code is still good.
    assert value_of(html, "display_name") == "李四" and value_of(html, "code") == code
    assert value_of(html, "password") == "" and password not in html
    assert client.post(SIGNUP, form(code)).status_code == 302


def test_sign_up_needs_consent_to_the_current_notice(client, sms):
    send(client)
    code = last_code(PHONE)
    html = client.post(SIGNUP, form(code, consent=None)).content.decode()
    notice = notice_current()
    assert notice is not None
    assert f"请阅读并同意《{notice.title}》。" in html
    html = client.post(SIGNUP, form(code, notice_version="1999-01")).content.decode()
    assert "隐私政策已更新" in html
    assert not User.objects.filter(phone=PHONE).exists()


def test_a_wrong_code_keeps_what_was_typed(client, sms):
    send(client)
    right = last_code(PHONE)
    html = client.post(SIGNUP, form("000000" if right != "000000" else "111111")
                       ).content.decode()
    assert "验证码不正确或已失效" in html
    assert value_of(html, "display_name") == "李四" and value_of(html, "phone") == PHONE
    assert 'id="id_code_error"' in html or "id_code" in html
    assert not User.objects.filter(phone=PHONE).exists()


def test_a_second_code_within_a_minute_is_429_with_retry_after(client, sms):
    send(client)
    again = send(client)
    assert again.status_code == 429
    assert 0 < int(again["Retry-After"]) <= 60
    assert "尝试次数过多" in again.content.decode() or "秒后再试" in again.content.decode()


def test_signing_up_with_a_registered_number_says_the_same_and_creates_nothing(client, sms):
    html = send(client, phone="13800000001").content.decode()
    assert "验证码已发送至 138****0001" in html
    page = client.post(SIGNUP, form("123456", phone="13800000001"))
    assert "验证码不正确或已失效" in page.content.decode()
    assert User.objects.filter(phone="13800000001").count() == 1


# --- password reset ----------------------------------------------------------------------------

def test_reset_answers_the_same_for_a_number_with_no_account(client, sms):
    known = send(client, RESET, "13800000001").content.decode()
    unknown = send(Client(REMOTE_ADDR="203.0.113.9"), RESET, "13900000123").content.decode()

    def masked(html: str) -> str:
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
        return re.sub(r"1[3-9]\d\*{4}\d{4}", "NUMBER", html)

    assert masked(known).replace("13800000001", "X") == masked(unknown).replace(
        "13900000123", "X")
    refused = Client(REMOTE_ADDR="203.0.113.9").post(RESET, {
        "phone": "13900000123", "code": "123456", "password": GOOD, "step": "2",
        "action": "reset"}).content.decode()
    assert "验证码不正确或已失效" in refused


def test_reset_sets_the_password_ends_other_sessions_and_is_audited(client, sms, applicant):
    elsewhere = Client()
    elsewhere.force_login(applicant)
    assert elsewhere.get(reverse("cases:mine")).status_code == 200
    send(client, RESET, "13800000001")
    done = client.post(RESET, {"phone": "13800000001", "code": last_code("13800000001"),
                               "password": GOOD, "step": "2", "action": "reset"})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:login")
    applicant.refresh_from_db()
    assert applicant.check_password(GOOD)
    assert elsewhere.get(reverse("cases:mine")).status_code == 302  # signed out
    assert AuditEvent.objects.filter(action="accounts.password_reset",
                                     object_id=str(applicant.pk)).exists()
    login = client.get(done["Location"]).content.decode()
    assert "密码已重置" in login


def test_reset_refuses_a_weak_password_and_keeps_the_code(client, sms, applicant):
    send(client, RESET, "13800000001")
    code = last_code("13800000001")
    data = {"phone": "13800000001", "code": code, "password": "12345678", "step": "2",
            "action": "reset"}
    html = client.post(RESET, data).content.decode()
    assert "密码不能全是数字" in html and value_of(html, "code") == code
    assert client.post(RESET, {**data, "password": GOOD}).status_code == 302


def test_the_window_form_points_to_the_sign_up_page(client_for, food, clerk):
    url = reverse("cases:window_apply", args=[food.code])
    page = client_for(clerk).post(url, {"account_phone": "13900000000"}).content.decode()
    assert "未找到使用该手机号注册的申请人账号" in page
    assert f"{reverse('accounts:signup')}）用手机号注册" in page

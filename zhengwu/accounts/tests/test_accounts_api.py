"""The accounts API (/api/v1/accounts/…): the same rules as the pages, every refusal a 4xx
`{"code", "detail"}` in Chinese, a throttle 429 with Retry-After."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from zhengwu.accounts import phone_codes, throttle
from zhengwu.accounts.consent import notice_current
from zhengwu.accounts.models import RealNameLevel, User
from zhengwu.accounts.tests.sms_fake import last_code

pytestmark = pytest.mark.django_db

API = "/api/v1/accounts"
PHONE = "13900000055"
GOOD = "Leiyang-2026-ok"


def error(response, status: int) -> dict[str, str]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body: dict[str, str] = response.json()
    assert set(body) == {"code", "detail"} and re.search(r"[\u4e00-\u9fff]", body["detail"])
    return body


def post(client: Client, path: str, body: dict[str, object]):
    return client.post(API + path, body, content_type="application/json")


def test_sign_up_through_the_api_signs_in(client, sms):
    sent = post(client, "/codes", {"purpose": "signup", "phone": PHONE})
    assert sent.status_code == 202 and sent.json()["masked_phone"] == "139****0055"
    assert sent.json()["expires_in"] == 300 and sent.json()["resend_after"] == 60
    version = notice_current().version
    made = post(client, "/signup", {"phone": PHONE, "code": last_code(PHONE), "password": GOOD,
                                    "display_name": "王五", "privacy_version": version})
    assert made.status_code == 201, made.content
    assert made.json()["realname_level"] == RealNameLevel.MOBILE
    assert client.get("/api/v1/cases/mine").status_code == 200


def test_a_second_code_within_a_minute_is_429_with_retry_after(client, sms):
    assert post(client, "/codes", {"purpose": "signup", "phone": PHONE}).status_code == 202
    again = post(client, "/codes", {"purpose": "signup", "phone": PHONE})
    assert error(again, 429)["code"] == "too_many_requests"
    assert 0 < int(again["Retry-After"]) <= 60


def test_sign_up_refusals_are_specific(client, sms):
    post(client, "/codes", {"purpose": "signup", "phone": PHONE})
    body = {"phone": PHONE, "code": last_code(PHONE), "password": "12345678",
            "display_name": "王五", "privacy_version": notice_current().version}
    weak = error(post(client, "/signup", body), 422)
    assert weak["code"] == "invalid_input" and "密码不能全是数字" in weak["detail"]
    stale = error(post(client, "/signup", {**body, "password": GOOD, "privacy_version": "x"}),
                  422)
    assert "隐私政策已更新" in stale["detail"]
    wrong = error(post(client, "/signup", {**body, "password": GOOD, "code": "12345"}), 422)
    assert wrong["code"] == "accounts.code_invalid"
    bad = error(post(client, "/codes", {"purpose": "signup", "phone": "12345"}), 422)
    assert bad["code"] == "accounts.phone_invalid"


def test_reset_answers_the_same_for_a_number_with_no_account(sms):
    known = post(Client(REMOTE_ADDR="10.0.0.1"), "/codes",
                 {"purpose": "reset", "phone": "13800000001"}).json()
    unknown = post(Client(REMOTE_ADDR="10.0.0.2"), "/codes",
                   {"purpose": "reset", "phone": "13900000123"}).json()
    assert {k: v for k, v in known.items() if k not in {"masked_phone", "detail"}} == \
        {k: v for k, v in unknown.items() if k not in {"masked_phone", "detail"}}
    assert known["detail"].replace("138****0001", "") == unknown["detail"].replace(
        "139****0123", "")


def test_reset_through_the_api(client, sms, applicant):
    post(client, "/codes", {"purpose": "reset", "phone": "13800000001"})
    done = post(client, "/password/reset", {"phone": "13800000001",
                                            "code": last_code("13800000001"),
                                            "password": GOOD})
    assert done.status_code == 200
    assert Client().login(username="13800000001", password=GOOD)


def test_the_current_notice_and_consent(client, applicant):
    notice = client.get(API + "/privacy")
    assert notice.status_code == 200 and notice.json()["version"] == "2025-01"
    assert error(post(client, "/me/consent", {"version": "2025-01"}), 401)
    client.force_login(applicant)
    given = client.post(API + "/me/consent", {"version": "2025-01"},
                        content_type="application/json")
    assert given.status_code == 200 and given.json()["version"] == "2025-01"
    assert error(client.post(API + "/me/consent", {"version": "1999"},
                             content_type="application/json"), 422)["code"] == \
        "accounts.notice_outdated"


def test_my_operations_need_a_session(client):
    for path, body in (("/me/codes", {"purpose": "close"}),
                       ("/me/phone", {"password": "x", "new_phone": PHONE, "old_code": "1",
                                      "new_code": "1"}),
                       ("/me/close", {"password": "x", "code": "1"})):
        assert error(post(client, path, body), 401)["code"] == "unauthenticated"


def test_change_phone_and_close_through_the_api(client, sms, applicant, food, submit):
    client.force_login(applicant)
    post(client, "/me/codes", {"purpose": "new_phone", "phone": PHONE})
    post(client, "/me/codes", {"purpose": "old_phone"})
    changed = post(client, "/me/phone", {"password": "demo-2026", "new_phone": PHONE,
                                         "old_code": last_code("13800000001"),
                                         "new_code": last_code(PHONE)})
    assert changed.status_code == 200 and changed.json()["phone"] == PHONE
    submit(food)
    throttle.clear(phone_codes.RESEND_RULE, PHONE)  # a minute later
    client.force_login(User.objects.get(pk=applicant.pk))
    assert post(client, "/me/codes", {"purpose": "close"}).status_code == 202
    blocked = error(post(client, "/me/close", {"password": "demo-2026",
                                               "code": last_code(PHONE)}), 409)
    assert blocked["code"] == "accounts.close_blocked" and "办理中" in blocked["detail"]

"""实名认证 (issue 10 §1): online L2 through the provider, in person at a window, one ID number
per person account, and what each level may do (accounts.levels)."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from zhengwu.accounts.identity import identity_verify, identity_verify_in_person
from zhengwu.accounts.levels import level_refusal, required_level
from zhengwu.accounts.models import IdentityMethod, RealNameLevel, User, UserKind
from zhengwu.accounts.services import Throttled, user_create
from zhengwu.accounts.tests.consented import consented
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LISI = ("李四", "430481198604221012")  # packs/leiyang/identities.csv (illustrative)


def newcomer(username: str = "lisi", phone: str = "13900000101") -> User:
    """A person who signed up with a mobile number: L1, no identity yet."""
    return consented(user_create(username=username, password="x-demo-2026-x",
                                 kind=UserKind.PERSON, phone=phone))


def test_online_verification_makes_the_account_l2_and_audits_without_the_number():
    person = newcomer()
    assert person.realname_level == RealNameLevel.MOBILE
    identity_verify(user=person, name=LISI[0], id_number=LISI[1], address="10.0.0.1")
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.IDENTITY
    assert (person.display_name, person.citizen_id) == LISI
    assert person.identity_method == IdentityMethod.PROVIDER
    assert person.identity_verified_at is not None and person.identity_verified_by is None
    event = AuditEvent.objects.filter(action="accounts.identity_recorded").latest("id")
    assert event.actor_id == person.pk and event.after["provider"] == "local"
    assert LISI[1] not in json.dumps(event.after)


def test_a_strangers_number_under_ones_own_name_is_refused():
    person = newcomer()
    with pytest.raises(InvalidInput) as refused:
        identity_verify(user=person, name="王小二", id_number=LISI[1], address="10.0.0.1")
    assert refused.value.code == "identity.not_verified"
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.MOBILE and person.citizen_id == ""
    failed = AuditEvent.objects.filter(action="accounts.identity_verify_failed").latest("id")
    assert LISI[1] not in json.dumps(failed.after)


def test_an_invalid_number_is_refused_before_the_provider_is_asked():
    with pytest.raises(InvalidInput) as refused:
        identity_verify(user=newcomer(), name="李四", id_number="430481198604221011",
                        address="10.0.0.1")
    assert refused.value.code == "identity.id_number_invalid" and "校验码不符" in refused.value.message


def test_one_id_number_belongs_to_one_person_account():
    identity_verify(user=newcomer(), name=LISI[0], id_number=LISI[1], address="10.0.0.1")
    other = newcomer("lisi2", "13900000102")
    # A number typed under another name tells nothing about whether it has an account.
    with pytest.raises(InvalidInput) as refused:
        identity_verify(user=other, name="王小二", id_number=LISI[1], address="10.0.0.2")
    assert refused.value.code == "identity.not_verified"
    with pytest.raises(NotAllowed) as refused:
        identity_verify(user=other, name=LISI[0], id_number=LISI[1], address="10.0.0.2")
    assert refused.value.code == "identity.number_taken"
    assert "另一个账号" in refused.value.message
    # zhangsan's number, already on the demo account, is as taken.
    with pytest.raises(NotAllowed):
        identity_verify(user=other, name="张三", id_number="43048119900101123X",
                        address="10.0.0.2")


def test_verification_attempts_are_throttled_per_account():
    person = newcomer()
    for _ in range(5):
        with pytest.raises(InvalidInput):
            identity_verify(user=person, name="王小二", id_number=LISI[1], address="10.0.0.1")
    with pytest.raises(Throttled):
        identity_verify(user=person, name=LISI[0], id_number=LISI[1], address="10.0.0.3")


def test_the_verify_page_verifies_and_keeps_what_was_typed(client_for):
    person = newcomer()
    client = client_for(person)
    url = reverse("accounts:verify")
    page = client.get(url).content.decode()
    assert "L1 手机号已验证" in page and "核验身份" in page
    refused = client.post(url, {"name": "王小二", "id_number": LISI[1]}).content.decode()
    assert "姓名与身份证号码不一致" in refused and 'id="id_id_number_error"' in refused
    assert 'value="王小二"' in refused and LISI[1] in refused
    done = client.post(url, {"name": LISI[0], "id_number": LISI[1], "next": "/cases/mine/"})
    assert done.status_code == 302 and done["Location"] == "/cases/mine/"
    assert "L2 身份已核验" in client.get(url).content.decode()


def test_the_identity_api(client_for):
    person = newcomer()
    client = client_for(person)
    assert client.get("/api/v1/accounts/identity").json()["realname_level"] == 1
    wrong = client.post("/api/v1/accounts/identity", {"name": "王小二", "id_number": LISI[1]},
                        content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["code"] == "identity.not_verified"
    done = client.post("/api/v1/accounts/identity", {"name": LISI[0], "id_number": LISI[1]},
                       content_type="application/json").json()
    assert done["realname_level"] == 2 and done["id_number_masked"] != LISI[1]
    assert Client().get("/api/v1/accounts/identity").status_code == 401


def test_an_unavailable_provider_answers_503_and_costs_no_attempt(client_for):
    person = newcomer()
    with override_settings(ZHENGWU_IDENTITY_PROVIDER="provincial",
                           ZHENGWU_IDENTITY_URL="http://127.0.0.1:9/verify",
                           ZHENGWU_IDENTITY_TIMEOUT=0.5):
        for _ in range(6):  # more than the account's limit: none was counted
            response = client_for(person).post(
                "/api/v1/accounts/identity", {"name": LISI[0], "id_number": LISI[1]},
                content_type="application/json")
            assert response.status_code == 503
            assert response.json()["code"] == "identity.unavailable"
    identity_verify(user=person, name=LISI[0], id_number=LISI[1], address="10.0.0.1")


# --- in person at a window ----------------------------------------------------------------


def test_a_window_clerk_verifies_in_person_and_is_recorded(clerk, client_for):
    person = newcomer()
    page = client_for(clerk).post(reverse("accounts:window_verify"), {
        "account_phone": person.phone, "name": LISI[0], "id_number": LISI[1],
        "checked": "on"})
    assert page.status_code == 302
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.IDENTITY
    assert person.identity_method == IdentityMethod.WINDOW
    assert person.identity_verified_by == clerk
    event = AuditEvent.objects.filter(action="accounts.identity_recorded").latest("id")
    assert event.actor_id == clerk.pk and event.after["verified_by"] == clerk.pk


def test_only_window_clerks_verify_in_person(applicant, client_for):
    person = newcomer()
    with pytest.raises(NotAllowed):
        identity_verify_in_person(clerk=applicant, account=person, name=LISI[0],
                                  id_number=LISI[1])
    reviewer = User.objects.get(username="reviewer")
    assert client_for(reviewer).get(reverse("accounts:window_verify")).status_code == 403


def test_the_window_page_asks_that_the_card_was_seen(clerk, client_for):
    person = newcomer()
    page = client_for(clerk).post(reverse("accounts:window_verify"), {
        "account_phone": person.phone, "name": LISI[0], "id_number": LISI[1]})
    assert "请确认已当面查验身份证原件" in page.content.decode()
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.MOBILE


# --- what each level may do -----------------------------------------------------------------


def test_levels_are_configuration():
    person = newcomer()
    assert required_level("file") == RealNameLevel.IDENTITY
    assert required_level("consult") == RealNameLevel.MOBILE
    refusal = level_refusal(person, "file")
    assert refusal is not None and refusal.code == "identity.level_too_low"
    assert refusal.link == reverse("accounts:verify")
    assert level_refusal(person, "book") is None
    with override_settings(ZHENGWU_REALNAME_LEVELS={"file": 1, "consult": 0}):
        assert level_refusal(person, "file") is None
    anonymous_level = user_create(username="nobody", password="x-demo-2026-x",
                                  kind=UserKind.PERSON)
    assert level_refusal(anonymous_level, "consult") is not None

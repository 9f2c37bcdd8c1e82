"""Loose ends of issue 10 §1 (accounts): the parties of an authorization are told of each
step; the 委托书 through the API; one ID number per person account held by the database;
sign-up through the API under the CSRF check; consent asked of every applicant."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from zhengwu.accounts import mandates, services
from zhengwu.accounts.models import Authorization, IdentityMethod, RealNameLevel, User, UserKind
from zhengwu.accounts.services import actor_for, identity_bind, user_create
from zhengwu.core import clock
from zhengwu.core.codes import make_uscc
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.notifications.models import OutboxItem

pytestmark = pytest.mark.django_db

ZHANGSAN_ID = "43048119900101123X"
LISI = ("李四", "430481198604221012")  # packs/leiyang/identities.csv (illustrative)


def _person(username: str, phone: str) -> User:
    return user_create(username=username, password="x-demo-2026-x", kind=UserKind.PERSON,
                       phone=phone)


def test_the_database_refuses_a_second_person_account_with_one_number():
    other = _person("lisi", "13900000101")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(citizen_id=ZHANGSAN_ID)


def test_accounts_without_a_number_and_staff_are_not_held_by_it():
    # Closed accounts have their number removed (""): any number of them; a staff account's
    # field is not an identity the rule is about.
    first, second = _person("lisi", "13900000101"), _person("wangwu", "13900000102")
    User.objects.filter(pk__in=[first.pk, second.pk]).update(citizen_id="")
    staff = user_create(username="staff-x", password="x-demo-2026-x", kind=UserKind.STAFF)
    User.objects.filter(pk=staff.pk).update(citizen_id=ZHANGSAN_ID)


def test_the_database_refuses_a_second_enterprise_account_with_one_uscc():
    canyin = User.objects.get(username="canyin")
    other = user_create(username="copy", password="x-demo-2026-x", kind=UserKind.ENTERPRISE,
                        display_name="另一家", uscc=make_uscc("9", "2", "430481", "MA4L9999"))
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(uscc=canyin.uscc)


def test_a_race_past_the_service_check_is_the_same_clear_refusal(monkeypatch):
    """Two verifications of one number in the same instant: both pass the service's look-up;
    the database refuses the second, and the person gets identity.number_taken, not a 500."""
    lisi = _person("lisi", "13900000101")
    with transaction.atomic():
        identity_bind(owner=lisi, id_number=LISI[1], name=LISI[0],
                      method=IdentityMethod.PROVIDER, verified_by=None, actor=actor_for(lisi))
    twin = _person("lisi2", "13900000102")
    monkeypatch.setattr(services, "citizen_id_holder", lambda *args, **kwargs: None)
    with pytest.raises(NotAllowed) as refused, transaction.atomic():
        identity_bind(owner=twin, id_number=LISI[1], name=LISI[0],
                      method=IdentityMethod.PROVIDER, verified_by=None, actor=actor_for(twin))
    assert refused.value.code == "identity.number_taken"
    twin.refresh_from_db()
    assert twin.citizen_id == "" and twin.realname_level == RealNameLevel.MOBILE


# --- 1. the parties are told ------------------------------------------------------------


@pytest.fixture
def zhangsan(db: Any) -> User:
    return User.objects.get(username="zhangsan")


@pytest.fixture
def chuangye(db: Any) -> User:
    return User.objects.get(username="chuangye")


def _dates() -> dict[str, str]:
    return {"starts_on": clock.today().isoformat(),
            "ends_on": (clock.today() + dt.timedelta(days=30)).isoformat()}


def _told(user: User) -> dict[str, OutboxItem]:
    """The user's queued notices about authorizations, by channel (the latest of each)."""
    rows = OutboxItem.objects.filter(recipient=user, category="accounts.authorization")
    return {row.channel: row for row in rows.order_by("pk")}


def _ask(client_for: Any, agent: User, principal: User) -> Authorization:
    response = client_for(agent).post(
        "/api/v1/accounts/authorizations/requests",
        {"principal": principal.phone, "scope_all": True, **_dates()},
        content_type="application/json")
    assert response.status_code == 201, response.content
    return Authorization.objects.get(pk=response.json()["id"])


def test_the_principal_is_told_of_a_request_in_the_app_and_by_sms(
        client_for: Any, zhangsan: User, chuangye: User,
        django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as delivered:
        _ask(client_for, chuangye, zhangsan)
    told = _told(zhangsan)
    assert set(told) == {"inapp", "sms"}
    assert told["sms"].address == zhangsan.phone
    assert told["inapp"].link == reverse("accounts:authorizations")
    assert "孙创业" in told["inapp"].body and "确认" in told["inapp"].body
    assert not _told(chuangye)
    assert delivered, "delivery is started once the request has committed"


def test_the_agent_is_told_when_the_principal_confirms_and_when_it_is_revoked(
        client_for: Any, zhangsan: User, chuangye: User) -> None:
    authorization = _ask(client_for, chuangye, zhangsan)
    principal = client_for(zhangsan)
    url = f"/api/v1/accounts/authorizations/{authorization.pk}"
    assert principal.post(f"{url}/confirm").status_code == 200
    told = _told(chuangye)
    assert set(told) == {"inapp", "sms"} and "确认" in told["inapp"].subject
    assert told["inapp"].link == reverse("accounts:authorizations")
    assert principal.post(f"{url}/revoke").status_code == 200
    told = _told(chuangye)
    assert "撤销" in told["inapp"].subject and "撤销" in told["sms"].subject


def test_the_principal_is_told_when_the_agent_renounces(client_for: Any, zhangsan: User,
                                                       chuangye: User) -> None:
    authorization = _ask(client_for, chuangye, zhangsan)
    before = OutboxItem.objects.filter(recipient=zhangsan).count()
    response = client_for(chuangye).post(
        f"/api/v1/accounts/authorizations/{authorization.pk}/revoke")
    assert response.status_code == 200
    assert OutboxItem.objects.filter(recipient=zhangsan).count() == before + 2
    assert "撤销" in _told(zhangsan)["inapp"].subject


def test_the_agent_is_told_when_the_window_has_checked_the_letter(zhangsan: User,
                                                                 chuangye: User) -> None:
    authorization = mandates.authorization_request(
        agent=chuangye, principal=zhangsan, scope_all=True, item_codes=[],
        starts_on=clock.today(), ends_on=clock.today() + dt.timedelta(days=30),
        letter=SimpleUploadedFile("letter.pdf", PDF, "application/pdf"))
    told = _told(zhangsan)
    assert "委托书" in told["inapp"].body  # the principal learns a letter was given in their name
    mandates.authorization_letter_check(clerk=User.objects.get(username="clerk"),
                                        authorization_id=authorization.pk)
    told = _told(chuangye)
    assert set(told) == {"inapp", "sms"} and "核验" in told["inapp"].subject


def test_no_notice_outlives_a_refused_or_rolled_back_change(zhangsan: User,
                                                            chuangye: User) -> None:
    before = OutboxItem.objects.count()
    with pytest.raises(InvalidInput):
        mandates.authorization_request(
            agent=chuangye, principal=zhangsan, scope_all=True, item_codes=[],
            starts_on=clock.today(), ends_on=clock.today() + dt.timedelta(days=30),
            letter=SimpleUploadedFile("letter.exe", b"MZ", "application/octet-stream"))

    def fails_after_the_request() -> None:
        with transaction.atomic():
            mandates.authorization_request(
                agent=chuangye, principal=zhangsan, scope_all=True, item_codes=[],
                starts_on=clock.today(), ends_on=clock.today() + dt.timedelta(days=30))
            raise RuntimeError("the caller's transaction fails after the request")

    with pytest.raises(RuntimeError):
        fails_after_the_request()
    assert OutboxItem.objects.count() == before


# --- 4. sign-up through the API is a session-opening write: CSRF checked -----------------


def _signup_body(sms: Any, client: Any, phone: str) -> dict[str, str]:
    from zhengwu.accounts.consent import notice_current
    from zhengwu.accounts.tests.sms_fake import last_code

    sent = client.post("/api/v1/accounts/codes", {"purpose": "signup", "phone": phone},
                       content_type="application/json")
    assert sent.status_code == 202, sent.content
    notice = notice_current()
    assert notice is not None
    return {"phone": phone, "code": last_code(phone), "password": "Leiyang-2026-ok",
            "display_name": "王五", "privacy_version": notice.version}


def test_a_cross_site_sign_up_without_the_csrf_token_is_refused(sms: Any) -> None:
    """Another site's page posting the sign-up form would sign the visitor's browser into an
    account the other site controls (login CSRF); the API refuses it like any session write."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    body = _signup_body(sms, browser, "13900000077")
    refused = browser.post("/api/v1/accounts/signup", body, content_type="application/json",
                           headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "forbidden" and "CSRF" in refused.json()["detail"]
    assert not User.objects.filter(phone="13900000077").exists()
    assert "_auth_user_id" not in browser.session
    # The client that reads the notice first (it needs the version anyway) gets the token.
    notice = browser.get("/api/v1/accounts/privacy")
    token = notice.cookies["csrftoken"].value
    made = browser.post("/api/v1/accounts/signup", body, content_type="application/json",
                        headers={"X-CSRFToken": token})
    assert made.status_code == 201, made.content
    assert browser.get("/api/v1/cases/mine").status_code == 200


# --- 2. the signed 委托书 through the API ------------------------------------------------

PDF = b"%PDF-1.4\n% signed letter\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _letter_url(authorization: Authorization) -> str:
    return f"/api/v1/accounts/authorizations/{authorization.pk}/letter"


def _upload(client: Any, authorization: Authorization, name: str = "letter.pdf",
            content: bytes = PDF, **extra: Any) -> Any:
    return client.post(_letter_url(authorization),
                       {"letter": SimpleUploadedFile(name, content, "application/pdf"),
                        **extra})


def _refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert set(response.json()) == {"code", "detail"} and response.json()["code"] == code


def test_the_agent_uploads_the_signed_letter_through_the_api(
        client_for: Any, zhangsan: User, chuangye: User) -> None:
    authorization = _ask(client_for, chuangye, zhangsan)
    response = _upload(client_for(chuangye), authorization, reference="委托书 2026-001")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["confirmation"] == "letter" and body["status"] == "有效（委托书待窗口核验）"
    authorization.refresh_from_db()
    assert authorization.letter and authorization.letter_reference == "委托书 2026-001"
    assert mandates.usable(authorization, clock.today())
    told = _told(zhangsan)
    assert "委托书" in told["inapp"].body and told["sms"].address == zhangsan.phone
    from zhengwu.core.models import AuditEvent

    event = AuditEvent.objects.filter(action="accounts.authorization_letter_upload").latest("id")
    assert event.actor_id == chuangye.pk and (event.after or {})["principal"] == zhangsan.pk


def test_the_letter_api_has_the_pages_checks(client_for: Any, zhangsan: User,
                                             chuangye: User) -> None:
    authorization = _ask(client_for, chuangye, zhangsan)
    agent = client_for(chuangye)
    # Judged by content (core.upload_check), not by the name: a program, or text named .pdf.
    _refused(_upload(agent, authorization, name="letter.exe", content=b"MZ\x90\x00"), 422,
             "authorization.letter")
    _refused(_upload(agent, authorization, content=b"signed"), 422, "authorization.letter")
    too_big = PDF + b"0" * (mandates.LETTER_MAX_BYTES + 1 - len(PDF))
    _refused(_upload(agent, authorization, content=too_big), 422, "authorization.letter")
    _refused(agent.post(_letter_url(authorization), {"reference": "x"}), 422, "invalid_input")
    # Only the agent of that authorization: not the principal, not a stranger.
    _refused(_upload(client_for(zhangsan), authorization), 403, "authorization.forbidden")
    _refused(_upload(client_for(User.objects.get(username="canyin")), authorization), 403,
             "authorization.forbidden")
    _refused(_upload(agent, Authorization(pk=99999999)), 404, "authorization.unknown")
    authorization.refresh_from_db()
    assert not authorization.letter and authorization.confirmation == "online"


def test_no_letter_after_the_authorization_was_confirmed_or_revoked(
        client_for: Any, zhangsan: User, chuangye: User) -> None:
    confirmed = _ask(client_for, chuangye, zhangsan)
    mandates.authorization_confirm(user=zhangsan, authorization_id=confirmed.pk)
    _refused(_upload(client_for(chuangye), confirmed), 409, "authorization.state")
    revoked = _ask(client_for, chuangye, zhangsan)
    mandates.authorization_revoke(user=chuangye, authorization_id=revoked.pk)
    _refused(_upload(client_for(chuangye), revoked), 409, "authorization.state")
    checked = _ask(client_for, chuangye, zhangsan)
    assert _upload(client_for(chuangye), checked).status_code == 200
    mandates.authorization_letter_check(clerk=User.objects.get(username="clerk"),
                                        authorization_id=checked.pk)
    _refused(_upload(client_for(chuangye), checked), 409, "authorization.state")


def test_the_letter_upload_is_documented_as_multipart(client_for: Any) -> None:
    schema = client_for(None).get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/accounts/authorizations/{authorization_id}/letter"][
        "post"]
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    assert {"413", "409", "403", "422"} <= set(operation["responses"])


# --- 5. consent for every applicant -----------------------------------------------------


def _consent_page(response: Any) -> bool:
    return bool(response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:consent")))


def test_an_applicant_who_never_consented_is_asked_before_anything_else(client_for: Any) -> None:
    """An account made by the admin (or any trusted code) without a consent: asked online."""
    person = user_create(username="lisi", password="x-demo-2026-x", kind=UserKind.PERSON,
                         phone="13900000101")
    client = client_for(person)
    assert _consent_page(client.get(reverse("cases:mine")))
    api = client.get("/api/v1/cases/mine")
    assert api.status_code == 403 and api.json()["code"] == "accounts.consent_required"
    shown = client.get(reverse("accounts:consent")).content.decode()
    assert "请阅读并同意" in shown and 'id="id_consent"' in shown
    from zhengwu.accounts.consent import notice_current

    notice = notice_current()
    assert notice is not None
    agreed = client.post(reverse("accounts:consent"), {"version": notice.version,
                                                       "consent": "on",
                                                       "next": reverse("cases:mine")})
    assert agreed.status_code == 302 and agreed["Location"] == reverse("cases:mine")
    assert client.get(reverse("cases:mine")).status_code == 200


def test_an_enterprise_that_never_consented_is_asked_and_staff_are_not(client_for: Any) -> None:
    enterprise = user_create(username="copy", password="x-demo-2026-x",
                             kind=UserKind.ENTERPRISE, display_name="另一家",
                             uscc=make_uscc("9", "2", "430481", "MA4L9999"))
    assert _consent_page(client_for(enterprise).get(reverse("cases:mine")))
    staff = user_create(username="staff-x", password="x-demo-2026-x", kind=UserKind.STAFF)
    assert not _consent_page(client_for(staff).get("/"))


def test_the_demo_packs_applicants_have_a_consent_marked_as_demo_data(client_for: Any) -> None:
    from zhengwu.accounts.consent import notice_current
    from zhengwu.accounts.models import ConsentMethod, PrivacyConsent

    for username in ("zhangsan", "canyin", "chuangye"):
        user = User.objects.get(username=username)
        record = PrivacyConsent.objects.get(user=user, notice=notice_current())
        assert record.method == ConsentMethod.DEMO and record.recorded_by is None
        assert client_for(user).get(reverse("cases:mine")).status_code == 200
    assert not PrivacyConsent.objects.filter(user__username="clerk").exists()


def test_a_window_clerk_records_the_paper_consent_of_a_walk_in(client_for: Any) -> None:
    from zhengwu.accounts.consent import notice_current
    from zhengwu.accounts.models import ConsentMethod, PrivacyConsent
    from zhengwu.core.models import AuditEvent

    person = user_create(username="lisi", password="x-demo-2026-x", kind=UserKind.PERSON,
                         phone="13900000101")
    clerk = User.objects.get(username="clerk")
    shown = client_for(clerk).get(reverse("accounts:window_verify")).content.decode()
    notice = notice_current()
    assert notice is not None
    assert 'name="paper_consent"' in shown and 'name="open_account"' in shown
    assert f'name="notice_version" value="{notice.version}"' in shown
    response = client_for(clerk).post(reverse("accounts:window_verify"), {
        "account_phone": "13900000101", "name": LISI[0], "id_number": LISI[1],
        "checked": "on", "paper_consent": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    record = PrivacyConsent.objects.get(user=person, notice=notice_current())
    assert record.method == ConsentMethod.PAPER and record.recorded_by == clerk
    event = AuditEvent.objects.filter(action="accounts.privacy_consent").latest("id")
    assert event.actor_id == clerk.pk and (event.after or {})["method"] == "paper"
    assert client_for(person).get(reverse("cases:mine")).status_code == 200


def test_a_window_clerk_opens_an_account_for_a_walk_in_with_the_paper_consent(
        client_for: Any) -> None:
    from zhengwu.accounts.consent import notice_current
    from zhengwu.accounts.models import ConsentMethod, PrivacyConsent

    clerk = User.objects.get(username="clerk")
    page = client_for(clerk).post(reverse("accounts:window_verify"), {
        "account_phone": "13900000101", "name": LISI[0], "id_number": LISI[1],
        "checked": "on", "open_account": "on"})
    # Without the signed paper consent no account is opened.
    assert page.status_code == 200 and "纸质" in page.content.decode()
    assert not User.objects.filter(phone="13900000101").exists()
    client_for(clerk).post(reverse("accounts:window_verify"), {
        "account_phone": "13900000101", "name": LISI[0], "id_number": LISI[1],
        "checked": "on", "open_account": "on", "paper_consent": "on"})
    person = User.objects.get(phone="13900000101")
    assert person.kind == UserKind.PERSON and person.citizen_id == LISI[1]
    assert person.realname_level == RealNameLevel.IDENTITY
    assert person.identity_method == IdentityMethod.WINDOW and person.identity_verified_by == clerk
    assert not person.has_usable_password()  # set by the person through 找回密码 (SMS)
    record = PrivacyConsent.objects.get(user=person, notice=notice_current())
    assert record.method == ConsentMethod.PAPER and record.recorded_by == clerk


def test_only_window_staff_record_a_paper_consent(client_for: Any) -> None:
    from zhengwu.accounts import consent

    person = user_create(username="lisi", password="x-demo-2026-x", kind=UserKind.PERSON,
                         phone="13900000101")
    notice = consent.notice_current()
    assert notice is not None
    with pytest.raises(NotAllowed):
        consent.consent_on_paper(clerk=User.objects.get(username="reviewer"), user=person,
                                 version=notice.version)
    with pytest.raises(NotAllowed):
        consent.consent_on_paper(clerk=User.objects.get(username="clerk"),
                                 user=User.objects.get(username="reviewer"),
                                 version=notice.version)

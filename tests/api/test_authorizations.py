"""Enterprise agents, 委托代办 and identity bound to the application (issue 10 §1).

- the level needed to file is enforced on every filing path (cases page and API, bundles page
  and API);
- an agent files for a principal only through an authorization valid today that covers the
  item (missing, unconfirmed, expired, out of scope, revoked are refused with their codes);
- a case filed by an agent belongs to the principal (applicant), names the agent
  (submitted_by) and the authorization, shows in both parties' 我的办件, and its audit rows
  name the agent as actor and the principal;
- a 委托书 uploaded by the agent is checked by the window before the case may be accepted.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhengwu.accounts import mandates
from zhengwu.accounts.models import (
    Authorization,
    AuthorizationKind,
    Confirmation,
    IdentityBasis,
    User,
    UserKind,
)
from zhengwu.accounts.services import user_create
from zhengwu.accounts.tests.consented import consented
from zhengwu.bundles.tests.conftest import COMPANY, QYKB
from zhengwu.cases.models import Case
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.conftest import FORM, pdf_bytes, uploads_for
from zhengwu.core import clock
from zhengwu.core.codes import is_valid_citizen_id, is_valid_uscc
from zhengwu.core.errors import Conflict, InvalidInput, NotAllowed
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CANYIN_FORM = {"applicant_name": "耒阳某某餐饮有限公司", "id_number": "91430481MA4L00003J",
               "phone": "13800000002", "address": "耒阳市蔡子池街道"}


@pytest.fixture
def canyin(db: Any) -> User:
    return User.objects.get(username="canyin")


@pytest.fixture
def chuangye(db: Any) -> User:
    return User.objects.get(username="chuangye")


def newcomer(username: str = "lisi", phone: str = "13900000101") -> User:
    return consented(user_create(username=username, password="x-demo-2026-x",
                                 kind=UserKind.PERSON, phone=phone))


def today() -> dt.date:
    return clock.today()


def api_submit(client: Client, impl: Any, form: dict[str, str], **extra: Any) -> Any:
    from zhengwu.cases.tests.conftest import api_answers

    answers, answer_files = api_answers(impl)
    names = list(impl.materials.filter(source__in=("applicant", "commitment"), required=True)
                 .order_by("position").values_list("name", flat=True))
    payload = {"implementation_id": impl.pk, "form": form, "answers": answers, "channel": "online",
               "materials": [{"name": n, "kind": "upload", "file_field": f"f{i}"}
                             for i, n in enumerate(names)], **extra}
    files = {f"f{i}": SimpleUploadedFile(f"s{i}.pdf", pdf_bytes(), "application/pdf")
             for i in range(len(names))}
    return client.post("/api/v1/cases", {"payload": json.dumps(payload, ensure_ascii=False),
                                         **files, **answer_files})


def bundle_api_submit(client: Client, qykb: Any, form: dict[str, str], **extra: Any) -> Any:
    from zhengwu.bundles.tests.conftest import ALL_YES, item_answers_for, materials_for

    materials = materials_for(qykb)
    payload = {"answers": ALL_YES, "form": form, "channel": "online",
               "item_answers": item_answers_for(qykb),
               "materials": [{"name": m.identity, "kind": "upload", "file_field": f"f{i}"}
                             for i, m in enumerate(materials)], **extra}
    files = {f"f{i}": SimpleUploadedFile(f"s{i}.pdf", pdf_bytes(), "application/pdf")
             for i in range(len(materials))}
    return client.post(f"/api/v1/bundles/{QYKB}/applications",
                       {"payload": json.dumps(payload, ensure_ascii=False), **files})


# --- the demo data ----------------------------------------------------------------------------


def test_the_demo_identities(canyin, chuangye, applicant):
    assert is_valid_uscc(canyin.uscc) and canyin.uscc == "91430481MA4L00003J"
    assert canyin.legal_representative_name == "陈大厨"
    assert is_valid_citizen_id(canyin.legal_representative_id)
    applicants = User.objects.filter(kind=UserKind.PERSON)
    numbers = [u.citizen_id for u in applicants]
    assert all(is_valid_citizen_id(n) for n in numbers) and len(set(numbers)) == len(numbers)
    assert (applicant.display_name, applicant.citizen_id, applicant.phone) == (
        "张三", "43048119900101123X", "13800000001")
    grant = Authorization.objects.get(principal=canyin, agent=chuangye)
    assert grant.kind == AuthorizationKind.ENTERPRISE_AGENT and grant.scope_all
    assert mandates.usable(grant, today()) and grant.ends_on >= today() + dt.timedelta(days=364)


# --- level refusal on every filing path --------------------------------------------------------


def test_an_l1_account_may_not_file_on_any_path(food, qykb, submit, submit_qykb, client_for):
    person = newcomer()
    form = {**FORM, "applicant_name": "李四", "id_number": "430481198604221012"}
    with pytest.raises(NotAllowed) as refused:
        submit(food, submitted_by=person, form_data=form)
    assert refused.value.code == "identity.level_too_low"
    with pytest.raises(NotAllowed) as refused:
        submit_qykb(submitted_by=person, form={**COMPANY, "applicant_name": "李四",
                                               "id_number": "430481198604221012"})
    assert refused.value.code == "identity.level_too_low"
    client = client_for(person)
    response = api_submit(client, food, form)
    assert response.status_code == 403 and response.json()["code"] == "identity.level_too_low"
    response = bundle_api_submit(client, qykb, {**COMPANY, "applicant_name": "李四",
                                                "id_number": "430481198604221012"})
    assert response.status_code == 403 and response.json()["code"] == "identity.level_too_low"
    verify = reverse("accounts:verify")
    for url in (reverse("cases:apply", args=[food.code]), reverse("bundles:apply", args=[QYKB])):
        page = client.get(url).content.decode()
        assert "需要实名等级“L2 身份已核验”" in page and f'href="{verify}?next=' in page, url
    # Posting anyway: refused on the page, with the way to verify.
    from zhengwu.bundles.tests.test_pages import form_values, step3_data
    from zhengwu.cases.tests.test_pages import apply_data

    page = client.post(reverse("cases:apply", args=[food.code]),
                       apply_data(food, **form)).content.decode()
    assert "实名认证" in page and "error-summary" in page
    page = client.post(reverse("bundles:apply", args=[QYKB]), step3_data(qykb, **form_values(
        applicant_name="李四", id_number="430481198604221012"))).content.decode()
    assert "需要实名等级“L2 身份已核验”" in page
    assert not Case.objects.filter(submitted_by=person).exists()


# --- the enterprise's agent ---------------------------------------------------------------------


def test_the_agent_files_for_the_enterprise(canyin, chuangye, food, submit):
    case = submit(food, submitted_by=chuangye, applicant=canyin, form_data=dict(CANYIN_FORM))
    assert (case.applicant, case.submitted_by) == (canyin, chuangye)
    assert case.identity_basis == IdentityBasis.AUTHORIZATION
    assert case.authorization == Authorization.objects.get(principal=canyin, agent=chuangye)
    event = AuditEvent.objects.filter(action="cases.submit", object_id=str(case.pk)).get()
    assert event.actor_id == chuangye.pk and "耒阳某某餐饮有限公司" in event.actor_label
    assert event.after["on_behalf_of"] == canyin.pk
    assert event.after["authorization"] == case.authorization_id
    # In both parties' 我的办件.
    from zhengwu.cases.selectors import applicant_cases

    assert case in applicant_cases(user=canyin) and case in applicant_cases(user=chuangye)
    # The agent acts on it later as the applicant's side; the audit names both again.
    case_transition(case_id=case.pk, user=chuangye, move=MoveIn(action="withdraw",
                                                                reason="信息填错"))
    withdrawn = AuditEvent.objects.filter(action="cases.withdraw").latest("id")
    assert withdrawn.actor_id == chuangye.pk and "代耒阳某某餐饮有限公司" in withdrawn.actor_label


def test_the_agent_files_for_the_enterprise_through_the_api(canyin, chuangye, food,
                                                             client_for):
    client = client_for(chuangye)
    for principal in ("canyin", "91430481MA4L00003J"):
        response = api_submit(client, food, CANYIN_FORM, on_behalf_of=principal)
        assert response.status_code == 201, response.json()
        case = Case.objects.get(number=response.json()["number"])
        assert (case.applicant, case.submitted_by) == (canyin, chuangye)
        out = response.json()
        assert (out["identity_basis"], out["submitted_by"], out["authorization_id"]) == (
            "authorization", "孙创业", case.authorization_id)
    # Without on_behalf_of the case is the agent's own: the enterprise's number is no person's.
    response = api_submit(client, food, CANYIN_FORM)
    assert response.status_code == 422 and response.json()["code"] == "case.form_invalid"


def test_the_apply_page_offers_to_file_for_the_principal(canyin, chuangye, food, client_for):
    from zhengwu.cases.tests.test_pages import apply_data

    client = client_for(chuangye)
    url = reverse("cases:apply", args=[food.code])
    page = client.get(url).content.decode()
    assert "以谁的名义申请" in page and f"?as={canyin.pk}" in page
    chosen = client.get(url, {"as": canyin.pk}).content.decode()
    assert 'value="91430481MA4L00003J"' in chosen  # prefilled with the enterprise's identity
    response = client.post(f"{url}?as={canyin.pk}", apply_data(food, **CANYIN_FORM))
    assert response.status_code == 302
    case = Case.objects.get(submitted_by=chuangye)
    assert case.applicant == canyin
    for user in (canyin, chuangye):
        detail = client_for(user).get(reverse("cases:detail", args=[case.number]))
        text = detail.content.decode()
        assert "经授权代为申请" in text and "孙创业" in text, user
    assert case.number in client_for(canyin).get(reverse("cases:mine")).content.decode()


def test_the_bundle_page_offers_to_file_for_the_principal(canyin, chuangye, client_for):
    client = client_for(chuangye)
    url = reverse("bundles:apply", args=[QYKB])
    assert f"?as={canyin.pk}" in client.get(url).content.decode()
    chosen = client.get(url, {"as": canyin.pk}).content.decode()
    # The choice travels with every step of the wizard.
    assert f'<input type="hidden" name="as" value="{canyin.pk}">' in chosen
    assert "申请人为“耒阳某某餐饮有限公司”" in chosen


def test_a_stranger_is_refused_without_an_authorization(canyin, applicant, food, submit,
                                                        client_for):
    with pytest.raises(NotAllowed) as refused:
        submit(food, submitted_by=applicant, applicant=canyin, form_data=dict(CANYIN_FORM))
    assert refused.value.code == "authorization.missing"
    response = api_submit(client_for(applicant), food, CANYIN_FORM, on_behalf_of="canyin")
    assert response.status_code == 403 and response.json()["code"] == "authorization.missing"
    # An unknown principal reads the same: the API tells nobody which accounts exist.
    response = api_submit(client_for(applicant), food, CANYIN_FORM, on_behalf_of="nobody")
    assert response.json()["code"] == "authorization.missing"
    # The page offers zhangsan no one to file for, and ignores a forged choice.
    url = reverse("cases:apply", args=[food.code])
    assert "以谁的名义申请" not in client_for(applicant).get(url, {"as": canyin.pk}).content\
        .decode()


def _only_grant(canyin: User, chuangye: User) -> Authorization:
    return Authorization.objects.get(principal=canyin, agent=chuangye)


def test_an_expired_or_future_authorization_is_refused(canyin, chuangye, food, submit):
    grant = _only_grant(canyin, chuangye)
    Authorization.objects.filter(pk=grant.pk).update(
        starts_on=today() - dt.timedelta(days=400), ends_on=today() - dt.timedelta(days=1))
    with pytest.raises(NotAllowed) as refused:
        submit(food, submitted_by=chuangye, applicant=canyin, form_data=dict(CANYIN_FORM))
    assert refused.value.code == "authorization.expired"
    Authorization.objects.filter(pk=grant.pk).update(
        starts_on=today() + dt.timedelta(days=1), ends_on=today() + dt.timedelta(days=30))
    with pytest.raises(NotAllowed) as refused:
        submit(food, submitted_by=chuangye, applicant=canyin, form_data=dict(CANYIN_FORM))
    assert refused.value.code == "authorization.expired"


def test_an_authorization_covers_only_its_items(canyin, chuangye, food, submit):
    grant = _only_grant(canyin, chuangye)
    Authorization.objects.filter(pk=grant.pk).update(scope_all=False,
                                                     item_codes=["OTHERCODE0001"])
    with pytest.raises(NotAllowed) as refused:
        submit(food, submitted_by=chuangye, applicant=canyin, form_data=dict(CANYIN_FORM))
    assert refused.value.code == "authorization.out_of_scope"
    Authorization.objects.filter(pk=grant.pk).update(
        item_codes=["OTHERCODE0001", food.item.basic_code])
    assert submit(food, submitted_by=chuangye, applicant=canyin,
                  form_data=dict(CANYIN_FORM)).applicant == canyin


def test_a_revoked_authorization_files_nothing_more(canyin, chuangye, food, submit,
                                                    client_for):
    grant = _only_grant(canyin, chuangye)
    filed = submit(food, submitted_by=chuangye, applicant=canyin, form_data=dict(CANYIN_FORM))
    client = client_for(canyin)
    assert client.post(reverse("accounts:authorization_revoke", args=[grant.pk])).status_code \
        == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == canyin
    with pytest.raises(NotAllowed) as refused:
        submit(food, submitted_by=chuangye, applicant=canyin, form_data=dict(CANYIN_FORM),
               idempotency_key="after-revoke")
    assert refused.value.code == "authorization.missing"
    assert Case.objects.get(pk=filed.pk).authorization == grant  # the filed case stays
    assert AuditEvent.objects.filter(action="accounts.authorization_revoke",
                                     object_id=str(grant.pk)).exists()


# --- granting: the legal representative, the enterprise, a person ------------------------------


def test_the_legal_representative_grants_for_the_enterprise(canyin, chuangye, client_for):
    """陈大厨 signs up, verifies online, and authorizes an agent for canyin as themself."""
    from zhengwu.accounts.identity import identity_verify

    chen = newcomer("chendachu", "13900000103")
    other = newcomer("wangwu", "13900000104")
    with pytest.raises(NotAllowed):  # not yet verified: not known as the representative
        mandates.authorization_grant(user=chen, principal=canyin, agent_phone=other.phone,
                                     scope_all=True, item_codes=[], starts_on=today(),
                                     ends_on=today() + dt.timedelta(days=30))
    identity_verify(user=chen, name="陈大厨", id_number="430481197805200037", address="10.0.0.1")
    chen.refresh_from_db()
    assert list(mandates.represented(chen)) == [chen, canyin] or set(
        mandates.represented(chen)) == {chen, canyin}
    page = client_for(chen).post(reverse("accounts:authorizations"), {
        "action": "grant", "grant-principal": str(canyin.pk), "grant-agent_phone": other.phone,
        "grant-scope_all": "", "grant-item_codes": "ABC123, DEF456",
        "grant-starts_on": today().isoformat(),
        "grant-ends_on": (today() + dt.timedelta(days=90)).isoformat()})
    assert page.status_code == 302
    grant = Authorization.objects.get(principal=canyin, agent=other)
    assert grant.item_codes == ["ABC123", "DEF456"] and grant.confirmed_by == chen
    assert grant.kind == AuthorizationKind.ENTERPRISE_AGENT
    # Anyone else may not grant for canyin.
    with pytest.raises(NotAllowed):
        mandates.authorization_grant(user=chuangye, principal=canyin, agent_phone=other.phone,
                                     scope_all=True, item_codes=[], starts_on=today(),
                                     ends_on=today() + dt.timedelta(days=30))


def test_the_grant_form_keeps_what_was_typed_and_names_the_field(canyin, client_for):
    page = client_for(canyin).post(reverse("accounts:authorizations"), {
        "action": "grant", "grant-principal": str(canyin.pk),
        "grant-agent_phone": "13999999999", "grant-scope_all": "on",
        "grant-starts_on": today().isoformat(),
        "grant-ends_on": (today() + dt.timedelta(days=90)).isoformat()}).content.decode()
    assert "未找到使用该手机号注册的个人账号" in page and 'value="13999999999"' in page
    assert 'id="id_grant-agent_phone_error"' in page


def test_personal_mandate_asked_by_the_agent_and_confirmed_by_the_principal(
        applicant, chuangye, food, submit, client_for):
    """委托代办: 孙创业 asks to act for 张三; 张三 confirms on their own page; then files."""
    client = client_for(chuangye)
    response = client.post("/api/v1/accounts/authorizations/requests", {
        "principal": applicant.phone, "scope_all": False,
        "item_codes": [food.item.basic_code], "starts_on": today().isoformat(),
        "ends_on": (today() + dt.timedelta(days=30)).isoformat()},
        content_type="application/json")
    assert response.status_code == 201, response.json()
    asked = Authorization.objects.get(pk=response.json()["id"])
    assert asked.kind == AuthorizationKind.PERSONAL_MANDATE and asked.confirmed_at is None
    with pytest.raises(NotAllowed) as refused:
        submit(food, submitted_by=chuangye, applicant=applicant)
    assert refused.value.code == "authorization.unconfirmed"
    # Only the principal confirms.
    assert client.post(f"/api/v1/accounts/authorizations/{asked.pk}/confirm").status_code == 403
    page = client_for(applicant).get(reverse("accounts:authorizations")).content.decode()
    assert "待委托人确认" in page and reverse("accounts:authorization_confirm",
                                          args=[asked.pk]) in page
    client_for(applicant).post(reverse("accounts:authorization_confirm", args=[asked.pk]))
    case = submit(food, submitted_by=chuangye, applicant=applicant)
    assert (case.applicant, case.submitted_by, case.authorization) == (applicant, chuangye,
                                                                      asked)
    listed = client.get("/api/v1/accounts/authorizations").json()
    assert next(a["id"] for a in listed["received"]) == asked.pk


def test_an_agent_files_a_bundle_for_the_principal(applicant, chuangye, submit_qykb,
                                                   client_for):
    mandates.authorization_grant(user=applicant, principal=applicant,
                                 agent_phone=chuangye.phone, scope_all=True, item_codes=[],
                                 starts_on=today(), ends_on=today() + dt.timedelta(days=30))
    bundle_case = submit_qykb(submitted_by=chuangye, applicant=applicant)
    assert (bundle_case.applicant, bundle_case.submitted_by) == (applicant, chuangye)
    assert bundle_case.identity_basis == IdentityBasis.AUTHORIZATION
    members = Case.objects.filter(bundle_number=bundle_case.number)
    assert members and all(c.applicant == applicant and c.authorization_id ==
                           bundle_case.authorization_id for c in members)
    event = AuditEvent.objects.filter(action="bundles.submit").latest("id")
    assert event.actor_id == chuangye.pk and event.after["on_behalf_of"] == applicant.pk
    for user in (applicant, chuangye):
        page = client_for(user).get(bundle_case.get_absolute_url()).content.decode()
        assert "经授权代为申请" in page and "孙创业" in page, user


def test_a_bundle_outside_the_scope_is_refused(applicant, chuangye, submit_qykb):
    mandates.authorization_grant(user=applicant, principal=applicant,
                                 agent_phone=chuangye.phone, scope_all=False,
                                 item_codes=["ABC123"], starts_on=today(),
                                 ends_on=today() + dt.timedelta(days=30))
    with pytest.raises(NotAllowed) as refused:
        submit_qykb(submitted_by=chuangye, applicant=applicant)
    assert refused.value.code == "authorization.out_of_scope"


# --- a signed 委托书, checked by the window at acceptance ---------------------------------------


def test_a_letter_makes_the_case_wait_for_the_windows_check(applicant, chuangye, clerk, food,
                                                            submit, client_for):
    page = client_for(chuangye).post(reverse("accounts:authorizations"), {
        "action": "request", "request-principal_identifier": applicant.phone,
        "request-scope_all": "on", "request-starts_on": today().isoformat(),
        "request-ends_on": (today() + dt.timedelta(days=30)).isoformat(),
        "request-letter": SimpleUploadedFile("weituoshu.pdf", pdf_bytes(), "application/pdf"),
        "request-letter_reference": "2026-001"})
    assert page.status_code == 302
    letter = Authorization.objects.get(principal=applicant, agent=chuangye)
    assert letter.confirmation == Confirmation.LETTER and letter.letter_pending
    case = submit(food, submitted_by=chuangye, applicant=applicant)
    assert case.authorization == letter
    detail = client_for(clerk).get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "待窗口核验" in detail
    with pytest.raises(Conflict) as refused:
        case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    assert refused.value.code == "case.letter_unchecked"
    assert client_for(clerk).get(reverse("accounts:authorization_letter",
                                         args=[letter.pk])).status_code == 200
    # Only the window checks it.
    with pytest.raises(NotAllowed):
        mandates.authorization_letter_check(clerk=applicant, authorization_id=letter.pk)
    client_for(clerk).post(reverse("accounts:authorization_letter_check", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.letter_checked_by == clerk
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_a_letter_must_be_a_pdf_or_an_image(applicant, chuangye):
    with pytest.raises(InvalidInput) as refused:
        mandates.authorization_request(
            agent=chuangye, principal=applicant, scope_all=True, item_codes=[],
            starts_on=today(), ends_on=today() + dt.timedelta(days=30),
            letter=SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream"))
    assert refused.value.code == "authorization.letter"


# --- the window keeps filing for walk-ins --------------------------------------------------------


def test_the_window_files_for_a_walk_in_and_records_the_id_card_check(clerk, applicant, food,
                                                                      submit):
    case = submit(food, submitted_by=clerk, applicant=applicant, channel="window",
                  materials=uploads_for(food))
    assert case.identity_basis == IdentityBasis.IN_PERSON and case.authorization is None
    event = AuditEvent.objects.filter(action="cases.submit", object_id=str(case.pk)).get()
    assert event.actor_id == clerk.pk and event.after["id_card_checked_in_person"] is True


def test_the_region_refresh_keeps_whom_the_form_is_for(canyin, chuangye, food, client_for):
    """Filing for a principal (?as=…), the live region refresh of the item's form posts to
    the same page with `refresh` as its own parameter (found in the browser: "?as=2?refresh=…"
    lost the principal and the refresh)."""
    import re

    url = reverse("cases:apply", args=[food.code])
    page = client_for(chuangye).get(url, {"as": canyin.pk}).content.decode()
    assert re.findall(r'hx-post="([^"]*refresh=[^"]*)"', page) == [
        f"{url}?as={canyin.pk}&amp;refresh=premises_region"]

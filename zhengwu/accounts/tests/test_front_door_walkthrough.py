"""What a browser walk-through of the applicant's front door (issue 10) found on the accounts
pages: a 授权委托书 judged by its content, ISO dates in date inputs, the outcome of an action
shown once on every page, the consent box, every error in one answer, one name for 找回密码,
and a name that the identity provider knows under another number at 柜面核验."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from zhengwu.accounts import identity, mandates
from zhengwu.accounts.consent import notice_current
from zhengwu.accounts.identity_providers import UNAVAILABLE, IdentityCheck
from zhengwu.accounts.models import (
    Authorization,
    IdentityMethod,
    PhoneCode,
    RealNameLevel,
    User,
    UserKind,
)
from zhengwu.accounts.services import user_create
from zhengwu.accounts.tests.consented import consented
from zhengwu.accounts.tests.sms_fake import last_code
from zhengwu.core import clock
from zhengwu.core.codes import citizen_id_check_char
from zhengwu.core.errors import InvalidInput
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = "这不是委托书，只是一段文字。\n".encode()
ZHAOLIU = ("赵六", "430481200001123026")  # packs/leiyang/identities.csv (illustrative)
QIANQI = ("钱七", "430481198811304056")


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def zhangsan(db: Any) -> User:
    return User.objects.get(username="zhangsan")


@pytest.fixture
def chuangye(db: Any) -> User:
    return User.objects.get(username="chuangye")


def _dates() -> dict[str, Any]:
    return {"starts_on": clock.today(), "ends_on": clock.today() + dt.timedelta(days=30)}


def _ask(agent: User, principal: User, letter: SimpleUploadedFile | None = None
         ) -> Authorization:
    return mandates.authorization_request(agent=agent, principal=principal, scope_all=True,
                                          item_codes=[], letter=letter, **_dates())


# --- 1. the signed 授权委托书 is judged by its content -------------------------------------


def test_a_text_file_named_pdf_is_not_a_letter(zhangsan: User, chuangye: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        _ask(chuangye, zhangsan, SimpleUploadedFile("委托书.pdf", TEXT, "application/pdf"))
    assert refused.value.code == "authorization.letter"
    assert "按文件内容判断" in refused.value.message and "授权委托书" in refused.value.message
    assert not Authorization.objects.filter(agent=chuangye, principal=zhangsan).exists()


def test_the_letter_api_refuses_a_text_file_named_pdf(client_for: Any, zhangsan: User,
                                                      chuangye: User) -> None:
    authorization = _ask(chuangye, zhangsan)
    response = client_for(chuangye).post(
        f"/api/v1/accounts/authorizations/{authorization.pk}/letter",
        {"letter": SimpleUploadedFile("委托书.pdf", TEXT, "application/pdf")})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "authorization.letter"
    assert "按文件内容判断" in response.json()["detail"]
    authorization.refresh_from_db()
    assert not authorization.letter and authorization.confirmation == "online"
    assert mandates.status_label(authorization) == "待委托人确认"


def test_the_page_refuses_a_text_file_named_pdf_beside_the_field(client_for: Any,
                                                                  zhangsan: User,
                                                                  chuangye: User) -> None:
    page = client_for(chuangye).post(reverse("accounts:authorizations"), {
        "action": "request", "request-principal_identifier": zhangsan.phone,
        "request-scope_all": "on", "request-starts_on": clock.today().isoformat(),
        "request-ends_on": (clock.today() + dt.timedelta(days=30)).isoformat(),
        "request-letter": SimpleUploadedFile("委托书.pdf", TEXT, "application/pdf")})
    assert page.status_code == 200
    assert "按文件内容判断" in page.content.decode()
    assert not Authorization.objects.filter(agent=chuangye, principal=zhangsan).exists()


def test_the_letter_is_served_with_the_type_of_its_content(client_for: Any, zhangsan: User,
                                                           chuangye: User) -> None:
    authorization = _ask(chuangye, zhangsan,
                         SimpleUploadedFile("扫描件.pdf", png_bytes(), "application/pdf"))
    served = client_for(zhangsan).get(reverse("accounts:authorization_letter",
                                              args=[authorization.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")


def test_a_letter_stored_before_the_check_is_not_served_as_a_pdf(client_for: Any,
                                                                 zhangsan: User,
                                                                 chuangye: User) -> None:
    # A text file stored under letter.pdf by the earlier, name-only check.
    authorization = _ask(chuangye, zhangsan, SimpleUploadedFile("委托书.pdf", PDF))
    authorization.letter.save("letter.pdf", ContentFile(TEXT), save=True)
    served = client_for(zhangsan).get(reverse("accounts:authorization_letter",
                                              args=[authorization.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")


# --- 2. dates in <input type=date> are ISO ---------------------------------------------------


def test_the_authorization_dates_are_shown_in_the_date_inputs(client_for: Any,
                                                              zhangsan: User) -> None:
    html = client_for(zhangsan).get(reverse("accounts:authorizations")).content.decode()
    start = re.search(r'<input[^>]*name="grant-starts_on"[^>]*>', html)
    assert start is not None and 'type="date"' in start.group(0)
    assert f'value="{clock.today().isoformat()}"' in start.group(0)


def test_the_catalogue_period_form_shows_iso_dates() -> None:
    from zhengwu.catalog.forms import PeriodForm

    form = PeriodForm({"start": dt.date(2026, 1, 2), "end": dt.date(2026, 12, 6)})
    assert 'value="2026-01-02"' in str(form["start"])
    assert 'value="2026-12-06"' in str(form["end"])


# --- 3. what an action did is shown once, on every page --------------------------------------


def _with_message(client: Client, text: str) -> None:
    """Leave a success message for the client's next page, as a redirect after an act does."""
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value


@pytest.mark.parametrize(("who", "url"), [
    (None, "accounts:login"), (None, "accounts:signup"), (None, "accounts:password_reset"),
    ("zhangsan", "accounts:authorizations"), ("zhangsan", "accounts:addresses"),
    ("zhangsan", "notifications:inbox"), ("zhangsan", "portal:my_space"),
    ("zhangsan", "cases:mine"), ("clerk", "accounts:window_verify"), ("clerk", "cases:window"),
])
def test_a_message_is_shown_once_on_every_page(client_for: Any, who: str | None,
                                               url: str) -> None:
    client = client_for(User.objects.get(username=who) if who else None)
    _with_message(client, "操作已完成（测试）")
    html = client.get(reverse(url)).content.decode()
    assert html.count("操作已完成（测试）") == 1, url


def test_the_case_page_shows_a_message_once(client_for: Any, applicant: User, food: Any,
                                            submit: Any) -> None:
    case = submit(food)
    client = client_for(applicant)
    _with_message(client, "操作已完成（测试）")
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert html.count("操作已完成（测试）") == 1


def test_the_window_clerk_sees_the_account_opened(client_for: Any, clerk: User) -> None:
    notice = notice_current()
    assert notice is not None
    page = client_for(clerk).post(reverse("accounts:window_verify"), {
        "account_phone": "13900000131", "name": ZHAOLIU[0], "id_number": ZHAOLIU[1],
        "checked": "on", "paper_consent": "on", "open_account": "on",
        "notice_version": notice.version}, follow=True)
    html = page.content.decode()
    assert page.redirect_chain and "已为申请人开户" in html and "找回密码" in html


def test_the_authorizations_page_confirms_each_act(client_for: Any, zhangsan: User,
                                                   chuangye: User) -> None:
    agent = client_for(chuangye)
    html = agent.post(reverse("accounts:authorizations"), {
        "action": "request", "request-principal_identifier": zhangsan.phone,
        "request-scope_all": "on", "request-starts_on": clock.today().isoformat(),
        "request-ends_on": (clock.today() + dt.timedelta(days=30)).isoformat()},
        follow=True).content.decode()
    assert "已提交授权申请" in html
    authorization = Authorization.objects.get(agent=chuangye, principal=zhangsan)
    html = client_for(zhangsan).post(reverse("accounts:authorization_confirm",
                                             args=[authorization.pk]),
                                     follow=True).content.decode()
    assert "已确认授权" in html
    html = agent.post(reverse("accounts:authorization_revoke", args=[authorization.pk]),
                      follow=True).content.decode()
    assert "已撤销授权" in html


# --- 4. the consent box on the sign-up page --------------------------------------------------

PHONE = "13900000088"


def _signup(client: Client, code: str, **overrides: str | None) -> Any:
    notice = notice_current()
    assert notice is not None
    data = {"phone": PHONE, "code": code, "display_name": "李四",
            "password": "Leiyang-2026-ok", "consent": "on", "notice_version": notice.version,
            "step": "2", "action": "signup", **overrides}
    return client.post(reverse("accounts:signup"),
                       {k: v for k, v in data.items() if v is not None})


def test_the_consent_box_is_inside_its_label_and_its_error_names_the_notice(client: Client,
                                                                          sms: Any) -> None:
    notice = notice_current()
    assert notice is not None
    client.post(reverse("accounts:signup"), {"phone": PHONE, "action": "send_code"})
    html = _signup(client, last_code(PHONE), consent=None).content.decode()
    label = re.search(r"<label[^>]*>(?:(?!</label>).)*</label>", html[html.index('name="consent"')
                                                                       - 400:], re.S)
    assert label is not None and 'name="consent"' in label.group(0)
    assert "我已阅读并同意" in label.group(0)
    assert f"请阅读并同意《{notice.title}》。" in html
    assert "请阅读并同意隐私政策" not in html
    # The error comes after the label (its own line), not inside it.
    assert html.index("</label>", html.index('name="consent"')) < html.index(
        f"请阅读并同意《{notice.title}》")


# --- 5. every error in one answer ------------------------------------------------------------


def test_sign_up_shows_a_wrong_code_and_a_weak_password_together(client: Client,
                                                                 sms: Any) -> None:
    client.post(reverse("accounts:signup"), {"phone": PHONE, "action": "send_code"})
    right = last_code(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    html = _signup(client, wrong, password="Ab1-x").content.decode()
    assert "验证码不正确" in html and "密码太短" in html
    # The wrong try counts; the right code is still good afterwards.
    assert PhoneCode.objects.get(phone=PHONE, used_at__isnull=True, void=False).attempts == 1
    html = _signup(client, right, password="Ab1-x").content.decode()
    assert "密码太短" in html and "验证码不正确" not in html
    assert _signup(client, right).status_code == 302


def test_a_password_reset_shows_a_wrong_code_and_a_weak_password_together(
        client: Client, sms: Any, zhangsan: User) -> None:
    url, phone = reverse("accounts:password_reset"), zhangsan.phone or ""
    client.post(url, {"phone": phone, "action": "send_code"})
    right = last_code(phone)
    wrong = "000000" if right != "000000" else "111111"
    html = client.post(url, {"phone": phone, "code": wrong, "password": "Ab1-x",
                             "step": "2", "action": "reset"}).content.decode()
    assert "验证码不正确" in html and "密码太短" in html
    done = client.post(url, {"phone": phone, "code": right,
                             "password": "Leiyang-2026-ok", "step": "2", "action": "reset"})
    assert done.status_code == 302


def test_the_window_page_shows_a_bad_number_and_a_missing_consent_together(
        client_for: Any, clerk: User) -> None:
    bad = ZHAOLIU[1][:-1] + ("0" if ZHAOLIU[1][-1] != "0" else "1")
    html = client_for(clerk).post(reverse("accounts:window_verify"), {
        "account_phone": "13900000132", "name": ZHAOLIU[0], "id_number": bad,
        "checked": "on", "open_account": "on"}).content.decode()
    assert "校验" in html and "须请其签署纸质" in html
    assert not User.objects.filter(phone="13900000132").exists()


# --- 6. one name for 找回密码 ----------------------------------------------------------------


def test_the_login_page_says_zhaohui_mima_as_the_clerk_does(client: Client) -> None:
    html = client.get(reverse("accounts:login")).content.decode()
    assert "找回密码" in html and "忘记密码" not in html


# --- 7. a name the identity provider knows under another number ------------------------------


def _window(client: Client, name: str, number: str, **extra: str) -> Any:
    notice = notice_current()
    assert notice is not None
    return client.post(reverse("accounts:window_verify"), {
        "account_phone": "13900000133", "name": name, "id_number": number, "checked": "on",
        "paper_consent": "on", "open_account": "on", "notice_version": notice.version,
        **extra})


def test_the_clerk_is_asked_to_recheck_a_name_the_provider_knows_otherwise(
        client_for: Any, clerk: User) -> None:
    client = client_for(clerk)
    page = _window(client, QIANQI[0], ZHAOLIU[1])
    html = page.content.decode()
    assert page.status_code == 200 and "以证件为准" in html
    assert "不一致" in html and ZHAOLIU[0] not in html  # the other name is not shown
    assert not User.objects.filter(phone="13900000133").exists()
    # The clerk looked again and the card says 钱七 with this number: 以证件为准, audited.
    done = _window(client, QIANQI[0], ZHAOLIU[1], card_prevails="on")
    assert done.status_code == 302
    person = User.objects.get(phone="13900000133")
    assert (person.display_name, person.citizen_id) == (QIANQI[0], ZHAOLIU[1])
    event = AuditEvent.objects.filter(action="accounts.identity_card_prevails").latest("id")
    assert event.actor_id == clerk.pk and event.object_id == str(person.pk)
    assert ZHAOLIU[1] not in str(event.after)


def test_the_service_refuses_a_differing_name_unless_the_card_prevails(clerk: User) -> None:
    person = consented(user_create(username="lisi", password="x-demo-2026-x",
                                   kind=UserKind.PERSON, phone="13900000134"))
    with pytest.raises(InvalidInput) as refused:
        identity.identity_verify_in_person(clerk=clerk, account=person, name=QIANQI[0],
                                           id_number=ZHAOLIU[1])
    assert refused.value.code == "identity.name_differs"
    person.refresh_from_db()
    assert person.realname_level < RealNameLevel.IDENTITY
    identity.identity_verify_in_person(clerk=clerk, account=person, name=QIANQI[0],
                                       id_number=ZHAOLIU[1], card_prevails=True)
    person.refresh_from_db()
    assert person.identity_method == IdentityMethod.WINDOW


def test_a_number_the_provider_does_not_know_or_cannot_answer_is_taken_from_the_card(
        clerk: User, monkeypatch: pytest.MonkeyPatch) -> None:
    first17 = "43048119950505123"
    unknown = first17 + citizen_id_check_char(first17)  # on no list of the demo registry
    person = consented(user_create(username="lisi", password="x-demo-2026-x",
                                   kind=UserKind.PERSON, phone="13900000135"))
    identity.identity_verify_in_person(clerk=clerk, account=person, name="周八",
                                       id_number=unknown)
    assert not AuditEvent.objects.filter(action="accounts.identity_card_prevails").exists()

    class Down:
        name = "down"

        def verify(self, name: str, id_number: str) -> IdentityCheck:
            return IdentityCheck(UNAVAILABLE, "")

    monkeypatch.setattr(identity, "identity_provider", Down)
    other = consented(user_create(username="wangwu", password="x-demo-2026-x",
                                  kind=UserKind.PERSON, phone="13900000136"))
    identity.identity_verify_in_person(clerk=clerk, account=other, name=QIANQI[0],
                                       id_number=QIANQI[1])
    other.refresh_from_db()
    assert other.realname_level == RealNameLevel.IDENTITY

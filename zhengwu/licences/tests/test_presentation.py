"""Issue 11 item 3: the public verification page behind the short QR (version ≤ 3, scan
logged for the holder, limited per address), the offline compact QR on the holder's page and
the PDF, and the 亮证 code (holder only, two minutes, logged as a presented verification)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import segno
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import User
from zhengwu.core.audit import SYSTEM
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.models import AuditEvent
from zhengwu.licences import presentation
from zhengwu.licences.compact import compact_verify
from zhengwu.licences.holder import Holder
from zhengwu.licences.models import VERIFY_TOKEN_LENGTH, Licence, LicenceType
from zhengwu.licences.services import licence_issue, licence_revoke, licence_suspend
from zhengwu.licences.signing import KeyRing
from zhengwu.sharing.models import DataUse

pytestmark = pytest.mark.django_db

BIRTH = {"childName": "张小三", "birthDate": "2026-11-30", "institution": "耒阳市人民医院",
         "motherName": "李四", "fatherName": "张三"}
# The longest public address documented for the QR (docs/licences.md): 46 characters.
LONGEST_PUBLIC_URL = "https://zwfw.leiyang.hengyang.hunan.gov.cn:443"


@pytest.fixture
def licence(applicant: User) -> Licence:
    return licence_issue(
        licence_type=LicenceType.objects.get(name="出生医学证明"),
        holder=Holder(kind="person", name=applicant.display_name or "张三",
                      id_number=applicant.citizen_id),
        payload=BIRTH, actor=SYSTEM, source_case="C1",
        now=dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI))


def _uses(licence: Licence) -> list[tuple[str, str]]:
    return list(DataUse.objects.filter(licence_id=licence.identifier)
                .order_by("seq").values_list("kind", "basis"))


# --- the online QR ----------------------------------------------------------------------------


def test_the_public_url_documented_is_the_longest_that_fits() -> None:
    assert len(LONGEST_PUBLIC_URL) == presentation.QR_PUBLIC_URL_MAX


def test_the_qr_of_the_longest_public_url_is_version_3(licence: Licence,
                                                      settings: Any) -> None:
    settings.ZHENGWU_PUBLIC_URL = LONGEST_PUBLIC_URL
    text = presentation.verify_qr_text(licence)
    assert len(licence.verify_token or "") == VERIFY_TOKEN_LENGTH
    qr = segno.make(text, error=presentation.QR_ERROR, boost_error=False)
    assert (qr.mode, qr.version) == ("alphanumeric", 3)
    assert segno.make(text + "X", error=presentation.QR_ERROR,
                      boost_error=False).version == 4  # the limit is exact
    # What people read is the same address, in the configured case.
    assert presentation.verify_short_url(licence).lower() == text.lower()


def test_the_qr_address_opens_the_page_and_logs_the_scan(client_for: Any, licence: Licence,
                                                         applicant: User) -> None:
    path = "/" + presentation.verify_qr_text(licence).split("/", 3)[3]
    answer = client_for(None).get(path)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "出生医学证明" in page and "签名有效" in page and "已用颁证机构公钥" in page
    assert "张*" in page and applicant.citizen_id not in page and "李四" not in page
    assert _uses(licence) == [("qr_scan", "presented")]
    use = DataUse.objects.get(licence_id=licence.identifier)
    assert use.holder_ref == licence.holder_ref and use.actor is None
    # The holder reads it in 谁用了我的证照和数据.
    mine = client_for(applicant).get(reverse("sharing:my_uses")).content.decode()
    assert "扫码核验" in mine


def test_the_long_identifier_address_still_works_and_logs(client_for: Any,
                                                          licence: Licence) -> None:
    url = reverse("licences:verify", args=[licence.identifier])
    assert client_for(None).get(url).status_code == 200
    assert _uses(licence) == [("qr_scan", "presented")]


def test_an_unknown_token_is_404_and_logs_nothing(client_for: Any, licence: Licence) -> None:
    assert client_for(None).get(reverse("licence_verify_short",
                                        args=["AAAAAAAAAAAA"])).status_code == 404
    assert not DataUse.objects.exists()


@pytest.mark.parametrize(("change", "label"), [
    (lambda lic: licence_revoke(licence_id=lic.pk, actor=SYSTEM, reason="以欺骗手段取得"),
     "已撤销"),
    (lambda lic: licence_suspend(licence_id=lic.pk, actor=SYSTEM, reason="核查中"), "已暂停"),
])
def test_the_page_shows_the_status(client_for: Any, licence: Licence, change: Any,
                                   label: str) -> None:
    change(licence)
    page = client_for(None).get(reverse("licence_verify_short",
                                        args=[licence.verify_token])).content.decode()
    assert label in page


def test_an_expired_licence_shows_as_expired(client_for: Any) -> None:
    canyin = User.objects.get(username="canyin")
    old = licence_issue(
        licence_type=LicenceType.objects.get(name="食品经营许可证"),
        holder=Holder(kind="enterprise", name=canyin.display_name, id_number=canyin.uscc),
        payload={"operatorName": "示例", "legalRepresentative": "孙某", "address": "耒阳市",
                 "premises": "耒阳市", "issuedOn": "2015-01-05"}, actor=SYSTEM,
        now=dt.datetime(2015, 1, 5, 9, tzinfo=SHANGHAI))
    page = client_for(None).get(reverse("licence_verify_short",
                                        args=[old.verify_token])).content.decode()
    assert "已过期" in page


def test_the_page_is_limited_per_address_with_429(client_for: Any, licence: Licence,
                                                  monkeypatch: Any) -> None:
    from zhengwu.accounts import throttle

    monkeypatch.setattr(presentation, "VERIFY_RULE",
                        throttle.Rule("licences.verify.test", limit=2, window=600))
    url = reverse("licence_verify_short", args=[licence.verify_token])
    client = client_for(None)
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    assert "核验次数过多" in refused.content.decode()
    assert len(_uses(licence)) == 2  # the refused look is not logged
    other = client.get(url, REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200  # another address has its own budget


# --- the holder's page and the offline QR ----------------------------------------------------


def test_the_holders_page_has_both_qr_codes_and_the_offline_one_verifies(
        client_for: Any, licence: Licence, applicant: User) -> None:
    answer = client_for(applicant).get(reverse("licences:mine", args=[licence.identifier]))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "离线核验码" in page and "亮证" in page and "<svg" in page
    licence.refresh_from_db()
    assert licence.compact_code and licence.compact_code in page
    keys = KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR)
    checked = compact_verify(licence.compact_code, keys)
    assert checked.ok, checked.reason
    assert checked.licence is not None
    assert (checked.licence.identifier, checked.licence.holder_name) == (licence.identifier,
                                                                          "张*")
    assert int(presentation.compact_qr(licence.compact_code).version) <= 15
    assert not DataUse.objects.exists()  # the holder's own look is not a use by others


def test_the_holders_page_is_404_for_anyone_else(client_for: Any, licence: Licence) -> None:
    url = reverse("licences:mine", args=[licence.identifier])
    for username in ("chuangye", "clerk"):
        assert client_for(User.objects.get(username=username)).get(url).status_code == 404


# --- 亮证 ---------------------------------------------------------------------------------------


def _present(client: Any, licence: Licence) -> str:
    answer = client.post(reverse("licences:present", args=[licence.identifier]))
    assert answer.status_code == 200
    code: str = answer.context["present"].code
    assert code in answer.content.decode()
    return code


def test_the_holder_sees_the_code_and_the_clerk_has_no_page(client_for: Any,
                                                          licence: Licence,
                                                          applicant: User) -> None:
    answer = client_for(applicant).post(reverse("licences:present", args=[licence.identifier]))
    page = answer.content.decode()
    assert "亮证码" in page and "<svg" in page
    assert answer["Cache-Control"] == "private, no-store"
    stored = licence.presentations.get()
    assert answer.context["present"].code not in stored.code_hash  # only the SM3 is kept
    assert AuditEvent.objects.filter(action="licences.present",
                                     object_id=str(licence.pk)).exists()


def test_only_the_holder_can_make_a_code(client_for: Any, licence: Licence) -> None:
    url = reverse("licences:present", args=[licence.identifier])
    for username in ("chuangye", "clerk", "supervisor"):
        assert client_for(User.objects.get(username=username)).post(url).status_code == 404
    assert client_for(None).post(url).status_code == 302  # to the sign-in page
    assert not licence.presentations.exists()


def test_a_presented_licence_shows_the_name_and_is_logged(client_for: Any, licence: Licence,
                                                         applicant: User) -> None:
    code = _present(client_for(applicant), licence)
    assert len(code) == presentation.PRESENT_CODE_LENGTH
    clerk = client_for(None)
    answer = clerk.post(reverse("licences:present_check"), {"code": code.lower()})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert applicant.display_name in page  # the full name, as presented
    assert "李四" in page  # the licence's fields
    assert applicant.citizen_id not in page and "430***********123X" in page
    assert _uses(licence) == [("verification", "presented")]
    # The 亮证 QR opens the same page.
    assert clerk.get(reverse("licences:presented", args=[code])).status_code == 200


def test_the_code_expires_after_two_minutes(client_for: Any, licence: Licence,
                                            applicant: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        code = _present(client_for(applicant), licence)
    url = reverse("licences:presented", args=[code])
    with time_machine.travel(start + dt.timedelta(seconds=119), tick=False):
        assert client_for(None).get(url).status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=121), tick=False):
        gone = client_for(None).get(url)
    assert gone.status_code == 404
    assert "已过期" in gone.content.decode()
    assert _uses(licence) == [("verification", "presented")]
    with time_machine.travel(start + dt.timedelta(seconds=121), tick=False):
        assert presentation.presentations_purge() == 1  # the full name goes with the code
    assert not licence.presentations.exists()


def test_a_new_code_ends_the_old_one(client_for: Any, licence: Licence,
                                     applicant: User) -> None:
    client = client_for(applicant)
    first, second = _present(client, licence), _present(client, licence)
    assert client_for(None).get(reverse("licences:presented", args=[first])).status_code == 404
    assert client_for(None).get(reverse("licences:presented",
                                        args=[second])).status_code == 200


def test_the_code_entry_page_works_without_a_code(client_for: Any) -> None:
    page = client_for(None).get(reverse("licences:present_check"))
    assert page.status_code == 200 and "亮证码" in page.content.decode()
    wrong = client_for(None).post(reverse("licences:present_check"), {"code": "ABCD-2345"})
    assert wrong.status_code == 404 and 'value="ABCD-2345"' in wrong.content.decode()


def test_the_key_folder_is_read_again_when_a_key_is_added(tmp_path: Any,
                                                          settings: Any) -> None:
    """Looks reuse the folder's keys; a key made since is seen at the next look."""
    from zhengwu.licences.signing import keyfile_create

    settings.ZHENGWU_LICENCE_KEY_DIR = str(tmp_path)
    first = keyfile_create(tmp_path / "11430481MB1234562F.key", issuer="11430481MB1234562F")
    assert presentation._keys().get(first.kid) is not None
    assert presentation._keys() is presentation._keys()  # not read again
    second = keyfile_create(tmp_path / "11430481MB7654322Y.key", issuer="11430481MB7654322Y")
    assert presentation._keys().get(second.kid) is not None

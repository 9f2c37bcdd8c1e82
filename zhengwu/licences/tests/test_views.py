"""The holder's licences: 我的证照 in 我的空间, `GET /api/v1/licences/mine`, the PDF and signed
JSON downloads (the holder's own only, logged), and the minimal public verification page."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.core.audit import SYSTEM
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.models import AuditEvent
from zhengwu.licences.credential import credential_verify_with
from zhengwu.licences.holder import Holder
from zhengwu.licences.models import Licence, LicenceType
from zhengwu.licences.pdf import licence_context
from zhengwu.licences.services import licence_issue, licence_revoke
from zhengwu.licences.signing import KeyRing
from zhengwu.sharing.models import DataUse, UseBasis, UseKind

pytestmark = pytest.mark.django_db

BIRTH = {"childName": "张小三", "birthDate": "2026-11-30", "institution": "耒阳市人民医院",
         "motherName": "李四", "fatherName": "张三"}


@pytest.fixture
def licence(applicant: User) -> Licence:
    return licence_issue(
        licence_type=LicenceType.objects.get(name="出生医学证明"),
        holder=Holder(kind="person", name=applicant.display_name or "张三",
                      id_number=applicant.citizen_id),
        payload=BIRTH, actor=SYSTEM, source_case="C1",
        now=dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI))


def test_the_api_lists_the_holders_licences_masked(client_for: Any, applicant: User,
                                                   licence: Licence) -> None:
    answer = client_for(applicant).get("/api/v1/licences/mine")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["identifier"] == licence.identifier
    assert (row["holder_name"], row["holder_id"]) == ("张*", "430***********123X")
    assert row["status"] == "valid"
    assert applicant.citizen_id not in answer.content.decode()
    assert row["verify_url"].endswith(reverse("licence_verify_short",
                                              args=[licence.verify_token]))


def test_the_api_shows_nobody_elses_licences(client_for: Any, licence: Licence) -> None:
    other = User.objects.get(username="chuangye")
    assert client_for(other).get("/api/v1/licences/mine").json() == {"items": [], "count": 0}
    assert client_for(None).get("/api/v1/licences/mine").status_code == 401


def test_my_space_has_a_licences_section(client_for: Any, applicant: User,
                                         licence: Licence) -> None:
    page = client_for(applicant).get(reverse("portal:my_space")).content.decode()
    assert "我的证照" in page
    assert licence.identifier in page
    assert reverse("licences:credential", args=[licence.identifier]) in page
    me = client_for(applicant).get("/api/v1/me").json()
    section = next(s for s in me["sections"] if s["key"] == "licences")
    assert section["count"] == 1


def test_the_holder_downloads_the_signed_json_and_it_verifies(client_for: Any,
                                                             applicant: User,
                                                             licence: Licence) -> None:
    answer = client_for(applicant).get(reverse("licences:credential",
                                               args=[licence.identifier]))
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "private, no-store"
    exported = json.loads(answer.content)
    data = base64.b64decode(exported["credential"])
    assert data == licence.data  # verbatim
    keys = KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR)
    assert credential_verify_with(keys, data, base64.b64decode(exported["signature"])).ok
    assert AuditEvent.objects.filter(action="licences.download", object_id=str(licence.pk),
                                     actor=applicant, after__what="credential").exists()
    # The holder reads it in 谁用了我的证照/数据 too (issue 11 item 7: downloads are uses).
    use = DataUse.objects.get(kind=UseKind.DOWNLOAD, licence_id=licence.identifier)
    assert (use.basis, use.actor, use.holder_ref) == (UseBasis.HOLDER, applicant,
                                                      licence.holder_ref)
    assert use.purpose == "下载签名数据（JSON）"
    # … named by its type, not only by its identifier.
    uses = client_for(applicant).get(reverse("sharing:my_uses")).content.decode()
    assert "出生医学证明" in uses and licence.identifier in uses


def test_the_pdf_is_rendered_after_the_issue_commits_and_downloaded_from_the_cache(
        client_for: Any, applicant: User, settings: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    settings.ZHENGWU_LICENCE_PDF_PRERENDER = True
    with django_capture_on_commit_callbacks(execute=True):
        issued = licence_issue(
            licence_type=LicenceType.objects.get(name="出生医学证明"),
            holder=Holder(kind="person", name="张三", id_number=applicant.citizen_id),
            payload=BIRTH, actor=SYSTEM)
    issued.refresh_from_db()
    assert issued.pdf  # rendered by licence_render_task (immediate backend in tests)
    with mock.patch("zhengwu.licences.pdf.render_pdf") as render:
        answer = client_for(applicant).get(reverse("licences:pdf", args=[issued.identifier]))
    render.assert_not_called()
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="licences.download", object_id=str(issued.pk),
                                     after__what="pdf").exists()
    context = licence_context(issued)
    assert context["verify_url"] == settings.ZHENGWU_PUBLIC_URL + reverse(
        "licence_verify_short", args=[issued.verify_token])
    assert context["compact_qr"]  # the offline code is printed too


def test_no_pdf_is_rendered_for_a_licence_nobody_looks_at(licence: Licence,
                                                          django_capture_on_commit_callbacks:
                                                          Any) -> None:
    with mock.patch("zhengwu.licences.pdf.render_pdf") as render, \
            django_capture_on_commit_callbacks(execute=True):
        licence_issue(licence_type=licence.licence_type,
                      holder=Holder(kind="person", name="张三", id_number="430481199003154613"),
                      payload=BIRTH, actor=SYSTEM)
    render.assert_not_called()


@pytest.mark.parametrize("name", ["pdf", "credential"])
def test_anyone_but_the_holder_gets_404(client_for: Any, licence: Licence, name: str) -> None:
    url = reverse(f"licences:{name}", args=[licence.identifier])
    for username in ("chuangye", "clerk", "supervisor"):
        assert client_for(User.objects.get(username=username)).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to the sign-in page
    assert not AuditEvent.objects.filter(action="licences.download").exists()
    assert not DataUse.objects.filter(kind=UseKind.DOWNLOAD).exists()


def test_the_public_page_shows_the_status_masked(client_for: Any, licence: Licence,
                                                 applicant: User) -> None:
    url = reverse("licences:verify", args=[licence.identifier])
    page = client_for(None).get(url).content.decode()
    assert "出生医学证明" in page and "有效" in page and "签名有效" in page
    assert "张*" in page and applicant.citizen_id not in page
    assert "李四" not in page  # the licence's own fields stay with the holder
    licence_revoke(licence_id=licence.pk, actor=SYSTEM, reason="以欺骗手段取得")
    page = client_for(None).get(url).content.decode()
    assert "已撤销" in page
    # A revoked licence is not offered a 亮证 code; the page says whom to ask.
    assert "生成亮证码" not in page and "不能亮证" in page
    assert client_for(None).get(reverse("licences:verify", args=["1.2.156.x"])).status_code \
        == 404


def test_the_admin_lists_licences_read_only(client_for: Any, licence: Licence) -> None:
    admin_user = User.objects.create_superuser("licence-admin", password="x-Pass-123456")
    client = client_for(admin_user)
    assert client.get(reverse("admin:licences_licence_changelist")).status_code == 200
    page = client.get(reverse("admin:licences_licence_change", args=[licence.pk]))
    assert page.status_code == 200
    assert licence.holder_ref not in page.content.decode()
    assert client.get(reverse("admin:licences_licencetype_changelist")).status_code == 200

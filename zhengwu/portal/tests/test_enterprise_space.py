"""An enterprise registered on the platform has no password: its legal representative opens
its space from 我的空间 (切换空间, accounts.space), sees its 营业执照 in 我的证照 there, opens and
downloads it, and reads who used it; nobody else can (issue 11's story)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.accounts.services import enterprise_register
from zhengwu.core.audit import SYSTEM
from zhengwu.core.codes import make_uscc
from zhengwu.licences.holder import Holder
from zhengwu.licences.models import HolderKind, Licence, LicenceType
from zhengwu.licences.services import licence_issue

pytestmark = pytest.mark.django_db

NAME = "耒阳市空间测试有限公司"


@pytest.fixture
def founder(db: Any) -> User:
    return User.objects.get(username="chuangye")


@pytest.fixture
def enterprise(founder: User) -> User:
    return enterprise_register(uscc=make_uscc("9", "1", "430481", "MA9T0001"), name=NAME,
                               legal_representative_name="孙创业",
                               legal_representative_id=founder.citizen_id, actor=SYSTEM)


@pytest.fixture
def licence(enterprise: User) -> Licence:
    licence_type = LicenceType.objects.get(name="营业执照")
    return licence_issue(
        licence_type=licence_type,
        holder=Holder(kind=HolderKind.ENTERPRISE, name=NAME, id_number=enterprise.uscc),
        payload={f["key"]: "示例" for f in licence_type.fields}, actor=SYSTEM)


def test_the_legal_representative_opens_the_enterprise_space(client_for: Any, founder: User,
                                                             enterprise: User,
                                                             licence: Licence) -> None:
    client = client_for(founder)
    own = client.get(reverse("portal:my_space")).content.decode()
    assert "切换到" in own and f"企业空间：{NAME}" in own
    assert licence.identifier not in own  # the founder's own space: not the enterprise's
    response = client.post(reverse("portal:my_space_switch"), {"account": enterprise.pk})
    assert response.status_code == 302
    page = client.get(reverse("portal:my_space")).content.decode()
    assert "当前为企业空间" in page and enterprise.uscc in page
    assert 'id="my-profile-title">企业信息<' in page  # not 个人信息
    assert licence.identifier in page  # 我的证照 of the enterprise
    assert 'id="my-addresses"' not in page and 'id="my-drafts"' not in page  # the person's
    assert client.get(reverse("licences:mine", args=[licence.identifier])).status_code == 200
    assert client.get(reverse("licences:credential", args=[licence.identifier])).status_code \
        == 200
    api = client.get("/api/v1/licences/mine", {"account": enterprise.pk}).json()
    assert [row["identifier"] for row in api["items"]] == [licence.identifier]
    assert client.get("/api/v1/licences/mine").json()["count"] == 0  # the caller's own
    me = client.get("/api/v1/me").json()
    assert [space["id"] for space in me["spaces"]] == [founder.pk, enterprise.pk]
    theirs = client.get("/api/v1/me", {"account": enterprise.pk}).json()
    profile = next(sec for sec in theirs["sections"] if sec["key"] == "profile")
    assert profile["extra"]["profile"]["id_number"] == enterprise.uscc
    assert profile["title"] == "企业信息"
    rows = client.get("/api/v1/me/sections/licences", {"account": enterprise.pk}).json()
    assert [row["identifier"] for row in rows["items"]] == [licence.identifier]
    assert client.get("/api/v1/sharing/uses", {"account": enterprise.pk}).status_code == 200
    uses = client.get(reverse("sharing:my_uses")).content.decode()
    assert f"以下是“{NAME}”" in uses
    # Back to the person's own space.
    client.post(reverse("portal:my_space_switch"), {"account": founder.pk})
    assert licence.identifier not in client.get(reverse("portal:my_space")).content.decode()


def test_nobody_else_opens_it(client_for: Any, applicant: User, enterprise: User,
                              licence: Licence) -> None:
    client = client_for(applicant)
    assert "切换到" not in client.get(reverse("portal:my_space")).content.decode()
    refused = client.post(reverse("portal:my_space_switch"), {"account": enterprise.pk})
    assert refused.status_code == 403
    assert client.get(reverse("licences:mine", args=[licence.identifier])).status_code == 404
    api = client.get("/api/v1/licences/mine", {"account": enterprise.pk})
    assert api.status_code == 403 and api.json()["code"] == "space.forbidden"
    me = client.get("/api/v1/me", {"account": enterprise.pk})
    assert me.status_code == 403 and me.json()["code"] == "space.forbidden"
    assert client.get("/api/v1/sharing/uses", {"account": enterprise.pk}).status_code == 403


def test_a_former_legal_representative_is_back_in_their_own_space(
        client_for: Any, founder: User, enterprise: User, licence: Licence) -> None:
    client = client_for(founder)
    client.post(reverse("portal:my_space_switch"), {"account": enterprise.pk})
    User.objects.filter(pk=enterprise.pk).update(legal_representative_id="43048119900101123X")
    page = client.get(reverse("portal:my_space")).content.decode()
    assert licence.identifier not in page and "当前为企业空间" not in page
    assert client.get(reverse("licences:mine", args=[licence.identifier])).status_code == 404

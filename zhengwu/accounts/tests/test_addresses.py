"""我的空间 › 常用地址: add, change, delete one's own addresses (at most 20), validated with
the message next to the field and everything typed kept; another's is absent; staff refused;
`addresses_for` gives the forms helper the default first."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import Address, User
from zhengwu.accounts.selectors import address_prefill, addresses_for
from zhengwu.accounts.services import ADDRESS_LIMIT, AddressIn, address_save
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TOWNSHIP = "430481001000"  # 蔡子池街道
GOOD = {"label": "家", "region": TOWNSHIP, "detail": "五一路8号3栋2单元501",
        "postcode": "421800"}


def _chuangye() -> User:
    return User.objects.get(username="chuangye")


def test_add_change_and_delete_an_address(applicant: User, client_for: Any) -> None:
    client = client_for(applicant)
    assert client.get("/accounts/addresses/new/").status_code == 200
    response = client.post("/accounts/addresses/new/", {**GOOD, "is_default": "on"})
    assert response.status_code == 302 and response["Location"] == "/accounts/addresses/"
    address = Address.objects.get(user=applicant)
    assert (address.label, address.region_id, address.detail, address.postcode,
            address.is_default) == ("家", TOWNSHIP, GOOD["detail"], "421800", True)
    assert AuditEvent.objects.filter(action="accounts.address_save",
                                     object_id=str(address.pk)).exists()
    listing = client.get("/accounts/addresses/").content.decode()
    assert GOOD["detail"] in listing and "地址已保存" in listing

    second = client.post("/accounts/addresses/new/",
                         {**GOOD, "label": "单位", "detail": "人民路1号", "is_default": "on"})
    assert second.status_code == 302
    assert [a.label for a in addresses_for(applicant)] == ["单位", "家"]  # the default first
    assert Address.objects.filter(user=applicant, is_default=True).count() == 1

    edited = client.post(f"/accounts/addresses/{address.pk}/", {**GOOD, "label": "老家"})
    assert edited.status_code == 302
    address.refresh_from_db()
    assert address.label == "老家" and not address.is_default

    assert client.post(f"/accounts/addresses/{address.pk}/delete/").status_code == 302
    assert not Address.objects.filter(pk=address.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.address_delete").exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("label", "", "请填写名称。"),
    ("label", "家" * 21, "名称最多 20 个字"),
    ("detail", "五一路\u202e8号", "文字方向控制符"),
    ("postcode", "4218", "邮政编码应为 6 位数字。"),
    ("region", "999999999999", "请选择所在区划"),
])
def test_a_refused_address_keeps_what_was_typed(applicant: User, client_for: Any, field: str,
                                                value: str, message: str) -> None:
    response = client_for(applicant).post("/accounts/addresses/new/", {**GOOD, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}_error"' in page  # next to its field, tied by aria-describedby
    for name, typed in GOOD.items():
        if name not in (field, "region"):
            assert typed in page
    assert not Address.objects.filter(user=applicant).exists()


def test_at_most_twenty(applicant: User, client_for: Any) -> None:
    for number in range(ADDRESS_LIMIT):
        address_save(user=applicant, data=AddressIn(label=f"地址{number}", region_code=TOWNSHIP,
                                                    detail=f"五一路{number}号"))
    client = client_for(applicant)
    assert "请先删除不用的地址" in client.get("/accounts/addresses/").content.decode()
    response = client.post("/accounts/addresses/new/", {**GOOD, "label": "第二十一"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"最多保存 {ADDRESS_LIMIT} 个常用地址" in page and "第二十一" in page
    assert Address.objects.filter(user=applicant).count() == ADDRESS_LIMIT


def test_another_persons_address_is_absent(applicant: User, client_for: Any) -> None:
    theirs = address_save(user=_chuangye(), data=AddressIn(
        label="孙家", region_code=TOWNSHIP, detail="神农路99号"))
    client = client_for(applicant)
    assert client.get(f"/accounts/addresses/{theirs.pk}/").status_code == 404
    assert client.post(f"/accounts/addresses/{theirs.pk}/", GOOD).status_code == 404
    assert client.post(f"/accounts/addresses/{theirs.pk}/delete/").status_code == 404
    assert "神农路99号" not in client.get("/accounts/addresses/").content.decode()
    assert "神农路99号" not in client.get("/my/").content.decode()
    theirs.refresh_from_db()
    assert theirs.label == "孙家"
    assert list(addresses_for(applicant)) == []


def test_staff_have_no_addresses_page(clerk: User, client_for: Any) -> None:
    assert client_for(clerk).get("/accounts/addresses/").status_code == 403
    assert client_for(clerk).post("/accounts/addresses/new/", GOOD).status_code == 403
    assert client_for(None).get("/accounts/addresses/").status_code == 302


def test_my_space_shows_the_addresses(applicant: User, client_for: Any) -> None:
    address_save(user=applicant, data=AddressIn(label="家", region_code=TOWNSHIP,
                                                detail="五一路8号", is_default=True))
    sections = {s["key"]: s for s in client_for(applicant).get("/api/v1/me").json()["sections"]}
    row = sections["addresses"]["items"][0]
    assert (row["label"], row["region_code"], row["detail"], row["is_default"]) == (
        "家", TOWNSHIP, "五一路8号", True)
    assert sections["addresses"]["url"] == "/accounts/addresses/"


def test_addresses_through_the_api(applicant: User, client_for: Any) -> None:
    client = client_for(applicant)
    body = {"label": "家", "region_code": TOWNSHIP, "detail": "五一路8号", "is_default": True}
    made = client.post("/api/v1/me/addresses", body, content_type="application/json")
    assert made.status_code == 201
    address = made.json()
    assert (address["label"], address["region"], address["is_default"]) == ("家", "蔡子池街道",
                                                                            True)
    changed = client.put(f"/api/v1/me/addresses/{address['id']}",
                         {**body, "postcode": "42180"}, content_type="application/json")
    assert changed.status_code == 422
    assert changed.json() == {"code": "address.invalid", "detail": "邮政编码应为 6 位数字。"}
    listed = client.get("/api/v1/me/addresses").json()
    assert listed["count"] == 1 and listed["items"][0]["postcode"] == ""
    theirs = address_save(user=_chuangye(), data=AddressIn(label="孙家", region_code=TOWNSHIP,
                                                           detail="神农路99号"))
    assert client.put(f"/api/v1/me/addresses/{theirs.pk}", body,
                      content_type="application/json").status_code == 404
    assert client.delete(f"/api/v1/me/addresses/{theirs.pk}").status_code == 404
    assert client.delete(f"/api/v1/me/addresses/{address['id']}").status_code == 204
    assert client.get("/api/v1/me/addresses").json() == {"items": [], "count": 0}
    assert Address.objects.filter(pk=theirs.pk).exists()


def test_the_default_address_prefills_forms(applicant: User) -> None:
    assert address_prefill(applicant) is None
    address_save(user=applicant, data=AddressIn(label="单位", region_code=TOWNSHIP,
                                                detail="人民路1号"))
    address_save(user=applicant, data=AddressIn(label="家", region_code=TOWNSHIP,
                                                detail="五一路8号", postcode="421800",
                                                is_default=True))
    assert address_prefill(applicant) == {"region": TOWNSHIP,
                                           "address": "耒阳市蔡子池街道五一路8号",
                                           "postcode": "421800"}

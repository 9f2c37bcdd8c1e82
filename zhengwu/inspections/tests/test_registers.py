"""监管事项清单 and 执法检查人员名录库 (issue 15 §3): kept by the department's officers, read by
电子监察, the catalogue public; conflicts declared by the inspector; refusals beside the field
keeping what was typed."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.core.errors import FieldsInvalid, NotAllowed
from zhengwu.core.models import AuditEvent
from zhengwu.inspections import services
from zhengwu.inspections.models import ConflictDeclaration, Inspector, SupervisionItem

pytestmark = pytest.mark.django_db
CANYIN = "91430481MA4L00003J"


def _u(name: str) -> User:
    return User.objects.get(username=name)


def _food_code() -> str:
    return SupervisionItem.objects.get(code="LY-JG-001").items.first().basic_code  # type: ignore[union-attr]


def test_the_pack_carries_illustrative_items_of_the_market_regulator() -> None:
    row = SupervisionItem.objects.get(code="LY-JG-001")
    assert row.illustrative and "示例" in row.name
    assert row.department.short_name == "市市场监督管理局"
    assert "食品经营许可证核发（新办）" in {i.name for i in row.items.all()}


def test_an_officer_registers_an_item_for_the_department_and_it_is_audited() -> None:
    row = services.item_create(user=_u("reviewer"), data=services.ItemIn(
        code="T-001", name="测试监管事项", item_codes=[_food_code()],
        legal_basis="《中华人民共和国食品安全法》第一百一十条", method="on_site"))
    assert row.department.short_name == "市市场监督管理局"
    assert AuditEvent.objects.filter(action="inspections.item_create",
                                     object_id=str(row.pk)).exists()


def test_an_item_with_bad_fields_is_refused_field_by_field() -> None:
    with pytest.raises(FieldsInvalid) as refused:
        services.item_create(user=_u("reviewer"), data=services.ItemIn(
            code="LY-JG-001", name=" ", item_codes=["NOPE"], legal_basis="", method="x"))
    assert set(refused.value.fields) == {"code", "name", "items", "legal_basis", "method"}
    for who in ("supervisor", "clerk", "canyin"):
        with pytest.raises(NotAllowed):
            services.item_create(user=_u(who), data=services.ItemIn(
                code="T-002", name="x", item_codes=[_food_code()], legal_basis="x"))


def test_an_inspector_is_staff_of_the_department_with_a_unique_certificate() -> None:
    row = services.inspector_register(user=_u("reviewer"), username="chief",
                                      certificate="zf43048100001")
    assert row.certificate == "ZF43048100001"
    with pytest.raises(FieldsInvalid) as refused:
        services.inspector_register(user=_u("reviewer"), username="renshe",
                                    certificate="ZF43048100001")
    assert set(refused.value.fields) == {"username", "certificate"}  # other department; taken
    with pytest.raises(FieldsInvalid, match="已在执法检查人员名录库"):
        services.inspector_register(user=_u("reviewer"), username="chief", certificate="ZF2")
    with pytest.raises(NotAllowed):
        services.inspector_register(user=_u("supervisor"), username="chief", certificate="ZF3")


def test_the_inspector_declares_a_conflict_and_no_one_else_outside_the_department() -> None:
    services.inspector_register(user=_u("reviewer"), username="chief", certificate="ZF1")
    row = services.conflict_declare(user=_u("chief"), certificate="ZF1", uscc=CANYIN.lower(),
                                    reason="former", note="2019年在该企业任职")
    assert row.uscc == CANYIN and row.declared_by.username == "chief"
    assert AuditEvent.objects.filter(action="inspections.conflict_declare").exists()
    with pytest.raises(FieldsInvalid, match="已申报过"):
        services.conflict_declare(user=_u("reviewer"), certificate="ZF1", uscc=CANYIN,
                                  reason="relative")
    with pytest.raises(FieldsInvalid) as refused:
        services.conflict_declare(user=_u("chief"), certificate="ZF1",
                                  uscc="91430481MA4L00003X", reason="nope")
    assert set(refused.value.fields) == {"uscc", "reason"}
    # Found in the browser walk: the message said 统一社会信用代码有误 twice.
    assert refused.value.fields["uscc"].count("统一社会信用代码") == 1, refused.value.fields
    with pytest.raises(NotAllowed):
        services.conflict_declare(user=_u("renshe"), certificate="ZF1", uscc=CANYIN,
                                  reason="former")


def test_pages_refuse_beside_the_field_keeping_what_was_typed(client_for: Any) -> None:
    officer = client_for(_u("reviewer"))
    page = officer.post("/inspections/items/new/", {
        "code": "LY-JG-001", "name": "我的新事项", "items": [_food_code()],
        "legal_basis": "某某条例第三条", "method": "on_site"})
    assert page.status_code == 422
    text = page.content.decode()
    assert "已登记" in text and "我的新事项" in text and "某某条例第三条" in text
    assert 'aria-invalid="true"' in text
    ok = officer.post("/inspections/items/new/", {
        "code": "T-9", "name": "我的新事项", "items": [_food_code()],
        "legal_basis": "某某条例第三条", "method": "on_site"})
    assert ok.status_code == 302
    page = officer.post("/inspections/staff/inspectors/new/",
                        {"username": "chief", "certificate": "ZF-01"})
    assert page.status_code == 422 and "ZF-01" in page.content.decode()
    assert officer.post("/inspections/staff/inspectors/new/",
                        {"username": "chief", "certificate": "ZF01"}).status_code == 302
    page = client_for(_u("chief")).post("/inspections/staff/conflicts/new/", {
        "certificate": "ZF01", "uscc": "91430481MA4L0000XX", "reason": "relative",
        "note": "表弟任法定代表人"})
    assert page.status_code == 422
    assert "表弟任法定代表人" in page.content.decode() and "91430481MA4L0000XX" in \
        page.content.decode()
    assert not ConflictDeclaration.objects.exists()


def test_who_opens_which_page(client_for: Any) -> None:
    assert client_for(None).get("/inspections/").status_code == 200
    for who, code in (("canyin", 403), ("clerk", 403), ("supervisor", 200), ("reviewer", 200)):
        assert client_for(_u(who)).get("/inspections/staff/inspectors/").status_code == code
    assert client_for(_u("supervisor")).get("/inspections/items/new/").status_code == 403
    assert client_for(_u("canyin")).get("/inspections/staff/conflicts/new/").status_code == 403


def test_the_api_lists_items_publicly_and_inspectors_to_staff_only(client_for: Any) -> None:
    items = client_for(None).get("/api/v1/inspections/items").json()
    assert "LY-JG-001" in {i["code"] for i in items}
    one = client_for(None).get("/api/v1/inspections/items/LY-JG-001").json()
    assert one["illustrative"] and one["department"] == "耒阳市市场监督管理局"
    assert client_for(None).get("/api/v1/inspections/items/NOPE").status_code == 404
    officer = client_for(_u("reviewer"))
    made = officer.post("/api/v1/inspections/inspectors",
                        {"username": "chief", "certificate": "ZF7"},
                        content_type="application/json")
    assert made.status_code == 201 and made.json()["name"] == "赵首席"
    bad = officer.post("/api/v1/inspections/conflicts",
                       {"certificate": "ZF7", "uscc": "bad", "reason": "former"},
                       content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "inspections.conflict_invalid"
    assert client_for(None).get("/api/v1/inspections/inspectors").status_code == 401
    assert client_for(_u("canyin")).get("/api/v1/inspections/inspectors").status_code == 403
    listed = client_for(_u("supervisor")).get("/api/v1/inspections/inspectors").json()
    assert [i["certificate"] for i in listed] == ["ZF7"]
    assert Inspector.objects.get().user.username == "chief"
    refused = client_for(_u("supervisor")).post(
        "/api/v1/inspections/items", {"code": "X", "name": "x", "items": [], "legal_basis": "x",
                                      "method": "on_site"}, content_type="application/json")
    assert refused.status_code == 403

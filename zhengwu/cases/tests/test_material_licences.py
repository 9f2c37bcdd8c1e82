"""A licence or shared data instead of an uploaded material (issue 11 item 6,
cases.material_licences): offered only when held and valid, another's refused without saying
it exists, the use logged with consent in the submission's transaction, decline → upload, the
reviewer sees the reference, the API path, and the ex-officio check with its legal basis."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.cases import material_licences
from zhengwu.cases.models import Case, CaseMaterial, MaterialKind
from zhengwu.cases.selectors import materials_replaced, materials_replaced_by_case
from zhengwu.cases.services import MaterialIn, case_submit
from zhengwu.cases.tests.conftest import FOOD, page_answers, pdf_bytes, sample_answers, uploads_for
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.audit import SYSTEM
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.codes import make_uscc
from zhengwu.core.errors import DomainError
from zhengwu.licences.holder import Holder
from zhengwu.licences.models import Licence, LicenceType
from zhengwu.licences.services import licence_issue, licence_revoke
from zhengwu.sharing.models import DataUse, UseBasis, UseKind

pytestmark = pytest.mark.django_db

LICENCE_MATERIAL = "营业执照或其他主体资格证明文件"
CHARTER = {"name": "耒阳某某餐饮有限公司", "legalRepresentative": "王五", "registeredCapital": "50万元",
           "address": "耒阳市蔡子池街道", "businessScope": "餐饮服务", "registeredOn": "2026-11-01"}


@pytest.fixture
def canyin(db: Any) -> User:
    return User.objects.get(username="canyin")


@pytest.fixture
def food(db: Any) -> ItemImplementation:
    return ItemImplementation.objects.get(item__name=FOOD, level=4)


def charter_for(holder: User | None, *, name: str = "耒阳某某餐饮有限公司") -> Licence:
    """A 营业执照 of the account's enterprise, or (None) of another enterprise."""
    number = holder.uscc if holder is not None else make_uscc("9", "1", "430481", "MA4L9999")
    return licence_issue(
        licence_type=LicenceType.objects.get(name="营业执照"),
        holder=Holder(kind="enterprise", name=name, id_number=number),
        payload={**CHARTER, "name": name}, actor=SYSTEM, source_case="C1",
        now=dt.datetime(2026, 11, 1, 9, tzinfo=SHANGHAI))


def form_of(user: User) -> dict[str, str]:
    return {"applicant_name": user.display_name, "id_number": user.uscc,
            "phone": "13800000009", "address": "耒阳市蔡子池街道"}


def file_with_licence(food: ItemImplementation, user: User, identifier: str) -> Any:
    return case_submit(
        implementation_id=food.pk, submitted_by=user, form_data=form_of(user),
        answers=sample_answers(food),
        materials=[*uploads_for(food),
                   MaterialIn(LICENCE_MATERIAL, MaterialKind.E_LICENSE, reference=identifier)]
    ).case


def test_the_pack_names_the_licence_and_the_shared_item(food: ItemImplementation) -> None:
    material = food.materials.get(name=LICENCE_MATERIAL)
    assert material.licence_type_code == LicenceType.objects.get(name="营业执照").code
    elderly = ItemImplementation.objects.filter(item__name="高龄津贴发放").first()
    assert elderly is not None
    assert elderly.materials.get(name="户口簿").shared_item_code == "GA-HJ-001"


def test_offered_only_when_held_and_valid(food: ItemImplementation, canyin: User) -> None:
    assert material_licences.offers_for(food, canyin) == {}
    licence = charter_for(canyin)
    offers = material_licences.offers_for(food, canyin)
    (offer,) = offers.values()
    assert offer.licence == licence and offer.material.name == LICENCE_MATERIAL
    assert "名称" in offer.fields and ("名称", CHARTER["name"]) in offer.preview
    assert food.department.name in offer.purpose
    licence_revoke(licence_id=licence.pk, reason="测试", actor=SYSTEM)
    assert material_licences.offers_for(food, canyin) == {}


def test_the_page_offers_the_licence_with_fields_purpose_and_preview(
        client_for: Any, food: ItemImplementation, canyin: User) -> None:
    licence = charter_for(canyin)
    page = client_for(canyin).get(reverse("cases:apply", args=[food.code])).content.decode()
    assert licence.identifier in page and "将使用的信息项" in page and "用途" in page
    assert CHARTER["businessScope"] in page  # the preview
    assert 'name="use_' in page


def test_anothers_licence_is_refused_without_saying_it_exists(
        food: ItemImplementation, canyin: User) -> None:
    stranger = charter_for(None, name="别人的公司")
    with pytest.raises(DomainError) as refused:
        file_with_licence(food, canyin, stranger.identifier)
    with pytest.raises(DomainError) as unknown:
        file_with_licence(food, canyin, stranger.identifier[:-1] + "Z")
    assert refused.value.message == unknown.value.message
    assert refused.value.http_status == 422
    assert not DataUse.objects.filter(licence_id=stranger.identifier).exists()


def test_consent_keeps_the_reference_and_logs_the_use(food: ItemImplementation,
                                                      canyin: User) -> None:
    licence = charter_for(canyin)
    case = file_with_licence(food, canyin, licence.identifier)
    row = case.materials.get(name=LICENCE_MATERIAL)
    assert (row.kind, row.reference, row.reference_version) == (
        MaterialKind.E_LICENSE, licence.identifier, licence.version)
    assert row.reference_sm3 == material_licences.licence_sm3(licence) and not row.file
    use = DataUse.objects.get(licence_id=licence.identifier, case_number=case.number)
    assert (use.kind, use.basis, use.holder_ref) == (UseKind.USE_IN_CASE, UseBasis.CONSENT,
                                                     licence.holder_ref)
    assert materials_replaced(case) == 1
    assert materials_replaced_by_case(Case.objects.filter(pk=case.pk)) == {case.number: 1}


def test_a_failed_submission_leaves_no_use_row(food: ItemImplementation, canyin: User) -> None:
    licence = charter_for(canyin)
    with pytest.raises(DomainError):
        case_submit(implementation_id=food.pk, submitted_by=canyin, form_data=form_of(canyin),
                    answers=sample_answers(food),
                    materials=[*uploads_for(food)[1:],  # a required upload missing
                               MaterialIn(LICENCE_MATERIAL, MaterialKind.E_LICENSE,
                                          reference=licence.identifier)])
    assert not DataUse.objects.filter(licence_id=licence.identifier).exists()
    assert not CaseMaterial.objects.filter(reference=licence.identifier).exists()


def test_a_use_rolls_back_with_its_submission(food: ItemImplementation, canyin: User,
                                              monkeypatch: Any) -> None:
    """The row is written, then the submission fails later in its transaction."""
    from zhengwu.cases import services

    licence = charter_for(canyin)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("after the use row")

    monkeypatch.setattr(services, "_tell_applicant", boom)
    with pytest.raises(RuntimeError):
        file_with_licence(food, canyin, licence.identifier)
    assert not DataUse.objects.filter(licence_id=licence.identifier).exists()


def _page_post(food: ItemImplementation, user: User, choice: str, *,
               with_file: bool) -> dict[str, Any]:
    data: dict[str, Any] = {**form_of(user), **page_answers(food)}
    for material in food.materials.filter(source="applicant", required=True):
        data[f"file_{material.position}"] = SimpleUploadedFile("a.pdf", pdf_bytes(),
                                                              "application/pdf")
    position = food.materials.get(name=LICENCE_MATERIAL).position
    data[f"use_{position}"] = choice
    if with_file:
        data[f"file_{position}"] = SimpleUploadedFile("charter.pdf", pdf_bytes(),
                                                      "application/pdf")
    return data


def test_consent_on_the_page_and_the_reviewer_sees_the_reference(
        client_for: Any, food: ItemImplementation, canyin: User, clerk: User) -> None:
    licence = charter_for(canyin)
    answer = client_for(canyin).post(reverse("cases:apply", args=[food.code]),
                                     _page_post(food, canyin, "use", with_file=False))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    row = CaseMaterial.objects.get(reference=licence.identifier)
    page = client_for(clerk).get(reverse("cases:detail", args=[row.case.number]))
    text = page.content.decode()
    assert "证照状态：有效；签名原文与申请时一致" in text
    assert licence.identifier in text and reverse("licences:verify",
                                                  args=[licence.identifier]) in text


def test_declining_uploads_instead(client_for: Any, food: ItemImplementation,
                                   canyin: User) -> None:
    licence = charter_for(canyin)
    answer = client_for(canyin).post(reverse("cases:apply", args=[food.code]),
                                     _page_post(food, canyin, "upload", with_file=True))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    row = CaseMaterial.objects.get(name=LICENCE_MATERIAL, case__applicant=canyin)
    assert row.kind == MaterialKind.UPLOAD and row.file
    assert not DataUse.objects.filter(licence_id=licence.identifier).exists()


def test_the_api_takes_a_licence_and_refuses_anothers(client_for: Any, food: ItemImplementation,
                                                      canyin: User) -> None:
    from zhengwu.cases.tests.conftest import api_answers

    licence = charter_for(canyin)
    answers, files = api_answers(food)

    def post(identifier: str) -> Any:
        specs: list[dict[str, Any]] = []
        parts: dict[str, Any] = dict(files)
        for index, material in enumerate(food.materials.filter(source="applicant",
                                                               required=True)):
            specs.append({"name": material.name, "kind": "upload", "file_field": f"f{index}"})
            parts[f"f{index}"] = SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")
        specs.append({"name": LICENCE_MATERIAL, "kind": "licence", "licence": identifier})
        payload = {"implementation_id": food.pk, "form": form_of(canyin), "materials": specs}
        if answers is not None:
            payload["answers"] = answers
        return client_for(canyin).post("/api/v1/cases", {
            "payload": json.dumps(payload, ensure_ascii=False), **parts})

    refused = post(licence.identifier[:-1] + "Z")
    assert refused.status_code == 422 and refused.json()["code"] == "case.licence_refused"
    stranger = post(charter_for(None, name="别人的公司").identifier)
    assert stranger.status_code == 422 and stranger.json() == refused.json()
    answer = post(licence.identifier)
    assert answer.status_code in (200, 201), answer.content.decode()
    kept = next(m for m in answer.json()["materials"] if m["name"] == LICENCE_MATERIAL)
    assert kept["reference"] == licence.identifier and kept["reference_version"] == 1


def test_an_ex_officio_check_needs_its_legal_basis(food: ItemImplementation, canyin: User,
                                                   clerk: User) -> None:
    licence = charter_for(canyin)
    case = case_submit(implementation_id=food.pk, submitted_by=canyin,
                       form_data=form_of(canyin), answers=sample_answers(food),
                       materials=uploads_for(food)).case
    with pytest.raises(DomainError):
        material_licences.ex_officio_check(case=case, actor=actor_for(clerk), staff=clerk,
                                           basis_text=" ", licence_identifier=licence.identifier)
    assert not DataUse.objects.filter(licence_id=licence.identifier).exists()
    material_licences.ex_officio_check(case=case, actor=actor_for(clerk), staff=clerk,
                                       basis_text="《食品经营许可和备案管理办法》第十三条",
                                       licence_identifier=licence.identifier)
    use = DataUse.objects.get(licence_id=licence.identifier)
    assert (use.kind, use.basis) == (UseKind.EX_OFFICIO_CHECK, UseBasis.LEGAL_BASIS)
    assert "第十三条" in use.basis_text


def test_shared_data_stands_in_for_the_household_register(submit: Any, applicant: User) -> None:
    from zhengwu.sharing.models import SharingRequest

    elderly = ItemImplementation.objects.get(item__name="高龄津贴发放", level=4)
    (offer,) = [o for o in material_licences.offers_for(elderly, applicant).values()
                if o.item is not None]
    assert offer.item is not None and offer.item.code == "GA-HJ-001" and "姓名" in offer.fields
    case = submit(elderly, materials=[
        *uploads_for(elderly), MaterialIn("户口簿", MaterialKind.SHARED_DATA,
                                          reference="GA-HJ-001")])
    row = case.materials.get(name="户口簿")
    request = SharingRequest.objects.get(case_number=case.number)
    assert row.reference == "GA-HJ-001" and row.reference_sm3 == request.data_sm3
    assert (request.use.kind, request.use.basis) == (UseKind.SHARED_DATA_QUERY,
                                                     UseBasis.CONSENT)
    assert materials_replaced(case) == 1


def test_the_guide_edit_form_keeps_what_stands_in_for_a_material(food: ItemImplementation) -> None:
    from zhengwu.catalog.forms import MaterialLinesField
    from zhengwu.catalog.guide import MaterialData, substitute_bits

    material = MaterialData(name="营业执照", source="e_license", note="从库|调取",
                            licence_type_code="11100000MB0000019L001")
    line = "|".join(["营业执照", "电子证照调用", "", "1", "是", "", "是", material.note,
                     *substitute_bits(material)])
    (parsed,) = MaterialLinesField().to_python(line)
    assert parsed["licence_type_code"] == "11100000MB0000019L001"
    assert parsed["note"] == "从库|调取" and "shared_item_code" not in parsed


def test_a_refused_page_keeps_the_consent_and_logs_nothing(
        client_for: Any, food: ItemImplementation, canyin: User) -> None:
    licence = charter_for(canyin)
    data = _page_post(food, canyin, "use", with_file=False)
    first = food.materials.filter(source="applicant", required=True).first()
    assert first is not None
    del data[f"file_{first.position}"]  # a required upload missing: refused
    answer = client_for(canyin).post(reverse("cases:apply", args=[food.code]), data)
    assert answer.status_code == 200
    position = food.materials.get(name=LICENCE_MATERIAL).position
    page = answer.content.decode()
    chosen = re.search(rf'<input[^>]*name="use_{position}"[^>]*value="use"[^>]*>', page)
    assert chosen is not None and "checked" in chosen.group(0)
    assert not DataUse.objects.filter(licence_id=licence.identifier).exists()


def test_staff_check_a_licence_ex_officio_on_the_case_page(client_for: Any,
                                                           food: ItemImplementation,
                                                           canyin: User, clerk: User) -> None:
    """依职能核查 from the case page: the targets are what the item's materials name; without
    a legal basis nothing is read or logged; with one the licence is shown and logged."""
    licence = charter_for(canyin)
    case = case_submit(implementation_id=food.pk, submitted_by=canyin,
                       form_data=form_of(canyin), answers=sample_answers(food),
                       materials=uploads_for(food)).case
    client = client_for(clerk)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "依职能核查" in page and 'value="licence:11100000MB0000019L001"' in page
    url = reverse("cases:ex_officio", args=[case.number])
    refused = client.post(url, {"target": "licence:11100000MB0000019L001", "basis": " "})
    assert "依职能核查须写明法定依据" in refused.content.decode()
    assert not DataUse.objects.filter(licence_id=licence.identifier).exists()
    shown = client.post(url, {"target": "licence:11100000MB0000019L001",
                              "basis": "《食品经营许可和备案管理办法》第十三条"}).content.decode()
    assert licence.identifier in shown and "耒阳某某餐饮有限公司" in shown and "有效" in shown
    assert material_licences.licence_sm3(licence) in shown
    use = DataUse.objects.get(licence_id=licence.identifier, kind=UseKind.EX_OFFICIO_CHECK)
    assert use.case_number == case.number and use.actor == clerk
    # Not a target the item names: refused, nothing read.
    odd = client.post(url, {"target": "licence:11100000MB0000035A001", "basis": "某法第一条"})
    assert "不是本事项材料所列" in odd.content.decode()
    # The applicant may not.
    assert client_for(canyin).post(url, {"target": "licence:11100000MB0000019L001",
                                         "basis": "x"}).status_code in (403, 404)

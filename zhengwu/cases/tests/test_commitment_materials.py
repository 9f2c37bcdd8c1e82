"""Which materials a written commitment (告知承诺) may replace (cases.commitment): only those
the catalogue marks 告知承诺替代, on the form, at submission and in a supplement."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.cases import commitment
from zhengwu.cases.models import Case, MaterialKind
from zhengwu.cases.services import MaterialIn, MoveIn, case_transition
from zhengwu.cases.tests.conftest import pdf_bytes, uploads_for
from zhengwu.catalog.models import ItemImplementation, MaterialSource
from zhengwu.core.errors import InvalidInput

HEALTH = "公共场所卫生许可"
REPORT = "卫生检测报告"  # 告知承诺替代 in the Leiyang pack


@dataclass
class M:
    name: str
    source: str
    required: bool = True


CATALOGUE = [M("营业执照", MaterialSource.APPLICANT), M("检测报告", MaterialSource.COMMITMENT),
             M("平面图", MaterialSource.APPLICANT, required=False),
             M("身份信息", MaterialSource.SHARED_DATA), M("可选承诺", MaterialSource.COMMITMENT,
                                                     required=False)]


def test_only_a_material_marked_commitment_may_be_replaced() -> None:
    assert [m.name for m in CATALOGUE if commitment.replaceable(m)] == ["检测报告", "可选承诺"]


def test_a_commitment_for_any_other_material_is_misplaced() -> None:
    assert commitment.misplaced(CATALOGUE, ["检测报告", "营业执照", "不在目录"]) == [
        "营业执照", "不在目录"]
    assert commitment.misplaced(CATALOGUE, ["检测报告", "可选承诺"]) == []


def test_the_applicant_gives_every_required_material_it_supplies_or_may_commit() -> None:
    assert commitment.required_names(CATALOGUE) == ["营业执照", "检测报告"]


@pytest.fixture
def health(db) -> ItemImplementation:
    return ItemImplementation.objects.get(item__name=HEALTH, level=4)


def committed(impl: ItemImplementation) -> list[MaterialIn]:
    """Commit what may be committed, upload the rest."""
    return [MaterialIn(m.name, MaterialKind.COMMITMENT)
            for m in impl.materials.filter(source="commitment", required=True)] + \
        uploads_for(impl, sources=("applicant",))


def test_the_form_offers_the_box_only_on_the_commitment_material(client_for, applicant,
                                                                  health) -> None:
    page = client_for(applicant).get(reverse("cases:apply", args=[health.code]))
    form = page.context["form"]
    boxes = {row.material.name: row.commitment is not None for row in form.material_rows}
    assert boxes[REPORT] is True
    assert [name for name, box in boxes.items() if box] == [REPORT]
    assert all(row.material.source in (MaterialSource.APPLICANT, MaterialSource.COMMITMENT)
               for row in form.material_rows)


def test_refused_no_box_and_the_commitment_material_must_be_uploaded(client_for, applicant,
                                                                    health,
                                                                    monkeypatch) -> None:
    from zhengwu.cases import forms as case_forms
    monkeypatch.setattr(case_forms, "commitment_refusal", lambda *a: "您有未修复的失信记录。")
    client = client_for(applicant)
    url = reverse("cases:apply", args=[health.code])
    page = client.get(url)
    assert all(row.commitment is None for row in page.context["form"].material_rows)
    assert "您有未修复的失信记录。" in page.content.decode()
    response = client.post(url, {"applicant_name": "x"})
    form = response.context["form"]
    report = next(r for r in form.material_rows if r.material.name == REPORT)
    assert report.file.errors == ["请上传本材料。"]


def test_a_commitment_for_an_applicant_material_is_refused(submit, health) -> None:
    licence = health.materials.filter(source="applicant", required=True).first()
    assert licence is not None
    materials = [m if m.name != licence.name else MaterialIn(m.name, MaterialKind.COMMITMENT)
                 for m in committed(health)]
    with pytest.raises(InvalidInput) as refused:
        submit(health, materials=materials)
    assert refused.value.code == "case.commitment_not_allowed"
    assert refused.value.http_status == 422
    assert licence.name in str(refused.value)


def test_a_commitment_material_neither_committed_nor_uploaded_is_missing_online(
        submit, health) -> None:
    with pytest.raises(InvalidInput) as refused:
        submit(health, materials=uploads_for(health, sources=("applicant",)))
    assert refused.value.code == "case.materials_missing"
    assert REPORT in str(refused.value)


def test_committed_the_case_is_by_commitment_and_verified_afterwards(submit, health,
                                                                     clerk: User) -> None:
    case: Case = submit(health, materials=committed(health))
    assert case.by_commitment
    assert case.materials.get(name=REPORT).kind == MaterialKind.COMMITMENT
    for action in ("accept", "grant"):
        case = case_transition(case_id=case.pk, user=clerk, move=MoveIn(action=action))
    assert case.decided_at is not None
    assert case.verification.due_at > case.decided_at


def test_uploaded_instead_the_case_is_not_by_commitment(submit, health) -> None:
    case: Case = submit(health)
    assert not case.by_commitment


def test_a_supplement_may_not_commit_an_applicant_material(submit, health, clerk: User,
                                                            applicant: User) -> None:
    case = submit(health, materials=committed(health))
    licence = health.materials.filter(source="applicant", required=True).first()
    assert licence is not None
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(
        action="ask_supplement", supplement_items=[{"material": licence.name,
                                                    "reason": "不清晰"}]))
    with pytest.raises(InvalidInput) as refused:
        case_transition(case_id=case.pk, user=applicant, move=MoveIn(
            action="supplement", materials=[MaterialIn(licence.name, MaterialKind.COMMITMENT)]))
    assert refused.value.code == "case.commitment_not_allowed"
    case_transition(case_id=case.pk, user=applicant, move=MoveIn(
        action="supplement", materials=[MaterialIn(licence.name, MaterialKind.UPLOAD,
                                                   file_name="a.pdf", content=pdf_bytes())]))


def test_an_item_not_practising_it_asks_the_material_as_an_upload_and_says_why(
        client_for, applicant, health) -> None:
    health.commitment_allowed = False
    health.save(update_fields=["commitment_allowed"])
    page = client_for(applicant).get(reverse("cases:apply", args=[health.code]))
    assert all(row.commitment is None for row in page.context["form"].material_rows)
    assert REPORT in [row.material.name for row in page.context["form"].material_rows]
    assert "本事项未实行告知承诺制" in page.content.decode()

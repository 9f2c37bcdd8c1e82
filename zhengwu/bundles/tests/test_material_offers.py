"""A licence or shared data instead of a material in a 一件事 (bundles.material_offers): step 3
offers what the applicant holds when every member asks the same, consent files it once and
every member case keeps the reference and logs its own use; a licence that is not the
applicant's is refused before anything is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.bundles import item_forms, material_offers
from zhengwu.bundles.models import Bundle, BundleCase
from zhengwu.bundles.selectors import bundle_definition, bundle_guide
from zhengwu.bundles.services import MaterialIn, SubmitIn, bundle_submit
from zhengwu.cases.models import Case, CaseMaterial, MaterialKind
from zhengwu.cases.tests.conftest import answers_for, pdf_bytes
from zhengwu.core.errors import DomainError
from zhengwu.sharing.models import DataUse, SharingRequest

pytestmark = pytest.mark.django_db

# 生育服务联办（计划生育家庭特别扶助金等3项）: no questions, no item forms; three members fetch
# the 户口簿, which the 户籍 shared data item (GA-HJ-001) may stand in for.
FAMILY = "LY-X-0172"
# 个体经营＋烟草专卖零售许可证核发: two members ask for the 营业执照 licence.
TOBACCO = "LY-X-0141"
REGISTER = "户口簿"
FORM = {"applicant_name": "张三", "id_number": "43048119900101123X", "phone": "13800000002"}


def guide_of(code: str) -> Any:
    return bundle_guide(Bundle.objects.get(code=code), {})


def uploads(code: str) -> list[MaterialIn]:
    return [MaterialIn(identity=n.identity, file_name="scan.pdf", content=pdf_bytes())
            for n in guide_of(code).materials.needed]


def file(applicant: User, code: str, *extra: MaterialIn) -> BundleCase:
    """File the bundle with an upload for each material, `extra` instead of its identity's."""
    bundle = Bundle.objects.get(code=code)
    union = item_forms.union_for(bundle_definition(bundle), {}, bundle.region)
    return bundle_submit(submitted_by=applicant, submission=SubmitIn(
        code=code, answers={}, form=dict(FORM), materials=[
            *(m for m in uploads(code) if m.identity not in {e.identity for e in extra}), *extra],
        item_answers=answers_for(union.definition) if union else None)).bundle_case


def test_the_shared_register_is_offered_for_every_member_that_asks_it(applicant: User) -> None:
    guide = guide_of(FAMILY)
    offers = material_offers.offers_for(
        "计生联办", guide.materials.fetched, {m.item: i for m, i in guide.members}, applicant)
    offer = offers[REGISTER]
    assert offer.item is not None and offer.item.code == "GA-HJ-001"
    assert offer.purpose == "办理“计生联办”" and offer.department  # the departments using it
    # Nobody signed in is offered nothing.
    assert material_offers.offers_for("计生联办", guide.materials.fetched,
                                      {m.item: i for m, i in guide.members}, None) == {}


def test_consent_files_it_once_and_each_member_keeps_and_logs_its_use(applicant: User) -> None:
    before = DataUse.objects.count()
    bundle_case = file(applicant, FAMILY, MaterialIn(
        identity=REGISTER, kind=MaterialKind.SHARED_DATA, reference="GA-HJ-001"))
    cases = Case.objects.filter(bundle_number=bundle_case.number)
    rows = CaseMaterial.objects.filter(case__in=cases, kind=MaterialKind.SHARED_DATA,
                                       reference="GA-HJ-001")
    members_asking = next(n for n in guide_of(FAMILY).materials.fetched
                      if n.identity == REGISTER).members
    assert rows.count() == len(members_asking) >= 2
    requests = SharingRequest.objects.filter(case_number__in=[c.number for c in cases])
    assert requests.count() == len(members_asking)
    assert {r.reference_sm3 for r in rows} == {r.data_sm3 for r in requests}
    assert DataUse.objects.count() - before == len(members_asking)
    # The bundle keeps the material once, for the members that use it.
    kept = bundle_case.materials.get(identity=REGISTER)
    assert kept.kind == MaterialKind.SHARED_DATA and sorted(kept.members) == sorted(members_asking)


def test_a_licence_that_is_not_the_applicants_is_refused_and_nothing_is_filed(
        applicant: User) -> None:
    uses, cases = DataUse.objects.count(), BundleCase.objects.count()
    fake = "1.2.156.3005.2.11100000MB0000019L001.11430481MB1234567X.20260000001.001.U"
    with pytest.raises(DomainError) as refused:
        file(applicant, TOBACCO, MaterialIn(identity="营业执照", kind=MaterialKind.E_LICENSE,
                                            reference=fake))
    assert refused.value.code == "case.licence_refused"
    assert "申请人名下没有可用的该电子证照" in refused.value.message
    assert (DataUse.objects.count(), BundleCase.objects.count()) == (uses, cases)


def test_a_material_no_member_takes_a_licence_for_is_refused(applicant: User) -> None:
    needed = guide_of(FAMILY).materials.needed[0]
    with pytest.raises(DomainError) as refused:
        file(applicant, FAMILY, MaterialIn(identity=needed.identity,
                                           kind=MaterialKind.E_LICENSE, reference="x"))
    assert refused.value.code == "case.licence_refused"


def _step3(code: str, **extra: Any) -> dict[str, Any]:
    needed = guide_of(code).materials.needed
    data: dict[str, Any] = {"step": "3", "go": "submit", "idempotency_key": "offer-key-0123456789",
                            **{f"f_{k}": v for k, v in FORM.items()},
                            "delivery_method": "electronic", "confirm": "on"}
    data.update({f"m_{i}": SimpleUploadedFile(f"m{i}.pdf", pdf_bytes(),
                                              content_type="application/pdf")
                 for i in range(len(needed))})
    data.update(extra)
    return data


def test_step_three_offers_it_and_asks_for_the_choice(client_for: Any, applicant: User) -> None:
    client = client_for(applicant)
    url = reverse("bundles:apply", args=[FAMILY])
    shown = client.post(url, {"step": "2", "go": "next",
                              **{f"f_{k}": v for k, v in FORM.items()}}).content.decode()
    assert "可用您的电子证照/共享数据提供" in shown and "GA-HJ-001" in shown
    assert 'name="use_f_0"' in shown
    # No choice: refused next to it, nothing filed.
    refused = client.post(url, _step3(FAMILY)).content.decode()
    assert "请选择是否同意使用您的电子证照/共享数据。" in refused
    assert not BundleCase.objects.filter(applicant=applicant, bundle__code=FAMILY).exists()
    # Consent: filed, with the shared data in each member case.
    client.post(url, _step3(FAMILY, use_f_0="use"))
    bundle_case = BundleCase.objects.get(applicant=applicant, bundle__code=FAMILY)
    assert bundle_case.materials.get(identity=REGISTER).reference == "GA-HJ-001"


def test_declining_leaves_it_to_the_departments(client_for: Any, applicant: User) -> None:
    client = client_for(applicant)
    client.post(reverse("bundles:apply", args=[FAMILY]), _step3(FAMILY, use_f_0="decline"))
    bundle_case = BundleCase.objects.get(applicant=applicant, bundle__code=FAMILY)
    assert not bundle_case.materials.filter(identity=REGISTER).exists()
    assert not SharingRequest.objects.filter(
        case_number__in=bundle_case.members.values_list("case__number", flat=True)).exists()

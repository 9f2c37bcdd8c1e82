"""告知承诺 in a bundle (issue 15, the carried defect): a material a member marks 告知承诺替代 is
the applicant's to give — uploaded, or replaced by a written commitment where every member
asking it allows that and the applicant's credit does (cases.commitment, cases.credit). It is
never recorded as a commitment the applicant did not make, and a member case is "on
commitment" (事后核查 due) only when the applicant committed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.bundles.forms import COMMIT_PREFIX, MaterialsForm
from zhengwu.bundles.models import Bundle
from zhengwu.bundles.selectors import bundle_guide
from zhengwu.bundles.services import MaterialIn
from zhengwu.bundles.tests.conftest import ALL_YES, COMPANY, materials_for
from zhengwu.bundles.views import _commitable
from zhengwu.cases import credit
from zhengwu.cases.models import Case, CreditKind, CreditSource, MaterialKind
from zhengwu.catalog.models import ItemImplementation, MaterialSource
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM
from zhengwu.core.errors import InvalidInput
from zhengwu.departments.models import Department

pytestmark = pytest.mark.django_db


def _mark_one(bundle: Bundle, *, allowed: bool = True) -> tuple[str, ItemImplementation]:
    """Mark a material only one member asks as 告知承诺替代 in that member (which practises
    告知承诺 when `allowed`): its identity and the member's implementation."""
    guide = bundle_guide(bundle, ALL_YES)
    members = {m.item: i for m, i in guide.members}
    one = next(n for n in guide.materials.needed if len(n.members) == 1)
    implementation = members[one.members[0]]
    assert implementation is not None
    implementation.materials.filter(name=one.names[one.members[0]]).update(
        source=MaterialSource.COMMITMENT)
    ItemImplementation.objects.filter(pk=implementation.pk).update(commitment_allowed=allowed)
    return one.identity, implementation


def _with(materials: list[MaterialIn], identity: str, kind: str) -> list[MaterialIn]:
    return [MaterialIn(identity=identity, kind=kind) if m.identity == identity else m
            for m in materials if not (m.identity == identity and kind == "")]


def test_marked_material_is_asked_not_fetched(qykb: Bundle) -> None:
    identity, _ = _mark_one(qykb)
    guide = bundle_guide(qykb, ALL_YES)
    assert identity in {n.identity for n in guide.materials.needed if n.source == "commitment"}
    assert identity not in {n.identity for n in guide.materials.fetched}


def test_leaving_it_out_is_refused_not_recorded_as_a_commitment(qykb: Bundle,
                                                                 submit_qykb: Any) -> None:
    identity, _ = _mark_one(qykb)
    given = [m for m in materials_for(qykb) if m.identity != identity]
    with pytest.raises(InvalidInput) as error:
        submit_qykb(materials=given)
    assert error.value.code == "bundle.materials_missing"


def test_uploaded_it_makes_no_case_on_commitment(qykb: Bundle, submit_qykb: Any) -> None:
    _mark_one(qykb)
    bundle_case = submit_qykb()
    cases = Case.objects.filter(bundle_number=bundle_case.number)
    assert cases.exists() and not cases.filter(by_commitment=True).exists()
    assert not any(m.kind == MaterialKind.COMMITMENT for c in cases for m in c.materials.all())


def test_committed_it_stands_in_the_member_case(qykb: Bundle, submit_qykb: Any) -> None:
    identity, implementation = _mark_one(qykb)
    bundle_case = submit_qykb(materials=_with(materials_for(qykb), identity,
                                              MaterialKind.COMMITMENT))
    case = Case.objects.get(bundle_number=bundle_case.number, implementation=implementation)
    assert case.by_commitment
    assert case.materials.filter(kind=MaterialKind.COMMITMENT).count() == 1
    others = Case.objects.filter(bundle_number=bundle_case.number).exclude(pk=case.pk)
    assert not others.filter(by_commitment=True).exists()


def test_a_commitment_for_a_plain_material_is_refused(qykb: Bundle, submit_qykb: Any) -> None:
    _mark_one(qykb)
    plain = next(n for n in bundle_guide(qykb, ALL_YES).materials.needed
                 if n.source == "applicant")
    with pytest.raises(InvalidInput) as error:
        submit_qykb(materials=_with(materials_for(qykb), plain.identity,
                                    MaterialKind.COMMITMENT))
    assert error.value.code == "bundle.commitment_not_allowed"
    assert f"“{plain.name}”" in error.value.message


def test_an_item_without_commitment_refuses_it(qykb: Bundle, submit_qykb: Any) -> None:
    identity, _ = _mark_one(qykb, allowed=False)
    with pytest.raises(InvalidInput) as error:
        submit_qykb(materials=_with(materials_for(qykb), identity, MaterialKind.COMMITMENT))
    assert error.value.code == "bundle.no_commitment"
    assert "未实行告知承诺制" in error.value.message


def test_an_applicant_with_a_credit_record_may_not_commit(qykb: Bundle,
                                                          submit_qykb: Any) -> None:
    identity, _ = _mark_one(qykb)
    with transaction.atomic():
        credit.record_write(
            source=CreditSource.INSPECTION, kind=CreditKind.NOT_REMEDIED,
            subject_id_number=COMPANY["id_number"], subject_name="张三",
            department=Department.objects.get(short_name="市市场监督管理局"),
            number="CC202600009", reason="监督检查：责令整改逾期未改正",
            ref="inspections.Inspection:9", actor=SYSTEM, at=clock.now())
    with pytest.raises(InvalidInput) as error:
        submit_qykb(materials=_with(materials_for(qykb), identity, MaterialKind.COMMITMENT))
    assert error.value.code == "bundle.no_commitment"
    assert "失信" in error.value.message
    # The wizard, by the same rule: no box, and the reason shown.
    applicant = User.objects.get(username="zhangsan")
    assert applicant.citizen_id == COMPANY["id_number"]
    commitable, refused = _commitable(bundle_guide(qykb, ALL_YES), applicant)
    assert commitable == set() and "失信" in refused


def test_the_wizard_offers_the_commitment_for_that_material_only(
        qykb: Bundle, applicant: Any) -> None:
    identity, _ = _mark_one(qykb)
    guide = bundle_guide(qykb, ALL_YES)
    index = [n.identity for n in guide.materials.needed].index(identity)
    client = Client()
    client.force_login(applicant)
    page = client.get(f"/bundles/{qykb.code}/").content.decode()
    assert "告知承诺替代" in page  # the guide marks it
    commitable, refused = _commitable(guide, applicant)
    assert commitable == {identity} and refused == ""
    form = MaterialsForm(needed=guide.materials.needed, commitable=commitable)
    assert [name for name in form.fields if name.startswith(COMMIT_PREFIX)] == [
        f"{COMMIT_PREFIX}{index}"]
    # Ticked: the material is given by commitment.
    data = {f"{COMMIT_PREFIX}0": "on", "delivery_method": "electronic", "confirm": "on"}
    ticked = MaterialsForm(data, {}, needed=[guide.materials.needed[index]], owner=applicant,
                           commitable=commitable)
    ticked.is_valid()
    assert [(m.identity, m.kind) for m in ticked.materials_in] == [
        (identity, MaterialKind.COMMITMENT)]
    assert not ticked.errors

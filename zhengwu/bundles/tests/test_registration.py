"""企业开办's 设立登记 brings the enterprise into being: the registration member's grant assigns
the 统一社会信用代码 (GB 32100), records it on the case, opens the enterprise's account with the
founder as its legal representative and issues the 营业执照 to the enterprise — all in the
decision's transaction. The founder then speaks for the enterprise: sees its space, and files
its next application (食品经营许可) with the 营业执照 offered instead of an upload."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from zhengwu.accounts import mandates
from zhengwu.accounts.models import RealNameLevel, User, UserKind
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.bundles.tests.conftest import CHUANGYE_COMPANY, FORM, MORNING
from zhengwu.bundles.tests.test_flow import REGISTRATION, decide, members
from zhengwu.cases import licensing
from zhengwu.cases.access import roles_on
from zhengwu.cases.answers import definition
from zhengwu.cases.material_licences import offers_for
from zhengwu.cases.models import Case, MaterialKind
from zhengwu.cases.services import MaterialIn, case_submit
from zhengwu.cases.tests.conftest import answers_for, pdf_bytes
from zhengwu.cases.workflow import Role
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.codes import is_valid_uscc
from zhengwu.core.models import AuditEvent
from zhengwu.licences.holder import holder_ref
from zhengwu.licences.models import HolderKind, Licence
from zhengwu.licences.selectors import licences_of_holder
from zhengwu.sharing.models import DataUse

pytestmark = pytest.mark.django_db

COMPANY_NAME = "耒阳市创业科技有限公司"


@pytest.fixture
def founder(db: Any) -> User:
    return User.objects.get(username="chuangye")


def _registered(submit_qykb: Any, clerk: Any, reviewers: Any, founder: User) -> Case:
    bundle_case = submit_qykb(submitted_by=founder, form={**FORM, **{
        k: CHUANGYE_COMPANY[k] for k in ("applicant_name", "id_number")}})
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    return decide(members(bundle_case)[REGISTRATION], reviewers[REGISTRATION])


@time_machine.travel(MORNING, tick=False)
def test_registration_assigns_the_uscc_and_issues_the_licence_to_the_enterprise(
        submit_qykb: Any, clerk: Any, reviewers: Any, founder: User) -> None:
    case = _registered(submit_qykb, clerk, reviewers, founder)
    case.refresh_from_db()
    uscc = case.registered_uscc
    assert is_valid_uscc(uscc)
    # 登记管理部门码 9 (市场监管), 机构类别码 1 (企业), the registration authority's county.
    assert uscc[:2] == "91" and uscc[2:8] == "430481"
    enterprise = User.objects.get(kind=UserKind.ENTERPRISE, uscc=uscc)
    assert enterprise.display_name == COMPANY_NAME
    assert (enterprise.legal_representative_name, enterprise.legal_representative_id) == (
        "孙创业", founder.citizen_id)
    assert enterprise.realname_level == RealNameLevel.IDENTITY
    assert not enterprise.has_usable_password()  # the founder speaks for it
    licence = Licence.objects.get(source_case=case.number)
    assert licence.licence_type.name == "营业执照"
    assert licence.holder_ref == holder_ref(uscc)
    assert (licence.holder_name, licence.holder_id_display) == (COMPANY_NAME, uscc)
    assert licence.payload["name"] == COMPANY_NAME
    assert list(licences_of_holder(enterprise)) == [licence]
    assert list(licences_of_holder(founder)) == []  # not the founder's own licence
    actions = set(AuditEvent.objects.filter(
        action__in=["cases.registration_assign", "accounts.enterprise_register"])
        .values_list("action", flat=True))
    assert actions == {"cases.registration_assign", "accounts.enterprise_register"}
    # The founder speaks for the enterprise: its legal representative, verified.
    assert mandates.speaks_for(founder, enterprise)
    assert enterprise in mandates.represented(founder)


@time_machine.travel(MORNING, tick=False)
def test_a_failed_registration_leaves_no_code_no_account(submit_qykb: Any, clerk: Any,
                                                         reviewers: Any, founder: User,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def down(**kwargs: Any) -> Any:
        raise RuntimeError("签名服务不可用")

    monkeypatch.setattr(licensing, "licence_issue", down)
    with pytest.raises(RuntimeError):
        _registered(submit_qykb, clerk, reviewers, founder)
    assert not User.objects.filter(kind=UserKind.ENTERPRISE, display_name=COMPANY_NAME).exists()
    registration = Case.objects.filter(implementation__licence_type__name="营业执照",
                                       applicant=founder).get()
    assert registration.registered_uscc == "" and registration.decision == ""


@time_machine.travel(MORNING, tick=False)
def test_the_next_application_for_the_enterprise_offers_its_licence(
        submit_qykb: Any, clerk: Any, reviewers: Any, founder: User) -> None:
    case = _registered(submit_qykb, clerk, reviewers, founder)
    enterprise = User.objects.get(uscc=Case.objects.get(pk=case.pk).registered_uscc)
    # 以谁的名义申请: the founder may file for the enterprise as its legal representative.
    food = ItemImplementation.objects.get(item__name="食品经营许可证核发（新办）", level=4)
    choice = mandates.on_behalf_choice(founder, [food.item.basic_code], str(enterprise.pk))
    assert choice.chosen == enterprise
    basis = mandates.filing_basis(submitted_by=founder, owner=enterprise,
                                  item_codes=[food.item.basic_code], in_person=False)
    assert basis.basis == mandates.LEGAL_REPRESENTATIVE and basis.authorization is None
    offers = offers_for(food, enterprise)
    licence = Licence.objects.get(source_case=case.number)
    assert [o.licence for o in offers.values()] == [licence]
    assert licence.licence_type.holder_kind == HolderKind.ENTERPRISE


@time_machine.travel(MORNING, tick=False)
def test_the_founder_files_for_the_enterprise_with_its_licence(
        submit_qykb: Any, clerk: Any, reviewers: Any, founder: User) -> None:
    case = _registered(submit_qykb, clerk, reviewers, founder)
    enterprise = User.objects.get(uscc=Case.objects.get(pk=case.pk).registered_uscc)
    licence = Licence.objects.get(source_case=case.number)
    food = ItemImplementation.objects.get(item__name="食品经营许可证核发（新办）", level=4)
    materials = [MaterialIn(name=m.name, kind=MaterialKind.E_LICENSE,
                            reference=licence.identifier) if m.licence_type_code else
                 MaterialIn(name=m.name, kind=MaterialKind.UPLOAD, file_name="scan.pdf",
                            content=pdf_bytes())
                 for m in food.materials.filter(required=True)
                 if m.licence_type_code or m.source == "applicant"]
    form = definition(food)
    assert form is not None  # 食品经营许可证核发（新办） has its own form
    filed = case_submit(
        implementation_id=food.pk, submitted_by=founder, applicant=enterprise,
        form_data={"applicant_name": COMPANY_NAME, "id_number": enterprise.uscc,
                   "phone": "13800000018", "address": "耒阳市蔡子池街道"},
        materials=materials, answers=answers_for(form, founder)).case
    assert (filed.applicant_id, filed.submitted_by_id) == (enterprise.pk, founder.pk)
    assert filed.identity_basis == mandates.LEGAL_REPRESENTATIVE
    assert filed.authorization_id is None
    assert Role.APPLICANT in roles_on(founder, filed)
    used = filed.materials.get(kind=MaterialKind.E_LICENSE)
    assert (used.reference, used.reference_version) == (licence.identifier, 1)
    use = DataUse.objects.get(case_number=filed.number)
    assert use.holder_ref == holder_ref(enterprise.uscc)


@time_machine.travel(MORNING, tick=False)
def test_the_case_page_shows_the_assigned_code(submit_qykb: Any, clerk: Any, reviewers: Any,
                                               founder: User, client_for: Any) -> None:
    case = Case.objects.get(pk=_registered(submit_qykb, clerk, reviewers, founder).pk)
    page = client_for(founder).get(case.get_absolute_url()).content.decode()
    assert f'id="registered-uscc">{case.registered_uscc}<' in page


def test_a_production_deployment_must_say_where_codes_come_from(settings: Any) -> None:
    """The deploy check (zhengwu check --deploy): unset is an error; 'local' is a deliberate
    demonstration; a path must import to a callable."""
    from zhengwu.cases.registration import uscc_assigner_check

    settings.ZHENGWU_USCC_ASSIGNER = ""
    assert [m.id for m in uscc_assigner_check()] == ["zhengwu.cases.E001"]
    settings.ZHENGWU_USCC_ASSIGNER = "local"
    assert uscc_assigner_check() == []
    settings.ZHENGWU_USCC_ASSIGNER = "zhengwu.nowhere.assign"
    assert [m.id for m in uscc_assigner_check()] == ["zhengwu.cases.E002"]
    settings.ZHENGWU_USCC_ASSIGNER = "zhengwu.cases.registration.MAX_SKIPS"
    assert [m.id for m in uscc_assigner_check()] == ["zhengwu.cases.E002"]

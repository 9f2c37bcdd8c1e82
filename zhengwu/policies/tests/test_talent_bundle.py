"""政策兑现一件事 (measure [15]): the Leiyang pack's 人才政策兑现一件事 — 人才住房补贴 always, 落户 and
子女入学 as the talent answers — is found where 一件事 are found, a citizen starts it (one member
case per department), and a talent benefit whose item it includes links to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.bundles.models import Bundle
from zhengwu.bundles.selectors import bundle_definition
from zhengwu.bundles.services import SubmitIn, bundle_submit
from zhengwu.bundles.tests.conftest import materials_for, union_of
from zhengwu.cases.tests.conftest import answers_for
from zhengwu.catalog.models import ItemImplementation
from zhengwu.policies.models import Benefit, BenefitRule, PolicyDocument

CODE = "LY-RCDX"
HOUSING, SETTLE = "人才住房补贴申领", "人才引进落户（户口迁入）"
SCHOOL = "义务教育阶段新生入学报名（新生入学信息采集）"


def test_the_bundle_is_published_illustrative_and_found(db: Any) -> None:
    bundle = Bundle.objects.get(code=CODE)
    assert bundle.version > 0 and bundle.illustrative and bundle.audience == "person"
    members = {m.item_name for m in bundle_definition(bundle).members}
    assert members == {HOUSING, SETTLE, SCHOOL}
    body = Client().get("/api/v1/search", {"q": "人才政策兑现"}).json()
    assert CODE in [b["code"] for b in body["bundles"]][:3]
    listed = Client().get("/api/v1/bundles", {"q": "人才政策兑现"}).json()
    assert [b["code"] for b in listed["items"]] == [CODE]
    guide = Client().get(f"/bundles/{CODE}/").content.decode()
    assert "人才政策兑现一件事" in guide and HOUSING in guide


def test_a_citizen_starts_it_one_case_per_department(db: Any, applicant: User) -> None:
    bundle = Bundle.objects.get(code=CODE)
    answers = {"settles": "yes", "child_school": "yes"}
    union = union_of(bundle, answers)  # 子女入学 has its own form (the child's 学籍 record)
    result = bundle_submit(submitted_by=applicant, submission=SubmitIn(
        code=CODE, answers=answers,
        form={"applicant_name": "张三", "id_number": "43048119900101123X", "phone": "13800000002", "employer": "耒阳市示例科技有限公司"},
        materials=materials_for(bundle, answers),
        item_answers=answers_for(union.definition, applicant)))
    started = result.bundle_case
    members = {m.item_name: m.department.short_name for m in started.members.all()}
    assert members == {HOUSING: "市人社局", SETTLE: "市公安局", SCHOOL: "市教育局"}
    housing = started.members.get(item_name=HOUSING).case
    assert housing is not None and housing.form_data["employer"] == "耒阳市示例科技有限公司"


def test_only_housing_when_nothing_else_is_needed(db: Any, applicant: User) -> None:
    bundle = Bundle.objects.get(code=CODE)
    answers = {"settles": "no", "child_school": "no"}
    started = bundle_submit(submitted_by=applicant, submission=SubmitIn(
        code=CODE, answers=answers,
        form={"applicant_name": "张三", "id_number": "43048119900101123X", "phone": "13800000002", "employer": "耒阳市示例科技有限公司"},
        materials=materials_for(bundle, answers))).bundle_case
    assert [m.item_name for m in started.members.all()] == [HOUSING]


def test_a_talent_benefit_links_to_the_bundle(db: Any) -> None:
    document = PolicyDocument.objects.create(
        title="耒阳市引进人才住房补贴办法（测试）", doc_number="耒人才办〔2026〕1号（测试）",
        issuer="耒阳市人才工作领导小组办公室", issued_on=dt.date(2026, 1, 1),
        effective_on=dt.date(2026, 1, 1), full_text="第一条 引进人才给予住房补贴。")
    implementation = ItemImplementation.objects.filter(item__name=HOUSING).first()
    assert implementation is not None
    benefit = Benefit.objects.create(
        code="RC-ZF-TEST", name="引进人才住房补贴（测试）", kind="talent", mode="one_click",
        document=document, department=implementation.department, description="按人才类别发放。",
        published=True, implementation=implementation)
    BenefitRule.objects.create(benefit=benefit, version=1, effective_from=dt.date(2026, 1, 1),
                               conditions=[], created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    page = Client().get(f"/policies/documents/{document.pk}/").content.decode()
    assert f'<a href="/bundles/{CODE}/">人才政策兑现一件事</a>' in page

"""Bundle fixtures: the 企业开办 bundle of the Leiyang pack, a valid submission, and the
reviewers of its six departments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.bundles import item_forms
from zhengwu.bundles.models import Bundle, BundleCase
from zhengwu.bundles.selectors import bundle_definition, bundle_guide
from zhengwu.bundles.services import MaterialIn, SubmitIn, bundle_submit
from zhengwu.cases import item_form
from zhengwu.cases.tests.conftest import answers_for, pdf_bytes
from zhengwu.catalog.selectors import UnionForm
from zhengwu.departments.models import Department
from zhengwu.workdays.calendar import SHANGHAI

QYKB = "LY-QYKB"
# Tuesday 2026-12-01, 09:00 Beijing time: a working day.
MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
ALL_YES = {"need_seal": "yes", "need_invoice": "yes", "has_employees": "yes"}
COMPANY = {"applicant_name": "张三", "id_number": "43048119900101123X",
           "phone": "13800000002", "address": "耒阳市蔡子池街道五一路8号",
           "company_name": "耒阳市创业科技有限公司", "legal_representative": "孙创业",
           "legal_rep_id_number": "43048119900101123X", "registered_capital": "1000000.00",
           "business_scope": "软件开发；信息技术咨询服务", "employee_count": "5"}
# The bundle's fields that stand for a fact the members' one form asks (bundle_fields.csv
# `meaning`): not asked by the bundle's own form, taken from the union's answer.
FACTS = {"company_name": "enterprise.name", "legal_representative": "enterprise.legal_rep_name",
         "legal_rep_id_number": "enterprise.legal_rep_id_number",
         "registered_capital": "enterprise.registered_capital",
         "business_scope": "enterprise.business_scope"}
# What the bundle's own form asks (COMPANY holds the facts too, as the filed case has them).
FORM = {k: v for k, v in COMPANY.items() if k not in FACTS}
# The same application as the demo entrepreneur 孙创业 (chuangye) files it.
CHUANGYE_COMPANY = {**COMPANY, "applicant_name": "孙创业", "id_number": "430481199003154613"}
DEPARTMENTS = ("市市场监督管理局", "市公安局", "市税务局", "市人社局", "公积金耒阳管理部",
               "人民银行耒阳支行")


# 法定代表人姓名: asked by registration, seal, social insurance and fund; once in the union.
SHARED = "legal_rep_name"


def union_of(bundle: Bundle, answers: dict[str, str] | None = None) -> UnionForm:
    """The members' own forms as one (bundles.item_forms) for these situational answers."""
    union = item_forms.union_for(bundle_definition(bundle), ALL_YES if answers is None
                                 else answers, bundle.region)
    assert union is not None
    return union


def union_answers(union: UnionForm) -> dict[str, Any]:
    """Valid answers to the union (cases' answers_for), the legal representative named and
    the company's facts (FACTS) as COMPANY has them."""
    answers = answers_for(union.definition)
    facts = {meaning: COMPANY[key] for key, meaning in FACTS.items()}
    for field in union.definition.fields:
        if field.maps_to in facts:
            answers[field.key] = facts[field.maps_to]
    answers[SHARED] = "孙创业"
    return answers


def item_answers_for(bundle: Bundle, answers: dict[str, str] | None = None) -> dict[str, Any]:
    """Valid `item_answers` of an application with these situational answers (the members'
    one form; required when the members have forms of their own)."""
    return union_answers(union_of(bundle, answers))


def union_post(union: UnionForm, answers: dict[str, Any] | None = None) -> dict[str, Any]:
    """The union's inputs as the wizard's step 2 posts them (valid answers by default)."""
    given = union_answers(union) if answers is None else answers
    return dict(item_form.post_from_answers(union.definition, given).lists())


@pytest.fixture
def qykb(db: Any) -> Bundle:
    return Bundle.objects.get(code=QYKB)


def materials_for(bundle: Bundle, answers: dict[str, str] | None = None) -> list[MaterialIn]:
    guide = bundle_guide(bundle, ALL_YES if answers is None else answers)
    return [MaterialIn(identity=n.identity, file_name="scan.pdf", content=pdf_bytes())
            for n in guide.materials.needed]


@pytest.fixture
def submit_qykb(applicant: User, qykb: Bundle) -> Any:
    def make(**overrides: Any) -> BundleCase:
        answers = overrides.pop("answers", dict(ALL_YES))
        submission = SubmitIn(code=QYKB, answers=answers, form=dict(FORM),
                              materials=materials_for(qykb, answers),
                              item_answers=overrides.pop("item_answers", None)
                              or item_answers_for(qykb, answers))
        for key, value in overrides.items():
            setattr(submission, key, value)
        return bundle_submit(submitted_by=overrides.get("submitted_by", applicant),
                             submission=submission).bundle_case

    return make


@pytest.fixture
def reviewers(db: Any) -> dict[str, User]:
    """One reviewer per 企业开办 department."""
    made = {}
    for number, short_name in enumerate(DEPARTMENTS):
        department = Department.objects.get(short_name=short_name)
        user = user_create(username=f"qykb-reviewer-{number}", password="x-demo-2026-x",
                           kind=UserKind.STAFF, display_name=f"{short_name}审查员")
        role_assign(user=user, role=Role.REVIEWER, department=department)
        made[short_name] = user
    return made

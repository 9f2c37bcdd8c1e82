"""个体工商户设立登记: the grant registers an individual business (GB 32100 机构类别码 2 under
登记管理部门码 9), and a business without a name (《个体工商户登记管理办法》: 可以不使用名称)
is registered all the same — under its operator — with its 营业执照's 名称 left empty."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from zhengwu.accounts.models import User, UserKind
from zhengwu.bundles.tests.test_flow import decide
from zhengwu.cases.answers import definition
from zhengwu.cases.licensing import MISSING
from zhengwu.cases.models import Case, Decision
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.conftest import answers_for
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.codes import is_valid_uscc
from zhengwu.licences.models import Licence
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

ITEM = "个体工商户设立登记"


@pytest.fixture
def individual(db: Any) -> ItemImplementation:
    return ItemImplementation.objects.get(item__name=ITEM)


def _granted(individual: ItemImplementation, submit: Any, clerk: Any, staff_of: Any,
             applicant: User, name: str) -> Case:
    form = definition(individual)
    assert form is not None
    answers = answers_for(form, applicant)
    answers["name"] = name
    case = submit(individual, answers=answers)
    case = case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    case = decide(SimpleNamespace(case_id=case.pk), staff_of("市市场监督管理局"))
    case.refresh_from_db()
    return case


@time_machine.travel(dt.datetime(2025, 9, 26, 10, tzinfo=SHANGHAI), tick=False)
def test_an_individual_business_without_a_name_is_registered_under_its_operator(
        individual: ItemImplementation, submit: Any, clerk: Any, staff_of: Any,
        applicant: User) -> None:
    case = _granted(individual, submit, clerk, staff_of, applicant, "")
    assert case.decision == Decision.GRANTED
    uscc = case.registered_uscc
    assert is_valid_uscc(uscc)
    # 登记管理部门码 9 (市场监管), 机构类别码 2 (个体工商户).
    assert uscc[:2] == "92"
    business = User.objects.get(kind=UserKind.ENTERPRISE, uscc=uscc)
    assert business.display_name == f"{applicant.display_name}（个体工商户）"
    licence = Licence.objects.get(source_case=case.number)
    assert licence.licence_type.name == "营业执照（个体工商户）"
    assert licence.payload["name"] == MISSING
    assert licence.payload["operator"] == case.applicant_name


@time_machine.travel(dt.datetime(2025, 9, 26, 10, tzinfo=SHANGHAI), tick=False)
def test_an_individual_business_with_a_name_keeps_it(
        individual: ItemImplementation, submit: Any, clerk: Any, staff_of: Any,
        applicant: User) -> None:
    case = _granted(individual, submit, clerk, staff_of, applicant, "耒阳市蔡子池张三小吃店")
    business = User.objects.get(kind=UserKind.ENTERPRISE, uscc=case.registered_uscc)
    assert business.display_name == "耒阳市蔡子池张三小吃店"
    assert case.registered_uscc[:2] == "92"
    licence = Licence.objects.get(source_case=case.number)
    assert licence.payload["name"] == "耒阳市蔡子池张三小吃店"

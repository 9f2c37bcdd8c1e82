"""The join under concurrency: departments deciding their member cases at the same moment
finish the bundle exactly once (one finish event, one completion notice, one delivery).

These tests commit for real (transaction=True), so they build their own small world instead
of using the session's data pack, which a transactional test's flush removes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from zhengwu.accounts.models import UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, role_groups_ensure, user_create
from zhengwu.bundles.models import BundleCase, BundleCaseStatus, BundleNoticeKind
from zhengwu.bundles.services import BundleMoveIn, SubmitIn, bundle_move, bundle_publish
from zhengwu.cases.models import Case
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.test_concurrency import run_together
from zhengwu.catalog.models import ItemImplementation, ServiceItem
from zhengwu.core.audit import SYSTEM
from zhengwu.core.codes import make_uscc
from zhengwu.departments.models import Department
from zhengwu.licences.services import department_keys_ensure
from zhengwu.regions.models import Region
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)
MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def world() -> dict[str, Any]:
    role_groups_ensure()
    county, _ = Region.objects.get_or_create(code="430481000000", defaults={
        "name": "耒阳市", "level": "county", "prefix": "430481"})
    reviewers = []
    members = []
    for n in range(4):
        department = Department.objects.create(
            name=f"耒阳市测试{n}局", short_name=f"测试{n}局",
            uscc=make_uscc("1", "1", "430481", f"MB4891T{n}"), region=county)
        department_keys_ensure([department])  # its notices are signed (issue 11 item 9)
        item = ServiceItem.objects.create(basic_code=f"43019999{n}000", name=f"测试登记{n}",
                                          item_type="01", audience=["1"], legal_basis="《测试条例》")
        ItemImplementation.objects.create(
            item=item, code=department.uscc + "4" + item.basic_code, department=department,
            region=county, level=4, status="published", version=1,
            promised_limit_workdays=Decimal(1), legal_limit_workdays=Decimal(20), online_depth=4,
            trips=0, approval_chain=["批准"])
        reviewer = user_create(username=f"r{n}", password="x-demo-2026-x", kind=UserKind.STAFF)
        role_assign(user=reviewer, role=Role.REVIEWER, department=department)
        reviewers.append(reviewer)
        members.append({"item": item.basic_code, "promised_workdays": "0.5", "position": n})
    bundle, _ = bundle_publish(code="T-1", region=county, actor=SYSTEM, data={
        "name": "测试一件事", "audience": "person", "hall_level": "city",
        "lead_department": "测试0局", "promised_workdays": "1", "members": members})
    applicant = user_create(username="a", password="x-demo-2026-x", kind=UserKind.PERSON,
                            phone="13900000001", display_name="张三",
                            citizen_id="430481198808081015")
    clerk = user_create(username="c", password="x-demo-2026-x", kind=UserKind.STAFF)
    role_assign(user=clerk, role=Role.WINDOW_CLERK, region=county)
    return {"bundle": bundle, "applicant": applicant, "clerk": clerk, "reviewers": reviewers}


def test_concurrent_decisions_finish_the_bundle_once(world: dict[str, Any]) -> None:
    from zhengwu.bundles.services import bundle_submit

    with time_machine.travel(MORNING, tick=False):
        bundle_case = bundle_submit(submitted_by=world["applicant"], submission=SubmitIn(
            code="T-1", answers={}, form={"applicant_name": "张三",
                                          "id_number": "430481198808081015",
                                          "phone": "13900000001"})).bundle_case
        bundle_move(number=bundle_case.number, user=world["clerk"],
                    move=BundleMoveIn(action="accept"))
        cases = {c.department_id: c.pk for c in Case.objects.filter(
            bundle_number=bundle_case.number)}

        def decide(n: int) -> Any:
            reviewer = world["reviewers"][n]
            department = reviewer.role_assignments.first().department_id
            return case_transition(case_id=cases[department], user=reviewer,
                                   move=MoveIn(action="grant"))

        outcomes = run_together(4, decide)
    assert all(isinstance(o, Case) for o in outcomes), outcomes
    bundle_case = BundleCase.objects.get(pk=bundle_case.pk)
    assert bundle_case.status == BundleCaseStatus.DELIVERED
    assert bundle_case.events.filter(action="finish").count() == 1
    assert bundle_case.events.filter(action="deliver").count() == 1
    assert bundle_case.notices.filter(kind=BundleNoticeKind.COMPLETION).count() == 1

"""Row locking: of 50 concurrent decisions on one case exactly one wins and the rest get
409; two sweeps running at once decide each overdue case once (quality.md #1, sweep safety).

These tests commit for real (transaction=True), so they build their own small world instead
of using the session's data pack, which a transactional test's flush removes.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from zhengwu.accounts.models import UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, role_groups_ensure, user_create
from zhengwu.cases import sweeps
from zhengwu.cases.models import Case, CaseEvent, CaseStatus, Decision
from zhengwu.cases.services import MoveIn, case_submit, case_transition
from zhengwu.cases.tests.conftest import sample_answers
from zhengwu.catalog.models import ItemImplementation, ServiceItem
from zhengwu.core.codes import make_uscc
from zhengwu.departments.models import Department
from zhengwu.licences.services import department_keys_ensure
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.regions.models import Region
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    role_groups_ensure()
    # The session's pack may or may not still be there (an earlier transactional test
    # flushes it), so take the county if present.
    county, _ = Region.objects.get_or_create(code="430481000000", defaults={
        "name": "耒阳市", "level": "county", "prefix": "430481"})
    department = Department.objects.create(
        name="耒阳市测试局", short_name="测试局", uscc=make_uscc("1", "1", "430481", "MB4890T1"),
        region=county)
    department_keys_ensure([department])  # its notices are signed (issue 11 item 9)
    item = ServiceItem.objects.create(basic_code="430199999000", name="测试许可", item_type="01",
                                      audience=["1"], legal_basis="《测试条例》")
    impl = ItemImplementation.objects.create(
        item=item, code=department.uscc + "4" + item.basic_code, department=department,
        region=county, level=4, status="published", version=1,
        promised_limit_workdays=Decimal(1), legal_limit_workdays=Decimal(20), online_depth=4,
        trips=0, deemed_approval=True, deemed_batch="第一批", approval_chain=["批准"])
    applicant = user_create(username="a", password="x-demo-2026-x", kind=UserKind.PERSON,
                            phone="13900000001", display_name="张三",
                            citizen_id="430481198808081015")
    clerk = user_create(username="c", password="x-demo-2026-x", kind=UserKind.STAFF)
    role_assign(user=clerk, role=Role.WINDOW_CLERK, region=county)
    reviewers = []
    for n in range(3):
        reviewer = user_create(username=f"r{n}", password="x-demo-2026-x", kind=UserKind.STAFF)
        role_assign(user=reviewer, role=Role.REVIEWER, department=department)
        reviewers.append(reviewer)
    return impl, applicant, clerk, reviewers


def accepted_case(impl, applicant, clerk):
    case = case_submit(implementation_id=impl.pk, submitted_by=applicant, materials=[],
                       answers=sample_answers(impl),
                       form_data={"applicant_name": "张三", "id_number": "430481198808081015",
                                  "phone": "13900000001"}).case
    return case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))


def run_together(count, work):
    barrier = threading.Barrier(count)
    outcomes = []
    lock = threading.Lock()

    def worker(n):
        try:
            barrier.wait()
            result = work(n)
        except Exception as error:
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_fifty_concurrent_decisions_give_exactly_one(world):
    impl, applicant, clerk, reviewers = world
    case = accepted_case(impl, applicant, clerk)

    def decide(n):
        action = "grant" if n % 2 else "deny"
        return case_transition(case_id=case.pk, user=reviewers[n % 3],
                               move=MoveIn(action=action, reason="决定"))

    outcomes = run_together(50, decide)
    decided = [o for o in outcomes if isinstance(o, Case)]
    refused = [o for o in outcomes if isinstance(o, MoveNotAllowed)]
    assert len(decided) == 1, outcomes
    assert len(refused) == 49, [o for o in outcomes if not isinstance(o, (Case, MoveNotAllowed))]
    assert all(r.http_status == 409 for r in refused)
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert CaseEvent.objects.filter(case=case, action__in=["grant", "deny"]).count() == 1


def test_two_sweeps_at_once_decide_each_case_once(world):
    impl, applicant, clerk, _ = world
    cases = [accepted_case(impl, applicant, clerk) for _ in range(5)]
    later = max(c.due_at for c in cases) + dt.timedelta(days=10)
    outcomes = run_together(2, lambda n: sweeps.deem_overdue(later.astimezone(SHANGHAI)))
    assert sorted(o for o in outcomes if isinstance(o, int)) == [0, 5] or sum(
        o for o in outcomes if isinstance(o, int)) == 5, outcomes
    assert Case.objects.filter(decision=Decision.DEEMED_APPROVED).count() == 5
    assert CaseEvent.objects.filter(action="deem_approved").count() == 5

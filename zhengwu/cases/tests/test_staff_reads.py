"""Every staff read of a person's case is logged and shown to that person (issue 8, finding 5;
quality.md #8): material downloads, notice PDFs (page and API), the timeline and notice lists
of the API, and every staff list that shows cases — a list logs which cases it showed, in one
bulk insert. The applicant sees who looked, from which department, when and why, grouped so
that a busy work list does not bury the page; applicants reading their own cases are not
logged."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.accounts.models import User
from zhengwu.cases.models import Card, Case, CaseAccess, CaseStatus, NoticeKind
from zhengwu.cases.services import MoveIn, case_access_record, case_transition
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def other_applicant(db):
    return User.objects.get(username="canyin")


def inserts_into_access_log(queries: CaptureQueriesContext) -> int:
    return sum(1 for q in queries.captured_queries
               if q["sql"].startswith('INSERT INTO "cases_caseaccess"'))


def purposes(case: Case, user: Any) -> list[str]:
    return list(CaseAccess.objects.filter(case=case, user=user).order_by("id")
                .values_list("purpose", flat=True))


def clones(case: Case, count: int) -> list[Case]:
    """`count` more cases like `case` (same applicant and item), without the cost of a
    submission each: only the list views read them."""
    made = []
    for index in range(count):
        clone = Case.objects.get(pk=case.pk)
        clone.pk, clone.id = None, None
        clone.number = f"{case.number}{index:03d}"
        clone.idempotency_key = None
        made.append(clone)
    return Case.objects.bulk_create(made)


# --- one case's data ---------------------------------------------------------------------------


def test_a_material_download_by_staff_is_logged(client_for, food, submit, clerk, applicant):
    case = submit(food)
    material = case.materials.exclude(file="").first()
    url = f"/cases/{case.number}/materials/{material.pk}/"
    assert client_for(applicant).get(url).status_code == 200
    assert not CaseAccess.objects.filter(case=case).exists()  # one's own: not logged
    assert client_for(clerk).get(url).status_code == 200
    assert purposes(case, clerk) == [f"下载材料：{material.name}"[:40]]


def test_notice_pdfs_read_by_staff_are_logged_page_and_api(client_for, food, submit, clerk,
                                                           applicant):
    case = submit(food)
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    notice = case.notices.get(kind=NoticeKind.ACCEPTANCE)
    with mock.patch("zhengwu.cases.views.notices.notice_pdf", return_value=b"%PDF-1.4"), \
            mock.patch("zhengwu.cases.api.notice_pdf", return_value=b"%PDF-1.4"):
        for client in (client_for(applicant), client_for(clerk)):
            assert client.get(f"/cases/{case.number}/notices/{notice.pk}.pdf").status_code == 200
            assert client.get(f"{API}/{case.number}/notices/{notice.pk}.pdf").status_code == 200
    assert purposes(case, clerk) == ["下载通知书：受理通知书"] * 2
    assert not CaseAccess.objects.filter(case=case, user=applicant).exists()


def test_the_timeline_and_notices_through_the_api_are_logged(client_for, food, submit, clerk):
    case = submit(food)
    client = client_for(clerk)
    assert client.get(f"{API}/{case.number}/events").status_code == 200
    assert client.get(f"{API}/{case.number}/notices").status_code == 200
    assert purposes(case, clerk) == ["查看办理过程", "查看通知书列表"]


# --- lists: which cases they showed, one insert ----------------------------------------------


def test_the_window_queue_logs_each_case_it_shows_in_one_insert(client_for, food, submit,
                                                                clerk, applicant):
    case = submit(food)
    shown = [case, *clones(case, 50)]  # 51 cases: the page shows 50
    with CaptureQueriesContext(connection) as queries:
        assert client_for(clerk).get("/cases/staff/window/").status_code == 200
    assert inserts_into_access_log(queries) == 1
    logged = CaseAccess.objects.filter(user=clerk, purpose="查看受理队列")
    assert logged.count() == 50
    assert set(logged.values_list("case_id", flat=True)) <= {c.pk for c in shown}
    assert logged.first().department_label == "耒阳市政务服务中心"
    # The API's queue too: a page of 20 → 20 rows, one insert.
    with CaptureQueriesContext(connection) as queries:
        assert client_for(clerk).get(f"{API}/queue?limit=20").status_code == 200
    assert inserts_into_access_log(queries) == 1
    assert CaseAccess.objects.filter(user=clerk, purpose="查看受理队列").count() == 70


def test_the_reviewers_todo_logs_its_cases_page_and_api(client_for, food, submit, clerk,
                                                        reviewer):
    case = submit(food)
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    client = client_for(reviewer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/staff/todo/").status_code == 200
    assert inserts_into_access_log(queries) == 1
    assert client.get(f"{API}/todo").status_code == 200
    assert purposes(case, reviewer) == ["查看审批待办"] * 2


def test_staff_searches_and_monitoring_log_their_cases(client_for, food, submit, clerk,
                                                       supervisor):
    case = submit(food)
    assert client_for(clerk).get("/cases/staff/list/", {"q": case.number}).status_code == 200
    assert client_for(clerk).get(API, {"q": case.number}).status_code == 200
    assert purposes(case, clerk) == ["查询办件列表"] * 2
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    Case.objects.filter(pk=case.pk).update(card=Card.RED)
    assert client_for(supervisor).get("/cases/staff/monitoring/").status_code == 200
    assert purposes(case, supervisor) == ["电子监察查看超时办件"]


def test_an_empty_list_writes_nothing_and_applicants_are_not_logged(client_for, food, submit,
                                                                    applicant, clerk):
    case = submit(food)
    for path in ("/cases/mine/", f"{API}/mine", API):
        assert client_for(applicant).get(path).status_code == 200
    assert not CaseAccess.objects.filter(case=case).exists()
    with CaptureQueriesContext(connection) as queries:
        assert client_for(clerk).get(API, {"q": "no-such-case"}).status_code == 200
    assert inserts_into_access_log(queries) == 0


# --- what the applicant sees -----------------------------------------------------------------


def test_the_applicant_sees_who_looked_grouped_not_one_row_per_look(client_for, food, submit,
                                                                    clerk, applicant,
                                                                    other_applicant):
    case = submit(food)
    for _ in range(30):
        assert client_for(clerk).get("/cases/staff/window/").status_code == 200
    case_access_record(case=case, user=clerk, purpose="核对身份", unmasked=True)
    page = client_for(applicant).get(case.get_absolute_url()).content.decode()
    assert "谁查看过我的办件" in page
    assert page.count("查看受理队列") == 1  # thirty looks, one row
    assert "30 次" in page
    assert "李窗口" in page and "耒阳市政务服务中心" in page
    assert "查看了完整身份信息" in page
    body = client_for(applicant).get(f"{API}/{case.number}/accesses").json()
    assert body["count"] == 2
    assert body["total"] == 31
    queue = next(row for row in body["items"] if row["purpose"] == "查看受理队列")
    assert queue["times"] == 30
    assert queue["who"] == "李窗口"
    assert queue["department"] == "耒阳市政务服务中心"
    assert queue["unmasked"] is False
    assert queue["first_at"] <= queue["last_at"]
    # The log is the applicant's: staff are refused, strangers find nothing.
    assert client_for(clerk).get(f"{API}/{case.number}/accesses").status_code == 403
    assert client_for(other_applicant).get(f"{API}/{case.number}/accesses").status_code == 404
    assert client_for(None).get(f"{API}/{case.number}/accesses").status_code == 401


def test_the_applicants_access_log_is_paginated(client_for, food, submit, clerk, applicant):
    case = submit(food)
    for index in range(25):
        case_access_record(case=case, user=clerk, purpose=f"核对第{index}项")
    page = client_for(applicant).get(case.get_absolute_url()).content.decode()
    assert page.count("核对第") == 20
    assert "access_page=2" in page
    second = client_for(applicant).get(case.get_absolute_url(), {"access_page": 2})
    assert second.content.decode().count("核对第") == 5
    body = client_for(applicant).get(f"{API}/{case.number}/accesses", {"limit": 10}).json()
    assert (len(body["items"]), body["count"], body["total"]) == (10, 25, 25)


def test_case_status_filter_still_applies(client_for, food, submit, clerk):
    case = submit(food)
    client_for(clerk).get("/cases/staff/list/", {"status": CaseStatus.CLOSED})
    assert not CaseAccess.objects.filter(case=case).exists()  # not shown, not logged


def test_logging_a_page_of_cases_costs_a_fixed_number_of_queries(food, submit, clerk,
                                                                 django_assert_max_num_queries):
    from zhengwu.cases.services import case_accesses_record

    case = submit(food)
    shown = [case, *clones(case, 99)]
    # The staff member's department (1), a savepoint (2) and one INSERT — for 100 cases.
    with django_assert_max_num_queries(4):
        assert case_accesses_record(cases=shown, user=clerk, purpose="查看受理队列") == 100

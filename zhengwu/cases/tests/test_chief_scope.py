"""A chief representative (首席代表) acts for their own department only (issue 8, finding 1;
ADR 0012): chief_gongan of 市公安局 neither accepts, decides nor unmasks a 市场监督管理局
case, by page or API — and to them it looks absent (404), like any case that is not theirs.
The 市场监管 chief still serves their own department's cases at the window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import User
from zhengwu.cases.models import Case, CaseAccess, CaseStatus
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.conftest import FORM, by_commitment
from zhengwu.catalog.models import ItemImplementation
from zhengwu.departments.models import Department
from zhengwu.jointreviews.models import JointReview

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"
HEALTH = "公共场所卫生许可"  # 市卫健局, 告知承诺


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def api_post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}/{path}", body, content_type="application/json")


def status_of(case: Case) -> str:
    return Case.objects.get(pk=case.pk).status


@pytest.fixture
def commitment_case(submit: Any) -> Case:
    impl = ItemImplementation.objects.get(item__name=HEALTH, level=4)
    materials = by_commitment(impl)
    case: Case = submit(impl, materials=materials)
    assert case.by_commitment
    return case_transition(case_id=case.pk, user=User.objects.get(username="clerk"),
                           move=MoveIn(action="accept"))


def test_another_departments_chief_finds_no_case_through_the_api(food, submit,
                                                                 commitment_case):
    case = submit(food)
    gongan = client_of("chief_gongan")
    accepted = api_post(gongan, f"{case.number}/moves", {"action": "accept"})
    assert accepted.status_code == 404, accepted.content.decode()
    assert accepted.json()["code"] == "not_found"
    assert status_of(case) == CaseStatus.SUBMITTED
    unmasked = api_post(gongan, f"{case.number}/unmask", {"reason": "核对"})
    assert unmasked.status_code == 404
    assert FORM["id_number"] not in unmasked.content.decode()
    assert not CaseAccess.objects.filter(case=case, unmasked=True).exists()
    assert api_post(gongan, f"{commitment_case.number}/moves",
                    {"action": "grant"}).status_code == 404
    assert status_of(commitment_case) == CaseStatus.ACCEPTED
    assert gongan.get(f"{API}/{case.number}").status_code == 404


def test_another_departments_chief_finds_no_case_through_the_pages(food, submit,
                                                                   commitment_case):
    case = submit(food)
    gongan = client_of("chief_gongan")
    assert gongan.post(reverse("cases:move", args=[case.number, "accept"])).status_code == 404
    assert status_of(case) == CaseStatus.SUBMITTED
    unmasked = gongan.post(reverse("cases:unmask", args=[case.number]), {"reason": "核对"})
    assert unmasked.status_code == 404
    assert not CaseAccess.objects.filter(case=case, unmasked=True).exists()
    assert gongan.post(reverse("cases:move", args=[commitment_case.number, "grant"])
                       ).status_code == 404
    assert status_of(commitment_case) == CaseStatus.ACCEPTED
    queue = gongan.get(reverse("cases:window"))
    assert case.number not in queue.content.decode()


def test_the_chief_of_the_department_serves_its_cases_at_the_window(food, submit):
    case = submit(food)
    chief = client_of("chief")  # 市市场监督管理局
    assert case.number in chief.get(reverse("cases:window")).content.decode()
    unmasked = api_post(chief, f"{case.number}/unmask", {"reason": "核对身份"})
    assert unmasked.status_code == 200, unmasked.content.decode()
    assert unmasked.json()["applicant_id_number"] == FORM["id_number"]
    assert api_post(chief, f"{case.number}/moves", {"action": "accept"}).status_code == 200
    assert status_of(case) == CaseStatus.ACCEPTED


def test_a_chief_files_for_no_one_and_has_no_one_stop_window(food):
    gongan = client_of("chief_gongan")
    assert gongan.get(reverse("cases:window_filing")).status_code == 403
    assert gongan.get(reverse("bundles:window")).status_code in (403, 404)


def test_a_reviewer_sees_the_case_but_may_not_unmask_it(food, submit):
    case = submit(food)
    refused = api_post(client_of("reviewer"), f"{case.number}/unmask", {"reason": "核对"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "case.unmask_forbidden"


def test_a_chief_links_no_other_departments_case_to_a_joint_review(food, submit):
    """A joint review led by the chief's own department may not name another department's
    case: to them it does not exist."""
    case = submit(food)
    police = Department.objects.get(short_name="市公安局")
    tax = Department.objects.get(short_name="市税务局")
    body = {"kind": "site_survey", "title": "某项目联合踏勘", "lead_department_id": police.pk,
            "required_department_ids": [tax.pk], "place": "市政务服务中心",
            "starts_at": (timezone.now() + dt.timedelta(days=7)).isoformat(),
            "answer_workdays": "3", "case_number": case.number}
    response = client_of("chief_gongan").post("/api/v1/joint-reviews", body,
                                               content_type="application/json")
    assert response.status_code == 422, response.content.decode()
    assert response.json()["code"] == "joint_review.unknown_case"
    assert not JointReview.objects.filter(case=case).exists()


def test_a_chiefs_move_is_audited_as_the_chief_of_that_department(food, submit):
    """The audit row says who acted in which capacity (quality.md #6): a chief representative
    accepting at their department's window is recorded as 首席代表 of that department, not as
    a comprehensive-window clerk of no department."""
    from zhengwu.core.models import AuditEvent

    case = submit(food)
    chief = User.objects.get(username="chief")
    case_transition(case_id=case.pk, user=chief, move=MoveIn(action="accept"))
    row = AuditEvent.objects.filter(object_id=str(case.pk), action__contains="accept").latest("pk")
    assert row.role == "chief_representative"
    assert row.department_id == case.department_id
    clerk_case = submit(food)
    case_transition(case_id=clerk_case.pk, user=User.objects.get(username="clerk"),
                    move=MoveIn(action="accept"))
    row = AuditEvent.objects.filter(object_id=str(clerk_case.pk),
                                    action__contains="accept").latest("pk")
    assert row.role == "window_clerk"

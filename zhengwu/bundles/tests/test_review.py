"""Defects found in the review of issue 4 (一件事), each pinned by the request or the moves
that showed it."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from zhengwu.bundles.models import BundleAccess, BundleCase, BundleCaseStatus, BundleResult
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.bundles.tests.conftest import MORNING
from zhengwu.bundles.tests.test_flow import REGISTRATION, decide, members
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.notifications.models import OutboxItem

pytestmark = pytest.mark.django_db
FEWER = {"need_seal": "no", "need_invoice": "yes", "has_employees": "no"}


@time_machine.travel(MORNING, tick=False)
def test_a_member_case_id_beyond_any_row_is_404_not_500(submit_qykb: Any, reviewers: Any
                                                         ) -> None:
    submit_qykb()
    client = Client(raise_request_exception=False)
    client.force_login(reviewers[REGISTRATION])
    url = f"/bundles/staff/members/{'9' * 25}/supplement-request/"
    response = client.post(url, {"material-0": "营业执照", "reason-0": "模糊"})
    assert response.status_code == 404


@time_machine.travel(MORNING, tick=False)
def test_a_staff_htmx_read_of_a_bundle_case_is_logged(submit_qykb: Any, clerk: Any,
                                                      client_for: Any) -> None:
    bundle_case = submit_qykb()
    response = client_for(clerk).get(f"/bundles/cases/{bundle_case.number}/",
                                     HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "孙创业" in response.content.decode()  # the person's case was shown
    assert BundleAccess.objects.filter(bundle_case=bundle_case, user=clerk).count() == 1


def test_a_member_revoked_while_the_bundle_runs_is_not_counted_granted(
        submit_qykb: Any, clerk: Any, reviewers: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        bundle_case = submit_qykb(answers=FEWER)
        bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
        found = members(bundle_case)
        decide(found[REGISTRATION], reviewers[REGISTRATION])
        case_transition(case_id=found[REGISTRATION].case_id, user=reviewers[REGISTRATION],
                        move=MoveIn(action="revoke", reason="以虚假材料取得登记"))
        # The applicant hears of it now, not only from the completion notice.
        assert OutboxItem.objects.filter(channel="inapp", recipient=bundle_case.applicant,
                                         subject="一件事中有事项未获准予").count() == 1
        for name, member in members(bundle_case).items():
            if name != REGISTRATION:
                decide(member, reviewers[name])
    bundle_case = BundleCase.objects.get(pk=bundle_case.pk)
    assert bundle_case.status == BundleCaseStatus.DELIVERED
    assert bundle_case.result == BundleResult.PARTLY_GRANTED
    completion = bundle_case.notices.get(kind="completion")
    decisions = {m["department"]: m["decision"] for m in completion.content["members"]}
    assert decisions["耒阳市市场监督管理局"] == "已撤销"

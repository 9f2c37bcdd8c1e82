"""Defects found in the review of issue 4 (一件事), each pinned by the request or the moves
that showed it."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from zhengwu.bundles.models import BundleAccess
from zhengwu.bundles.tests.conftest import MORNING
from zhengwu.bundles.tests.test_flow import REGISTRATION

pytestmark = pytest.mark.django_db


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


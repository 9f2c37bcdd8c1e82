"""Defects found in the review of issue 4 (联合审查), each pinned by the request that showed it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhengwu.jointreviews.models import JointReview
from zhengwu.jointreviews.tests.conftest import World

pytestmark = pytest.mark.django_db
BEYOND = "9" * 25  # digits the URL accepts, beyond any row id


@pytest.mark.parametrize("who", ["lead_reviewer", "nature_reviewer"])
@pytest.mark.parametrize("step", ["attend", "answer"])
def test_a_department_id_beyond_any_row_is_404_not_500(
        world: World, schedule: Callable[..., JointReview], who: str, step: str) -> None:
    review = schedule()
    client = Client(raise_request_exception=False)
    client.force_login(getattr(world, who))
    response = client.post(f"/staff/joint-reviews/{review.pk}/departments/{BEYOND}/{step}/",
                           {"opinion": "agree"})
    assert response.status_code == 404


def test_the_session_itself_beyond_any_row_is_404(world: World, client_of: Any) -> None:
    response = client_of(world.lead_reviewer).post(
        f"/staff/joint-reviews/{BEYOND}/departments/{BEYOND}/attend/")
    assert response.status_code == 404

"""One `zhengwu sweep` decides and delivers for 一件事 too: a bundle accepted by law
(行政许可法 art. 32) tells its applicant in the same run."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from zhengwu.bundles.models import BundleCase, BundleCaseStatus
from zhengwu.bundles.tests.conftest import MORNING
from zhengwu.notifications.models import Message
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db


def test_one_sweep_accepts_the_bundle_by_law_and_tells_the_applicant(
    submit_qykb: Any, applicant: Any
) -> None:
    with time_machine.travel(MORNING, tick=False):
        bundle_case = submit_qykb()
    later = dt.datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        call_command("sweep", "--now", later.isoformat(), stdout=io.StringIO())
    assert BundleCase.objects.get(pk=bundle_case.pk).status == BundleCaseStatus.IN_PROGRESS
    assert Message.objects.filter(recipient=applicant, title="一件事已受理").count() == 1

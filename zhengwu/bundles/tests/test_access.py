"""Staff looking at a bundle case is logged for the applicant (quality.md #8), and a bundle
notice's printed QR code opens a public verification page without personal data."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from zhengwu.bundles.models import BundleAccess
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.bundles.tests.conftest import MORNING

pytestmark = pytest.mark.django_db


@time_machine.travel(MORNING, tick=False)
def test_staff_looks_are_logged_and_shown_to_the_applicant(submit_qykb: Any, clerk: Any,
                                                          applicant: Any,
                                                          client_for: Any) -> None:
    bundle_case = submit_qykb()
    url = f"/bundles/cases/{bundle_case.number}/"
    assert client_for(applicant).get(url).status_code == 200
    assert not BundleAccess.objects.exists()  # the applicant reading their own: not logged
    assert client_for(clerk).get(url).status_code == 200
    assert client_for(clerk).get(f"/api/v1/bundles/applications/{bundle_case.number}")\
        .status_code == 200
    assert BundleAccess.objects.filter(bundle_case=bundle_case, user=clerk).count() == 2
    page = client_for(applicant).get(url).content.decode()
    assert "谁查看过我的一件事（2 次）" in page
    assert "查看一件事办件" in page


@time_machine.travel(MORNING, tick=False)
def test_a_bundle_notice_verifies_publicly(submit_qykb: Any, clerk: Any,
                                          client_for: Any) -> None:
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    notice = bundle_case.notices.get()
    page = client_for(None).get(f"/bundles/notices/verify/{notice.verify_code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert notice.number in text
    assert bundle_case.applicant_name not in text
    assert client_for(None).get("/bundles/notices/verify/nope0000/").status_code == 404
    assert client_for(None).get("/bundles/notices/verify/../").status_code == 404

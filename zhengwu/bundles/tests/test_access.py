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


# --- lists and downloads (issue 8, finding 5) -------------------------------------------------


def _inserts(queries: Any) -> int:
    return sum(1 for q in queries.captured_queries
               if q["sql"].startswith('INSERT INTO "bundles_bundleaccess"'))


@time_machine.travel(MORNING, tick=False)
def test_bundle_work_lists_log_the_bundle_cases_they_show_in_one_insert(
        submit_qykb: Any, clerk: Any, applicant: Any, reviewers: Any, client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second = submit_qykb(), submit_qykb()
    with CaptureQueriesContext(connection) as queries:
        assert client_for(clerk).get("/bundles/staff/window/").status_code == 200
    assert _inserts(queries) == 1
    window = BundleAccess.objects.filter(user=clerk, purpose="查看一件事受理队列")
    assert sorted(window.values_list("bundle_case_id", flat=True)) == [first.pk, second.pk]
    with CaptureQueriesContext(connection) as queries:
        assert client_for(clerk).get("/api/v1/bundles/applications").status_code == 200
    assert _inserts(queries) == 1
    assert BundleAccess.objects.filter(user=clerk, purpose="查看一件事办件列表").count() == 2
    reviewer = reviewers["市公安局"]
    with CaptureQueriesContext(connection) as queries:
        assert client_for(reviewer).get("/bundles/staff/departments/").status_code == 200
    assert _inserts(queries) == 1
    members = BundleAccess.objects.filter(user=reviewer, purpose="查看一件事成员办件")
    assert sorted(members.values_list("bundle_case_id", flat=True)) == [first.pk, second.pk]
    # The applicant's own list is not a staff read.
    assert client_for(applicant).get("/api/v1/bundles/applications").status_code == 200
    assert not BundleAccess.objects.filter(user=applicant).exists()


@time_machine.travel(MORNING, tick=False)
def test_a_bundle_notice_download_by_staff_is_logged(submit_qykb: Any, clerk: Any,
                                                     applicant: Any, client_for: Any) -> None:
    from unittest import mock

    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    notice = bundle_case.notices.get()
    url = f"/bundles/cases/{bundle_case.number}/notices/{notice.pk}.pdf"
    with mock.patch("zhengwu.bundles.views.notices.notice_pdf", return_value=b"%PDF-1.4"):
        assert client_for(applicant).get(url).status_code == 200
        assert client_for(clerk).get(url).status_code == 200
    assert list(BundleAccess.objects.values_list("user__username", "purpose")) == [
        ("clerk", f"下载通知书：{notice.get_kind_display()}")]


@time_machine.travel(MORNING, tick=False)
def test_the_applicant_sees_bundle_looks_grouped_page_and_api(submit_qykb: Any, clerk: Any,
                                                              applicant: Any,
                                                              client_for: Any) -> None:
    bundle_case = submit_qykb()
    for _ in range(12):
        assert client_for(clerk).get("/bundles/staff/window/").status_code == 200
    page = client_for(applicant).get(f"/bundles/cases/{bundle_case.number}/").content.decode()
    assert "谁查看过我的一件事（12 次）" in page
    assert page.count("查看一件事受理队列") == 1
    assert "李窗口" in page
    url = f"/api/v1/bundles/applications/{bundle_case.number}/accesses"
    body = client_for(applicant).get(url).json()
    assert (body["count"], body["total"]) == (1, 12)
    assert body["items"][0]["times"] == 12
    assert body["items"][0]["who"] == "李窗口"
    assert body["items"][0]["purpose"] == "查看一件事受理队列"
    assert client_for(clerk).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 401

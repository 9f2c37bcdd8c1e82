"""A bundle's member cases on the ordinary case pages (issue 9, §3): they are served by the
一件事 window, not the ordinary 综合窗口; the member case's page links to its bundle and shows
the bundle form data this department receives, masked as the case's own personal data; the
decision is a visible primary action."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from zhengwu.bundles.models import BundleCase
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.bundles.tests.conftest import COMPANY, MORNING
from zhengwu.bundles.tests.test_flow import REGISTRATION, _second, members
from zhengwu.cases.models import Case
from zhengwu.cases.services import MoveIn, case_transition

pytestmark = pytest.mark.django_db

MASKED_ID = "430***********123X"
MASKED_PHONE = "138****0002"


@pytest.fixture(autouse=True)
def tuesday_morning() -> Any:
    with time_machine.travel(MORNING, tick=False):
        yield


def member_cases(bundle_case: BundleCase) -> dict[str, Case]:
    return {name: Case.objects.get(pk=m.case_id) for name, m in members(bundle_case).items()}


def form_tag(page: str, case: Case, action: str) -> str:
    """The whole <form> of one move on the page ("" if not offered)."""
    url = reverse("cases:move", args=[case.number, action])
    found = re.search(r'<form[^>]*action="' + re.escape(url) + r'".*?</form>', page, re.S)
    return found.group(0) if found else ""


def test_member_cases_stay_out_of_the_ordinary_window(client_for: Any, submit_qykb: Any,
                                                      clerk: Any) -> None:
    bundle_case = submit_qykb()
    cases = member_cases(bundle_case)
    window = client_for(clerk)
    page = window.get(reverse("cases:window")).content.decode()
    for case in cases.values():
        assert case.number not in page
    assert reverse("bundles:window") in page  # where they are served instead
    # The member's own page offers the clerk none of the moves only the bundle may make.
    detail = window.get(cases[REGISTRATION].get_absolute_url()).content.decode()
    for action in ("accept", "refuse", "ask_supplement"):
        assert not form_tag(detail, cases[REGISTRATION], action)
    assert reverse("bundles:case", args=[bundle_case.number]) in detail
    # Accepted as a bundle, the members that wait for registration stay out too.
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    page = window.get(reverse("cases:window")).content.decode()
    for case in cases.values():
        assert case.number not in page


def test_the_member_page_shows_the_bundle_and_its_form_masked(
        client_for: Any, submit_qykb: Any, clerk: Any, reviewers: Any, applicant: Any) -> None:
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    case = member_cases(bundle_case)[REGISTRATION]
    reviewer = reviewers[REGISTRATION]
    before = case.accesses.count()
    page = client_for(reviewer).get(case.get_absolute_url()).content.decode()
    assert reverse("bundles:case", args=[bundle_case.number]) in page
    assert bundle_case.bundle.name in page
    # The one form, as this member receives it: labelled, personal data masked.
    assert "企业名称" in page and COMPANY["company_name"] in page
    assert "经营范围" in page and COMPANY["business_scope"] in page
    assert "法定代表人身份证件号码" in page
    assert COMPANY["legal_rep_id_number"] not in page
    assert MASKED_ID in page
    assert COMPANY["phone"] not in page and MASKED_PHONE in page
    assert "拟招用员工人数" not in page  # mapped to social insurance and housing fund only
    assert case.accesses.count() == before + 1  # the read is logged, as every case page read
    # The applicant sees the same, whole.
    mine = client_for(applicant).get(case.get_absolute_url()).content.decode()
    assert COMPANY["legal_rep_id_number"] in mine


def test_the_decision_is_a_visible_primary_action(client_for: Any, submit_qykb: Any,
                                                  clerk: Any, reviewers: Any) -> None:
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    case = member_cases(bundle_case)[REGISTRATION]
    reviewer = reviewers[REGISTRATION]
    chain = case.implementation.approval_chain or ["承办", "审核", "批准"]
    for step in range(len(chain) - 1):
        user = reviewer if step % 2 == 0 else _second(reviewer)
        case = case_transition(case_id=case.pk, user=user, move=MoveIn(action="review_pass"))
    decider = reviewer if len(chain) % 2 else _second(reviewer)
    page = client_for(decider).get(case.get_absolute_url()).content.decode()
    grant, deny = form_tag(page, case, "grant"), form_tag(page, case, "deny")
    assert grant and deny
    for form in (grant, deny):
        assert "<details" not in form  # nothing to unfold before deciding
    assert re.search(r'<button type="submit" class="primary"[^>]*>[^<]*准予', grant)
    assert re.search(r"<h2[^>]*>作出决定</h2>", page)
    # The decision comes before the other moves (special procedure, extension …).
    assert page.index(grant) < page.index(form_tag(page, case, "suspend"))

"""The process pages as staff and applicants use them (issue 9, §3): the todo list says which
step a case is at and whose turn it is, and filters to 待我办理; submitting and accepting
say that they worked; the approval steps show only what a person did, and a deemed approval
as the platform's."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from zhengwu.cases import selectors
from zhengwu.cases.models import Case
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.conftest import by_commitment
from zhengwu.cases.tests.test_pages import apply_data, move
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture(autouse=True)
def no_pdf_rendering():
    """These tests read pages, not notices: the notices a move issues are not rendered."""
    with mock.patch("zhengwu.cases.services.notice_render_task") as task:
        yield task


def accepted(submit, food, clerk) -> Case:
    case = submit(food)
    return case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))


def todo_row(page: str, case: Case) -> str:
    """The todo table's row of one case."""
    found = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + case.number + r"(?:(?!</tr>).)*</tr>",
                      page, re.S)
    assert found is not None, f"{case.number} not in the todo list"
    return found.group(0)


def steps_of(page: str) -> str:
    """The 审批环节 list on the case page."""
    found = re.search(r'<ol id="approval-steps".*?</ol>', page, re.S)
    assert found is not None, "no approval steps on the page"
    return found.group(0)


# --- the todo list: step, whose turn, 待我办理 ---------------------------------------------------


def test_the_todo_list_shows_the_current_step_and_whose_turn(client_for, food, submit, clerk,
                                                             reviewer, chief):
    case = accepted(submit, food, clerk)
    office = client_for(reviewer)
    row = todo_row(office.get(reverse("cases:todo")).content.decode(), case)
    assert "承办" in row
    assert food.department.name in row  # whose turn: the department's reviewers
    assert "审查中" not in row
    case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="review_pass"))
    row = todo_row(office.get(reverse("cases:todo")).content.decode(), case)
    assert "审核" in row
    assert "承办" not in row
    case_transition(case_id=case.pk, user=chief, move=MoveIn(action="review_pass"))
    row = todo_row(office.get(reverse("cases:todo")).content.decode(), case)
    assert "批准" in row
    case_transition(case_id=case.pk, user=reviewer, move=MoveIn(
        action="suspend", procedure_kind="hearing", reason="依申请举行听证"))
    row = todo_row(office.get(reverse("cases:todo")).content.decode(), case)
    assert "特别程序" in row


def test_the_mine_filter_keeps_the_cases_the_one_selector_says_i_may_act_on(
        client_for, food, submit, clerk, reviewer, monkeypatch):
    mine, other = accepted(submit, food, clerk), accepted(submit, food, clerk)
    office = client_for(reviewer)
    page = office.get(reverse("cases:todo")).content.decode()
    assert 'name="mine"' in page  # the filter is a form control, labelled
    assert "待我办理" in page
    everything = office.get(reverse("cases:todo")).content.decode()
    assert mine.number in everything and other.number in everything
    # The filter asks one selector (swapped for the engine's predicate later), nothing else.
    monkeypatch.setattr(selectors, "may_act_now", lambda *, user, case: case.pk == mine.pk)
    filtered = office.get(reverse("cases:todo"), {"mine": "1"}).content.decode()
    assert mine.number in filtered
    assert other.number not in filtered
    assert "共 1 件" in filtered


def test_may_act_now_follows_the_moves_the_person_is_offered(food, submit, clerk, reviewer,
                                                             staff_of):
    case = accepted(submit, food, clerk)
    assert selectors.may_act_now(user=reviewer, case=case)
    # A reviewer of another department, the window clerk once accepted: not their turn.
    assert not selectors.may_act_now(user=staff_of("市税务局"), case=case)
    assert not selectors.may_act_now(user=clerk, case=case)


def test_after_passing_a_step_it_is_not_the_same_persons_turn(food, submit, clerk, reviewer):
    case = accepted(submit, food, clerk)
    case = case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="review_pass"))
    assert not selectors.may_act_now(user=reviewer, case=case)


# --- success messages ---------------------------------------------------------------------------


def test_submitting_online_says_so_on_the_case_page(client_for, food, applicant):
    client = client_for(applicant)
    response = client.post(reverse("cases:apply", args=[food.code]), apply_data(food),
                           follow=True)
    page = response.content.decode()
    case = Case.objects.get(applicant=applicant)
    assert re.search(r'role="status"[^>]*>(?:(?!</div>).)*申请已提交', page, re.S)
    # A success reads as one, not in the warning style (the walk-through's finding).
    assert '<p class="notice success">申请已提交' in page
    assert case.number in page
    # Shown once: the next page has no message.
    assert "申请已提交" not in client.get(case.get_absolute_url()).content.decode()


def test_accepting_says_so_on_the_window_the_case_page_and_with_htmx(client_for, food, submit,
                                                                     clerk):
    window = client_for(clerk)
    first, second, third = submit(food), submit(food), submit(food)
    page = move(window, first, "accept", next="window")
    assert page.status_code == 302
    page = window.get(page["Location"]).content.decode()
    assert re.search(r'role="status"[^>]*>(?:(?!</div>).)*' + first.number + r"[^<]*已受理",
                     page, re.S)
    detail = window.post(reverse("cases:move", args=[second.number, "accept"]), follow=True)
    assert re.search(r'role="status"[^>]*>(?:(?!</div>).)*已受理', detail.content.decode(), re.S)
    partial = window.post(reverse("cases:move", args=[third.number, "accept"]),
                          HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r'role="status"[^>]*>(?:(?!</div>).)*已受理', partial, re.S)
    again = window.get(third.get_absolute_url()).content.decode()
    assert not re.search(r'role="status"[^>]*>(?:(?!</div>).)*已受理', again, re.S)


# --- the approval steps --------------------------------------------------------------------------


def test_the_steps_show_who_did_each_one(client_for, food, submit, clerk, reviewer, chief):
    case = accepted(submit, food, clerk)
    office = client_for(reviewer)
    steps = steps_of(office.get(case.get_absolute_url()).content.decode())
    assert steps.count("step done") == 0
    assert "step current" in steps
    case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="review_pass"))
    case_transition(case_id=case.pk, user=chief, move=MoveIn(action="review_pass"))
    case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="grant"))
    steps = steps_of(office.get(case.get_absolute_url()).content.decode())
    assert steps.count("step done") == 3
    assert reviewer.display_name in steps
    assert chief.display_name in steps


def test_a_deemed_case_shows_no_step_done_and_the_system_decided(client_for, food, submit,
                                                                 clerk, reviewer, applicant):
    from zhengwu.cases import sweeps

    case = accepted(submit, food, clerk)
    case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="review_pass"))
    assert sweeps.run(dt.datetime(2026, 3, 20, 9, tzinfo=SHANGHAI)).deemed == 1
    for user in (reviewer, applicant):
        steps = steps_of(client_for(user).get(case.get_absolute_url()).content.decode())
        assert steps.count("step done") == 1  # 承办, by the reviewer; 审核 and 批准 by no one
        assert "超时默认准予" in steps
        assert "系统" in steps


def test_at_the_first_step_the_page_leads_with_passing_it_on(client_for, food, submit, clerk,
                                                             reviewer):
    """The walk-through found only 作出不予许可决定 in the decision area at 承办, the usual
    next move folded under 其他办理: the step's own move leads now."""
    case = accepted(submit, food, clerk)
    page = client_for(reviewer).get(case.get_absolute_url()).content.decode()
    assert re.search(r"<h2[^>]*>办理本环节：承办</h2>", page)
    passing = page.index("承办通过，送审核")
    assert re.search(r'<button type="submit" class="primary">承办通过，送审核', page)
    assert passing < page.index("作出不予许可决定")


def test_the_timeline_names_each_step_and_a_revoked_grant_is_no_longer_green(
        client_for, food, submit, clerk, reviewer, chief, applicant):
    """The walk-through: every step read 审查通过, and a revoked case kept its green 准予."""
    from zhengwu.cases.selectors import event_label

    case = accepted(submit, food, clerk)
    case = case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="review_pass"))
    case = case_transition(case_id=case.pk, user=chief, move=MoveIn(action="review_pass"))
    page = client_for(applicant).get(case.get_absolute_url()).content.decode()
    assert "承办通过" in page and "审核通过" in page
    assert event_label("verify", {"truthful": False}) == "事后核查：承诺不实"
    case = case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="grant"))
    case = case_transition(case_id=case.pk, user=reviewer,
                           move=MoveIn(action="revoke", reason="以欺骗手段取得"))
    page = client_for(applicant).get(case.get_absolute_url()).content.decode()
    assert "已撤销" in page
    assert not re.search(r'<span class="badge ok">准予', page)


def commitment_case(submit, clerk) -> Case:
    """A 告知承诺 case (公共场所卫生许可) the window has accepted."""
    from zhengwu.catalog.models import ItemImplementation

    impl = ItemImplementation.objects.get(item__name="公共场所卫生许可", level=4)
    materials = by_commitment(impl)
    case = submit(impl, materials=materials)
    return case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))


def test_a_commitment_granted_at_the_window_shows_what_happened(client_for, submit, clerk,
                                                                applicant):
    """The walk-through: a lawful grant on commitment showed 审核/批准 as 未经人工办理."""
    case = commitment_case(submit, clerk)
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="grant"))
    for user in (clerk, applicant):
        steps = steps_of(client_for(user).get(case.get_absolute_url()).content.decode())
        assert "未经人工办理" not in steps
        assert steps.count("告知承诺制免于逐级审批") == 3
        assert "当场准予（告知承诺）" in steps
    assert clerk.display_name in steps_of(
        client_for(clerk).get(case.get_absolute_url()).content.decode())


def test_the_window_queue_offers_what_the_predicate_offers_a_commitment_to_grant(
        client_for, submit, clerk):
    """The walk-through: after accepting a 告知承诺 case the window had no 准予 button."""
    case = commitment_case(submit, clerk)
    offered = selectors.case_actions(user=clerk, case=case)
    assert "grant" in offered
    page = client_for(clerk).get(reverse("cases:window")).content.decode()
    assert case.number in page
    grant_url = reverse("cases:move", args=[case.number, "grant"])
    assert grant_url in page
    response = client_for(clerk).post(grant_url, {"next": "window"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).decision == "granted"

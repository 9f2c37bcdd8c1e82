"""The process engine (ADR 0013) as the case process uses it: one predicate for what the page
offers and what the service accepts, saves of only what a move changed, and listeners told
once. The random walks of cases/tests/test_state_machine.py check the predicate against the
services over whole case lives."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.accounts.models import UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.cases.access import CASE_TABLE
from zhengwu.cases.models import Case
from zhengwu.cases.selectors import case_actions
from zhengwu.cases.services import CASE_PROCESS, MoveIn, case_transition
from zhengwu.core.errors import NotAllowed
from zhengwu.process import engine
from zhengwu.process.spec import MoveNotAllowed, Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(food: Any, submit: Any, clerk: Any) -> Case:
    case = submit(food)
    return case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))


def test_the_reviewer_who_passed_a_step_is_not_offered_the_next(accepted, reviewer):
    """The defect of issue 9: after doing 承办 the reviewer was shown 审核通过，送批准 and then
    refused ("同一人不能连续办理两个审批环节"). Page and service now ask one predicate."""
    assert "review_pass" in case_actions(user=reviewer, case=accepted)
    case = case_transition(case_id=accepted.pk, user=reviewer,
                           move=MoveIn(action="review_pass"))
    assert "review_pass" not in case_actions(user=reviewer, case=case)
    refused = engine.refusal(CASE_TABLE, case, reviewer, "review_pass")
    assert refused is not None and refused.code == "case.same_person" and refused.forbidden
    with pytest.raises(NotAllowed, match="同一人不能连续办理两个审批环节"):
        case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="review_pass"))
    # Someone else of the same back office may pass it.
    colleague = user_create(username="reviewer2", password="x-demo-2026-x",
                            kind=UserKind.STAFF, display_name="审查员二")
    role_assign(user=colleague, role=Role.REVIEWER, department=case.department)
    assert "review_pass" in case_actions(user=colleague, case=case)


def test_a_refusal_names_the_state_the_role_or_the_guard(accepted, reviewer, clerk, applicant):
    state = engine.refusal(CASE_TABLE, accepted, clerk, "accept")
    assert state is not None and state.code == "case.move_not_allowed"
    assert "当前状态为“审查中”" in state.message
    role = engine.refusal(CASE_TABLE, accepted, applicant, "grant")
    assert role is not None and role.code == "case.forbidden" and role.forbidden
    guard = engine.refusal(CASE_TABLE, accepted, reviewer, "grant")
    assert guard is not None and guard.code == "case.chain_incomplete"
    unknown = engine.refusal(CASE_TABLE, accepted, reviewer, "approve_everything")
    assert unknown is not None and unknown.code == "case.unknown_action"
    with pytest.raises(MoveNotAllowed) as raised:
        case_transition(case_id=accepted.pk, user=reviewer, move=MoveIn(action="grant"))
    assert raised.value.code == "case.chain_incomplete" and raised.value.http_status == 409


def test_a_move_saves_only_the_columns_it_changed(accepted, reviewer):
    with CaptureQueriesContext(connection) as queries:
        case_transition(case_id=accepted.pk, user=reviewer, move=MoveIn(action="review_pass"))
    updates = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith('UPDATE "cases_case"')]
    assert len(updates) == 1, updates
    assert '"approval_step"' in updates[0] and '"last_pass_by_id"' in updates[0]
    assert '"updated_at"' in updates[0]
    assert '"form_data"' not in updates[0] and '"applicant_name"' not in updates[0]


def test_listeners_are_told_once_inside_the_move(accepted, reviewer):
    told: list[Outcome[Case]] = []

    def listener(outcome: Outcome[Case]) -> None:
        told.append(outcome)

    engine.listen(CASE_PROCESS, listener)
    engine.listen(CASE_PROCESS, listener)
    try:
        case_transition(case_id=accepted.pk, user=reviewer, move=MoveIn(action="review_pass"))
    finally:
        CASE_PROCESS.listeners.remove(listener)
    assert [(o.process, o.action, o.before, o.after, o.driver) for o in told] == [
        ("case", "review_pass", "accepted", "accepted", "")]


def test_the_process_table_and_handlers_cover_the_same_moves():
    assert set(CASE_TABLE.moves) == set(CASE_PROCESS.handlers)


def test_the_person_who_passed_the_previous_step_does_not_decide(accepted, reviewer, chief):
    """The walk-through's finding: 审核 and 批准 by one person. The decision is the last
    approval step (批准): whoever passed 审核 may neither grant nor deny."""
    case = case_transition(case_id=accepted.pk, user=reviewer,
                           move=MoveIn(action="review_pass"))
    case = case_transition(case_id=case.pk, user=chief, move=MoveIn(action="review_pass"))
    assert not {"grant", "deny"} & set(case_actions(user=chief, case=case))
    for action in ("grant", "deny"):
        with pytest.raises(NotAllowed, match="同一人不能连续办理两个审批环节"):
            case_transition(case_id=case.pk, user=chief,
                            move=MoveIn(action=action, reason="理由"))
    assert {"grant", "deny"} <= set(case_actions(user=reviewer, case=case))
    case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="grant"))


def test_a_listener_that_makes_a_move_itself_is_refused(accepted, reviewer):
    """Re-entry: a listener is told inside the move; a move it made there would run inside
    the move that told it. It returns follow-ups instead (ADR 0013)."""

    def moves_at_once(outcome: Outcome[Case]) -> None:
        case_transition(case_id=outcome.row.pk, user=None,
                        move=MoveIn(action="accept"))

    engine.listen(CASE_PROCESS, moves_at_once)
    try:
        with pytest.raises(engine.Reentered, match="follow-up"):
            case_transition(case_id=accepted.pk, user=reviewer,
                            move=MoveIn(action="review_pass"))
    finally:
        CASE_PROCESS.listeners.remove(moves_at_once)
    # Nothing of the refused move remains.
    assert Case.objects.get(pk=accepted.pk).approval_step == accepted.approval_step


def test_a_handler_may_not_move_its_own_process_inside_a_move(accepted, reviewer,
                                                              monkeypatch):
    review_pass = CASE_PROCESS.handlers["review_pass"]

    def reentering(case: Case, move_in: Any, attempt: Any, actor: Any) -> Any:
        case_transition(case_id=case.pk, user=None, move=MoveIn(action="accept"))
        return review_pass(case, move_in, attempt, actor)

    monkeypatch.setitem(CASE_PROCESS.handlers, "review_pass", reentering)
    with pytest.raises(engine.Reentered, match="inside a case move"):
        case_transition(case_id=accepted.pk, user=reviewer, move=MoveIn(action="review_pass"))


def test_follow_ups_run_after_the_move_in_its_transaction(accepted, reviewer):
    """What a listener returns runs once the move it was told of is recorded, in order, in
    the same transaction: if a follow-up fails, the move that caused it is undone too."""
    order: list[str] = []

    def follow(outcome: Outcome[Case]) -> list[Any]:
        order.append(f"told:{outcome.action}")
        if outcome.action != "review_pass":
            return []

        def after() -> None:
            order.append("follow-up")
            # The move that caused it is done and recorded before this runs.
            last = outcome.row.events.order_by("-id").first()
            assert last is not None and last.action == "review_pass"
            raise RuntimeError("the follow-up fails")

        return [after]

    engine.listen(CASE_PROCESS, follow)
    try:
        with pytest.raises(RuntimeError, match="the follow-up fails"):
            case_transition(case_id=accepted.pk, user=reviewer,
                            move=MoveIn(action="review_pass"))
    finally:
        CASE_PROCESS.listeners.remove(follow)
    assert order == ["told:review_pass", "follow-up"]
    case = Case.objects.get(pk=accepted.pk)
    assert (case.approval_step, case.events.filter(action="review_pass").count()) == (
        accepted.approval_step, 0)
    # The queue is empty again: the next move runs no stale follow-up.
    case_transition(case_id=accepted.pk, user=reviewer, move=MoveIn(action="review_pass"))
    assert order == ["told:review_pass", "follow-up"]



def test_moves_by_others_under_one_lock_are_all_made_or_none(accepted, food, submit, reviewer,
                                                             chief, clerk):
    """`engine.transitions` with `By`: each move is made and recorded as its own mover, all
    under the one lock the caller took, checked against the row as the previous move left it;
    a refused move undoes the ones before it."""
    def two_steps(second: Any) -> Any:
        return lambda case: [MoveIn(action="review_pass"),
                             engine.By(second, MoveIn(action="review_pass"))]

    with CaptureQueriesContext(connection) as queries:
        engine.transitions(CASE_PROCESS, accepted.pk, reviewer, two_steps(chief))
    locks = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith('SELECT "cases_case"."id"')]
    assert len(locks) == 1, locks  # one lock for both moves
    case = Case.objects.get(pk=accepted.pk)
    passes = list(case.events.filter(action="review_pass").order_by("id")
                  .values_list("actor_id", flat=True))
    assert (case.approval_step, passes) == (2, [reviewer.pk, chief.pk])

    # The same person may not pass the next step: the second move is refused, the first undone.
    other = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn(action="accept"))
    with pytest.raises(NotAllowed) as refused:
        engine.transitions(CASE_PROCESS, other.pk, reviewer, two_steps(reviewer))
    assert refused.value.code == "case.same_person"
    other.refresh_from_db()
    assert (other.approval_step, other.events.filter(action="review_pass").count()) == (0, 0)

"""Random walks over the case workflow, through the real services on the test database.

Each example submits a fresh 食品经营许可证核发（新办） case (on the 超时默认 list, 市市场监督管理局),
then tries any move of workflow.MOVES, as any of the demo applicant, window clerk, reviewer,
chief representative or the platform itself (deem_approved "as of" a moment after the due
date), with complete or empty inputs. After every step the invariants of ADR 0006 must hold:
a refused move changes nothing, an accepted one adds exactly one matching event, the decision
and the deadline appear exactly when they should, one supplement and one extension at most,
and nothing ever leaves refused, withdrawn or revoked.

What the case page offers a person is read from the HTML they get (its POST forms to
cases:move), not from `selectors.case_actions`, which the page is built with and the services
share: a move the page offered is never refused for its state or the person's role, and every
move a person made was offered (ADR 0013); a rule presses the buttons the page shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.budget import examples
from zhengwu.accounts.models import User
from zhengwu.cases import workflow
from zhengwu.cases.access import roles_on
from zhengwu.cases.models import (
    Case,
    CaseStatus,
    Decision,
    DeliveryMethod,
    Extension,
    MaterialKind,
    ProcedureKind,
    Supplement,
)
from zhengwu.cases.selectors import PAGE_ACTIONS
from zhengwu.cases.services import MaterialIn, MoveIn, case_submit, case_transition
from zhengwu.cases.tests.conftest import FOOD, FORM, pdf_bytes, sample_answers, uploads_for
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.process.tests.pages import offered

pytestmark = pytest.mark.django_db

ACTORS = ("applicant", "clerk", "reviewer", "chief", "system")
USERNAMES = {"applicant": "zhangsan", "clerk": "clerk", "reviewer": "reviewer",
             "chief": "chief"}
# Every way a service refuses a move; MoveNotAllowed is a Conflict.
REFUSED = (Conflict, NotAllowed, InvalidInput)
TERMINAL = frozenset({CaseStatus.REFUSED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED})
# How much more often move_forward picks these than other moves.
FAVOURED = {"review_pass": 3, "grant": 3, "extend": 2, "suspend": 2, "resume": 2}
WITH_DECISION = frozenset({CaseStatus.DECIDED, CaseStatus.CLOSED, CaseStatus.DELIVERED,
                           CaseStatus.REVOKED})  # revoke only follows a decision


def move_input(action: str, case: Case, complete: bool, extra_workdays: int,
               delivery: str) -> MoveIn:
    """The move with the inputs a clerk or reviewer would give, or with none at all."""
    if not complete:
        return MoveIn(action=action)
    material = case.implementation.materials.filter(
        source="applicant", required=True).order_by("position").first()
    name = material.name if material is not None else "补充材料"
    return MoveIn(
        action=action, reason=f"{action} 的理由",
        supplement_items=[{"material": name, "reason": "缺少平面布局图"}],
        procedure_kind=ProcedureKind.EXPERT_REVIEW,
        extra_workdays=extra_workdays, approver="王局长", delivery_method=delivery,
        tracking_number="SF1234567890" if delivery == DeliveryMethod.POSTAL else "",
        materials=[MaterialIn(name, MaterialKind.UPLOAD, "layout.pdf", pdf_bytes())])


class CaseMachine(RuleBasedStateMachine):
    case: Case
    users: dict[str, User | None]
    clients: dict[str, Client]
    terminal: str | None
    # What each person's case page offered, by the number of the case's events when read:
    # the page changes only with a move, and a refused move changes nothing.
    pages: dict[tuple[str, int], set[str]]

    @initialize()
    def submit(self) -> None:
        self.users = {role: User.objects.get(username=name) for role, name in USERNAMES.items()}
        self.users["system"] = None
        self.clients = {}
        for actor, user in self.users.items():
            if user is not None:
                self.clients[actor] = Client()
                self.clients[actor].force_login(user)
        self.pages = {}
        food = ItemImplementation.objects.get(item__name=FOOD, level=4)
        applicant = self.users["applicant"]
        assert applicant is not None
        self.case = case_submit(implementation_id=food.pk, submitted_by=applicant,
                                form_data=dict(FORM), materials=uploads_for(food),
                                answers=sample_answers(food)).case
        assert self.case.status == CaseStatus.SUBMITTED
        assert self.case.deemed_eligible
        self.terminal = None

    def page_offers(self, actor: str, events: int) -> set[str]:
        """The moves the person's case page shows a form for, read from its HTML."""
        if self.users[actor] is None:
            return set()
        key = (actor, events)
        if key not in self.pages:
            number = self.case.number
            status, forms = offered(self.clients[actor], reverse("cases:detail", args=[number]))
            assert status in (200, 404), (actor, status)
            self.pages[key] = {a for a in PAGE_ACTIONS
                               if reverse("cases:move", args=[number, a]) in forms}
        return self.pages[key]

    def snapshot(self) -> dict[str, Any]:
        case = Case.objects.get(pk=self.case.pk)
        return {
            "status": case.status, "decision": case.decision, "due_at": case.due_at,
            "accepted_at": case.accepted_at, "approval_step": case.approval_step,
            "card": case.card, "events": case.events.count(), "notices": case.notices.count(),
            "materials": case.materials.count(), "procedures": case.procedures.count(),
            "supplements": Supplement.objects.filter(case=case).count(),
            "extensions": Extension.objects.filter(case=case).count(),
        }

    @rule(action=st.sampled_from(sorted(workflow.MOVES)), actor=st.sampled_from(ACTORS),
          complete=st.booleans(), extra_workdays=st.integers(min_value=1, max_value=25),
          delivery=st.sampled_from(DeliveryMethod.values))
    def any_move(self, action: str, actor: str, complete: bool, extra_workdays: int,
                 delivery: str) -> None:
        self.attempt(action, actor, complete, extra_workdays, delivery)

    @rule(data=st.data(), complete=st.booleans(),
          extra_workdays=st.integers(min_value=1, max_value=25),
          delivery=st.sampled_from(DeliveryMethod.values))
    def move_forward(self, data: st.DataObject, complete: bool, extra_workdays: int,
                     delivery: str) -> None:
        """A move the table allows from the current status, by someone holding a role for it,
        never refuse or withdraw (any_move tries those), the review chain favoured over the
        sweep: the walks get deep (grant, extend, close, deliver, revoke)."""
        case = Case.objects.get(pk=self.case.pk)
        actions = sorted(a for a, m in workflow.MOVES.items() if case.status in m.source
                         and a not in ("refuse", "withdraw") for _ in range(FAVOURED.get(a, 1)))
        if not actions:
            event(f"forward: nothing from {case.status}")
            return
        action = data.draw(st.sampled_from(actions), label="action")
        roles = workflow.MOVES[action].roles
        actors = [a for a in ACTORS if roles_on(self.users[a], case) & roles]
        actor = data.draw(st.sampled_from(actors or list(ACTORS)), label="actor")
        self.attempt(action, actor, complete, extra_workdays, delivery)

    @rule(data=st.data(), actor=st.sampled_from([a for a in ACTORS if a != "system"]),
          complete=st.booleans(), extra_workdays=st.integers(min_value=1, max_value=25),
          delivery=st.sampled_from(DeliveryMethod.values))
    def press_offered(self, data: st.DataObject, actor: str, complete: bool,
                      extra_workdays: int, delivery: str) -> None:
        """A person presses one of the buttons their case page shows them now."""
        shown = self.page_offers(actor, Case.objects.get(pk=self.case.pk).events.count())
        if not shown:
            event(f"page: nothing offered to {actor}")
            return
        action = data.draw(st.sampled_from(sorted(shown)), label="offered action")
        self.attempt(action, actor, complete, extra_workdays, delivery)

    def attempt(self, action: str, actor: str, complete: bool, extra_workdays: int,
                delivery: str) -> None:
        case = Case.objects.select_related("implementation").get(pk=self.case.pk)
        user = self.users[actor]
        spec = workflow.MOVES[action]
        before = self.snapshot()
        held = roles_on(user, case) & spec.roles
        # The platform acts "as of" the sweep's moment: after the due date once there is one.
        now = case.due_at + dt.timedelta(days=1) if user is None and case.due_at else None
        # What the case page offers this person, read from its HTML.
        shown = self.page_offers(actor, before["events"])
        was_offered = action in shown
        refusal: DomainError | None = None
        try:
            after_case = case_transition(case_id=case.pk, user=user, now=now,
                                         move=move_input(action, case, complete,
                                                         extra_workdays, delivery))
        except REFUSED as error:
            refusal = error
        if refusal is not None:
            # The page offered it: only the input a person typed may be wrong, never the move.
            assert not (was_offered and isinstance(refusal, (Conflict, NotAllowed))), (
                f"the page offered {action} to {actor} but the service refused: {refusal}")
            self.refused(action, actor, refusal, before, held=bool(held))
            return
        if user is not None and action in PAGE_ACTIONS:
            assert was_offered, f"{actor} made {action}, which the page did not offer: {shown}"
        after = self.snapshot()
        assert before["status"] not in TERMINAL, f"{action} left {before['status']}"
        assert CaseStatus(before["status"]) in spec.source, (action, before["status"])
        assert held, f"{actor} made {action} without the role for it"
        assert after["status"] == (spec.target or before["status"]) == after_case.status
        assert after["events"] == before["events"] + 1
        last = case.events.order_by("-id").first()
        assert last is not None
        assert (last.action, last.from_status, last.to_status) == (
            action, before["status"], after["status"])
        if action == "deem_approved":
            assert after["decision"] == Decision.DEEMED_APPROVED
        event(f"accepted: {action}")
        if after["status"] in TERMINAL and self.terminal is None:
            self.terminal = after["status"]

    def refused(self, action: str, actor: str, error: DomainError, before: dict[str, Any], *,
                held: bool) -> None:
        """A refused move changed nothing, and was refused for the right reason."""
        assert self.snapshot() == before, f"refused {action} by {actor} changed the case"
        if CaseStatus(before["status"]) not in workflow.MOVES[action].source:
            assert isinstance(error, MoveNotAllowed), (action, before, error)
        elif not held:
            assert isinstance(error, NotAllowed), (action, actor, error)
        assert not (action == "deem_approved" and actor == "system"
                    and before["status"] == CaseStatus.ACCEPTED), (
            f"an overdue case on the list was not deemed approved: {error}")
        event(f"refused {action}: {error.code}")  # --hypothesis-show-statistics

    @invariant()
    def case_is_consistent(self) -> None:
        state = self.snapshot()
        case = Case.objects.get(pk=self.case.pk)
        assert state["status"] in CaseStatus.values
        assert bool(state["decision"]) == (state["status"] in WITH_DECISION), state
        if state["decision"]:
            assert state["decision"] in Decision.values
        accepted = case.events.filter(action="accept").exists()
        assert (state["due_at"] is not None) == accepted == (state["accepted_at"] is not None), (
            state, accepted)
        assert state["supplements"] <= 1 and state["extensions"] <= 1, state
        assert case.events.filter(action="ask_supplement").count() <= 1
        assert case.events.filter(action="extend").count() <= 1
        assert case.events.filter(action="submit").count() == 1
        if self.terminal is not None:
            assert state["status"] == self.terminal, (self.terminal, state["status"])
        # The event trail chains: each move starts where the previous one ended.
        trail = list(case.events.exclude(action__in=["submit", "red_card", "recompute_due",
                                                     "verify"])
                     .order_by("id").values_list("from_status", "to_status"))
        status: str = CaseStatus.SUBMITTED
        for source, target in trail:
            assert source == status, trail
            status = target
        assert status == state["status"], (trail, state["status"])


# 70 walks, not 100: reading the pages costs ~15 ms a step; the test stays near 40 s.
CaseMachine.TestCase.settings = settings(
    max_examples=examples(70), stateful_step_count=30, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow])
TestCaseMachine = pytest.mark.django_db(CaseMachine.TestCase)

"""Random walks over joint reviews, through the real services and the real session page.

Each example schedules a session of the test county (自然资源 and 消防 must take part, 人防
attends as 列席) and then, while the clock moves from the scheduling to the session, to just
before the answer deadline and past it, tries the session's moves — 到场签到 and 出具意见 for
any department, the lead department's 出具联合审查意见 and 取消 — as any of the lead
department's reviewer, the invited departments' staff, an uninvited department's reviewer or
the supervisor, with complete or empty inputs; presses the buttons the session page shows;
and runs the deadline sweep. At every step:

- what the page offers a person is read from the HTML they get (the POST forms of the session
  page), not from the predicate it is built with; a move the page offered is never refused
  for its state or the person's role (only what they typed may be wrong), and every move a
  person made was offered (ADR 0013);
- a refused move changes nothing; an accepted one does what it says;
- between steps a concluded session has an opinion from every required department, its
  result and its number; every default has its absence record and comes after the deadline;
  the event trail chains from state to state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.budget import examples
from zhengwu.accounts.models import User
from zhengwu.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.jointreviews import services, sweeps
from zhengwu.jointreviews.models import (
    JointReview,
    JointReviewAbsence,
    JointReviewParticipant,
    Opinion,
    ReviewStatus,
)
from zhengwu.jointreviews.tests.conftest import (
    AFTER_DUE,
    DUE,
    NOW,
    SESSION,
    World,
    make_world,
    schedule_in,
)
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.process.tests.pages import offered

pytestmark = pytest.mark.django_db

S = ReviewStatus
PEOPLE = ("lead", "nature", "fire", "civil", "outsider", "supervisor")
DEPARTMENTS = ("lead", "nature", "fire", "civil", "outsider")
# The clock only moves on: scheduled, the session under way, the last hour, past the deadline.
MOMENTS = (NOW, SESSION + dt.timedelta(minutes=30), DUE - dt.timedelta(hours=1), AFTER_DUE)
OPINIONS = (Opinion.AGREE, Opinion.CONDITIONAL, Opinion.DISAGREE)
REFUSED = (Conflict, NotAllowed, InvalidInput, JointReview.DoesNotExist,
           JointReviewParticipant.DoesNotExist)
# A page move: ("attend" | "answer", department id) or ("close" | "cancel", None).
PageMove = tuple[str, int | None]


class ReviewMachine(RuleBasedStateMachine):
    shared: ClassVar[World | None] = None
    world: World
    review_id: int
    users: dict[str, User]
    clients: dict[str, Client]
    terminal: str | None

    def __init__(self) -> None:
        super().__init__()
        self.moment = 0
        self.traveller = time_machine.travel(MOMENTS[0], tick=False)
        self.clock = self.traveller.start()

    def teardown(self) -> None:
        self.traveller.stop()

    @initialize()
    def schedule(self) -> None:
        world = ReviewMachine.shared
        if world is None or not Department.objects.filter(pk=world.lead.pk,
                                                          name=world.lead.name).exists():
            world = ReviewMachine.shared = make_world()
        self.world = world
        self.users = {"lead": world.lead_reviewer, "nature": world.nature_reviewer,
                      "fire": world.fire_chief, "civil": world.civil_reviewer,
                      "outsider": world.outsider_reviewer, "supervisor": world.supervisor}
        self.clients = {}
        for person, user in self.users.items():
            self.clients[person] = Client()
            self.clients[person].force_login(user)
        review = services.joint_review_schedule(user=world.lead_reviewer, data=schedule_in(
            world, required_department_ids=[world.nature.pk, world.fire.pk],
            optional_department_ids=[world.civil.pk]))
        self.review_id, self.terminal = review.pk, None

    def department(self, name: str) -> int:
        return int(getattr(self.world, name).pk)

    # --- what the page offers ---------------------------------------------------------------

    def page_offers(self, person: str) -> set[PageMove]:
        """The moves the session page shows this person a form for."""
        status, forms = offered(self.clients[person],
                                reverse("jointreviews:detail", args=[self.review_id]))
        assert status in (200, 404), status
        found: set[PageMove] = set()
        for name in DEPARTMENTS:
            department = self.department(name)
            for action in ("attend", "answer"):
                if reverse(f"jointreviews:{action}",
                           args=[self.review_id, department]) in forms:
                    found.add((action, department))
        for action in ("close", "cancel"):
            if reverse(f"jointreviews:{action}", args=[self.review_id]) in forms:
                found.add((action, None))
        return found

    def snapshot(self) -> dict[str, Any]:
        review = JointReview.objects.get(pk=self.review_id)
        return {"status": review.status, "outcome": review.outcome,
                "events": review.events.count(), "absences": review.absences.count(),
                "participants": sorted(review.participants.values_list(
                    "department_id", "attended", "opinion", "defaulted"))}

    # --- rules ------------------------------------------------------------------------------

    @rule(steps=st.integers(min_value=1, max_value=2))
    def time_passes(self, steps: int) -> None:
        if self.moment + 1 < len(MOMENTS):
            self.moment = min(self.moment + steps, len(MOMENTS) - 1)
            self.clock.move_to(MOMENTS[self.moment])
            for person, client in self.clients.items():  # a day later: signed in again
                client.force_login(self.users[person])

    @rule(person=st.sampled_from(PEOPLE), action=st.sampled_from(["attend", "answer"]),
          department=st.sampled_from(DEPARTMENTS), opinion=st.sampled_from(OPINIONS),
          complete=st.booleans(), attended=st.sampled_from([None, True, False]))
    def party_move(self, person: str, action: str, department: str, opinion: str,
                   complete: bool, attended: bool | None) -> None:
        self.attempt(person, (action, self.department(department)), opinion=opinion,
                     complete=complete, attended=attended)

    @rule(data=st.data(), opinion=st.sampled_from(OPINIONS), complete=st.booleans())
    def own_party_move(self, data: st.DataObject, opinion: str, complete: bool) -> None:
        """An invited department's own staff sign in or answer: the walks get to results."""
        person = data.draw(st.sampled_from(["nature", "fire", "civil"]), label="person")
        action = data.draw(st.sampled_from(["attend", "answer", "answer"]), label="action")
        self.attempt(person, (action, self.department(person)), opinion=opinion,
                     complete=complete, attended=None)

    @rule(person=st.sampled_from(PEOPLE), action=st.sampled_from(["close", "close", "cancel"]),
          complete=st.booleans())
    def lead_move(self, person: str, action: str, complete: bool) -> None:
        self.attempt(person, (action, None), opinion="", complete=complete, attended=None)

    @rule(data=st.data(), person=st.sampled_from(PEOPLE), opinion=st.sampled_from(OPINIONS),
          complete=st.booleans())
    def press_offered(self, data: st.DataObject, person: str, opinion: str,
                      complete: bool) -> None:
        """A person presses one of the buttons the session page shows them now."""
        shown = self.page_offers(person)
        if not shown:
            event(f"page: nothing offered to {person}")
            return
        # 取消 ends a walk: pressed here only when nothing else is offered (lead_move tries it).
        choices = sorted((m for m in shown if m[0] != "cancel"), key=str) or sorted(shown, key=str)
        move = data.draw(st.sampled_from(choices), label="offered move")
        self.attempt(person, move, opinion=opinion, complete=complete, attended=None,
                     shown=shown)

    @rule()
    def deadline_sweep(self) -> None:
        before = self.snapshot()
        sweeps.run(MOMENTS[self.moment])
        after = self.snapshot()
        if before["status"] == S.SCHEDULED and MOMENTS[self.moment] > DUE:
            assert after["status"] == S.CONCLUDED, after
            event("sweep concluded")
        else:
            assert after == before, "the sweep touched a session before its deadline"

    def call(self, person: str, move: PageMove, *, opinion: str, complete: bool,
             attended: bool | None) -> JointReview:
        user, (action, department) = self.users[person], move
        if action == "attend":
            assert department is not None
            return services.participant_attend(user=user, review_id=self.review_id,
                                               department_id=department)
        if action == "answer":
            assert department is not None
            return services.participant_answer(
                user=user, review_id=self.review_id, department_id=department,
                opinion=opinion if complete or opinion == Opinion.AGREE else "",
                conditions="消防车道宽度不小于4米" if complete else "",
                reasons="用地性质不符" if complete else "", attended=attended)
        if action == "close":
            return services.joint_review_close(user=user, review_id=self.review_id,
                                               note="牵头部门说明" if complete else "")
        return services.joint_review_cancel(user=user, review_id=self.review_id,
                                            reason="项目暂停" if complete else "")

    def attempt(self, person: str, move: PageMove, *, opinion: str, complete: bool,
                attended: bool | None, shown: set[PageMove] | None = None) -> None:
        if shown is None:
            shown = self.page_offers(person)
        was_offered = move in shown
        before = self.snapshot()
        refusal: Exception | None = None
        try:
            review = self.call(person, move, opinion=opinion, complete=complete,
                               attended=attended)
        except REFUSED as error:
            refusal = error
        if refusal is not None:
            # The page offered it: only the input a person typed may be wrong, never the move.
            assert not (was_offered and not isinstance(refusal, InvalidInput)), (
                f"the page offered {move} to {person} but the service refused: {refusal!r}")
            assert self.snapshot() == before, f"refused {move} by {person} changed the session"
            if before["status"] != S.SCHEDULED:
                # Typed input is checked first (a missing reason), then the state.
                assert isinstance(refusal, (MoveNotAllowed, JointReview.DoesNotExist,
                                            InvalidInput)), (move, before["status"], refusal)
            code = refusal.code if isinstance(refusal, DomainError) else "absent"
            event(f"refused {move[0]}: {code}")
            return
        assert was_offered, f"{person} made {move}, which the page did not offer: {shown}"
        assert before["status"] == S.SCHEDULED, (move, before["status"])
        action, department = move
        after = self.snapshot()
        assert after["events"] > before["events"]
        if department is not None:  # attend, answer
            participant = review.participants.get(department_id=department)
            assert participant.attended if action == "attend" else participant.opinion in OPINIONS
        else:
            assert review.status == (S.CONCLUDED if action == "close" else S.CANCELLED)
        event(f"accepted: {action} by {person}")
        if review.status != S.SCHEDULED and self.terminal is None:
            self.terminal = review.status

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def session_is_consistent(self) -> None:
        review = JointReview.objects.get(pk=self.review_id)
        participants = list(review.participants.all())
        if self.terminal is not None:
            assert review.status == self.terminal, (self.terminal, review.status)
        if review.status != S.SCHEDULED and self.terminal is None:
            self.terminal = review.status  # concluded by the sweep or by the last answer
        if review.status == S.CONCLUDED:
            assert review.outcome and review.result_number and review.concluded_at
            assert all(p.opinion for p in participants if p.required), participants
        else:
            assert not review.outcome and not review.result_number
        defaulted = [p for p in participants if p.defaulted]
        assert all(p.opinion == Opinion.NO_OBJECTION and p.required for p in defaulted)
        assert JointReviewAbsence.objects.filter(review=review).count() == len(defaulted)
        assert not defaulted or (review.concluded_at is not None
                                 and review.concluded_at > review.answer_due_at)
        assert all(p.answered_at is None or p.answered_at <= review.answer_due_at
                   for p in participants if not p.defaulted)
        trail = list(review.events.order_by("id").values_list("action", "from_status",
                                                              "to_status"))
        assert trail[0][0] == "schedule", trail
        status: str = S.SCHEDULED
        for _, source, target in trail[1:]:
            assert source == status, trail
            status = target
        assert status == review.status, (trail, review.status)


ReviewMachine.TestCase.settings = settings(
    max_examples=examples(25), stateful_step_count=20, deadline=None, database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow])
TestReviewMachine = pytest.mark.django_db(ReviewMachine.TestCase)

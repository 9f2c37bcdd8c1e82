"""Random walks over the 一件事 workflow, through the real services and the real pages.

Each example files a fresh 企业开办 bundle (three members: registration first, tax and bank
after it) and then tries any move of bundles.workflow.MOVES as the applicant, the 一件事
window, a department reviewer or the platform, with complete or empty inputs; presses the
buttons the pages show; decides running member cases in their departments (grant or deny, through their approval chains); and runs
the deemed-approval sweep. At every step:

- what the pages offer a person is read from the HTML they get (the POST forms of the 一件事
  window for 受理 / 一次性告知补正 / 不予受理 / 送达, and of the bundle case page for 补正 /
  撤回), not from the predicate the pages are built with; a move the page offered is never
  refused for its state or the person's role (only what they typed may be wrong), and every
  such move a person made was offered (ADR 0013);
- a refused move changes nothing; an accepted one reaches its target state with one event;
- between steps no member case is left decided and unclosed (the bundle closes it by a
  follow-up of the decision), a bundle that finished has no member still running, and the
  bundle's event trail chains from state to state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.budget import examples
from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.bundles import workflow
from zhengwu.bundles.models import (
    Bundle,
    BundleCase,
    BundleCaseStatus,
    BundleMember,
    MemberState,
)
from zhengwu.bundles.selectors import window_queue
from zhengwu.bundles.services import (
    BundleMoveIn,
    MaterialIn,
    SubmitIn,
    bundle_move,
    bundle_submit,
)
from zhengwu.bundles.staff_views import PAGE_SIZE, WINDOW_ACTIONS, WINDOW_TABS
from zhengwu.bundles.tests.conftest import (
    COMPANY,
    MORNING,
    QYKB,
    item_answers_for,
    materials_for,
)
from zhengwu.bundles.tests.test_flow import decide
from zhengwu.cases import sweeps as case_sweeps
from zhengwu.cases.models import Case, CaseStatus, DeliveryMethod
from zhengwu.cases.tests.conftest import pdf_bytes
from zhengwu.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.process.tests.pages import offered

pytestmark = pytest.mark.django_db

S = BundleCaseStatus
ACTORS = ("applicant", "window", "reviewer", "system")
# Three members: 设立登记 first; 税务 and 银行开户 wait for it.
ANSWERS = {"need_seal": "no", "need_invoice": "yes", "has_employees": "no"}
REGISTRATION = "市市场监督管理局"
DEPARTMENTS = (REGISTRATION, "市税务局", "人民银行耒阳支行")
APPLICANT_ACTIONS = ("supplement", "withdraw")
PAGE_ACTIONS = frozenset(WINDOW_ACTIONS) | frozenset(APPLICANT_ACTIONS)
TABS = frozenset(value for value, _ in WINDOW_TABS)
TERMINAL = frozenset({S.REFUSED, S.WITHDRAWN, S.DELIVERED})
ENDED = frozenset({S.FINISHED, S.DELIVERED, S.REFUSED, S.WITHDRAWN})
# A move refused for the person's input, not for the move: allowed after the page offered it.
REFUSED = (Conflict, NotAllowed, InvalidInput, BundleCase.DoesNotExist)
FAVOURED = {"accept": 4, "deliver": 2}
# Every move, 办结 included: the platform's 办结 is refused while a member is still running
# (its guard), so bundles.services.bundle_advance is not what keeps the order.
WALKED = sorted(workflow.MOVES)


def _reviewer(short_name: str) -> User:
    """A reviewer of the department (made once per test database)."""
    name = f"sm-bundle-{Department.objects.get(short_name=short_name).pk}"
    user = User.objects.filter(username=name).first()
    if user is None:
        user = user_create(username=name, password="x-demo-2026-x", kind=UserKind.STAFF,
                           display_name=f"{short_name}审查员")
        role_assign(user=user, role=Role.REVIEWER,
                    department=Department.objects.get(short_name=short_name))
    return User.objects.get(pk=user.pk)


def move_input(action: str, complete: bool, delivery: str) -> BundleMoveIn:
    if not complete:
        return BundleMoveIn(action=action)
    return BundleMoveIn(
        action=action, reason=f"{action} 的理由",
        supplement_items=[{"material": "公司章程", "reason": "缺少全体股东签字"}],
        materials=[MaterialIn(identity="公司章程", file_name="a.pdf", content=pdf_bytes())],
        delivery_method=delivery,
        tracking_number="SF1234567890" if delivery == DeliveryMethod.POSTAL else "")


class BundleMachine(RuleBasedStateMachine):
    number: str
    pk: int
    users: dict[str, User | None]
    clients: dict[str, Client]
    terminal: str | None

    def __init__(self) -> None:
        super().__init__()
        self.traveller = time_machine.travel(MORNING, tick=False)
        self.traveller.start()

    def teardown(self) -> None:
        self.traveller.stop()

    @initialize(delivery=st.sampled_from([DeliveryMethod.ELECTRONIC, DeliveryMethod.WINDOW]))
    def submit(self, delivery: str) -> None:
        self.users = {"applicant": User.objects.get(username="zhangsan"),
                      "window": User.objects.get(username="clerk"),
                      "reviewer": _reviewer(REGISTRATION), "system": None}
        self.clients = {}
        for actor, user in self.users.items():
            if user is not None:
                self.clients[actor] = Client()
                self.clients[actor].force_login(user)
        bundle = Bundle.objects.get(code=QYKB)
        applicant = self.users["applicant"]
        assert applicant is not None
        bundle_case = bundle_submit(submitted_by=applicant, submission=SubmitIn(
            code=QYKB, answers=dict(ANSWERS), form=dict(COMPANY),
            materials=materials_for(bundle, ANSWERS), delivery_method=delivery,
            item_answers=item_answers_for(bundle, ANSWERS))).bundle_case
        self.number, self.pk, self.terminal = bundle_case.number, bundle_case.pk, None
        assert bundle_case.members.count() == len(DEPARTMENTS)

    # --- what the pages offer ---------------------------------------------------------------

    def page_offers(self, actor: str, bundle_case: BundleCase) -> set[str]:
        """The moves the person's pages show a form for: the bundle case page, and the 一件事
        window's tab of the bundle's status (on the page of that tab that lists it)."""
        user = self.users[actor]
        if user is None:
            return set()
        client = self.clients[actor]
        actions = set()
        _, forms = offered(client, reverse("bundles:case", args=[self.number]))
        actions |= {a for a in APPLICANT_ACTIONS
                    if reverse(f"bundles:{a}", args=[self.number]) in forms}
        if bundle_case.status in TABS:
            queue = list(window_queue(user, status=bundle_case.status)
                         .values_list("pk", flat=True))
            page = queue.index(self.pk) // PAGE_SIZE + 1 if self.pk in queue else 1
            status, forms = offered(
                client, f"{reverse('bundles:window')}?status={bundle_case.status}&page={page}")
            assert status in (200, 403), status
            actions |= {a for a in WINDOW_ACTIONS
                        if reverse("bundles:window_move", args=[self.number, a]) in forms}
        return actions

    def snapshot(self) -> dict[str, Any]:
        bundle_case = BundleCase.objects.get(pk=self.pk)
        return {"status": bundle_case.status, "result": bundle_case.result,
                "events": bundle_case.events.count(), "notices": bundle_case.notices.count(),
                "members": sorted(bundle_case.members.values_list("state", "case__status"))}

    # --- rules ------------------------------------------------------------------------------

    @rule(action=st.sampled_from(WALKED), actor=st.sampled_from(ACTORS),
          complete=st.booleans(), delivery=st.sampled_from(DeliveryMethod.values))
    def any_move(self, action: str, actor: str, complete: bool, delivery: str) -> None:
        self.attempt(action, actor, complete, delivery)

    @rule(data=st.data(), complete=st.booleans(),
          delivery=st.sampled_from(DeliveryMethod.values))
    def move_forward(self, data: st.DataObject, complete: bool, delivery: str) -> None:
        """A move the table allows now, by someone holding a role for it, acceptance
        favoured: the walks get to the members' decisions and delivery."""
        bundle_case = BundleCase.objects.get(pk=self.pk)
        actions = sorted(a for a in WALKED if bundle_case.status in workflow.MOVES[a].source
                         for _ in range(FAVOURED.get(a, 1)))
        if not actions:
            event(f"forward: nothing from {bundle_case.status}")
            return
        action = data.draw(st.sampled_from(actions), label="action")
        roles = workflow.MOVES[action].roles
        actors = [a for a in ACTORS if workflow.roles_on(self.users[a], bundle_case) & roles]
        actor = data.draw(st.sampled_from(actors or list(ACTORS)), label="actor")
        self.attempt(action, actor, complete, delivery)

    @rule(data=st.data(), actor=st.sampled_from([a for a in ACTORS if a != "system"]),
          complete=st.booleans(), delivery=st.sampled_from(DeliveryMethod.values))
    def press_offered(self, data: st.DataObject, actor: str, complete: bool,
                      delivery: str) -> None:
        """A person presses one of the buttons their pages show them now."""
        bundle_case = BundleCase.objects.get(pk=self.pk)
        shown = self.page_offers(actor, bundle_case)
        if not shown:
            event(f"pages: nothing offered to {actor} in {bundle_case.status}")
            return
        action = data.draw(st.sampled_from(sorted(shown)), label="offered action")
        self.attempt(action, actor, complete, delivery, shown=shown)

    @rule(data=st.data(), grant=st.booleans())
    def decide_member(self, data: st.DataObject, grant: bool) -> None:
        """A department decides a running member case through its approval chain."""
        running = list(BundleMember.objects.filter(
            bundle_case_id=self.pk, case__status=CaseStatus.ACCEPTED).select_related(
            "department").order_by("position"))
        if not running:
            event("decide: no member running")
            return
        member = data.draw(st.sampled_from(running), label="member")
        decide(member, _reviewer(member.department.short_name),
               action="grant" if grant else "deny", reason="" if grant else "不符合许可条件")
        event(f"decided: {'grant' if grant else 'deny'}")

    @rule()
    def deemed_sweep(self) -> None:
        """The cases sweep, the day after: overdue members on the deemed-approval list are
        decided in bulk and the bundle is told (engine.tell)."""
        later = MORNING + dt.timedelta(days=1)
        with time_machine.travel(later, tick=False):
            case_sweeps.run(later)

    def attempt(self, action: str, actor: str, complete: bool, delivery: str, *,
                shown: set[str] | None = None) -> None:
        bundle_case = BundleCase.objects.get(pk=self.pk)
        user = self.users[actor]
        move = workflow.MOVES[action]
        held = workflow.roles_on(user, bundle_case) & move.roles
        if shown is None:
            shown = self.page_offers(actor, bundle_case)
        was_offered = action in shown
        before = self.snapshot()
        refusal: Exception | None = None
        try:
            after_case = bundle_move(number=self.number, user=user,
                                     move=move_input(action, complete, delivery))
        except REFUSED as error:
            refusal = error
        if refusal is not None:
            # The page offered it: only the input a person typed may be wrong, never the move.
            assert not (was_offered and not isinstance(refusal, InvalidInput)), (
                f"the page offered {action} to {actor} but the service refused: {refusal!r}")
            assert self.snapshot() == before, f"refused {action} by {actor} changed the bundle"
            if before["status"] not in move.source:
                assert isinstance(refusal, MoveNotAllowed), (action, before, refusal)
            elif not held:
                assert isinstance(refusal, (NotAllowed, BundleCase.DoesNotExist)), (
                    action, actor, refusal)
            code = refusal.code if isinstance(refusal, DomainError) else "absent"
            event(f"refused {action}: {code}")
            return
        if user is not None and action in PAGE_ACTIONS:
            assert was_offered, f"{actor} made {action}, which the page did not offer: {shown}"
        assert before["status"] not in TERMINAL, f"{action} left {before['status']}"
        assert before["status"] in move.source, (action, before["status"])
        assert held, f"{actor} made {action} without the role for it"
        after = self.snapshot()
        assert after["status"] == move.target == after_case.status, (action, after)
        assert after["events"] == before["events"] + 1
        last = after_case.events.order_by("-id").first()
        assert last is not None and (last.action, last.from_status, last.to_status) == (
            action, before["status"], after["status"])
        event(f"accepted: {action} by {actor}")
        if after["status"] in TERMINAL and self.terminal is None:
            self.terminal = after["status"]

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def bundle_is_consistent(self) -> None:
        bundle_case = BundleCase.objects.get(pk=self.pk)
        assert bundle_case.status in S.values
        if self.terminal is not None:
            assert bundle_case.status == self.terminal, (self.terminal, bundle_case.status)
        members = list(bundle_case.members.select_related("case"))
        cases = [m.case for m in members]
        # A decision is followed at once by the member's close (the bundle's follow-up).
        assert not [c.number for c in cases if c.status == CaseStatus.DECIDED], [
            (c.number, c.decision) for c in cases]
        if bundle_case.status in (S.FINISHED, S.DELIVERED):
            assert all(m.state in (MemberState.DONE, MemberState.CANCELLED)
                       for m in members), [(m.item_name, m.state) for m in members]
            assert bundle_case.result
        if bundle_case.status == S.IN_PROGRESS:
            assert bundle_case.accepted_at is not None and bundle_case.due_at is not None
        if bundle_case.status in (S.SUBMITTED, S.AWAITING_SUPPLEMENT, S.SUPPLEMENTED):
            assert all(m.state == MemberState.WAITING for m in members)
            assert not Case.objects.filter(pk__in=[c.pk for c in cases],
                                           status=CaseStatus.ACCEPTED).exists()
        # The event trail chains: each move starts where the previous one ended.
        trail = list(bundle_case.events.exclude(action__in=["submit",
                                                           "department_supplement_request"])
                     .order_by("id").values_list("from_status", "to_status"))
        status: str = S.SUBMITTED
        for source, target in trail:
            assert source == status, trail
            status = target
        assert status == bundle_case.status, (trail, bundle_case.status)
        assert bundle_case.status not in ENDED or bundle_case.finished_at is not None


BundleMachine.TestCase.settings = settings(
    max_examples=examples(25), stateful_step_count=15, deadline=None, database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow])
TestBundleMachine = pytest.mark.django_db(BundleMachine.TestCase)

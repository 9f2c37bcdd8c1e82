"""一件事 through the services, on the Leiyang pack's 企业开办 bundle and the real calendar:
fan-out, dependencies, parallel approval, one supplement notice, a refusal, one delivery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from zhengwu.bundles.models import (
    BundleCase,
    BundleCaseStatus,
    BundleNoticeKind,
    BundleResult,
    MemberState,
)
from zhengwu.bundles.services import (
    BundleMoveIn,
    MaterialIn,
    bundle_move,
    elapsed_workdays,
    supplement_request,
)
from zhengwu.bundles.sweeps import run as bundles_sweep
from zhengwu.bundles.tests.conftest import MORNING
from zhengwu.cases import sweeps as case_sweeps
from zhengwu.cases.models import Case, CaseStatus, Decision
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.conftest import pdf_bytes
from zhengwu.core.errors import InvalidInput
from zhengwu.notifications.models import OutboxItem
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db
REGISTRATION = "市市场监督管理局"


def members(bundle_case: BundleCase) -> dict[str, Any]:
    return {
        m.department.short_name: m for m in bundle_case.members.select_related("case", "department")
    }


def decide(member: Any, reviewer: Any, action: str = "grant", reason: str = "") -> Case:
    """Walk the member case through its approval chain and decide."""
    case = Case.objects.get(pk=member.case_id)
    chain = case.implementation.approval_chain or ["承办", "审核", "批准"]
    # Different people pass consecutive steps (same-person rule): use the reviewer for the
    # first pass and the platform-independent decision after.
    for step in range(len(chain) - 1):
        user = reviewer if step % 2 == 0 else _second(reviewer)
        case = case_transition(case_id=case.pk, user=user, move=MoveIn(action="review_pass"))
    return case_transition(
        case_id=case.pk,
        user=_second(reviewer) if len(chain) % 2 == 0 else reviewer,
        move=MoveIn(action=action, reason=reason),
    )


def _second(reviewer: Any) -> Any:
    from zhengwu.accounts.models import User, UserKind
    from zhengwu.accounts.roles import Role
    from zhengwu.accounts.services import role_assign, user_create

    name = f"{reviewer.username}-b"
    user = User.objects.filter(username=name).first()
    if user is None:
        user = user_create(username=name, password="x-demo-2026-x", kind=UserKind.STAFF)
        assignment = reviewer.role_assignments.first()
        role_assign(user=user, role=Role.REVIEWER, department=assignment.department)
    return user


@time_machine.travel(MORNING, tick=False)
def test_submission_fans_out_one_member_case_per_department(submit_qykb: Any) -> None:
    bundle_case = submit_qykb()
    assert bundle_case.status == BundleCaseStatus.SUBMITTED
    assert bundle_case.number.startswith("YJ43048120261201")
    found = members(bundle_case)
    assert len(found) == 6
    assert set(found) >= {REGISTRATION, "市公安局", "市税务局", "人民银行耒阳支行"}
    for member in found.values():
        case = member.case
        assert case.bundle_number == bundle_case.number
        assert case.status == CaseStatus.SUBMITTED
        assert case.department.short_name == member.department.short_name
        # In the bundle every member promises half a working day (plan measure [12]).
        assert case.promised_workdays == Decimal("0.5")
    # The company name is entered once and reaches every department under its own key.
    assert found["市税务局"].case.form_data["taxpayer_name"] == "耒阳市创业科技有限公司"
    assert found["人民银行耒阳支行"].case.form_data["account_name"] == "耒阳市创业科技有限公司"
    # ≤ 3 steps, ≤ 6 materials, and materials de-duplicated.
    assert bundle_case.steps <= 3
    assert bundle_case.materials_after <= 6
    assert bundle_case.materials_before > bundle_case.materials_after
    # The applicant is told once, not six times.
    assert (
        OutboxItem.objects.filter(
            channel="inapp", recipient=bundle_case.applicant, subject="申请已提交"
        ).count()
        == 0
    )
    assert (
        OutboxItem.objects.filter(
            channel="inapp", recipient=bundle_case.applicant, subject="一件事申请已提交"
        ).count()
        == 1
    )


def test_answers_decide_the_member_items(submit_qykb: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        bundle_case = submit_qykb(
            answers={"need_seal": "no", "need_invoice": "yes", "has_employees": "no"}
        )
    assert set(members(bundle_case)) == {REGISTRATION, "市税务局", "人民银行耒阳支行"}
    assert bundle_case.answers == {"need_seal": "no", "need_invoice": "yes", "has_employees": "no"}


@time_machine.travel(MORNING, tick=False)
def test_bad_answers_form_and_materials_are_refused_whole(submit_qykb: Any) -> None:
    before = BundleCase.objects.count(), Case.objects.count()
    with pytest.raises(InvalidInput) as error:
        submit_qykb(answers={"need_seal": "maybe"})
    assert error.value.code == "bundle.answers_invalid"
    with pytest.raises(InvalidInput) as error:
        submit_qykb(form={"applicant_name": "孙创业"})
    assert error.value.code == "bundle.form_invalid"
    # The bundle's own fields only: the company's facts come from item_answers (FACTS).
    assert "phone" in error.value.message and "company_name" not in error.value.message
    with pytest.raises(InvalidInput) as error:
        submit_qykb(materials=[])
    assert error.value.code == "bundle.materials_missing"
    assert (BundleCase.objects.count(), Case.objects.count()) == before


@time_machine.travel(MORNING, tick=False)
def test_the_whole_bundle_inside_one_working_day(
    submit_qykb: Any, clerk: Any, reviewers: Any, applicant: Any
) -> None:
    bundle_case = submit_qykb()
    bundle_case = bundle_move(
        number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept")
    )
    assert bundle_case.status == BundleCaseStatus.IN_PROGRESS
    # One working day from 09:00 on Tuesday: the end of Wednesday (start day not counted).
    assert bundle_case.due_at is not None
    assert bundle_case.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 12, 2)
    found = members(bundle_case)
    # Registration runs first; the others wait for it, not for each other.
    assert found[REGISTRATION].state == MemberState.RUNNING
    assert found[REGISTRATION].case.status == CaseStatus.ACCEPTED
    # Half a day started in the morning session ends at the end of the afternoon session.
    assert found[REGISTRATION].case.due_at.astimezone(SHANGHAI) == dt.datetime(
        2026, 12, 1, 17, 30, tzinfo=SHANGHAI
    )
    for name in ("市公安局", "市税务局", "人民银行耒阳支行"):
        assert found[name].state == MemberState.WAITING
        assert found[name].case.status == CaseStatus.SUBMITTED
    # A waiting member cannot be decided or accepted on its own.
    with pytest.raises(MoveNotAllowed):
        case_transition(case_id=found["市公安局"].case_id, user=clerk, move=MoveIn(action="accept"))
    decide(found[REGISTRATION], reviewers[REGISTRATION])
    found = members(BundleCase.objects.get(pk=bundle_case.pk))
    assert found[REGISTRATION].state == MemberState.DONE
    assert found[REGISTRATION].case.status == CaseStatus.CLOSED
    others = [m for name, m in found.items() if name != REGISTRATION]
    assert all(m.state == MemberState.RUNNING for m in others)
    assert all(m.case.status == CaseStatus.ACCEPTED for m in others)
    for member in others:
        decide(member, reviewers[member.department.short_name])
    bundle_case = BundleCase.objects.get(pk=bundle_case.pk)
    # All finished → the bundle finishes and, chosen electronic delivery, is delivered once.
    assert bundle_case.status == BundleCaseStatus.DELIVERED
    assert bundle_case.result == BundleResult.ALL_GRANTED
    elapsed = elapsed_workdays(bundle_case)
    assert elapsed is not None
    assert elapsed <= 1
    assert all(m.case.status == CaseStatus.DELIVERED for m in members(bundle_case).values())
    kinds = list(bundle_case.notices.values_list("kind", flat=True))
    assert kinds == [BundleNoticeKind.ACCEPTANCE, BundleNoticeKind.COMPLETION]
    assert (
        OutboxItem.objects.filter(
            channel="inapp", recipient=applicant, subject__contains="一次送达"
        ).count()
        == 1
    )


@time_machine.travel(MORNING, tick=False)
def test_one_supplement_notice_gathers_every_department(
    submit_qykb: Any, clerk: Any, reviewers: Any, applicant: Any
) -> None:
    bundle_case = submit_qykb()
    found = members(bundle_case)
    supplement_request(
        user=reviewers["市税务局"],
        case_id=found["市税务局"].case_id,
        items=[{"material": "经营场所照片", "reason": "无法核实经营场所"}],
    )
    with pytest.raises(InvalidInput):  # another department's member case: 404
        supplement_request(
            user=reviewers["市税务局"],
            case_id=found["市公安局"].case_id,
            items=[{"material": "x", "reason": "y"}],
        )
    bundle_case = bundle_move(
        number=bundle_case.number,
        user=clerk,
        move=BundleMoveIn(
            action="ask_supplement",
            supplement_items=[{"material": "公司章程", "reason": "缺少全体股东签字"}],
        ),
    )
    assert bundle_case.status == BundleCaseStatus.AWAITING_SUPPLEMENT
    notices = list(bundle_case.notices.all())
    assert [n.kind for n in notices] == [BundleNoticeKind.SUPPLEMENT]
    assert {i["material"] for i in notices[0].content["items"]} == {"公司章程", "经营场所照片"}
    # The member cases wait for the supplement, but issued no notices of their own.
    for member in members(bundle_case).values():
        assert member.case.status == CaseStatus.AWAITING_SUPPLEMENT
        assert not member.case.notices.exists()
    # Asked once: no second notice.
    with pytest.raises(Exception):  # noqa: B017,PT011 — a Conflict of the bundle workflow
        bundle_move(
            number=bundle_case.number,
            user=clerk,
            move=BundleMoveIn(
                action="ask_supplement", supplement_items=[{"material": "x", "reason": "y"}]
            ),
        )
    bundle_case = bundle_move(
        number=bundle_case.number,
        user=applicant,
        move=BundleMoveIn(
            action="supplement",
            materials=[
                MaterialIn(identity="公司章程", file_name="a.pdf", content=pdf_bytes()),
                MaterialIn(identity="经营场所照片", file_name="b.pdf", content=pdf_bytes()),
            ],
        ),
    )
    assert bundle_case.status == BundleCaseStatus.SUPPLEMENTED
    for member in members(bundle_case).values():
        assert member.case.status == CaseStatus.SUPPLEMENTED
        assert member.case.materials.filter(supplement=True).count() == 2
    bundle_case = bundle_move(
        number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept")
    )
    assert bundle_case.status == BundleCaseStatus.IN_PROGRESS


@time_machine.travel(MORNING, tick=False)
def test_a_refused_prerequisite_ends_its_dependents(
    submit_qykb: Any, clerk: Any, reviewers: Any, applicant: Any
) -> None:
    bundle_case = submit_qykb(delivery_method="window")
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    found = members(bundle_case)
    decide(
        found[REGISTRATION],
        reviewers[REGISTRATION],
        action="deny",
        reason="经营范围含需前置审批的项目",
    )
    bundle_case = BundleCase.objects.get(pk=bundle_case.pk)
    found = members(bundle_case)
    assert found[REGISTRATION].case.decision == Decision.DENIED
    others = [m for name, m in found.items() if name != REGISTRATION]
    assert all(m.state == MemberState.CANCELLED for m in others)
    assert all(m.case.status == CaseStatus.WITHDRAWN for m in others)
    assert bundle_case.status == BundleCaseStatus.FINISHED
    assert bundle_case.result == BundleResult.NONE_GRANTED
    assert (
        OutboxItem.objects.filter(
            channel="inapp", recipient=applicant, subject="一件事中有事项未获准予"
        ).count()
        == 1
    )
    # One delivery at the window, for what was decided.
    bundle_case = bundle_move(
        number=bundle_case.number,
        user=clerk,
        move=BundleMoveIn(action="deliver", delivery_method="window"),
    )
    assert bundle_case.status == BundleCaseStatus.DELIVERED


@time_machine.travel(MORNING, tick=False)
def test_a_member_refusal_leaves_the_others_to_finish(
    submit_qykb: Any, clerk: Any, reviewers: Any
) -> None:
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    decide(members(bundle_case)[REGISTRATION], reviewers[REGISTRATION])
    for name, member in members(bundle_case).items():
        if name == REGISTRATION:
            continue
        decide(
            member,
            reviewers[name],
            action="deny" if name == "市税务局" else "grant",
            reason="经营地址与登记不符" if name == "市税务局" else "",
        )
    bundle_case = BundleCase.objects.get(pk=bundle_case.pk)
    assert bundle_case.result == BundleResult.PARTLY_GRANTED
    assert bundle_case.status == BundleCaseStatus.DELIVERED


@time_machine.travel(MORNING, tick=False)
def test_the_platform_cannot_finish_a_bundle_with_members_running(
    submit_qykb: Any, clerk: Any, reviewers: Any
) -> None:
    # 办结 is guarded by the table itself, not only by the order bundle_advance keeps.
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    decide(members(bundle_case)[REGISTRATION], reviewers[REGISTRATION])
    events = bundle_case.events.count()
    with pytest.raises(MoveNotAllowed) as error:
        bundle_move(number=bundle_case.number, user=None, move=BundleMoveIn(action="finish"))
    assert error.value.code == "bundle.members_running"
    assert "企业银行账户开立" in error.value.message
    bundle_case = BundleCase.objects.get(pk=bundle_case.pk)
    assert bundle_case.status == BundleCaseStatus.IN_PROGRESS
    assert bundle_case.events.count() == events


def test_deemed_members_move_the_bundle_on(submit_qykb: Any, clerk: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        bundle_case = submit_qykb()
        bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    # Registration is on the deemed-approval list: past its half-day deadline the cases sweep
    # decides it in bulk and tells the bundle (engine.tell), which closes the member and
    # starts the others in the same sweep — no bundles sweep needed (ADR 0013).
    later = dt.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        case_sweeps.run(later)
    found = members(BundleCase.objects.get(pk=bundle_case.pk))
    registration = found[REGISTRATION].case
    assert registration.decision == Decision.DEEMED_APPROVED
    assert registration.status == CaseStatus.CLOSED
    assert found[REGISTRATION].state == MemberState.DONE
    assert all(m.state == MemberState.RUNNING for n, m in found.items() if n != REGISTRATION)
    # The member's applicant hears from the bundle, not from each member case.
    assert not OutboxItem.objects.filter(dedupe_key__startswith=f"case:{registration.pk}:")\
        .exists()
    with time_machine.travel(later, tick=False):
        bundles_sweep(later)  # nothing left for it: idempotent
    assert registration.events.filter(action="close").count() == 1


def test_an_unanswered_bundle_is_accepted_by_law(submit_qykb: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        bundle_case = submit_qykb()
    later = dt.datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        case_sweeps.run(later)  # members are left to the bundle
        assert all(m.case.status == CaseStatus.SUBMITTED for m in members(bundle_case).values())
        bundles_sweep(later)
        bundles_sweep(later)
    bundle_case = BundleCase.objects.get(pk=bundle_case.pk)
    assert bundle_case.status == BundleCaseStatus.IN_PROGRESS
    assert bundle_case.accepted_at == MORNING
    assert bundle_case.events.filter(action="accept").count() == 1


@time_machine.travel(MORNING, tick=False)
def test_idempotent_submission(submit_qykb: Any) -> None:
    first = submit_qykb(idempotency_key="k-1")
    again = submit_qykb(idempotency_key="k-1")
    assert first.pk == again.pk
    assert Case.objects.filter(bundle_number=first.number).count() == 6


@time_machine.travel(MORNING, tick=False)
def test_qykb_kpi_shows_the_plan_limits_met(submit_qykb: Any, clerk: Any, reviewers: Any,
                                             qykb: Any) -> None:
    from zhengwu.bundles.selectors import bundle_kpi

    before = bundle_kpi(qykb)
    assert before.all_passed is None  # no finished case yet: no verdict
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    decide(members(bundle_case)[REGISTRATION], reviewers[REGISTRATION])
    for name, member in members(bundle_case).items():
        if name != REGISTRATION:
            decide(member, reviewers[name])
    kpi = bundle_kpi(qykb)
    assert kpi.finished == 1
    assert kpi.in_time_share == 100
    assert [c.label for c in kpi.checks][:3] == ["环节", "申请材料（去重后）", "办结时间（全部办件）"]
    assert kpi.all_passed is True


def test_the_kpi_of_every_bundle_costs_a_fixed_number_of_queries(
        django_assert_max_num_queries: Any) -> None:
    from zhengwu.bundles.selectors import bundle_kpis

    with django_assert_max_num_queries(12):
        every = bundle_kpis(with_cases_or_limits=False)
    assert len(every) == 268


@time_machine.travel(MORNING, tick=False)
def test_a_submission_that_fails_after_storing_files_leaves_none(
        submit_qykb: Any, settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    """Rows roll back with the transaction; the files written before the fault must go too
    (quality.md #3), or storage fills with uploads nobody can see."""
    from zhengwu.bundles import services

    settings.MEDIA_ROOT = str(tmp_path)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("fault injected after the uploads were stored")

    monkeypatch.setattr(services, "_tell", fail)
    with pytest.raises(RuntimeError):
        submit_qykb()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@time_machine.travel(MORNING, tick=False)
def test_a_supplement_that_fails_after_storing_files_leaves_none(
        submit_qykb: Any, clerk: Any, settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from zhengwu.bundles import services

    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk,
                move=BundleMoveIn(action="ask_supplement", supplement_items=[
                    {"material": "公司章程", "reason": "缺少全体股东签字"}]))
    settings.MEDIA_ROOT = str(tmp_path)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("fault injected after the uploads were stored")

    monkeypatch.setattr(services, "_bundle_event", fail)
    with pytest.raises(RuntimeError):
        bundle_move(number=bundle_case.number, user=bundle_case.submitted_by,
                    move=BundleMoveIn(action="supplement", materials=[
                        MaterialIn(identity="公司章程", file_name="scan.pdf",
                                   content=pdf_bytes())]))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@time_machine.travel(MORNING, tick=False)
def test_a_decided_member_is_closed_after_its_decision_not_inside_it(
    submit_qykb: Any, clerk: Any, reviewers: Any, monkeypatch: Any
) -> None:
    """The bundle closes a decided member, starts the waiting ones and finishes itself as
    follow-ups the engine runs after the decision (ADR 0013), never by a case move made
    while a case move's handler or listeners are still running."""
    from zhengwu.cases.services import CASE_PROCESS
    from zhengwu.process import engine

    bundle_case = submit_qykb(answers={"need_seal": "no", "need_invoice": "no",
                                       "has_employees": "no"})
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    inside: list[str] = []
    nested: list[tuple[str, ...]] = []
    made: list[str] = []

    def within(label: str, function: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            inside.append(label)
            try:
                return function(*args, **kwargs)
            finally:
                inside.pop()
        return wrapped

    for action, handler in list(CASE_PROCESS.handlers.items()):
        monkeypatch.setitem(CASE_PROCESS.handlers, action, within(f"handler:{action}", handler))
    listeners = list(CASE_PROCESS.listeners)
    real = engine.transition

    def spy(process: Any, key: Any, user: Any, move_in: Any, **kwargs: Any) -> Any:
        made.append(f"{process.table.name}:{process.action_of(move_in)}")
        if process is CASE_PROCESS and inside:
            nested.append((*inside, made[-1]))
        return real(process, key, user, move_in, **kwargs)

    monkeypatch.setattr(engine, "transition", spy)
    CASE_PROCESS.listeners[:] = [within("listener", listener) for listener in listeners]
    try:
        for member in members(bundle_case).values():
            decide(member, reviewers[member.department.short_name])
    finally:
        CASE_PROCESS.listeners[:] = listeners
    assert not nested, nested
    bundle_case = BundleCase.objects.get(pk=bundle_case.pk)
    assert bundle_case.status == BundleCaseStatus.DELIVERED
    # The close follows the decision that caused it.
    assert made.index("case:close") == made.index("case:grant") + 1

"""Joint review services [16][20]: scheduling and its validation, attendance, each kind of
opinion, the combined result, the lead department's close and cancel, and the refusals —
each refusal leaves nothing written."""

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.cases.services import case_submit
from zhengwu.cases.tests.conftest import sample_answers
from zhengwu.catalog.models import ItemImplementation, ServiceItem
from zhengwu.core.errors import Conflict, InvalidInput, NotAllowed
from zhengwu.core.models import AuditEvent
from zhengwu.jointreviews import services, workflow
from zhengwu.jointreviews.models import (
    AbsenceKind,
    JointReview,
    JointReviewAbsence,
    JointReviewEvent,
    JointReviewParticipant,
    Opinion,
    Outcome,
    ReviewStatus,
)
from zhengwu.jointreviews.tests.conftest import AFTER_DUE, DUE, NOW, SESSION, schedule_in
from zhengwu.notifications.models import OutboxItem
from zhengwu.process.spec import MoveNotAllowed

pytestmark = pytest.mark.django_db


def answer(user, review, department, opinion, **kwargs):
    return services.participant_answer(user=user, review_id=review.pk,
                                       department_id=department.pk, opinion=opinion, **kwargs)


def refused(error_type, code, call):
    """`call` raises `error_type` with `code`, and writes no session, event or audit row."""
    counts = (JointReview.objects.count(), JointReviewEvent.objects.count(),
              AuditEvent.objects.count(), OutboxItem.objects.count())
    with pytest.raises(error_type) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert (JointReview.objects.count(), JointReviewEvent.objects.count(),
            AuditEvent.objects.count(), OutboxItem.objects.count()) == counts
    return caught.value


# --- scheduling -----------------------------------------------------------------------------


def test_schedule_invites_departments_computes_the_deadline_and_tells_their_staff(world,
                                                                                  schedule):
    review = schedule()
    assert review.number == f"LS2026{int(review.number[6:]):06d}"
    assert review.status == ReviewStatus.SCHEDULED
    assert review.starts_at == SESSION
    # 3 working days after Tuesday's session: the end of Friday, not counting the session day.
    assert review.answer_due_at == DUE
    assert review.answer_workdays == Decimal(3)
    assert review.due_provisional is False
    participants = list(review.participants.order_by("id"))
    assert [p.department for p in participants] == [world.nature, world.fire, world.civil]
    assert all(p.required and not p.opinion and p.attended is None for p in participants)
    event = review.events.get()
    assert (event.action, event.to_status, event.actor) == ("schedule", "scheduled",
                                                            world.lead_reviewer)
    assert AuditEvent.objects.filter(action="jointreviews.schedule",
                                     object_id=str(review.pk)).count() == 1
    told = set(OutboxItem.objects.filter(category="joint_review").values_list("recipient",
                                                                              flat=True))
    assert told == {world.nature_reviewer.pk, world.fire_chief.pk, world.civil_reviewer.pk}
    message = OutboxItem.objects.filter(recipient=world.fire_chief).get()
    assert "缺席默认" in message.body and message.link == f"/staff/joint-reviews/{review.pk}/"


def test_schedule_with_a_fixed_deadline_and_optional_departments(world, schedule):
    due = SESSION + dt.timedelta(days=2)
    review = schedule(answer_workdays=None, answer_due_at=due,
                      required_department_ids=[world.nature.pk],
                      optional_department_ids=[world.fire.pk], kind="drawing_review")
    assert review.answer_due_at == due and review.answer_workdays is None
    assert review.get_kind_display() == "联合审图"
    assert {(p.department_id, p.required) for p in review.participants.all()} == {
        (world.nature.pk, True), (world.fire.pk, False)}


def test_lead_must_be_a_department(world, schedule):
    error = refused(InvalidInput, "joint_review.lead_department",
                    lambda: schedule(lead_department_id=987654321))
    assert "牵头部门" in error.message and error.http_status == 422


def test_only_the_lead_departments_staff_may_schedule(world, schedule):
    refused(NotAllowed, "joint_review.forbidden", lambda: schedule(user=world.nature_reviewer))
    refused(NotAllowed, "joint_review.forbidden", lambda: schedule(user=world.supervisor))


@pytest.mark.parametrize(("overrides", "code"), [
    ({"required_department_ids": []}, "joint_review.no_required"),
    ({"required_department_ids": [], "optional_department_ids": [1]}, "joint_review.no_required"),
    ({"title": "  "}, "joint_review.title"),
    ({"place": ""}, "joint_review.place"),
    ({"kind": "inspection"}, "joint_review.kind"),
    ({"answer_workdays": None}, "joint_review.deadline_required"),
    ({"answer_due_at": SESSION + dt.timedelta(days=1)}, "joint_review.deadline_required"),
    ({"answer_workdays": None, "answer_due_at": SESSION}, "joint_review.deadline_before_session"),
    ({"answer_workdays": None, "answer_due_at": SESSION - dt.timedelta(hours=1)},
     "joint_review.deadline_before_session"),
    ({"answer_workdays": Decimal("0.3")}, "joint_review.workdays"),
    ({"answer_workdays": Decimal(0)}, "joint_review.workdays"),
    ({"answer_workdays": Decimal(61)}, "joint_review.workdays"),
    ({"starts_at": NOW - dt.timedelta(minutes=1)}, "joint_review.session_in_past"),
    ({"starts_at": NOW + dt.timedelta(days=1000)}, "joint_review.session_too_far"),
    ({"case_number": "43048120260302000001"}, "joint_review.unknown_case"),
    ({"case_number": "not-a-number"}, "joint_review.unknown_case"),
    ({"bundle_number": "一件事/1"}, "joint_review.bundle_number"),
])
def test_schedule_refuses_bad_input(world, schedule, overrides, code):
    error = refused(InvalidInput, code, lambda: schedule(**overrides))
    assert error.http_status == 422
    assert error.message  # a Chinese sentence for people


def test_departments_must_exist_and_be_invited_once(world, schedule):
    refused(InvalidInput, "joint_review.unknown_department",
            lambda: schedule(required_department_ids=[world.nature.pk, 987654321]))
    refused(InvalidInput, "joint_review.duplicate_department",
            lambda: schedule(optional_department_ids=[world.nature.pk]))
    # The same department twice in one list counts once.
    review = schedule(required_department_ids=[world.nature.pk, world.nature.pk])
    assert review.participants.count() == 1


def test_a_session_refers_to_a_case_the_lead_may_see_and_to_a_bundle_number(world, schedule):
    item = ServiceItem.objects.create(basic_code="439999990001", name="建设工程消防验收",
                                      item_type="01", audience=["2"], legal_basis="《消防法》")
    impl = ItemImplementation.objects.create(
        item=item, code=world.lead.uscc + "4" + item.basic_code, department=world.lead,
        region=world.county, level=4, status="published", version=1,
        promised_limit_workdays=Decimal(10), legal_limit_workdays=Decimal(20), online_depth=4,
        trips=0, approval_chain=["批准"])
    case = case_submit(implementation_id=impl.pk, submitted_by=world.applicant, materials=[],
                       answers=sample_answers(impl),
                       form_data={"applicant_name": "张三", "id_number": "430481198808081015",
                                  "phone": "13900000009"}).case
    review = schedule(case_number=case.number, bundle_number="LY-QYKB-2026-0001")
    assert review.case == case and review.bundle_number == "LY-QYKB-2026-0001"
    # Another department cannot refer to a case it may not see.
    refused(InvalidInput, "joint_review.unknown_case", lambda: services.joint_review_schedule(
        user=world.nature_reviewer, data=schedule_in(world, lead_department_id=world.nature.pk,
                                                     required_department_ids=[world.fire.pk],
                                                     case_number=case.number)))


# --- attendance and opinions ----------------------------------------------------------------


def test_attendance_is_recorded_from_the_start_of_the_session(world, schedule, frozen):
    review = schedule()
    attend = lambda: services.participant_attend(  # noqa: E731
        user=world.fire_chief, review_id=review.pk, department_id=world.fire.pk)
    refused(Conflict, "joint_review.not_started", attend)
    frozen.move_to(SESSION)
    attend()
    participant = review.participants.get(department=world.fire)
    assert participant.attended is True and not participant.opinion
    assert review.events.filter(action="attend", department=world.fire).count() == 1
    refused(Conflict, "joint_review.already_attended", attend)


@pytest.mark.parametrize(("opinion", "kwargs", "stored"), [
    ("agree", {}, ("", "")),
    ("agree", {"conditions": "忽略", "reasons": "忽略"}, ("", "")),
    ("conditional", {"conditions": "消防车道宽度调整为4米"}, ("消防车道宽度调整为4米", "")),
    ("disagree", {"reasons": "占用基本农田"}, ("", "占用基本农田")),
])
def test_each_kind_of_opinion(world, schedule, frozen, opinion, kwargs, stored):
    review = schedule()
    frozen.move_to(SESSION + dt.timedelta(hours=1))
    answer(world.nature_reviewer, review, world.nature, opinion, attended=True, **kwargs)
    participant = review.participants.get(department=world.nature)
    assert participant.opinion == opinion
    assert (participant.conditions, participant.reasons) == stored
    assert participant.attended is True and participant.defaulted is False
    assert participant.answered_by == world.nature_reviewer
    assert participant.answered_at == SESSION + dt.timedelta(hours=1)
    event = review.events.get(action="answer")
    assert event.department == world.nature and event.data["opinion"] == opinion
    review.refresh_from_db()
    assert review.status == ReviewStatus.SCHEDULED  # two more departments to answer


@pytest.mark.parametrize(("opinion", "kwargs", "code"), [
    ("conditional", {}, "joint_review.conditions"),
    ("conditional", {"conditions": "   "}, "joint_review.conditions"),
    ("disagree", {"conditions": "不是理由"}, "joint_review.reasons"),
    ("maybe", {}, "joint_review.opinion"),
    ("no_objection", {}, "joint_review.opinion"),  # only the platform records no objection
])
def test_an_opinion_needs_its_conditions_or_reasons(world, schedule, opinion, kwargs, code):
    review = schedule()
    refused(InvalidInput, code, lambda: answer(world.nature_reviewer, review, world.nature,
                                               opinion, **kwargs))
    assert not review.participants.get(department=world.nature).opinion


def test_a_written_opinion_before_the_session_cannot_claim_attendance(world, schedule):
    review = schedule()
    refused(InvalidInput, "joint_review.not_started",
            lambda: answer(world.nature_reviewer, review, world.nature, "agree", attended=True))
    answer(world.nature_reviewer, review, world.nature, "agree", attended=False)
    assert review.participants.get(department=world.nature).attended is False


def test_a_department_answers_once_and_only_for_itself(world, schedule):
    review = schedule()
    refused(NotAllowed, "joint_review.forbidden",
            lambda: answer(world.nature_reviewer, review, world.fire, "agree"))
    refused(NotAllowed, "joint_review.forbidden",
            lambda: answer(world.lead_reviewer, review, world.fire, "agree"))
    answer(world.nature_reviewer, review, world.nature, "agree")
    refused(Conflict, "joint_review.already_answered",
            lambda: answer(world.nature_reviewer, review, world.nature, "disagree",
                           reasons="改变主意"))


def test_an_uninvited_department_is_not_found(world, schedule):
    review = schedule()
    with pytest.raises(JointReviewParticipant.DoesNotExist):
        answer(world.lead_reviewer, review, world.outsider, "agree")
    with pytest.raises(JointReview.DoesNotExist):  # the session itself is hidden from it
        answer(world.outsider_reviewer, review, world.outsider, "agree")


def test_no_answer_after_the_deadline_even_before_the_sweep(world, schedule, frozen):
    review = schedule()
    frozen.move_to(DUE + dt.timedelta(seconds=1))
    error = refused(Conflict, "joint_review.deadline_passed",
                    lambda: answer(world.nature_reviewer, review, world.nature, "agree"))
    assert "视为无意见" in error.message and error.http_status == 409


# --- the combined result --------------------------------------------------------------------


@pytest.mark.parametrize(("opinions", "outcome"), [
    (["agree", "agree", "agree"], Outcome.PASSED),
    (["agree", "no_objection"], Outcome.PASSED),
    (["no_objection", "no_objection"], Outcome.PASSED),
    (["agree", "conditional", "no_objection"], Outcome.CONDITIONAL),
    (["conditional", "disagree", "agree"], Outcome.FAILED),
    (["disagree", "no_objection"], Outcome.FAILED),
])
def test_combined_outcome_rules(opinions, outcome):
    assert workflow.combined_outcome(opinions) == outcome


@pytest.mark.parametrize(("answers", "outcome"), [
    ((("agree", {}), ("agree", {}), ("agree", {})), Outcome.PASSED),
    ((("agree", {}), ("conditional", {"conditions": "增设喷淋"}), ("agree", {})),
     Outcome.CONDITIONAL),
    ((("conditional", {"conditions": "增设喷淋"}), ("disagree", {"reasons": "防空地下室面积不足"}),
      ("agree", {})), Outcome.FAILED),
])
def test_the_last_required_answer_issues_the_combined_result(world, schedule, frozen, answers,
                                                             outcome):
    review = schedule()
    frozen.move_to(SESSION + dt.timedelta(hours=2))
    people = [(world.nature_reviewer, world.nature), (world.fire_chief, world.fire),
              (world.civil_reviewer, world.civil)]
    for (user, department), (opinion, kwargs) in zip(people, answers, strict=True):
        answer(user, review, department, opinion, **kwargs)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONCLUDED and review.outcome == outcome
    assert review.concluded_at == SESSION + dt.timedelta(hours=2)
    assert review.result_number == f"测联联审〔2026〕{review.result_number.split('〕')[1]}"
    conclude = review.events.get(action="conclude")
    assert conclude.role == "system" and conclude.data["outcome"] == outcome
    assert len(conclude.data["opinions"]) == 3
    assert not JointReviewAbsence.objects.filter(review=review).exists()
    told = OutboxItem.objects.filter(recipient=world.lead_reviewer, category="joint_review")
    assert told.count() == 1 and Outcome(outcome).label in told.get().body


def test_nothing_is_recorded_after_the_result(world, schedule, frozen):
    review = schedule(required_department_ids=[world.nature.pk],
                      optional_department_ids=[world.fire.pk])
    frozen.move_to(SESSION)
    answer(world.nature_reviewer, review, world.nature, "agree")
    review.refresh_from_db()
    # The optional department is not waited for.
    assert review.status == ReviewStatus.CONCLUDED and review.outcome == Outcome.PASSED
    refused(MoveNotAllowed, "joint_review.move_not_allowed",
            lambda: answer(world.fire_chief, review, world.fire, "disagree", reasons="晚了"))
    refused(MoveNotAllowed, "joint_review.move_not_allowed",
            lambda: services.participant_attend(user=world.fire_chief, review_id=review.pk,
                                                department_id=world.fire.pk))
    refused(MoveNotAllowed, "joint_review.move_not_allowed",
            lambda: services.joint_review_close(user=world.lead_reviewer, review_id=review.pk))
    refused(MoveNotAllowed, "joint_review.move_not_allowed",
            lambda: services.joint_review_cancel(user=world.lead_reviewer, review_id=review.pk,
                                                 reason="取消"))


def test_an_optional_departments_answer_counts_in_the_result(world, schedule, frozen):
    review = schedule(required_department_ids=[world.nature.pk, world.civil.pk],
                      optional_department_ids=[world.fire.pk])
    answer(world.fire_chief, review, world.fire, "conditional", conditions="增设消防通道")
    answer(world.nature_reviewer, review, world.nature, "agree")
    answer(world.civil_reviewer, review, world.civil, "agree")
    review.refresh_from_db()
    assert review.outcome == Outcome.CONDITIONAL


# --- the lead department: close and cancel --------------------------------------------------


def test_the_lead_cannot_cut_a_departments_time_short(world, schedule, frozen):
    review = schedule()
    answer(world.nature_reviewer, review, world.nature, "agree")
    error = refused(Conflict, "joint_review.awaiting_answers",
                    lambda: services.joint_review_close(user=world.lead_reviewer,
                                                        review_id=review.pk))
    assert world.fire.name in error.message and world.civil.name in error.message


def test_the_lead_closes_after_the_deadline_defaulting_the_silent(world, schedule, frozen):
    review = schedule()
    frozen.move_to(SESSION)
    services.participant_attend(user=world.fire_chief, review_id=review.pk,
                                department_id=world.fire.pk)
    answer(world.nature_reviewer, review, world.nature, "disagree", reasons="规划不符")
    refused(NotAllowed, "joint_review.forbidden", lambda: services.joint_review_close(
        user=world.nature_reviewer, review_id=review.pk))
    frozen.move_to(AFTER_DUE)
    services.joint_review_close(user=world.lead_reviewer, review_id=review.pk,
                                note="逾期未答复部门视为无意见")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONCLUDED and review.outcome == Outcome.FAILED
    assert review.conclusion_note == "逾期未答复部门视为无意见"
    fire, civil = (review.participants.get(department=d) for d in (world.fire, world.civil))
    assert (fire.opinion, fire.defaulted, civil.opinion, civil.defaulted) == (
        Opinion.NO_OBJECTION, True, Opinion.NO_OBJECTION, True)
    absences = {a.department_id: a.kind for a in JointReviewAbsence.objects.filter(review=review)}
    assert absences == {world.fire.pk: AbsenceKind.NO_OPINION, world.civil.pk: AbsenceKind.ABSENT}
    assert review.events.get(action="conclude").actor == world.lead_reviewer


def test_the_lead_cancels_with_a_reason(world, schedule):
    review = schedule()
    refused(InvalidInput, "joint_review.reason",
            lambda: services.joint_review_cancel(user=world.lead_reviewer, review_id=review.pk,
                                                 reason=" "))
    refused(NotAllowed, "joint_review.forbidden",
            lambda: services.joint_review_cancel(user=world.fire_chief, review_id=review.pk,
                                                 reason="不想开"))
    services.joint_review_cancel(user=world.lead_reviewer, review_id=review.pk,
                                 reason="建设单位撤回申请")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED and review.outcome == ""
    assert review.events.get(action="cancel").reason == "建设单位撤回申请"
    assert OutboxItem.objects.filter(subject__startswith="联合审查已取消").count() == 3
    refused(MoveNotAllowed, "joint_review.move_not_allowed",
            lambda: answer(world.nature_reviewer, review, world.nature, "agree"))


def test_supervisors_see_but_do_not_act(world, schedule):
    review = schedule()
    refused(NotAllowed, "joint_review.forbidden",
            lambda: answer(world.supervisor, review, world.nature, "agree"))
    refused(NotAllowed, "joint_review.forbidden",
            lambda: services.joint_review_close(user=world.supervisor, review_id=review.pk))


# --- the timeline in the audit trail --------------------------------------------------------


def test_an_edited_session_timeline_is_detected_by_audit_verify(world, schedule):
    """The session timeline is sealed into the audit chain by the next checkpoint, like a
    case's (ADR 0010): rewriting who scheduled it is detected."""
    from zhengwu.core import checkpoints
    from zhengwu.core.audit import audit_verify

    review = schedule()
    assert checkpoints.checkpoint_write() is not None
    assert audit_verify() == []
    assert not review.events.filter(audit_seal=None).exists()
    review.events.update(actor_label="别人")
    problems = [p for p in audit_verify() if p.stream == checkpoints.SEAL_STREAM]
    assert problems and "封存的记录内容被修改" in problems[0].reason


@pytest.mark.parametrize("required", [1, 3])
def test_what_the_lead_may_do_costs_the_same_however_many_are_silent(world, schedule, frozen,
                                                                     django_assert_max_num_queries,
                                                                     required):
    """The engine's guards read the session's participants: read once, not once per silent
    department (review_abilities asks the 'default' guard for each)."""
    from zhengwu.jointreviews import selectors

    departments = [world.nature.pk, world.fire.pk, world.civil.pk][:required]
    review = schedule(required_department_ids=departments)
    frozen.move_to(DUE + dt.timedelta(seconds=1))
    review = JointReview.objects.get(pk=review.pk)
    participants = selectors.review_participants(review)
    # The viewer's role assignments, and whether they represent an invited department: the
    # same for one silent department as for three (it was 8 and 16).
    with django_assert_max_num_queries(4):
        abilities = selectors.review_abilities(user=world.lead_reviewer, review=review,
                                               participants=participants, now=DUE
                                               + dt.timedelta(seconds=1))
    assert abilities.can_close and abilities.can_cancel


@pytest.mark.parametrize("user", ["system", "lead"])
def test_closing_after_the_deadline_locks_the_session_once(world, schedule, frozen, user):
    """deadline_close defaults every silent department and concludes under one lock: the
    session and its participants are read once, not again for every move (it was 5 times
    for three silent departments)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    review = schedule()
    frozen.move_to(AFTER_DUE)
    actor = None if user == "system" else world.lead_reviewer
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        closed, defaulted = services.deadline_close(review.pk, now=AFTER_DUE, user=actor)
    sql = [q["sql"] for q in queries.captured_queries]
    # Reads of the session's own rows (a scope's subquery on the participants is not one).
    sessions = [s for s in sql if s.startswith('SELECT "jointreviews_jointreview"."id"')]
    participants = [s for s in sql
                    if s.startswith('SELECT "jointreviews_jointreviewparticipant"."id"')]
    assert (closed.status, defaulted) == (ReviewStatus.CONCLUDED, 3)
    assert len(sessions) == 1, sessions
    assert len(participants) == 1, participants


def test_the_last_answer_and_the_result_lock_the_session_once(world, schedule, frozen):
    """The last required answer and the combined result it issues are made under one lock
    (engine.transitions): the session and its participants are read once, not twice."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    review = schedule(required_department_ids=[world.nature.pk])
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        answered = answer(world.nature_reviewer, review, world.nature, "agree")
    sql = [q["sql"] for q in queries.captured_queries]
    sessions = [s for s in sql if s.startswith('SELECT "jointreviews_jointreview"."id"')]
    participants = [s for s in sql
                    if s.startswith('SELECT "jointreviews_jointreviewparticipant"."id"')]
    assert answered.status == ReviewStatus.CONCLUDED
    assert len(sessions) == 1, sessions
    assert len(participants) == 1, participants
    events = list(answered.events.order_by("id").values_list("action", "actor"))
    assert events[-2:] == [("answer", world.nature_reviewer.pk), ("conclude", None)]

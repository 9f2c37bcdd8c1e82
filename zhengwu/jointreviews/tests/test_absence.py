"""缺席默认 [16][20]: when the answer deadline passes, the sweep records every silent required
department as "no objection", visibly, with a record against it, and issues the result —
as of the `now` it is given, idempotently."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from zhengwu.core import sweeps as registry
from zhengwu.jointreviews import services, sweeps
from zhengwu.jointreviews.models import (
    AbsenceKind,
    JointReviewAbsence,
    JointReviewEvent,
    Opinion,
    Outcome,
    ReviewStatus,
)
from zhengwu.jointreviews.tests.conftest import AFTER_DUE, DUE, SESSION
from zhengwu.notifications.models import OutboxItem

pytestmark = pytest.mark.django_db


def snapshot(review):
    review.refresh_from_db()
    return (review.status, review.outcome, review.result_number,
            sorted((p.department_id, p.opinion, p.defaulted) for p in review.participants.all()),
            JointReviewAbsence.objects.filter(review=review).count(),
            JointReviewEvent.objects.filter(review=review).count(),
            OutboxItem.objects.count())


@pytest.fixture
def half_answered(world, schedule, frozen):
    """消防 attends but never answers, 人防 neither attends nor answers, 自然资源 agrees."""
    review = schedule()
    frozen.move_to(SESSION)
    services.participant_attend(user=world.fire_chief, review_id=review.pk,
                                department_id=world.fire.pk)
    services.participant_answer(user=world.nature_reviewer, review_id=review.pk,
                                department_id=world.nature.pk, opinion="agree", attended=True)
    return review


def test_the_sweep_defaults_the_silent_departments_and_issues_the_result(world, half_answered,
                                                                         frozen):
    review = half_answered
    frozen.move_to(AFTER_DUE)
    report = sweeps.run(AFTER_DUE)
    assert (report.concluded, report.defaulted) == (1, 2)
    assert "缺席默认（视为无意见）2 个部门" in report.summary()
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONCLUDED
    assert review.outcome == Outcome.PASSED  # no objection counts as agreement
    assert review.concluded_at == AFTER_DUE
    nature, fire, civil = (review.participants.get(department=d)
                           for d in (world.nature, world.fire, world.civil))
    assert (nature.opinion, nature.defaulted) == (Opinion.AGREE, False)
    assert (fire.opinion, fire.defaulted, fire.attended) == (Opinion.NO_OBJECTION, True, True)
    assert (civil.opinion, civil.defaulted, civil.attended) == (Opinion.NO_OBJECTION, True, None)
    absences = list(JointReviewAbsence.objects.filter(review=review).order_by("department_id"))
    assert [(a.department, a.kind, a.due_at, a.recorded_at) for a in absences] == [
        (world.fire, AbsenceKind.NO_OPINION, DUE, AFTER_DUE),
        (world.civil, AbsenceKind.ABSENT, DUE, AFTER_DUE)]
    defaults = review.events.filter(action="default")
    assert {e.department_id for e in defaults} == {world.fire.pk, world.civil.pk}
    assert all(e.role == "system" and e.actor is None for e in defaults)
    assert review.events.get(action="conclude").data["opinions"][world.civil.name] == \
        Opinion.NO_OBJECTION
    # The defaulted departments and the lead department are told.
    assert OutboxItem.objects.filter(recipient=world.civil_reviewer,
                                     subject__startswith="逾期未答复").count() == 1
    assert OutboxItem.objects.filter(recipient=world.fire_chief,
                                     subject__startswith="逾期未答复").count() == 1
    assert OutboxItem.objects.filter(recipient=world.nature_reviewer,
                                     subject__startswith="逾期未答复").count() == 0
    assert OutboxItem.objects.filter(recipient=world.lead_reviewer,
                                     subject__startswith="联合审查意见已出具").count() == 1


def test_running_the_sweep_twice_changes_nothing_more(half_answered, frozen):
    frozen.move_to(AFTER_DUE)
    sweeps.run(AFTER_DUE)
    once = snapshot(half_answered)
    report = sweeps.run(AFTER_DUE + dt.timedelta(hours=1))
    assert (report.concluded, report.defaulted) == (0, 0)
    assert snapshot(half_answered) == once


def test_nothing_happens_until_the_deadline_has_passed(half_answered):
    before = snapshot(half_answered)
    report = sweeps.run(DUE)  # the deadline itself is still in time
    assert (report.concluded, report.defaulted) == (0, 0)
    assert snapshot(half_answered) == before


def test_a_disagreement_still_fails_the_result_when_others_are_defaulted(world, schedule,
                                                                         frozen):
    review = schedule()
    services.participant_answer(user=world.civil_reviewer, review_id=review.pk,
                                department_id=world.civil.pk, opinion="disagree",
                                reasons="未配建人防工程")
    sweeps.run(AFTER_DUE)
    review.refresh_from_db()
    assert review.outcome == Outcome.FAILED
    assert JointReviewAbsence.objects.filter(review=review).count() == 2


def test_cancelled_and_concluded_sessions_are_left_alone(world, schedule, frozen):
    cancelled = schedule()
    services.joint_review_cancel(user=world.lead_reviewer, review_id=cancelled.pk,
                                 reason="项目暂停")
    report = sweeps.run(AFTER_DUE)
    assert (report.concluded, report.defaulted) == (0, 0)
    cancelled.refresh_from_db()
    assert cancelled.status == ReviewStatus.CANCELLED
    assert not JointReviewAbsence.objects.exists()


def test_zhengwu_sweep_runs_the_registered_sweep_as_of_now(half_answered):
    assert "jointreviews.deadlines" in registry.SWEEPS
    out = StringIO()
    call_command("sweep", "--now", AFTER_DUE.isoformat(), stdout=out)
    assert "jointreviews.deadlines: 联合审查逾期出具意见 1 件，缺席默认（视为无意见）2 个部门" \
        in out.getvalue()
    half_answered.refresh_from_db()
    assert half_answered.status == ReviewStatus.CONCLUDED

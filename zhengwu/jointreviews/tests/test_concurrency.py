"""Row locking: two sweeps at once default each silent department once and issue each result
once; concurrent answers of one department give exactly one answer.

These tests commit for real (transaction=True) on the same file database as production
settings (WAL, IMMEDIATE), so they build their own small world.
"""

import pytest

from zhengwu.core.errors import Conflict
from zhengwu.jointreviews import services, sweeps
from zhengwu.jointreviews.models import (
    JointReview,
    JointReviewAbsence,
    JointReviewEvent,
    ReviewStatus,
)
from zhengwu.jointreviews.services import joint_review_schedule
from zhengwu.jointreviews.tests.conftest import AFTER_DUE, make_world, run_together, schedule_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_sweeps_at_once_record_each_absence_once(frozen):
    world = make_world()
    reviews = [joint_review_schedule(user=world.lead_reviewer,
                                     data=schedule_in(world, title=f"项目{n}"))
               for n in range(4)]
    outcomes = run_together(2, lambda n: sweeps.conclude_overdue(AFTER_DUE, batch=2))
    assert all(isinstance(o, sweeps.SweepReport) for o in outcomes), outcomes
    assert sum(o.concluded for o in outcomes) == 4
    assert sum(o.defaulted for o in outcomes) == 12
    assert JointReview.objects.filter(status=ReviewStatus.CONCLUDED).count() == 4
    for review in reviews:
        assert JointReviewAbsence.objects.filter(review=review).count() == 3
        assert JointReviewEvent.objects.filter(review=review, action="default").count() == 3
        assert JointReviewEvent.objects.filter(review=review, action="conclude").count() == 1
    result_numbers = set(JointReview.objects.values_list("result_number", flat=True))
    assert len(result_numbers) == 4


def test_concurrent_answers_of_one_department_give_one_answer(frozen):
    world = make_world()
    review = joint_review_schedule(user=world.lead_reviewer, data=schedule_in(world))

    def answer(n):
        return services.participant_answer(
            user=world.nature_reviewer, review_id=review.pk, department_id=world.nature.pk,
            opinion="disagree" if n % 2 else "agree", reasons="理由")

    outcomes = run_together(8, answer)
    answered = [o for o in outcomes if isinstance(o, JointReview)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(answered) == 1, outcomes
    assert len(refused) == 7 and all(r.code == "joint_review.already_answered" for r in refused)
    assert JointReviewEvent.objects.filter(review=review, action="answer").count() == 1

"""Who sees a joint review: the lead department and the invited departments; supervisors see
all; a department that was not invited gets 404, exactly as for a session that does not exist
(quality.md #10)."""

import pytest

from zhengwu.jointreviews import selectors
from zhengwu.jointreviews.models import JointReview

pytestmark = pytest.mark.django_db


def visible(user, review):
    return selectors.review_list(user=user).filter(pk=review.pk).exists()


def test_lead_invited_and_supervisors_see_the_session(world, schedule):
    review = schedule(required_department_ids=[world.nature.pk],
                      optional_department_ids=[world.civil.pk])
    for user in (world.lead_reviewer, world.nature_reviewer, world.civil_reviewer,
                 world.supervisor):
        assert visible(user, review), user
        assert selectors.review_get(user=user, review_id=review.pk) == review


def test_a_department_not_invited_gets_not_found(world, schedule):
    review = schedule(required_department_ids=[world.nature.pk])
    for user in (world.outsider_reviewer, world.fire_chief, world.applicant):
        assert not visible(user, review)
        with pytest.raises(JointReview.DoesNotExist):
            selectors.review_get(user=user, review_id=review.pk)
    with pytest.raises(JointReview.DoesNotExist):
        selectors.review_get(user=world.lead_reviewer, review_id=review.pk + 10_000)


def test_what_each_viewer_may_do(world, schedule, frozen):
    review = schedule()
    participants = selectors.review_participants(review)

    def abilities(user):
        return selectors.review_abilities(user=user, review=review, participants=participants,
                                          now=review.starts_at)

    lead = abilities(world.lead_reviewer)
    assert (lead.lead, lead.departments, lead.can_close, lead.can_cancel) == (True, [], False, True)
    fire = abilities(world.fire_chief)
    assert (fire.lead, fire.departments, fire.can_cancel) == (False, [world.fire.pk], False)
    watcher = abilities(world.supervisor)
    assert (watcher.lead, watcher.departments, watcher.can_close) == (False, [], False)


def test_absence_records_are_scoped_like_the_sessions(world, schedule):
    from zhengwu.jointreviews import sweeps
    from zhengwu.jointreviews.tests.conftest import AFTER_DUE

    schedule()
    sweeps.run(AFTER_DUE)
    assert selectors.absence_list(user=world.supervisor).count() == 3
    assert [a.department for a in selectors.absence_list(user=world.fire_chief)] == [world.fire]
    assert selectors.absence_list(user=world.outsider_reviewer).count() == 0

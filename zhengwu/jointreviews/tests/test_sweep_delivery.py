"""One `zhengwu sweep` decides and delivers for joint reviews too: the messages of a session
concluded by 缺席默认 are sent in the same run, not in the next one."""

from io import StringIO

import pytest
from django.core.management import call_command

from zhengwu.jointreviews import services
from zhengwu.jointreviews.models import ReviewStatus
from zhengwu.jointreviews.tests.conftest import AFTER_DUE, SESSION
from zhengwu.notifications.models import OutboxItem, OutboxStatus

pytestmark = pytest.mark.django_db


def test_one_sweep_concludes_the_session_and_delivers_its_messages(world, schedule, frozen):
    review = schedule()
    frozen.move_to(SESSION)
    services.participant_answer(user=world.nature_reviewer, review_id=review.pk,
                                department_id=world.nature.pk, opinion="agree", attended=True)
    before = set(OutboxItem.objects.values_list("pk", flat=True))
    call_command("sweep", "--now", AFTER_DUE.isoformat(), stdout=StringIO())
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONCLUDED
    queued = OutboxItem.objects.exclude(pk__in=before)
    assert queued.exists()
    assert not queued.exclude(status=OutboxStatus.SENT).exists()

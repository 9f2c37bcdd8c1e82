"""One `zhengwu sweep` decides and delivers: the messages a sweep queues (默认准予, red-card
escalations, a bundle moved on, a joint review concluded) reach people in the same run, not
in the next one."""

import datetime as dt
import io

import time_machine
from django.core.management import call_command

from zhengwu.cases.models import CaseStatus, Decision
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.core import sweeps
from zhengwu.notifications.models import Message, OutboxItem, OutboxStatus
from zhengwu.workdays.calendar import SHANGHAI


def at(y, m, d, hh=10):
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


def test_one_sweep_decides_and_delivers_the_deemed_approval(food, submit, applicant, clerk):
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = submit(food)
        case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    later = at(2025, 10, 17, 9)
    out = io.StringIO()
    with time_machine.travel(later, tick=False):
        call_command("sweep", "--now", later.isoformat(), stdout=out)
    case.refresh_from_db()
    assert case.decision == Decision.DEEMED_APPROVED
    assert case.status == CaseStatus.DECIDED
    # In the inbox and handed to the SMS gateway by this very sweep.
    assert Message.objects.filter(recipient=applicant, title="申请已超时默认准予").count() == 1
    sms = OutboxItem.objects.get(recipient=applicant, channel="sms",
                                 subject="申请已超时默认准予")
    assert sms.status == OutboxStatus.SENT
    assert "notifications.deliver: 已发送 0 条" not in out.getvalue()


def test_a_sweep_on_the_running_clock_delivers_what_it_queued(food, submit, applicant, clerk):
    """As `zhengwu serve` runs it: no --now, the clock ticking while the sweep works, so the
    messages are queued a moment after the moment the sweep runs as of."""
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = submit(food)
        case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    with time_machine.travel(at(2025, 10, 17, 9), tick=True):
        call_command("sweep", stdout=io.StringIO())
    assert Message.objects.filter(recipient=applicant, title="申请已超时默认准予").count() == 1


def test_delivery_runs_after_every_sweep_that_decides(db):
    order = list(sweeps.ordered())
    deliver = order.index("notifications.deliver")
    for name in ("cases.deadlines", "bundles", "jointreviews.deadlines"):
        assert order.index(name) < deliver
    # The bundles sweep closes members the cases sweep decided: it comes after it, whatever
    # the order of INSTALLED_APPS.
    assert order.index("cases.deadlines") < order.index("bundles")

"""A 差评 whose rectification left the rater still dissatisfied becomes a 12345 work order
(issue 13 §1, channel 好差评差评): tests first. One order per rectification however often it
is told; the department never learns who rated (the order is confidential); a satisfied
callback makes none."""

from __future__ import annotations

import pytest
import time_machine

from zhengwu.evaluations.models import Rectification
from zhengwu.evaluations.services import MoveIn, RatingIn, rating_submit, rectification_move
from zhengwu.evaluations.tests.conftest import make_event  # noqa: F401 (fixture)
from zhengwu.hotline import from_evaluations
from zhengwu.hotline.models import Channel, OrderKind, Status, WorkOrder
from zhengwu.hotline.selectors import caller_view
from zhengwu.hotline.tests.conftest import at
from zhengwu.notifications.models import OutboxItem

pytestmark = pytest.mark.django_db


def rectified(applicant, make_event, chief, *, callback_level: int) -> Rectification:  # noqa: F811
    event = make_event(at(2026, 3, 2, 9))
    with time_machine.travel(at(2026, 3, 2), tick=False):
        rating = rating_submit(user=applicant, data=RatingIn(
            kind=event.kind, key=event.key, level=5, reasons=["A03"],
            text="窗口让我跑了三趟")).rating
    row = Rectification.objects.get(rating=rating)
    with time_machine.travel(at(2026, 3, 3), tick=False):
        for action, extra in (("accept", {"complexity": "simple"}),
                              ("contact", {"note": "电话联系评价人"}),
                              ("rectify", {"note": "增加午间窗口"}),
                              ("callback", {"level": callback_level, "note": "评价人仍不满意"})):
            rectification_move(pk=row.pk, user=chief, move=MoveIn(action=action, **extra))
    return Rectification.objects.get(pk=row.pk)


def test_an_unsatisfied_callback_opens_one_confidential_complaint(
        applicant, make_event, market_chief, market_staff, operator, market):  # noqa: F811
    row = rectified(applicant, make_event, market_chief, callback_level=4)
    order = WorkOrder.objects.get(channel=Channel.EVALUATION)
    assert order.external_id == f"rectification:{row.pk}"
    assert order.kind == OrderKind.COMPLAINT and order.status == Status.DISPATCHING
    assert order.caller_id == applicant.pk and order.confidential
    assert "窗口让我跑了三趟" in order.content and "增加午间窗口" in order.content
    assert market.name in order.content  # the department the 差评 was about
    told = OutboxItem.objects.get(recipient=applicant, subject="您的差评已转12345热线督促办理")
    assert order.number in told.body and told.link == f"/hotline/orders/{order.number}/"
    # Told again (a replayed listener, a second callback path): still one order.
    from_evaluations.order_from_rectification(row.pk)
    assert WorkOrder.objects.filter(channel=Channel.EVALUATION).count() == 1
    # The department sees neither the rater's name nor phone; the operator does.
    assert "张" not in caller_view(order, market_staff).name
    assert caller_view(order, operator).phone == "13800000001"


def test_a_satisfied_callback_opens_none(applicant, make_event, market_chief):  # noqa: F811
    rectified(applicant, make_event, market_chief, callback_level=2)
    assert not WorkOrder.objects.filter(channel=Channel.EVALUATION).exists()

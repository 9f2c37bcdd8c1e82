"""A work order's writes are one transaction: a fault at the audit row or the notification
leaves no order, no event and no half-made move."""

from __future__ import annotations

from unittest import mock

import pytest

from zhengwu.hotline import services
from zhengwu.hotline.models import Status, WorkOrder, WorkOrderEvent
from zhengwu.hotline.tests.conftest import at, moved, opened

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_a_fault_at_the_audit_row_leaves_no_order(operator):
    before = WorkOrder.objects.count()
    with mock.patch.object(services, "audit_record", side_effect=Boom), \
            pytest.raises(Boom):
        opened(operator, at(2026, 12, 7))
    assert WorkOrder.objects.count() == before
    assert not WorkOrderEvent.objects.filter(action="accept", order__isnull=True).exists()


def test_a_fault_at_the_notification_leaves_the_order_undispatched(operator, market):
    row = opened(operator, at(2026, 12, 7))
    with mock.patch.object(services, "notify", side_effect=Boom), pytest.raises(Boom):
        moved(row.number, operator, at(2026, 12, 7), action="dispatch",
              department_id=market.pk)
    row.refresh_from_db()
    assert row.status == Status.DISPATCHING and row.department is None
    assert list(row.events.values_list("action", flat=True)) == ["accept"]


def test_a_fault_in_the_import_writes_none(operator):
    rows = [{"external_id": f"AT-{n}", "kind": "help", "title": "路灯", "content": "路灯坏了",
             "caller_name": "李四", "caller_phone": "13812345678"} for n in range(3)]
    real = services.create_order
    calls = {"n": 0}

    def third_fails(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Boom
        return real(*args, **kwargs)

    with mock.patch.object(services, "create_order", side_effect=third_fails), pytest.raises(Boom):
        services.order_import(user=operator, rows=rows, now=at(2026, 12, 7))
    assert not WorkOrder.objects.filter(external_id__startswith="AT-").exists()


def test_the_sweep_goes_on_past_an_order_it_cannot_move(operator, market, market_staff):
    first = opened(operator, at(2026, 12, 7, 8, 30))
    second = opened(operator, at(2026, 12, 7, 8, 30))
    for row in (first, second):
        moved(row.number, operator, at(2026, 12, 7, 8, 30), action="dispatch",
              department_id=market.pk)
    real = services.order_move

    def first_refused(*, number, **kwargs):
        if number == first.number:
            raise services.InvalidInput("已变更", code="x")
        return real(number=number, **kwargs)

    with mock.patch.object(services, "order_move", side_effect=first_refused):
        done = services.orders_sweep(at(2026, 12, 10, 9))
    assert done.warned == 1

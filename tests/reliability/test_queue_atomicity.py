"""No partial state in the queue (quality.md #3, ADR 0020): the census of every write of
taking a number, calling it, and finishing it (which records the rateable window visit), and a
fault injected at each of them leaves the queue's tables exactly as before — no number without
its event and audit row, no running number consumed by a number that does not exist, no
finished number without its service event.

The companion of test_atomicity.py (the case flow); same `Faults`."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from tests.reliability.faults import Faults, InjectedDatabaseFault
from zhengwu.accounts.models import User
from zhengwu.core.models import AuditChainHead
from zhengwu.hall.models import Duty, Hall, Ticket, TicketSource, Window
from zhengwu.hall.queue import TakeIn, ticket_call_next, ticket_move, ticket_take
from zhengwu.workdays.calendar import SHANGHAI

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
ID = "43048119900101123X"
_EVENT = ["INSERT hall_ticketevent", "INSERT core_auditevent", "UPDATE core_auditchainhead"]
_BUMP = ["UPDATE hall_queueday"]
WRITES: dict[str, list[str]] = {
    # The day's queue row exists already (made by the step before): locked, counted on.
    "take": ["UPDATE hall_queueday", "INSERT hall_ticket", *_EVENT],
    "call": ["UPDATE hall_ticket", *_EVENT, *_BUMP],
    # 办结 records the window visit as a service event to rate (好差评), in the same
    # transaction; the person has no account, so no SMS invitation is queued.
    # The visit, and its SMS invitation to rate, to the phone the number was taken with.
    "finish": ["INSERT evaluations_serviceevent", "INSERT evaluations_invitation",
               "INSERT notifications_outboxitem", "UPDATE hall_ticket", *_EVENT, *_BUMP],
}
TABLES = sorted({w.split()[1] for ws in WRITES.values() for w in ws})
POINTS = [(step, n) for step, writes in WRITES.items() for n in range(1, len(writes) + 1)]

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clerk: User) -> User:
    AuditChainHead.objects.get_or_create(stream="hall")
    window = Window.objects.get(hall__code="LY-ZWFW", number="A01")
    Duty.objects.create(window=window, date=NOW.date(), user=clerk)
    return clerk


def _take(n: int) -> Ticket:
    """Number n of the day: 0 by ID card, the others by phone."""
    if n == 0:
        return ticket_take(data=TakeIn(hall="LY-ZWFW", group="综合受理", id_number=ID),
                           source=TicketSource.KIOSK_ID, now=NOW)[0]
    return ticket_take(data=TakeIn(hall="LY-ZWFW", group="综合受理", phone=f"1390000000{n}"),
                       source=TicketSource.KIOSK_PHONE, now=NOW)[0]


def _before(clerk: User, step: str) -> Ticket:
    ticket = _take(1)  # makes the day's queue row
    if step == "take":
        return ticket
    if step == "finish":
        ticket_call_next(user=clerk, hall_code="LY-ZWFW", window="A01", now=NOW)
        ticket_move(user=clerk, ticket_id=ticket.pk, action="start", now=NOW)
    return ticket


def _step(clerk: User, step: str, ticket: Ticket) -> Any:
    if step == "take":
        return _take(0)
    if step == "call":
        return ticket_call_next(user=clerk, hall_code="LY-ZWFW", window="A01", now=NOW)
    return ticket_move(user=clerk, ticket_id=ticket.pk, action="finish", now=NOW)


def _fingerprint() -> dict[str, str]:
    prints = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            prints[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return prints


@override_settings(ZHENGWU_NOW=NOW.isoformat())
def test_the_census_of_queue_writes(world: User) -> None:
    for step, writes in WRITES.items():
        ticket = _before(world, step)
        faults = Faults()
        with faults.active():
            _step(world, step, ticket)
        assert faults.writes == writes, step
        Ticket.objects.all().delete()


@override_settings(ZHENGWU_NOW=NOW.isoformat())
@pytest.mark.parametrize(("step", "point"), POINTS,
                         ids=[f"{s}-{n}-{WRITES[s][n - 1].replace(' ', '_')}" for s, n in POINTS])
def test_a_fault_at_any_queue_write_leaves_no_partial_state(world: User, step: str,
                                                            point: int) -> None:
    ticket = _before(world, step)
    before = _fingerprint()
    faults = Faults(fail_at=point)
    with faults.active(), pytest.raises(InjectedDatabaseFault):
        _step(world, step, ticket)
    assert faults.fired == WRITES[step][point - 1]
    assert _fingerprint() == before, "the failed step left writes behind"
    done = _step(world, step, ticket)
    assert done.events.count() == {"take": 1, "call": 2, "finish": 4}[step]
    assert Hall.objects.get(code="LY-ZWFW").queue_days.get().last_number == \
        Ticket.objects.count()

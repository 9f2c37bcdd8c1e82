"""No partial ticket (quality.md #3), as tests/reliability/test_atomicity.py checks the case
flow: every write of opening a ticket, contacting and resolving it, and of the sweep's
escalation is an injection point; a fault at any of them leaves the tables as they were, and
the step then succeeds when run again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.reliability.faults import Faults, InjectedDatabaseFault
from zhengwu.core.models import AuditEvent
from zhengwu.notifications.models import OutboxItem
from zhengwu.unresolved.models import Outcome, Ticket, TicketEvent
from zhengwu.unresolved.services import tickets_sweep
from zhengwu.unresolved.tests.conftest import at, moved, opened

pytestmark = pytest.mark.django_db

_EVENT = ["INSERT unresolved_ticketevent", "INSERT core_auditevent",
          "UPDATE core_auditchainhead"]
_NOTIFY = ["INSERT notifications_outboxitem"]
# Every write of each step, in order (the demo applicant has a phone: in-app + SMS rows are
# one INSERT per notify call).
WRITES: dict[str, list[str]] = {
    "open": ["INSERT core_counter", "INSERT unresolved_ticket", *_EVENT, *_NOTIFY],
    "contact": ["UPDATE unresolved_ticket", *_EVENT],
    "resolve": [*_NOTIFY, "UPDATE unresolved_ticket", *_EVENT],
    "escalate": ["UPDATE unresolved_ticket", *_EVENT, *_NOTIFY],
}
POINTS = [(step, n) for step, writes in WRITES.items() for n in range(1, len(writes) + 1)]


def _steps(applicant: Any, market: Any, chief: Any) -> dict[str, tuple[Callable[[], Any],
                                                                      Callable[[], Any]]]:
    """Each step as (prepare, run): prepare brings a ticket to where the step starts."""
    state: dict[str, Ticket] = {}

    def fresh() -> None:
        state["t"] = opened(applicant, at(2026, 3, 2), department=market)

    def contacted() -> None:
        fresh()
        moved(state["t"].number, chief, at(2026, 3, 2, 15), action="contact", how="phone",
              note="联系")

    def only_one_open() -> None:
        contacted()  # the sweep goes through every open ticket: leave this one only
        Ticket.objects.exclude(pk=state["t"].pk).update(status="closed")

    return {
        "open": (lambda: None,
                 lambda: opened(applicant, at(2026, 3, 2), department=market)),
        "contact": (fresh, lambda: moved(state["t"].number, chief, at(2026, 3, 2, 15),
                                         action="contact", how="phone", note="联系")),
        "resolve": (contacted, lambda: moved(
            state["t"].number, chief, at(2026, 3, 3), action="resolve",
            outcome=Outcome.EXPLAINED, note="解释", legal_basis="某法第一条", summary="咨询")),
        "escalate": (only_one_open, lambda: tickets_sweep(at(2026, 3, 20))),
    }


def _fingerprint() -> tuple[Any, ...]:
    return (list(Ticket.objects.order_by("pk").values()),
            TicketEvent.objects.count(), AuditEvent.objects.count(), OutboxItem.objects.count())


def test_the_census_of_writes(applicant, market, chief):
    steps = _steps(applicant, market, chief)
    for step, writes in WRITES.items():
        prepare, run = steps[step]
        prepare()
        faults = Faults()
        with faults.active():
            run()
        assert faults.writes == writes, step


@pytest.mark.parametrize(("step", "point"), POINTS,
                         ids=[f"{s}-{n}-{WRITES[s][n - 1].replace(' ', '_')}" for s, n in POINTS])
def test_a_fault_at_any_write_leaves_no_partial_ticket(applicant, market, chief, step, point):
    prepare, run = _steps(applicant, market, chief)[step]
    prepare()
    before = _fingerprint()
    faults = Faults(fail_at=point)
    with faults.active(), pytest.raises(InjectedDatabaseFault):
        run()
    assert faults.fired == WRITES[step][point - 1]
    assert _fingerprint() == before, "the failed step left writes behind"
    run()  # without the fault it goes through
    assert _fingerprint() != before

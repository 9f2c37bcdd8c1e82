"""The ticket page offers a step exactly when the service accepts it (docs/processes.md §6):
for each state and each kind of member of staff, the forms read from the HTML they get are
compared with the moves the service takes (each tried in a savepoint, then undone)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError
from zhengwu.unresolved import services
from zhengwu.unresolved.models import Outcome, Ticket
from zhengwu.unresolved.tests.conftest import at, moved, opened

pytestmark = pytest.mark.django_db

VALID: dict[str, dict[str, Any]] = {
         "reassign": {"note": "改派"},  # + department_id, set in the test
         "contact": {"how": "phone", "note": "已联系"},
         "resolve": {"outcome": Outcome.SOLVED, "note": "已办成", "summary": "许可"}}
STAFF = ("chief", "chief_gongan", "hallmgr", "supervisor", "clerk", "reviewer")


class _Undo(Exception):
    pass


def _accepted(number: str, user: User, action: str) -> bool:
    try:
        with transaction.atomic():
            services.ticket_move(number=number, user=user,
                                 move=services.MoveIn(action=action, **VALID[action]))
            raise _Undo
    except _Undo:
        return True
    except (DomainError, Ticket.DoesNotExist):
        return False


def _offered(client: Any, number: str) -> set[str]:
    answer = client.get(reverse("unresolved:staff_detail", args=[number]))
    if answer.status_code != 200:
        return set()
    return set(re.findall(r'name="action" value="(\w+)"', answer.content.decode()))


def test_the_page_offers_what_the_service_accepts(client_for, applicant, market, chief):
    from zhengwu.departments.models import Department

    VALID["reassign"]["department_id"] = Department.objects.get(short_name="市公安局").pk
    ticket = opened(applicant, at(2026, 3, 2), department=market)
    with time_machine.travel(at(2026, 3, 2, 15), tick=False):
        for step in ("open", "contacted", "closed"):
            if step == "contacted":
                moved(ticket.number, chief, at(2026, 3, 2, 15), action="contact", **VALID[
                    "contact"])
            if step == "closed":
                moved(ticket.number, chief, at(2026, 3, 2, 15), action="resolve", **VALID[
                    "resolve"])
            for name in STAFF:
                user = User.objects.get(username=name)
                accepted = {a for a in VALID if _accepted(ticket.number, user, a)}
                assert _offered(client_for(user), ticket.number) == accepted, (step, name)
                if name == "chief":
                    assert accepted == {"open": {"contact"}, "contacted": {"resolve"},
                                        "closed": set()}[step]
                if name in ("hallmgr", "supervisor"):
                    assert accepted == ({"reassign"} if step != "closed" else set())

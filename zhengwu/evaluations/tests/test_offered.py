"""The pages offer a rectification move (and the contact read) exactly when the service
accepts it (docs/processes.md §6): for every state the process reaches and every person concerned, the move buttons read
from the HTML they get are compared with the moves the service then accepts, each tried in a
savepoint that is rolled back."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError
from zhengwu.evaluations.models import Rectification
from zhengwu.evaluations.services import (
    MoveIn,
    RatingIn,
    contact_read,
    rating_submit,
    rectification_move,
)
from zhengwu.evaluations.tests.conftest import at
from zhengwu.evaluations.workflow import MOVES

pytestmark = pytest.mark.django_db

def move_in(action: str) -> MoveIn:
    """Input every move accepts, so a refusal is about who, when and the state."""
    return MoveIn(action=action, note="说明", complexity="simple", invalid_kind="mistaken",
                  workdays=2, level=2)
PATHS = {
    "triage": [],
    "invalid_proposed": [("chief", "propose_invalid")],
    "invalid": [("chief", "propose_invalid"), ("supervisor", "confirm_invalid")],
    "appealed": [("chief", "propose_invalid"), ("supervisor", "confirm_invalid"),
                 ("zhangsan", "appeal")],
    "invalid_final": [("chief", "propose_invalid"), ("supervisor", "confirm_invalid"),
                      ("zhangsan", "appeal"), ("supervisor", "dismiss_appeal")],
    "contacting": [("chief", "accept")],
    "rectifying": [("chief", "accept"), ("chief", "contact")],
    "extension_requested": [("chief", "accept"), ("chief", "contact"),
                            ("chief", "request_extension")],
    "callback": [("chief", "accept"), ("chief", "contact"), ("chief", "rectify")],
    "closed": [("chief", "accept"), ("chief", "contact"), ("chief", "rectify"),
               ("chief", "callback")],
}
PEOPLE = ("chief", "chief_gongan", "supervisor", "clerk", "reviewer", "zhangsan", "chuangye")


def offered(client, row: Rectification) -> set[str]:
    found: set[str] = set()
    staff = client.get(reverse("evaluations:staff_detail", args=[row.pk]))
    if staff.status_code == 200:
        found |= set(re.findall(r'name="action" value="(\w+)"', staff.content.decode()))
    mine = client.get(reverse("evaluations:mine"))
    if mine.status_code == 200 and reverse("evaluations:appeal", args=[row.pk]) in \
            mine.content.decode():
        found.add("appeal")
    return found


def accepted(user: User, row: Rectification) -> set[str]:
    found = set()
    for action in MOVES:
        try:
            with transaction.atomic():
                rectification_move(pk=row.pk, user=user, move=move_in(action))
                found.add(action)
                transaction.set_rollback(True)
        except (DomainError, Rectification.DoesNotExist):
            pass
    try:  # the button that reveals the rater's contact (a logged read)
        with transaction.atomic():
            contact_read(pk=row.pk, user=user)
            found.add("contact_read")
            transaction.set_rollback(True)
    except (DomainError, Rectification.DoesNotExist):
        pass
    return found


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_the_pages_offer_exactly_the_moves_the_service_accepts(make_event, applicant,
                                                               client_for):
    users = {name: User.objects.get(username=name) for name in PEOPLE}
    done = 0
    for state, path in PATHS.items():
        event = make_event(at(2026, 3, 2, 9))
        rating = rating_submit(user=applicant, data=RatingIn(
            kind="case", key=event.key, level=5, reasons=["A05"])).rating
        row = Rectification.objects.get(rating=rating)
        for who, action in path:
            rectification_move(pk=row.pk, user=users[who], move=move_in(action))
        row.refresh_from_db()
        for name, user in users.items():
            page, service = offered(client_for(user), row), accepted(user, row)
            assert page == service, (state, name, page, service)
            done += bool(service)
    assert done >= 8  # somebody can act in most states: the comparison is not vacuous

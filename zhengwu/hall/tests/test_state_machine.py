"""The appointment page offers a move exactly when the service accepts it (docs/processes.md
§6): every state an appointment passes through, at moments before and after the cut-off, the
check-in window and the slot's end, for the person, a hall clerk and a stranger. What the page
offers is read from its HTML (process/tests/pages.py), not from the predicate it is built with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError
from zhengwu.hall.models import Appointment, Service
from zhengwu.hall.services import BookIn, appointment_book, appointment_move
from zhengwu.hall.tests.conftest import CITY, at
from zhengwu.hall.workflow import PAGE_ACTIONS
from zhengwu.process.tests.pages import offered

pytestmark = pytest.mark.django_db
START = at(1, 15, 0)
# before the cut-off (13:00); inside it, before check-in opens (14:00); check-in open; over
MOMENTS = [at(1, 10), at(1, 13, 30), at(1, 14, 10), at(1, 15, 40)]
STATES = {"booked": [], "checked_in": ["check_in"], "served": ["check_in", "serve"],
          "cancelled": ["cancel"]}


def accepted(row: Appointment, user: User, action: str, now: dt.datetime) -> bool:
    with transaction.atomic():
        try:
            appointment_move(code=row.code, user=user, action=action, now=now)
        except (DomainError, Appointment.DoesNotExist):
            ok = False
        else:
            ok = True
        transaction.set_rollback(True)
    return ok


def test_the_page_offers_what_the_service_accepts(client_for: Any, applicant: User,
                                                  clerk: User, police_item: Service) -> None:
    stranger = User.objects.get(username="chuangye")
    row = appointment_book(user=applicant, now=at(1, 9), data=BookIn(
        hall=CITY, implementation=police_item.implementation.code, start=START))[0]
    checked, offers = 0, 0
    for state, path in STATES.items():
        with transaction.atomic():
            for action in path:
                appointment_move(code=row.code, user=clerk, action=action, now=at(1, 14, 30))
            for moment in MOMENTS:
                with override_settings(ZHENGWU_NOW=moment.isoformat()):
                    for user in (applicant, clerk, stranger):
                        status, forms = offered(client_for(user),
                                                reverse("hall:appointment", args=[row.code]))
                        for action in PAGE_ACTIONS:
                            shown = reverse("hall:move", args=[row.code, action]) in forms
                            ok = accepted(row, user, action, moment)
                            assert shown == ok, (state, moment, user.username, action, shown,
                                                 ok)
                            if user == stranger:
                                assert status == 404
                            checked += 1
                            offers += shown
            transaction.set_rollback(True)
    assert checked == len(STATES) * len(MOMENTS) * 3 * len(PAGE_ACTIONS)
    assert offers >= 6  # not vacuous: cancel, check-in and serve were each offered

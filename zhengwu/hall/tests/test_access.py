"""Who may cancel and check in an appointment, by API and page: every demo user of the pack,
anonymous, and a street window clerk (whose region does not contain the city centre).

The expectation is written from the rules in prose (docs/hall.md), not read from the code:
- the person booked for cancels (up to the cut-off); hall staff — window clerks and hall
  managers whose region contains the hall — cancel and check in;
- someone who sees the appointment but may not make the move is refused (403: the person
  checking themselves in); everyone else finds it absent (404), as an unknown code is;
  anonymous is asked to sign in (401, or the login page).
Each probe runs in a savepoint that is rolled back, so the appointment is booked once.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.hall.models import Appointment, Service
from zhengwu.hall.services import BookIn, appointment_book
from zhengwu.hall.tests.conftest import CITY, at
from zhengwu.regions.models import Region

pytestmark = pytest.mark.django_db
NOW = "2026-12-01T10:00:00+08:00"
PERSON = "zhangsan"
HALL_STAFF = {"clerk", "hallmgr"}  # county-wide window clerk and hall manager
ABSENT = "ZZZZZZZZ"


def expected(username: str, action: str) -> int:
    if not username:
        return 401
    if username in HALL_STAFF:
        return 200
    if username == PERSON:
        return 200 if action == "cancel" else 403
    return 404


def people() -> list[str]:
    path = Path(settings.ZHENGWU_DEFAULT_PACK) / "people.csv"
    with path.open(encoding="utf-8") as rows:
        return [row["username"] for row in csv.DictReader(rows)]


# Check-in opens early enough here that both moves are open at NOW, 4½ hours before the start.
@override_settings(ZHENGWU_NOW=NOW, HALL_CHECK_IN_EARLY_MINUTES=300)
def test_cancel_and_check_in_matrix(police_item: Service) -> None:
    street = user_create(username="clerk_street_hall", password="x-demo-2026-x",
                         kind=UserKind.STAFF, display_name="街道窗口")
    role_assign(user=street, role=Role.WINDOW_CLERK,
                region=Region.objects.get(code="430481001000"))
    row = appointment_book(user=User.objects.get(username=PERSON), now=at(1, 10), data=BookIn(
        hall=CITY, implementation=police_item.implementation.code, start=at(1, 14, 30)))[0]
    violations, acted = [], 0
    for username in ["", *people(), street.username]:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        for action, api in (("cancel", "cancel"), ("check_in", "check-in")):
            want = expected(username, action)
            for kind, path, absent in (
                    ("api", f"/api/v1/hall/appointments/{row.code}/{api}",
                     f"/api/v1/hall/appointments/{ABSENT}/{api}"),
                    ("page", f"/hall/appointments/{row.code}/{action}/",
                     f"/hall/appointments/{ABSENT}/{action}/")):
                for target in (path, absent):
                    with transaction.atomic():
                        answer: Any = client.post(target, {}, content_type="application/json") \
                            if kind == "api" else client.post(target, {})
                        status = answer.status_code
                        now = Appointment.objects.get(pk=row.pk).status
                        transaction.set_rollback(True)
                    want_here = want if target == path else (401 if not username else 404)
                    if kind == "api":
                        got = status
                    elif not username:  # the login page
                        got = 401 if status == 302 and answer["Location"].startswith(
                            reverse(settings.LOGIN_URL)) else status
                    elif status == 302:  # back to the appointment: made, or refused there
                        got = 200 if now != "booked" else 403
                    else:
                        got = status
                    if got != want_here:
                        violations.append(f"{username or '匿名'} {kind} {action} "
                                          f"{'absent' if target != path else ''}: {got} ≠ "
                                          f"{want_here}")
                    acted += got == 200 and target == path
    assert not violations, "\n".join(violations)
    assert acted == 2 * 2 + 2 * 2 + 2  # staff: both moves twice; the person: cancel twice

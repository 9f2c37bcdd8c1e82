"""Who may open each of the queue's URLs and make each move (ADR 0020), by API and page:
every demo user of the pack and anonymous.

Written from the rules in prose (docs/hall.md 取号叫号), not read from the code:
- the kiosk, the hall screen (page and JSON) and the rating pad are public (no login);
- calling at a window — its page, call-next, and the moves of a number called there — is for
  the clerk on duty at that window today (Duty) or a hall manager; the hall's other staff and
  everyone else find the window absent (404); anonymous is asked to sign in;
- 电话取号 and the hall's queue are for the hall's staff (window clerks and hall managers whose
  region contains it); others: 404 on the page, 403 on the API.
Each probe runs in a savepoint that is rolled back.
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

from zhengwu.accounts.models import User
from zhengwu.hall.models import Duty, Hall, TicketSource, Window
from zhengwu.hall.queue import TakeIn, ticket_call_next, ticket_take
from zhengwu.hall.tests.conftest import CITY, MORNING

pytestmark = pytest.mark.django_db
NOW = MORNING.isoformat()
ON_DUTY = "clerk"  # on duty at A01 in this test
MANAGER = "hallmgr"
HALL_STAFF = {"clerk", "hallmgr"}


def people() -> list[str]:
    path = Path(settings.ZHENGWU_DEFAULT_PACK) / "people.csv"
    with path.open(encoding="utf-8") as rows:
        return [row["username"] for row in csv.DictReader(rows)]


def window_rule(username: str, api: bool) -> int:
    if not username:
        return 401 if api else 302
    return 200 if username in (ON_DUTY, MANAGER) else 404


@override_settings(ZHENGWU_NOW=NOW)
def test_the_queue_access_matrix(city: Hall) -> None:
    Duty.objects.create(window=Window.objects.get(hall=city, number="A01"),
                        date=MORNING.date(), user=User.objects.get(username=ON_DUTY))
    waiting = ticket_take(data=TakeIn(hall=CITY, group="综合受理", phone="13900000001"),
                          source=TicketSource.KIOSK_PHONE, now=MORNING)[0]
    called = ticket_take(data=TakeIn(hall=CITY, group="综合受理", phone="13900000002"),
                         source=TicketSource.KIOSK_PHONE, now=MORNING)[0]
    ticket_call_next(user=User.objects.get(username=MANAGER), hall_code=CITY, window="A01",
                     now=MORNING)  # the first taken: `waiting`
    waiting, called = called, waiting
    violations, acted = [], 0
    for username in ["", *people()]:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        staff = username in HALL_STAFF
        probes: list[tuple[str, str, str, dict[str, Any], int]] = [
            ("get", reverse("hall:kiosk", args=[CITY]), "", {}, 200),
            ("get", reverse("hall:display", args=[CITY]), "", {}, 200),
            ("get", reverse("hall:display_state", args=[CITY]), "", {}, 200),
            ("get", "/api/v1/hall/display/LY-ZWFW", "", {}, 200),
            ("get", reverse("hall:pad", args=[CITY, "A01"]), "", {}, 200),
            ("get", reverse("hall:calling", args=[CITY, "A01"]), "", {},
             window_rule(username, api=False)),
            ("post", reverse("hall:calling_action", args=[CITY, "A01", "recall"]), "",
             {"ticket": called.pk}, 302 if window_rule(username, False) == 200
             else window_rule(username, False)),
            ("post", f"/api/v1/hall/tickets/{called.pk}/recall", "json", {},
             window_rule(username, api=True)),
            # A waiting number is the hall's: any of its staff may send it elsewhere.
            ("post", f"/api/v1/hall/tickets/{waiting.pk}/transfer", "json", {"group": "公安"},
             200 if staff else (401 if not username else 404)),
            ("post", "/api/v1/hall/windows/LY-ZWFW/A02/call-next", "json", {},
             # A02 has nobody on duty: only the manager may call there.
             (200 if username == MANAGER else 401 if not username else 404)),
            ("get", "/api/v1/hall/queue", "", {},
             200 if staff else (401 if not username else 403)),
            ("post", reverse("hall:phone_ticket", args=[CITY]), "",
             {"group": "公安", "name": "王来电", "phone": "13900000009"},
             302 if staff else (302 if not username else 404)),
        ]
        for method, path, kind, data, want in probes:
            with transaction.atomic():
                if method == "get":
                    answer: Any = client.get(path)
                elif kind == "json":
                    answer = client.post(path, data, content_type="application/json")
                else:
                    answer = client.post(path, data)
                transaction.set_rollback(True)
            if answer.status_code != want:
                violations.append((username or "anonymous", method, path, answer.status_code,
                                   want))
            acted += answer.status_code in (200, 201, 302) and method == "post"
    assert not violations, violations
    assert acted > 0

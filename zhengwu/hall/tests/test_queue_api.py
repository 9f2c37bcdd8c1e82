"""The queue's API (ADR 0020): taking a number with Idempotency-Key, a hall's queue (staff),
a window's moves, the display's state (public, numbers only); errors JSON {"code","detail"}."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings

from zhengwu.accounts.models import User
from zhengwu.hall.models import Duty, Hall, Ticket, Window
from zhengwu.hall.tests.conftest import MORNING

pytestmark = pytest.mark.django_db
NOW = MORNING.isoformat()
BASE = "/api/v1/hall"


@override_settings(ZHENGWU_NOW=NOW)
def test_take_call_and_finish_through_the_api(client_for: Any, applicant: User, clerk: User,
                                              city: Hall) -> None:
    cache.clear()
    Duty.objects.create(window=Window.objects.get(hall=city, number="A01"),
                        date=MORNING.date(), user=clerk)
    me = client_for(applicant)
    taken = me.post(f"{BASE}/tickets", {"group": "综合受理"}, content_type="application/json",
                    headers={"Idempotency-Key": "k-queue-1"})
    assert taken.status_code == 201
    body = taken.json()
    assert body["number"] == "A001" and body["ahead"] == 0 and body["source"] == "app"
    again = me.post(f"{BASE}/tickets", {"group": "综合受理"}, content_type="application/json",
                    headers={"Idempotency-Key": "k-queue-1"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    held = me.post(f"{BASE}/tickets", {"group": "综合受理"}, content_type="application/json")
    assert held.status_code == 422 and held.json()["code"] == "hall.ticket_held"
    assert me.get(f"{BASE}/queue").status_code == 403
    staff = client_for(clerk)
    queue = staff.get(f"{BASE}/queue", {"group": "综合受理"}).json()
    assert queue["count"] == 1 and "name" not in queue["items"][0]
    assert me.post(f"{BASE}/windows/LY-ZWFW/A01/call-next").status_code == 404
    called = staff.post(f"{BASE}/windows/LY-ZWFW/A01/call-next")
    assert called.status_code == 200 and called.json()["status"] == "called"
    empty = staff.post(f"{BASE}/windows/LY-ZWFW/A02/call-next")
    assert empty.status_code == 404 and set(empty.json()) == {"code", "detail"}
    ticket = body["id"]
    assert staff.post(f"{BASE}/tickets/{ticket}/recall").status_code == 200
    assert staff.post(f"{BASE}/tickets/{ticket}/finish").json()["code"] == \
        "ticket.move_not_allowed"
    assert staff.post(f"{BASE}/tickets/{ticket}/start").status_code == 200
    bad = staff.post(f"{BASE}/tickets/{ticket}/transfer", {"group": "没有"},
                     content_type="application/json")
    assert bad.status_code == 422
    done = staff.post(f"{BASE}/tickets/{ticket}/finish")
    assert done.status_code == 200 and done.json()["status"] == "finished"
    assert me.post(f"{BASE}/tickets/{ticket}/recall").status_code == 404
    display = client_for(None).get(f"{BASE}/display/LY-ZWFW")
    assert display.status_code == 200
    assert display.json()["recent"] == [{"number": "A001", "window": "A01"}]
    assert applicant.citizen_id not in display.content.decode()
    assert client_for(None).get(f"{BASE}/display/NOPE").status_code == 404
    assert Ticket.objects.count() == 1


def test_taking_needs_a_session(client: Any) -> None:
    assert client.post(f"{BASE}/tickets", {}, content_type="application/json") \
        .status_code == 401


@override_settings(ZHENGWU_NOW=NOW)
def test_an_enterprise_account_is_told_who_takes_the_number(client_for: Any,
                                                           city: Hall) -> None:
    """The same rule as booking (services.person_refusal): the one who comes takes it."""
    answer = client_for(User.objects.get(username="canyin")).post(
        f"{BASE}/tickets", {"group": "综合受理"}, content_type="application/json")
    assert answer.status_code == 422 and answer.json()["code"] == "hall.enterprise_account"
    assert "取号" in answer.json()["detail"]

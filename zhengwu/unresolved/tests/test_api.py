"""The API of 办不成事反映: open a ticket as the signed-in person (errors as {"code","detail"}),
one's own tickets, the officer's moves, and the read of a ticket logged."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from zhengwu.unresolved.models import TicketRead
from zhengwu.unresolved.tests.conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/unresolved"


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json")


@time_machine.travel(at(2026, 9, 30), tick=False)
def test_open_follow_and_resolve_through_the_api(client_for, applicant, food, chief):
    me = client_for(applicant)
    bad = _post(me, "/tickets", {"asked": "", "told": "不能办", "where": "window"})
    assert bad.status_code == 422 and bad.json()["code"] == "ticket.invalid"
    assert "想办的事" in bad.json()["detail"]
    made = _post(me, "/tickets", {"asked": "食品经营许可", "told": "缺房产证明不能受理",
                                  "where": "window", "implementation": food.code})
    assert made.status_code == 201
    ticket = made.json()
    # Opened the day before National Day: contact by 8 Oct, the outcome by 13 Oct.
    assert ticket["contact_due_at"].startswith("2026-10-08")
    assert ticket["resolve_due_at"].startswith("2026-10-13")
    assert me.get(f"{API}/tickets/mine").json()["count"] == 1
    officer = client_for(chief)
    number = ticket["number"]
    shown = officer.get(f"{API}/tickets/{number}").json()
    assert shown["phone"] == applicant.phone and shown["moves"] == ["contact"]
    assert TicketRead.objects.filter(ticket__number=number, user=chief).exists()
    assert _post(officer, f"/tickets/{number}/moves", {
        "action": "contact", "how": "phone", "note": "已联系"}).status_code == 200
    refused = _post(officer, f"/tickets/{number}/moves", {
        "action": "resolve", "outcome": "explained", "note": "解释", "summary": "许可咨询"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "ticket.legal_basis_required"
    done = _post(officer, f"/tickets/{number}/moves", {
        "action": "resolve", "outcome": "explained", "note": "解释", "summary": "许可咨询",
        "legal_basis": "某办法第十二条"})
    assert done.status_code == 200 and done.json()["status"] == "closed"
    mine = me.get(f"{API}/tickets/mine").json()["items"][0]
    assert mine["outcome"] == "explained" and mine["legal_basis"] == "某办法第十二条"
    assert "phone" not in mine


def test_a_malformed_month_is_a_422(client_for):
    answer = client_for(None).get(f"{API}/public?month=2026-13")
    assert answer.status_code == 422 and answer.json()["code"] == "ticket.month"

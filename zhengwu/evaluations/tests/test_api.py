"""The 好差评 API: POST with Idempotency-Key, one's own ratings, errors as {"code","detail"}."""

from __future__ import annotations

import pytest
import time_machine

from zhengwu.accounts.models import User
from zhengwu.evaluations.models import Rating
from zhengwu.evaluations.tests.conftest import at

pytestmark = pytest.mark.django_db

URL = "/api/v1/evaluations/ratings"


def post(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, body, content_type="application/json", **headers)


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_rate_with_an_idempotency_key(make_event, applicant, client_for):
    event = make_event(at(2026, 3, 2, 9))
    client = client_for(applicant)
    body = {"kind": "case", "key": event.key, "level": 4, "reasons": ["A03"], "text": "慢"}
    first = post(client, body, key="rate-1")
    assert first.status_code == 201, first.content
    assert first.json()["rectification_status"] == "triage"
    again = post(client, body, key="rate-1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = post(client, body | {"level": 3, "reasons": []}, key="rate-1")
    assert other.status_code == 422 and other.json()["code"] == "rating.idempotency_conflict"
    twice = post(client, body | {"level": 1})
    assert twice.status_code == 409 and twice.json()["code"] == "rating.already_rated"
    mine = client.get(URL + "/mine").json()
    assert mine["count"] == 1 and mine["items"][0]["key"] == event.key
    assert Rating.objects.filter(event=event).count() == 1


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_another_persons_service_is_absent(make_event, client_for):
    event = make_event(at(2026, 3, 2, 9))
    response = post(client_for(User.objects.get(username="chuangye")),
                    {"kind": "case", "key": event.key, "level": 1})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert post(client_for(None), {"kind": "case", "key": event.key,
                                   "level": 1}).status_code == 401
    bad = post(client_for(User.objects.get(username="zhangsan")),
               {"kind": "case", "key": event.key, "level": 5})
    assert bad.status_code == 422 and bad.json()["code"] == "rating.reason_required"


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_staff_lists_refuse_applicants(client_for, applicant):
    response = client_for(applicant).get("/api/v1/evaluations/rectifications")
    assert response.status_code == 403
    assert client_for(applicant).get("/evaluations/staff/").status_code == 403
    assert client_for(None).get("/api/v1/evaluations/public").status_code == 200

"""The hall API: GET /api/v1/hall/slots (the contract's exact shape, the official calendar,
ZHENGWU_NOW, 422 for bad input), booking with Idempotency-Key, cancel and check-in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from zhengwu.accounts.models import User
from zhengwu.hall.models import Appointment, Service

pytestmark = pytest.mark.django_db
SLOTS = "/api/v1/hall/slots"
NOW = "2026-12-01T10:00:00+08:00"


@override_settings(ZHENGWU_NOW=NOW)
def test_slots_answer_exactly_the_contract(client: Any) -> None:
    answer = client.get(SLOTS, {"date": "2026-12-02"})
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"items", "count"} and body["count"] == len(body["items"]) > 0
    first = body["items"][0]
    assert set(first) == {"start", "end", "window_group", "available"}
    assert first["start"] == "2026-12-02T08:30:00+08:00"
    assert isinstance(first["available"], int) and first["available"] > 0


@override_settings(ZHENGWU_NOW="2026-02-01T10:00:00+08:00")
def test_a_statutory_holiday_is_empty_and_a_makeup_saturday_is_filled(client: Any) -> None:
    assert client.get(SLOTS, {"date": "2026-02-17"}).json() == {"items": [], "count": 0}
    assert client.get(SLOTS, {"date": "2026-10-01"}).json() == {"items": [], "count": 0}
    assert client.get(SLOTS, {"date": "2026-02-14"}).json()["count"] > 0
    assert client.get(SLOTS, {"date": "2026-10-10"}).json()["count"] > 0
    # an ordinary Saturday has the city centre's weekend 延时 (09:00–12:00) only
    saturday = client.get(SLOTS, {"date": "2026-12-05"}).json()["items"]
    assert saturday and {s["start"][11:16] for s in saturday} <= {
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30"}


@override_settings(ZHENGWU_NOW=NOW)
def test_slots_honour_the_platform_clock(client: Any) -> None:
    items = client.get(SLOTS, {"date": "2026-12-01"}).json()["items"]
    assert all(s["available"] == 0 for s in items if s["start"] < "2026-12-01T10:00:01")
    assert any(s["available"] > 0 for s in items if s["start"] > "2026-12-01T10:00:01")


@override_settings(ZHENGWU_NOW=NOW)
def test_slots_of_one_item_and_of_a_township(client: Any, police_item: Service) -> None:
    items = client.get(SLOTS, {"date": "2026-12-02", "item": police_item.implementation.code})\
        .json()["items"]
    assert {s["window_group"] for s in items} == {"公安"}
    assert any(s["start"].endswith("17:30:00+08:00") for s in items)  # 预约延时
    township = client.get(SLOTS, {"date": "2026-12-02", "hall": "LY-BM-430481100000"}).json()
    assert {s["window_group"] for s in township["items"]} == {"综合受理"}


@pytest.mark.parametrize(("query", "code"), [
    ({"date": "2026-13-01"}, "hall.date_invalid"),
    ({"date": "明天"}, "hall.date_invalid"),
    ({"date": "2026-12-02", "hall": "NOPE"}, "hall.unknown_hall"),
    ({"date": "2026-12-02", "item": "x"}, "hall.unknown_item"),
    ({}, "invalid_input"),
])
def test_bad_input_is_a_422_with_code_and_detail(client: Any, query: dict[str, str],
                                                 code: str) -> None:
    answer = client.get(SLOTS, query)
    assert answer.status_code == 422
    assert answer.json()["code"] == code and answer.json()["detail"]


@override_settings(ZHENGWU_NOW=NOW)
def test_book_by_api_with_an_idempotency_key_then_cancel(
        client_for: Any, applicant: User, police_item: Service) -> None:
    client = client_for(applicant)
    body = {"item": police_item.implementation.code, "start": "2026-12-02T09:00:00+08:00"}
    made = client.post("/api/v1/hall/appointments", body, content_type="application/json",
                       headers={"Idempotency-Key": "abc-1"})
    assert made.status_code == 201, made.json()
    again = client.post("/api/v1/hall/appointments", body, content_type="application/json",
                        headers={"Idempotency-Key": "abc-1"})
    assert again.status_code == 200 and again.json()["code"] == made.json()["code"]
    other = client.post("/api/v1/hall/appointments", {**body, "start": "2026-12-03T09:00:00"},
                        content_type="application/json", headers={"Idempotency-Key": "abc-1"})
    assert other.status_code == 422 and other.json()["code"] == "hall.idempotency_conflict"
    mine = client.get("/api/v1/hall/appointments").json()
    assert mine["count"] == 1 and mine["items"][0]["status"] == "booked"
    code = made.json()["code"]
    cancelled = client.post(f"/api/v1/hall/appointments/{code}/cancel", {"reason": "改期"},
                            content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    twice = client.post(f"/api/v1/hall/appointments/{code}/cancel", {},
                        content_type="application/json")
    assert twice.status_code == 409


@override_settings(ZHENGWU_NOW=NOW)
def test_booking_refusals_are_422_and_others_see_404(
        client_for: Any, applicant: User, clerk: User, police_item: Service) -> None:
    client = client_for(applicant)
    holiday = client.post("/api/v1/hall/appointments", {
        "item": police_item.implementation.code, "start": "2026-12-02T21:00:00+08:00"},
        content_type="application/json")
    assert holiday.status_code == 422 and holiday.json()["code"] == "hall.slot_unavailable"
    made = client.post("/api/v1/hall/appointments", {
        "item": police_item.implementation.code, "start": "2026-12-01T11:00:00+08:00"},
        content_type="application/json").json()
    stranger = client_for(User.objects.get(username="chuangye"))
    assert stranger.post(f"/api/v1/hall/appointments/{made['code']}/cancel", {},
                         content_type="application/json").status_code == 404
    assert stranger.post(f"/api/v1/hall/appointments/{made['code']}/check-in")\
        .status_code == 404
    # the applicant may not check themselves in; the clerk of the hall does
    assert client.post(f"/api/v1/hall/appointments/{made['code']}/check-in")\
        .status_code == 403
    checked = client_for(clerk).post(f"/api/v1/hall/appointments/{made['code']}/check-in")
    assert checked.status_code == 200 and checked.json()["status"] == "checked_in"
    assert checked.json()["id_number"] != applicant.citizen_id  # masked for staff
    assert Appointment.objects.get(code=made["code"]).checked_in_at is not None


@override_settings(ZHENGWU_NOW=NOW)
def test_an_enterprise_account_is_told_who_books(client_for: Any,
                                                 police_item: Service) -> None:
    """Whoever comes to the hall checks in with their own ID card: an enterprise's visit is
    booked by its 经办人 under their own account, and the enterprise account is told so."""
    answer = client_for(User.objects.get(username="canyin")).post(
        "/api/v1/hall/appointments", {"item": police_item.implementation.code,
                                      "start": "2026-12-01T11:00:00+08:00"},
        content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["code"] == "hall.enterprise_account"
    assert "经办人" in answer.json()["detail"]


def test_booking_needs_a_session(client: Any) -> None:
    assert client.post("/api/v1/hall/appointments", {}, content_type="application/json")\
        .status_code == 401


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_far_out_is_empty_not_an_error(client: Any, day: str) -> None:
    assert client.get(SLOTS, {"date": day}).json() == {"items": [], "count": 0}


@override_settings(ZHENGWU_NOW=NOW)
def test_a_start_far_out_is_refused_not_an_error(client_for: Any, applicant: User,
                                                 police_item: Service) -> None:
    for start in ("9999-12-31T23:30:00+08:00", "0001-01-01T00:00:00", "2026-12-02T09:00+99:00"):
        answer = client_for(applicant).post("/api/v1/hall/appointments", {
            "item": police_item.implementation.code, "start": start},
            content_type="application/json")
        assert answer.status_code == 422, (start, answer.content)

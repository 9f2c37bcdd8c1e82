"""The queue's pages (ADR 0020): the kiosk (errors next to the field, what was typed kept;
check-in with a booking code), 电话取号 on the staff hall page, the window's calling page (the
clerk on duty only; works as plain forms), the hall screen and its JSON (no personal data),
and the window's rating pad (one rating per finished number)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.evaluations.models import Rating
from zhengwu.hall.models import Duty, Hall, Service, Ticket, TicketStatus, Window
from zhengwu.hall.services import BookIn, appointment_book
from zhengwu.hall.tests.conftest import CITY, MORNING, at, citizen_id

pytestmark = pytest.mark.django_db
NOW = MORNING.isoformat()


@pytest.fixture
def on_duty(clerk: User, city: Hall) -> Window:
    window = Window.objects.get(hall=city, number="A01")
    Duty.objects.create(window=window, date=MORNING.date(), user=clerk)
    return window


@override_settings(ZHENGWU_NOW=NOW)
def test_the_kiosk_gives_a_number_and_keeps_what_was_typed_on_errors(
        client_for: Any, city: Hall) -> None:
    client = client_for(None)
    url = reverse("hall:kiosk", args=[CITY])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"way": "id", "group": "综合受理", "id_number": "43048119"})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert 'value="43048119"' in text and 'id="id_id_number_error"' in text
    missing = client.post(url, {"way": "phone", "group": "综合受理", "phone": ""})
    assert "请输入手机号码。" in missing.content.decode()
    done = client.post(url, {"way": "id", "group": "综合受理", "id_number": citizen_id(1)})
    assert done.status_code == 200
    assert "A001" in done.content.decode() and "前面还有 <strong>0</strong> 人" in \
        done.content.decode()
    second = client.post(url, {"way": "phone", "group": "综合受理", "phone": "13900000009"})
    assert "A002" in second.content.decode() and "前面还有 <strong>1</strong> 人" in \
        second.content.decode()


@override_settings(ZHENGWU_NOW=NOW)
def test_the_kiosk_checks_in_with_a_booking_code(client_for: Any, applicant: User,
                                                 market_item: Service) -> None:
    appointment = appointment_book(user=applicant, data=BookIn(
        hall=CITY, implementation=market_item.implementation.code, start=at(1, 9, 30)),
        now=at(1, 8))[0]
    client = client_for(None)
    url = reverse("hall:kiosk", args=[CITY])
    wrong = client.post(url, {"code": "NOPE1234"})
    assert wrong.status_code == 422 and "没有该预约码的预约。" in wrong.content.decode()
    assert 'value="NOPE1234"' in wrong.content.decode()
    done = client.post(url, {"code": appointment.code})
    assert done.status_code == 200 and "预约签到" in done.content.decode()
    assert Ticket.objects.get(appointment=appointment).number in done.content.decode()


@override_settings(ZHENGWU_NOW=NOW)
def test_staff_take_a_number_for_a_caller(client_for: Any, clerk: User, city: Hall) -> None:
    client = client_for(clerk)
    url = reverse("hall:phone_ticket", args=[CITY])
    bad = client.post(url, {"group": "公安", "name": "王来电", "phone": "123"})
    assert bad.status_code == 422 and 'value="王来电"' in bad.content.decode()
    assert "请填写11位手机号码。" in bad.content.decode()
    done = client.post(url, {"group": "公安", "name": "王来电", "phone": "13900000003"})
    assert done.status_code == 302
    assert Ticket.objects.get().number == "E001"


@override_settings(ZHENGWU_NOW=NOW)
def test_the_calling_page_is_the_clerk_on_duty_s(client_for: Any, clerk: User,
                                                 applicant: User, on_duty: Window,
                                                 city: Hall) -> None:
    url = reverse("hall:calling", args=[CITY, "A01"])
    assert client_for(None).get(url).status_code == 302
    assert client_for(applicant).get(url).status_code == 404
    assert client_for(clerk).get(reverse("hall:calling", args=[CITY, "A02"])).status_code \
        == 404
    client = client_for(clerk)
    client_for(None).post(reverse("hall:kiosk", args=[CITY]),
                          {"way": "id", "group": "综合受理", "id_number": citizen_id(2)})
    page = client.get(url)
    assert page.status_code == 200 and "呼叫下一位" in page.content.decode()
    assert citizen_id(2) not in page.content.decode()  # masked
    called = client.post(reverse("hall:calling_action", args=[CITY, "A01", "call_next"]))
    assert called.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.CALLED
    page = client.get(url).content.decode()
    assert "重呼" in page and "过号" in page and citizen_id(2)[:3] + "*" in page
    bad = client.post(reverse("hall:calling_action", args=[CITY, "A01", "transfer"]),
                      {"ticket": ticket.pk, "group": "没有"})
    assert bad.status_code == 422 and "请选择要转往的窗口组。" in bad.content.decode()
    for action in ("start", "finish"):
        client.post(reverse("hall:calling_action", args=[CITY, "A01", action]),
                    {"ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.FINISHED


def test_the_display_and_its_json_show_numbers_only(client_for: Any, clerk: User,
                                                    on_duty: Window, city: Hall) -> None:
    cache.clear()
    with override_settings(ZHENGWU_NOW=NOW):
        client_for(None).post(reverse("hall:kiosk", args=[CITY]), {
            "way": "id", "group": "综合受理", "id_number": citizen_id(3)})
        client_for(clerk).post(reverse("hall:calling_action", args=[CITY, "A01",
                                                                    "call_next"]))
        page = client_for(None).get(reverse("hall:display", args=[CITY]))
        state = client_for(None).get(reverse("hall:display_state", args=[CITY]))
    assert page.status_code == 200 and "A001" in page.content.decode()
    assert 'http-equiv="refresh"' in page.content.decode()
    data = json.loads(state.content)
    assert data["voice"] == "请A001号到A01号窗口办理"
    assert citizen_id(3) not in state.content.decode()
    assert state["Cache-Control"].startswith("max-age=0")
    missing = client_for(None).get(reverse("hall:display_state", args=["NOPE"]))
    assert missing.status_code == 404 and json.loads(missing.content)["code"] == \
        "hall.unknown_hall"


def test_the_rating_pad_rates_the_number_just_finished_once(
        client_for: Any, clerk: User, on_duty: Window, city: Hall) -> None:
    with override_settings(ZHENGWU_NOW=NOW):
        client_for(None).post(reverse("hall:kiosk", args=[CITY]), {
            "way": "id", "group": "综合受理", "id_number": citizen_id(4)})
        staff = client_for(clerk)
        staff.post(reverse("hall:calling_action", args=[CITY, "A01", "call_next"]))
        ticket = Ticket.objects.get()
        pad = reverse("hall:pad", args=[CITY, "A01"])
        assert "A001" not in client_for(None).get(pad).content.decode()  # not finished yet
        for action in ("start", "finish"):
            staff.post(reverse("hall:calling_action", args=[CITY, "A01", action]),
                       {"ticket": ticket.pk})
        tablet = client_for(None)
        assert "A001" in tablet.get(pad).content.decode()
        bad = tablet.post(pad, {"ticket": ticket.pk, "level": 5})
        assert bad.status_code == 422 and "差评请至少选择一项原因" in bad.content.decode()
        done = tablet.post(pad, {"ticket": ticket.pk, "level": 1})
        assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
        again = tablet.post(pad, {"ticket": ticket.pk, "level": 2})
        assert again.status_code == 422
    rating = Rating.objects.get()
    assert rating.channel == "pad" and rating.level == 1
    assert rating.event.staff == clerk and rating.rater is None
    # The clerk's page never says who rated: the calling page shows no rating at all.
    with override_settings(ZHENGWU_NOW=NOW):
        assert "评价人" not in staff.get(reverse("hall:calling", args=[CITY, "A01"])) \
            .content.decode()


@override_settings(ZHENGWU_NOW=NOW)
def test_the_kiosk_refuses_another_hall_s_booking_code_without_checking_it_in(
        client_for: Any, applicant: User, market_item: Service) -> None:
    appointment = appointment_book(user=applicant, data=BookIn(
        hall=CITY, implementation=market_item.implementation.code, start=at(1, 9, 30)),
        now=at(1, 8))[0]
    township = Hall.objects.get(region_id="430481100000")
    refused = client_for(None).post(reverse("hall:kiosk", args=[township.code]),
                                    {"code": appointment.code})
    assert refused.status_code == 422 and "该预约不在本大厅" in refused.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "booked" and not Ticket.objects.exists()

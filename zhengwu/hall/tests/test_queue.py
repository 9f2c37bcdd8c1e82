"""The queue on the pack's city centre (ADR 0020): numbers per hall per Beijing day, taking at
the kiosk and through staff, the appointment's number at check-in, calling in order, recall,
pass and requeue, transfer, finishing into a rateable window visit (one rating), and the
display's state: no personal data, and cheap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.core.codes import citizen_id_check_char
from zhengwu.core.errors import Conflict, NotAllowed
from zhengwu.core.models import AuditEvent
from zhengwu.evaluations.models import Rating, ServiceEvent
from zhengwu.evaluations.services import RatingIn, rating_at_pad
from zhengwu.hall import selectors, services
from zhengwu.hall.models import (
    DayException,
    Duty,
    Hall,
    Service,
    Ticket,
    TicketEvent,
    TicketSource,
    TicketStatus,
    Window,
)
from zhengwu.hall.queue import (
    TakeIn,
    ticket_call_next,
    ticket_move,
    ticket_take,
    tickets_sweep,
    visit_key,
)
from zhengwu.hall.services import BookIn, FieldError, appointment_book
from zhengwu.hall.tests.conftest import CITY, MORNING, at, citizen_id
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db
NOW = MORNING.isoformat()


@pytest.fixture
def on_duty(clerk: User, city: Hall) -> Window:
    window = Window.objects.get(hall=city, number="A01")
    Duty.objects.create(window=window, date=MORNING.date(), user=clerk)
    return window


def take(n: int, *, now: dt.datetime = MORNING, group: str = "综合受理",
         priority: str = "") -> Ticket:
    return ticket_take(data=TakeIn(hall=CITY, group=group, id_number=citizen_id(n),
                                   priority=priority), source=TicketSource.KIOSK_ID, now=now)[0]


def test_no_number_outside_the_hall_s_hours(city: Hall) -> None:
    """取号时间 on the official calendar: not on National Day, not after walk-in service ends,
    and a hall's extra session (周末延时) opens its kiosk on a rest day."""
    with pytest.raises(FieldError) as holiday:
        take(1, now=dt.datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI))
    assert holiday.value.code == "hall.take_closed"
    with pytest.raises(FieldError) as evening:
        take(1, now=at(1, 18))
    assert evening.value.code == "hall.take_over"
    assert not Ticket.objects.exists()
    DayException.objects.create(hall=city, date=dt.date(2026, 10, 3), closed=False,
                                kind="weekend", start=dt.time(9), end=dt.time(12),
                                reason="国庆假期延时服务")
    assert take(1, now=dt.datetime(2026, 10, 3, 10, 0, tzinfo=SHANGHAI)).number == "A001"


def test_numbers_run_per_hall_per_beijing_day(city: Hall) -> None:
    first = take(1, now=at(1, 8, 30))
    second = ticket_take(data=TakeIn(hall=CITY, group="公安", phone="13900000001"),
                         source=TicketSource.KIOSK_PHONE, now=at(1, 9))[0]
    assert (first.number, second.number) == ("A001", "E002")
    # The last walk-in number of the day (17:29) is still A003; at 07:45 Beijing — still 1
    # December in UTC (23:45) — the kiosk opens for 2 December and numbers start again.
    late = take(3, now=at(1, 17, 29))
    assert late.number == "A003" and late.day == dt.date(2026, 12, 1)
    next_day = take(4, now=dt.datetime(2026, 12, 1, 23, 45, tzinfo=dt.UTC))
    assert next_day.number == "A001" and next_day.day == dt.date(2026, 12, 2)
    township = Hall.objects.get(region_id="430481100000")
    there = ticket_take(data=TakeIn(hall=township.code, group="综合受理",
                                    id_number=citizen_id(5)),
                        source=TicketSource.KIOSK_ID, now=at(1, 9))[0]
    assert there.number == "A001"
    assert TicketEvent.objects.filter(ticket=first, action="take").exists()
    assert AuditEvent.objects.filter(action="hall.ticket.take").count() == 5


def test_kiosk_refusals_name_their_field(city: Hall) -> None:
    with pytest.raises(FieldError) as bad_id:
        ticket_take(data=TakeIn(hall=CITY, group="综合受理", id_number="123"),
                    source=TicketSource.KIOSK_ID, now=MORNING)
    assert bad_id.value.field == "id_number"
    with pytest.raises(FieldError) as bad_group:
        ticket_take(data=TakeIn(hall=CITY, group="没有", id_number=citizen_id(1)),
                    source=TicketSource.KIOSK_ID, now=MORNING)
    assert bad_group.value.field == "group"
    take(1)
    with pytest.raises(FieldError) as held:
        take(1, now=MORNING + dt.timedelta(minutes=1))
    assert held.value.code == "hall.ticket_held" and "A001" in held.value.message


def test_only_hall_staff_take_a_number_for_a_caller(applicant: User, clerk: User,
                                                    city: Hall) -> None:
    data = TakeIn(hall=CITY, group="综合受理", name="王来电", phone="13900000002")
    with pytest.raises(NotAllowed):
        ticket_take(data=data, source=TicketSource.STAFF_PHONE, user=applicant, now=MORNING)
    row = ticket_take(data=data, source=TicketSource.STAFF_PHONE, user=clerk, now=MORNING)[0]
    assert row.name == "王来电" and row.source == TicketSource.STAFF_PHONE


def test_seventy_and_over_from_the_id_number(city: Hall) -> None:
    younger = take(1)
    assert younger.priority == ""
    body = "43048119501201001"  # 76 on 2026-12-01
    elder = ticket_take(data=TakeIn(hall=CITY, group="综合受理",
                                    id_number=body + citizen_id_check_char(body)),
                        source=TicketSource.KIOSK_ID, now=MORNING)[0]
    assert elder.priority == "elderly"


def test_call_next_in_order_recall_pass_requeue(clerk: User, on_duty: Window) -> None:
    with override_settings(ZHENGWU_NOW=NOW):
        a = take(1, now=at(1, 8, 40))
        b = take(2, now=at(1, 8, 45), priority="pregnant")
        with pytest.raises(MoveNotAllowed):  # not called yet
            ticket_move(user=clerk, ticket_id=a.pk, action="recall", now=MORNING)
        called = ticket_call_next(user=clerk, hall_code=CITY, window="A01", now=MORNING)
        assert called.pk == b.pk and called.status == TicketStatus.CALLED
        assert called.window == on_duty and called.called_at == MORNING
        with pytest.raises(Conflict) as busy:
            ticket_call_next(user=clerk, hall_code=CITY, window="A01", now=MORNING)
        assert busy.value.code == "hall.window_busy"
        later = MORNING + dt.timedelta(minutes=1)
        ticket_move(user=clerk, ticket_id=b.pk, action="recall", now=later)
        b.refresh_from_db()
        assert b.called_at == MORNING and b.last_called_at == later
        assert TicketEvent.objects.filter(ticket=b, action="recall").count() == 1
        ticket_move(user=clerk, ticket_id=b.pk, action="pass", now=later)
        assert ticket_call_next(user=clerk, hall_code=CITY, window="A01",
                                now=later).pk == a.pk
        ticket_move(user=clerk, ticket_id=b.pk, action="requeue", now=later)
        b.refresh_from_db()
        assert b.status == TicketStatus.WAITING and b.requeues == 1 and b.window is None
        ticket_move(user=clerk, ticket_id=a.pk, action="pass", now=later)
        ticket_call_next(user=clerk, hall_code=CITY, window="A01", now=later)
        ticket_move(user=clerk, ticket_id=b.pk, action="pass", now=later)
        with pytest.raises(MoveNotAllowed) as again:
            ticket_move(user=clerk, ticket_id=b.pk, action="requeue", now=later)
        assert again.value.code == "hall.requeue_limit"


def test_only_the_clerk_on_duty_or_a_manager_calls(clerk: User, city: Hall) -> None:
    take(1)
    with override_settings(ZHENGWU_NOW=NOW), pytest.raises(Window.DoesNotExist):
        ticket_call_next(user=clerk, hall_code=CITY, window="A01", now=MORNING)
    manager = User.objects.get(username="hallmgr")
    with override_settings(ZHENGWU_NOW=NOW):
        assert ticket_call_next(user=manager, hall_code=CITY, window="A01",
                                now=MORNING).number == "A001"


def test_transfer_to_another_group_keeps_its_place(clerk: User, on_duty: Window,
                                                   city: Hall) -> None:
    with override_settings(ZHENGWU_NOW=NOW):
        row = take(1, now=at(1, 8, 40))
        other = ticket_take(data=TakeIn(hall=CITY, group="公安", id_number=citizen_id(2)),
                            source=TicketSource.KIOSK_ID, now=at(1, 8, 50))[0]
        ticket_call_next(user=clerk, hall_code=CITY, window="A01", now=MORNING)
        with pytest.raises(FieldError):
            ticket_move(user=clerk, ticket_id=row.pk, action="transfer", group="没有",
                        now=MORNING)
        ticket_move(user=clerk, ticket_id=row.pk, action="transfer", group="公安",
                    now=MORNING)
        row.refresh_from_db()
        assert row.status == TicketStatus.WAITING and row.window_group == "公安"
        assert row.window is None and row.number == "A001"
        queue = selectors.queue_of(city, MORNING.date(), "公安", MORNING)
        assert [t.pk for t in queue] == [row.pk, other.pk]
        event = TicketEvent.objects.get(ticket=row, action="transfer")
        assert event.data == {"from": "综合受理", "to": "公安"}


def test_checking_in_an_appointment_gives_a_number_served_first_at_its_time(
        applicant: User, clerk: User, on_duty: Window, market_item: Service) -> None:
    appointment = appointment_book(user=applicant, data=BookIn(
        hall=CITY, implementation=market_item.implementation.code, start=at(1, 10)),
        now=at(1, 8))[0]
    walk_in = take(1, now=at(1, 9, 30))
    checked = services.appointment_check_in(appointment.code, now=at(1, 9, 40))
    ticket = Ticket.objects.get(appointment=checked)
    assert ticket.source == TicketSource.APPOINTMENT and ticket.slot_start == at(1, 10)
    assert ticket.window_group == "综合受理" and ticket.name == applicant.display_name
    with override_settings(ZHENGWU_NOW=NOW):
        # Before its slot it waits like anyone (behind the 9:30 walk-in)…
        assert [t.pk for t in selectors.queue_of(ticket.hall, ticket.day, "综合受理",
                                                 at(1, 9, 50))] == [walk_in.pk, ticket.pk]
        # …from its slot on it is next.
        called = ticket_call_next(user=clerk, hall_code=CITY, window="A01", now=at(1, 10))
    assert called.pk == ticket.pk
    assert selectors.ahead_of(walk_in, at(1, 10)) == 0


def test_a_refused_check_in_takes_no_number(applicant: User, market_item: Service) -> None:
    appointment = appointment_book(user=applicant, data=BookIn(
        hall=CITY, implementation=market_item.implementation.code, start=at(1, 11)),
        now=at(1, 8))[0]
    with pytest.raises(MoveNotAllowed):
        services.appointment_check_in(appointment.code, now=at(1, 9))
    assert not Ticket.objects.exists()


def _serve(clerk: User, row: Ticket, when: dt.datetime) -> Ticket:
    ticket_call_next(user=clerk, hall_code=CITY, window="A01", now=when)
    ticket_move(user=clerk, ticket_id=row.pk, action="start", now=when)
    return ticket_move(user=clerk, ticket_id=row.pk, action="finish",
                       now=when + dt.timedelta(minutes=5))


def test_finishing_makes_one_rateable_visit(applicant: User, clerk: User, on_duty: Window,
                                            market_item: Service) -> None:
    appointment = appointment_book(user=applicant, data=BookIn(
        hall=CITY, implementation=market_item.implementation.code, start=at(1, 9)),
        now=at(1, 8))[0]
    services.appointment_check_in(appointment.code, now=at(1, 8, 50))
    ticket = Ticket.objects.get(appointment=appointment)
    with override_settings(ZHENGWU_NOW=NOW):
        done = _serve(clerk, ticket, MORNING)
    assert done.status == TicketStatus.FINISHED and done.served_by == clerk
    appointment.refresh_from_db()
    assert appointment.status == "served"
    event = ServiceEvent.objects.get(kind="visit", key=visit_key(done))
    assert event.person == applicant and event.staff == clerk
    assert event.item_name == market_item.implementation.item.name
    assert event.window == f"{on_duty.hall.name} A01号窗口"  # the per-window figures' group
    later = (MORNING + dt.timedelta(minutes=6)).isoformat()
    with override_settings(ZHENGWU_NOW=later):
        rating = rating_at_pad(kind="visit", key=event.key, data=RatingIn(
            kind="visit", key=event.key, level=1))
        assert rating.channel == "pad" and rating.rater == applicant
        with pytest.raises(Conflict):
            rating_at_pad(kind="visit", key=event.key, data=RatingIn(
                kind="visit", key=event.key, level=5, reasons=["A99"]))
    assert Rating.objects.filter(event=event).count() == 1


def test_the_sweep_abandons_what_an_earlier_day_left(city: Hall) -> None:
    row = take(1, now=at(1, 16))
    assert "过期号码 0" in tickets_sweep(at(1, 18))
    assert "过期号码 1" in tickets_sweep(at(2, 8))
    row.refresh_from_db()
    assert row.status == TicketStatus.ABANDONED


def _no_personal_data(state: Any, *values: str) -> None:
    text = str(state)
    for value in values:
        assert value not in text


def test_display_state_has_no_personal_data_and_is_cheap(clerk: User, on_duty: Window,
                                                         city: Hall) -> None:
    cache.clear()
    with override_settings(ZHENGWU_NOW=NOW):
        row = ticket_take(data=TakeIn(hall=CITY, group="综合受理", name="",
                                      id_number=citizen_id(7)),
                          source=TicketSource.KIOSK_ID, now=MORNING)[0]
        phoned = ticket_take(data=TakeIn(hall=CITY, group="综合受理", name="赵来电",
                                         phone="13912345678"),
                             source=TicketSource.STAFF_PHONE, user=clerk, now=MORNING)[0]
        ticket_call_next(user=clerk, hall_code=CITY, window="A01", now=MORNING)
        with CaptureQueriesContext(connection) as cold:
            state = selectors.display_state(CITY)
        assert state is not None
        with CaptureQueriesContext(connection) as warm:
            assert selectors.display_state(CITY) == state
    assert len(warm.captured_queries) == 1
    assert len(cold.captured_queries) <= 6
    assert state["calling"] == [{"number": "A001", "window": "A01", "group": "综合受理",
                                 "voice": "请A001号到A01号窗口办理"}]
    assert state["voice"] == "请A001号到A01号窗口办理"
    waiting = {w["group"]: w["count"] for w in state["waiting"]}  # type: ignore[attr-defined]
    assert waiting["综合受理"] == 1 and waiting["公安"] == 0
    _no_personal_data(state, row.id_number, phoned.phone, "赵来电", clerk.username,
                      clerk.display_name)
    # A move makes a new version: the next poll sees it.
    with override_settings(ZHENGWU_NOW=NOW):
        ticket_move(user=clerk, ticket_id=row.pk, action="pass", now=MORNING)
        fresh = selectors.display_state(CITY)
    assert fresh is not None and fresh["calling"] == [] and fresh["voice"] == ""
    assert fresh["version"] != state["version"]


def test_ticket_times(clerk: User, on_duty: Window, city: Hall) -> None:
    with override_settings(ZHENGWU_NOW=NOW):
        row = take(1, now=at(1, 8, 40))
        take(2, now=at(1, 8, 41))
        _serve(clerk, row, MORNING)
    rows = selectors.ticket_times(city, dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    assert [(r.number, r.outcome, r.window_number) for r in rows] == [
        ("A001", "served", "A01"), ("A002", "waiting", "")]
    assert rows[0].called_at == MORNING and rows[0].finished_at == at(1, 9, 5)


def test_the_dashboard_s_figures_come_from_the_real_queue(clerk: User, on_duty: Window,
                                                          client_for: Any) -> None:
    """No stub: numbers taken, called and finished through the services reach the manager's
    figures (page and API) with the waits they had."""
    served = take(1, now=at(1, 9))
    take(2, now=at(1, 9, 5))  # still waiting
    with override_settings(ZHENGWU_NOW=NOW):
        _serve(clerk, served, at(1, 9, 20))  # waited 20 minutes
    manager = client_for(User.objects.get(username="hallmgr"))
    with override_settings(ZHENGWU_NOW=at(1, 10).isoformat()):
        figures = manager.get("/api/v1/hall/queue-figures",
                              {"hall": CITY, "start": "2026-12-01", "end": "2026-12-01"}).json()
        page = manager.get(reverse("hall:queue_figures", args=[CITY]))
    total = figures["total"]
    assert (total["taken"], total["served"], total["waiting"]) == (2, 1, 1)
    assert total["wait_avg_minutes"] == 20.0
    assert [w["label"] for w in figures["windows"] if w["served"]] == ["A01号窗口"]
    assert page.status_code == 200 and "A01" in page.content.decode()

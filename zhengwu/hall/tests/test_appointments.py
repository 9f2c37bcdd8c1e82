"""Booking, limits, cut-off, the no-show restriction, check-in and reminders, through the
services and the process engine, on the pack's city centre (ADR 0018)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings

from zhengwu.accounts.models import User
from zhengwu.core.errors import NotAllowed
from zhengwu.core.models import AuditEvent
from zhengwu.hall import selectors, services
from zhengwu.hall.models import (
    Appointment,
    AppointmentChannel,
    AppointmentEvent,
    AppointmentStatus,
    Hall,
    Service,
)
from zhengwu.hall.services import BookIn, FieldError, appointment_book, appointment_move
from zhengwu.hall.tests.conftest import CITY, MORNING, at, citizen_id
from zhengwu.notifications.models import OutboxItem
from zhengwu.process.spec import MoveNotAllowed

pytestmark = pytest.mark.django_db


def book(user: User, service: Service, start: dt.datetime, *, now: dt.datetime = MORNING,
         **kwargs: Any) -> Appointment:
    return appointment_book(user=user, data=BookIn(hall=CITY, implementation=service
                                                   .implementation.code, start=start, **kwargs),
                            now=now)[0]


def test_the_pack_loads_the_city_centre_and_every_township_centre(city: Hall) -> None:
    assert city.kind == "city" and city.windows.filter(kind="chief").count() == 2
    assert Hall.objects.filter(kind="township").count() == 30
    township = Hall.objects.get(region_id="430481100000")
    assert township.name == "黄市镇便民服务中心" and township.illustrative
    assert township.services.exists() and township.hours.count() == 2
    assert set(city.windows.values_list("kind", flat=True)) == {
        "general", "specialist", "bundle", "proxy", "no_refusal", "chief"}


def test_booking_takes_a_place_and_writes_its_event_and_audit_row(
        applicant: User, city: Hall, police_item: Service) -> None:
    start = at(2, 9)
    before = next(s for s in selectors.day_slots(city, start.date(), police_item)
                  if s.slot.start == start)
    row = book(applicant, police_item, start)
    assert row.status == AppointmentStatus.BOOKED and row.window_group == "公安"
    assert row.id_number == applicant.citizen_id and len(row.code) == 8
    after = next(s for s in selectors.day_slots(city, start.date(), police_item)
                 if s.slot.start == start)
    assert after.available == before.available - 1
    assert AppointmentEvent.objects.filter(appointment=row, action="book").exists()
    assert AuditEvent.objects.filter(action="hall.appointment.book", object_id=str(row.pk))\
        .exists()


def test_the_same_idempotency_key_books_once(applicant: User, police_item: Service) -> None:
    data = BookIn(hall=CITY, implementation=police_item.implementation.code, start=at(2, 9))
    first, made = appointment_book(user=applicant, data=data, idempotency_key="k-1",
                                   now=MORNING)
    again, made_again = appointment_book(user=applicant, data=data, idempotency_key="k-1",
                                         now=MORNING)
    assert made and not made_again and first.pk == again.pk


def test_no_slot_on_a_statutory_holiday_and_outside_hours(applicant: User,
                                                          police_item: Service) -> None:
    with pytest.raises(FieldError) as holiday:
        book(applicant, police_item, at(17, 9, month=2), now=at(10, 9, month=2))
    assert holiday.value.code == "hall.slot_unavailable"
    with pytest.raises(FieldError) as night:
        book(applicant, police_item, at(2, 21))
    assert night.value.code == "hall.slot_unavailable"


def test_a_makeup_saturday_can_be_booked(applicant: User, police_item: Service) -> None:
    row = book(applicant, police_item, at(14, 9, month=2), now=at(10, 9, month=2))
    assert row.start.weekday() == 5


def test_after_hours_only_for_items_that_allow_it(applicant: User, police_item: Service,
                                                  market_item: Service) -> None:
    row = book(applicant, police_item, at(2, 17, 30))
    assert row.after_hours
    with pytest.raises(FieldError):
        book(applicant, market_item, at(2, 17, 30))


def test_limits_per_person(applicant: User, police_item: Service,
                           market_item: Service) -> None:
    book(applicant, police_item, at(2, 9))
    with pytest.raises(FieldError) as same_day:
        book(applicant, police_item, at(2, 10))
    assert same_day.value.code == "hall.same_day"
    book(applicant, police_item, at(3, 9))
    book(applicant, market_item, at(3, 9))
    with pytest.raises(FieldError) as too_many:
        book(applicant, police_item, at(4, 9))
    assert too_many.value.code == "hall.too_many"


def test_a_full_slot_is_refused(clerk: User, city: Hall, police_item: Service) -> None:
    Hall.objects.filter(pk=city.pk).update(per_window=1)
    start = at(2, 9)
    places = next(s.available for s in selectors.day_slots(Hall.objects.get(pk=city.pk),
                                                           start.date(), police_item)
                  if s.slot.start == start)
    for n in range(places):
        appointment_book(user=clerk, channel=AppointmentChannel.STAFF, now=MORNING,
                         data=BookIn(hall=CITY, implementation=police_item.implementation.code,
                                     start=start, name=f"来电{n}", id_number=citizen_id(n),
                                     phone="13900000000"))
    with pytest.raises(FieldError) as full:
        appointment_book(user=clerk, channel=AppointmentChannel.STAFF, now=MORNING,
                         data=BookIn(hall=CITY, implementation=police_item.implementation.code,
                                     start=start, name="来电", id_number=citizen_id(99),
                                     phone="13900000000"))
    assert full.value.code == "hall.slot_full"


def test_staff_book_for_a_caller_with_checked_identity(clerk: User, applicant: User,
                                                       police_item: Service) -> None:
    data = BookIn(hall=CITY, implementation=police_item.implementation.code, start=at(2, 9),
                  name="王来电", id_number="430481199001011234", phone="13900000000")
    with pytest.raises(FieldError) as bad_id:
        appointment_book(user=clerk, data=data, channel=AppointmentChannel.STAFF, now=MORNING)
    assert bad_id.value.field == "id_number"
    with pytest.raises(NotAllowed):
        appointment_book(user=applicant, channel=AppointmentChannel.STAFF, now=MORNING,
                         data=BookIn(hall=CITY, implementation=police_item.implementation.code,
                                     start=at(2, 9), name="王来电", id_number=citizen_id(1),
                                     phone="13900000000"))


@override_settings(HALL_NO_SHOW_LIMIT=3)
def test_three_no_shows_restrict_booking_for_30_days(applicant: User,
                                                     police_item: Service) -> None:
    now = MORNING
    for day in (2, 3, 4):
        row = book(applicant, police_item, at(day, 9), now=now)
        now = at(day, 10)
        assert "未到 1" in services.appointments_sweep(now)
        row.refresh_from_db()
        assert row.status == AppointmentStatus.NO_SHOW
    with pytest.raises(FieldError) as restricted:
        book(applicant, police_item, at(7, 9), now=now)
    assert restricted.value.code == "hall.restricted"
    # 30 days after the third (4 Dec 09:00): booking again
    later = at(3, 9, month=1).replace(year=2027) + dt.timedelta(hours=1)
    assert book(applicant, police_item, at(5, 9, month=1).replace(year=2027), now=later)


def test_the_person_cancels_up_to_the_cut_off_staff_until_the_start(
        applicant: User, clerk: User, police_item: Service) -> None:
    row = book(applicant, police_item, at(1, 14, 30))
    with pytest.raises(MoveNotAllowed) as late:
        appointment_move(code=row.code, user=applicant, action="cancel", now=at(1, 12, 31))
    assert late.value.code == "hall.cancel_too_late"
    done = appointment_move(code=row.code, user=clerk, action="cancel", reason="闭厅",
                            now=at(1, 12, 31))
    assert done.status == AppointmentStatus.CANCELLED
    other = book(applicant, police_item, at(1, 15, 0))
    assert appointment_move(code=other.code, user=applicant, action="cancel",
                            now=at(1, 13, 0)).status == AppointmentStatus.CANCELLED


def test_someone_else_cannot_see_or_cancel(applicant: User, police_item: Service) -> None:
    row = book(applicant, police_item, at(2, 9))
    stranger = User.objects.get(username="chuangye")
    with pytest.raises(Appointment.DoesNotExist):
        appointment_move(code=row.code, user=stranger, action="cancel", now=MORNING)


def test_check_in_with_the_booking_code_at_the_kiosk(applicant: User,
                                                     police_item: Service) -> None:
    row = book(applicant, police_item, at(1, 11))
    with pytest.raises(MoveNotAllowed) as early:
        services.appointment_check_in(row.code, now=at(1, 9, 59))
    assert early.value.code == "hall.check_in_early"
    checked = services.appointment_check_in(row.code.lower(), now=at(1, 10, 30))
    assert checked.status == AppointmentStatus.CHECKED_IN and checked.checked_in_at
    # a checked-in appointment is never a no-show
    services.appointments_sweep(at(1, 12))
    checked.refresh_from_db()
    assert checked.status == AppointmentStatus.CHECKED_IN


def test_the_reminder_the_day_before_goes_once_by_sms(applicant: User,
                                                      police_item: Service) -> None:
    row = book(applicant, police_item, at(2, 9))
    summary = services.appointments_sweep(at(1, 20))
    assert "明日提醒 1" in summary
    sms = OutboxItem.objects.filter(recipient=applicant, channel="sms", category="hall")
    assert sms.count() == 1 and row.code in sms.get().body
    assert "明日提醒 0" in services.appointments_sweep(at(1, 21))


def test_a_checked_in_appointment_left_open_counts_only_on_its_day(
        applicant: User, police_item: Service) -> None:
    row = book(applicant, police_item, at(1, 11))
    services.appointment_check_in(row.code, now=at(1, 10, 30))
    assert selectors.person_standing(applicant.citizen_id, at(1, 16))[0] == 1
    assert selectors.person_standing(applicant.citizen_id, at(2, 9))[0] == 0


def test_zhengwu_sweep_runs_the_hall_sweep(applicant: User, police_item: Service) -> None:
    from io import StringIO

    from django.core.management import call_command

    book(applicant, police_item, at(2, 9))
    out = StringIO()
    call_command("sweep", now="2026-12-02T10:00:00+08:00", stdout=out)
    assert "预约未到 1" in out.getvalue()

"""The hall's pages: booking on the web (item, date, slot → a confirmation with the booking
code), check-in by code at the window, staff booking for a caller, the hall manager's edits
(Chinese errors next to the field, what was typed kept, one audit row per write) and the
体外循环 report."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.cases.models import Case
from zhengwu.core.models import AuditEvent
from zhengwu.hall import selectors
from zhengwu.hall.models import Appointment, Hall, OpeningHours, Residence, Service
from zhengwu.hall.tests.conftest import CITY, citizen_id
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db
NOW = "2026-12-01T10:00:00+08:00"


@pytest.fixture
def manager(db: Any) -> User:
    return User.objects.get(username="hallmgr")


@override_settings(ZHENGWU_NOW=NOW)
def test_an_applicant_books_on_the_web_and_gets_the_code(
        client_for: Any, applicant: User, police_item: Service) -> None:
    client = client_for(applicant)
    query = {"hall": CITY, "item": police_item.implementation.code, "date": "2026-12-02"}
    page = client.get(reverse("hall:book"), query)
    assert page.status_code == 200
    assert 'value="2026-12-02T09:00:00+08:00"' in page.content.decode()
    holiday = client.get(reverse("hall:book"), {**query, "date": "2026-10-02"})
    assert "当天没有可预约的时段" in holiday.content.decode()
    done = client.post(reverse("hall:book"), {**query, "slot": "2026-12-02T09:00:00+08:00"})
    assert done.status_code == 302
    row = Appointment.objects.get(person=applicant)
    assert done["Location"] == reverse("hall:appointment", args=[row.code])
    confirmation = client.get(done["Location"]).content.decode()
    assert row.code in confirmation and "取消预约" in confirmation
    assert row.code in client.get(reverse("hall:mine")).content.decode()


@override_settings(ZHENGWU_NOW=NOW)
def test_a_refused_booking_says_why_next_to_the_slot(
        client_for: Any, applicant: User, police_item: Service) -> None:
    client = client_for(applicant)
    query = {"hall": CITY, "item": police_item.implementation.code, "date": "2026-12-02"}
    page = client.post(reverse("hall:book"), {**query, "slot": "2026-12-02T21:00:00+08:00"})
    text = page.content.decode()
    assert page.status_code == 200 and "该时段不可预约" in text
    assert 'value="2026-12-02"' in text  # what was chosen is kept


@override_settings(ZHENGWU_NOW=NOW)
def test_the_clerk_checks_in_by_code_and_books_for_a_caller(
        client_for: Any, clerk: User, police_item: Service) -> None:
    client = client_for(clerk)
    book = client.post(reverse("hall:staff_book", args=[CITY]), {
        "hall": CITY, "item": police_item.implementation.code, "date": "2026-12-01",
        "slot": "2026-12-01T10:30:00+08:00", "name": "王来电", "id_number": citizen_id(7),
        "phone": "13900000007"})
    assert book.status_code == 302, book.content.decode()
    row = Appointment.objects.get(name="王来电")
    assert row.channel == "staff" and row.person is None
    wrong = client.post(reverse("hall:check_in", args=[CITY]), {"code": "NOPE1234"})
    assert wrong.status_code == 422 and "没有该预约码" in wrong.content.decode()
    done = client.post(reverse("hall:check_in", args=[CITY]), {"code": row.code})
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == "checked_in"
    day = client.get(reverse("hall:staff_day", args=[CITY]), {"date": "2026-12-01"})
    assert row.code in day.content.decode() and "办理完毕" in day.content.decode()


def test_staff_pages_are_absent_for_others(client_for: Any, applicant: User,
                                           manager: User) -> None:
    assert client_for(applicant).get(reverse("hall:staff_day", args=[CITY])).status_code == 404
    assert client_for(applicant).get(reverse("hall:manage", args=[CITY])).status_code == 404
    assert client_for(User.objects.get(username="clerk")).get(
        reverse("hall:manage", args=[CITY])).status_code == 404
    assert client_for(manager).get(reverse("hall:manage", args=[CITY])).status_code == 200


def test_the_manager_edits_hours_with_errors_next_to_the_field(
        client_for: Any, manager: User, city: Hall) -> None:
    client = client_for(manager)
    url = reverse("hall:manage_edit", args=[CITY, "hours"])
    bad = client.post(url, {"day_type": "rest_day", "kind": "weekend", "start": "15:00",
                            "end": "13:00"})
    text = bad.content.decode()
    assert bad.status_code == 422 and "结束时间应晚于开始时间" in text
    assert 'value="15:00"' in text and 'value="13:00"' in text
    clash = client.post(url, {"day_type": "workday", "kind": "evening", "start": "17:00",
                              "end": "20:00"})
    assert clash.status_code == 422 and "重叠" in clash.content.decode()
    audits = AuditEvent.objects.filter(action="hall.hours.add").count()
    good = client.post(url, {"day_type": "rest_day", "kind": "weekend", "start": "14:00",
                             "end": "16:00"})
    assert good.status_code == 302
    assert OpeningHours.objects.filter(hall=city, day_type="rest_day", start="14:00").exists()
    assert AuditEvent.objects.filter(action="hall.hours.add").count() == audits + 1


@override_settings(ZHENGWU_NOW=NOW)
def test_a_closure_removes_the_days_slots(client_for: Any, manager: User, city: Hall) -> None:
    client = client_for(manager)
    missing = client.post(reverse("hall:manage_edit", args=[CITY, "exception"]),
                          {"date": "2026-12-03", "closed": "on"})
    assert missing.status_code == 422 and "请填写原因" in missing.content.decode()
    client.post(reverse("hall:manage_edit", args=[CITY, "exception"]),
                {"date": "2026-12-03", "closed": "on", "reason": "停电检修"})
    assert selectors.day_slots(city, __import__("datetime").date(2026, 12, 3)) == []
    assert client_for(manager).get("/api/v1/hall/slots", {"date": "2026-12-03"}).json() == {
        "items": [], "count": 0}


def test_windows_duty_and_residences_are_edited(client_for: Any, manager: User,
                                                city: Hall) -> None:
    client = client_for(manager)
    edit = lambda what, data: client.post(reverse("hall:manage_edit", args=[CITY, what]), data)  # noqa: E731
    assert edit("window", {"number": "E01", "kind": "specialist", "group": "不动产",
                           "zone": "E区", "department": "不存在的局", "active": "on"}
                ).status_code == 422
    assert edit("window", {"number": "E01", "kind": "specialist", "group": "不动产",
                           "zone": "E区", "department": "市不动产登记中心", "active": "on"}
                ).status_code == 302
    assert edit("duty", {"window": "E01", "date": "2026-12-02", "username": "clerk"}
                ).status_code == 302
    assert edit("duty", {"window": "Z99", "date": "2026-12-02", "username": "clerk"}
                ).status_code == 422
    assert edit("residence", {"department": "市不动产登记中心", "since": "2026-01-01",
                              "authorized": "on"}).status_code == 302
    assert Residence.objects.filter(hall=city, department__short_name="市不动产登记中心").exists()


def test_the_outside_report_lists_items_accepted_elsewhere(
        client_for: Any, manager: User, city: Hall, submit: Any, clerk: User) -> None:
    service = Service.objects.filter(hall=city, hall_only=True,
                                     implementation__department__short_name="市市场监督管理局"
                                     ).select_related("implementation__item").first()
    assert service is not None
    case = submit(service.implementation)
    reviewer = User.objects.get(username="reviewer")  # the department's own office
    Case.objects.filter(pk=case.pk).update(channel="window", submitted_by=reviewer)
    # The report counts Beijing days: the case's day is its Beijing date (a UTC date is the
    # day before from 16:00 UTC on).
    day = case.submitted_at.astimezone(SHANGHAI).date()
    rows = selectors.outside_report(city, day, day)
    assert [(r.implementation_code, r.cases) for r in rows] == [
        (service.implementation.code, 1)]
    page = client_for(manager).get(reverse("hall:outside", args=[CITY]))
    assert service.implementation.item.name in page.content.decode()
    # accepted at the hall's window by its own clerk: not 体外循环
    Case.objects.filter(pk=case.pk).update(submitted_by=clerk)
    assert selectors.outside_report(city, day, day) == []
    # filed online: not an in-person acceptance
    Case.objects.filter(pk=case.pk).update(channel="online", submitted_by=reviewer)
    assert selectors.outside_report(city, day, day) == []


@override_settings(ZHENGWU_NOW=NOW)
def test_my_space_lists_my_appointments(client_for: Any, applicant: User,
                                        police_item: Service) -> None:
    client = client_for(applicant)
    client.post(reverse("hall:book"), {"hall": CITY, "item": police_item.implementation.code,
                                       "date": "2026-12-02",
                                       "slot": "2026-12-02T09:00:00+08:00"})
    code = Appointment.objects.get(person=applicant).code
    page = client.get("/my/").content.decode()
    assert "我的预约" in page and reverse("hall:appointment", args=[code]) in page
    section = client.get("/api/v1/me/sections/appointments").json()
    assert section["count"] == 1 and section["items"][0]["code"] == code


@override_settings(ZHENGWU_NOW=NOW)
def test_pressing_confirm_twice_books_once(client_for: Any, applicant: User,
                                           police_item: Service) -> None:
    client = client_for(applicant)
    form = {"hall": CITY, "item": police_item.implementation.code, "date": "2026-12-02",
            "slot": "2026-12-02T09:00:00+08:00", "idempotency_key": "k" * 24}
    first, second = client.post(reverse("hall:book"), form), client.post(reverse("hall:book"),
                                                                          form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Appointment.objects.filter(person=applicant).count() == 1


def test_the_hall_sweep_is_registered() -> None:
    from zhengwu.core import sweeps

    assert sweeps.STAGES["hall.appointments"] == sweeps.Stage.DECIDE


@override_settings(ZHENGWU_NOW=NOW)
def test_the_days_list_asks_a_fixed_number_of_queries(
        client_for: Any, clerk: User, police_item: Service, django_assert_max_num_queries: Any
) -> None:
    from zhengwu.hall.models import AppointmentChannel
    from zhengwu.hall.services import BookIn, appointment_book

    def add(n: int) -> None:
        appointment_book(user=clerk, channel=AppointmentChannel.STAFF, data=BookIn(
            hall=CITY, implementation=police_item.implementation.code,
            start=__import__("datetime").datetime.fromisoformat(
                f"2026-12-02T{9 + n // 6:02d}:{'00' if n % 2 == 0 else '30'}:00+08:00"),
            name=f"来电{n}", id_number=citizen_id(n), phone="13900000000"))

    client = client_for(clerk)
    add(0)
    url = reverse("hall:staff_day", args=[CITY])
    with django_assert_max_num_queries(25) as one:
        client.get(url, {"date": "2026-12-02"})
    for n in range(1, 6):
        add(n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url, {"date": "2026-12-02"})
    assert page.content.decode().count("来电") == 6


def test_a_department_moves_out_and_an_item_with_appointments_stays_unbookable(
        client_for: Any, manager: User, city: Hall, applicant: User,
        police_item: Service) -> None:
    from zhengwu.hall.services import BookIn, appointment_book
    from zhengwu.hall.tests.conftest import MORNING, at

    appointment_book(user=applicant, now=MORNING, data=BookIn(
        hall=CITY, implementation=police_item.implementation.code, start=at(2, 9)))
    client = client_for(manager)
    residence = Residence.objects.get(hall=city, department__short_name="市公安局")
    client.post(reverse("hall:manage_edit", args=[CITY, "residence_delete"]),
                {"pk": residence.pk})
    assert not Residence.objects.filter(pk=residence.pk).exists()
    client.post(reverse("hall:manage_edit", args=[CITY, "service_delete"]),
                {"pk": police_item.pk})
    police_item.refresh_from_db()
    assert not police_item.bookable
    assert AuditEvent.objects.filter(action="hall.service.delete").exists()
    gone = client.post(reverse("hall:manage_edit", args=[CITY, "residence_delete"]),
                       {"pk": residence.pk})
    assert gone.status_code == 302  # said on the page, never a 500

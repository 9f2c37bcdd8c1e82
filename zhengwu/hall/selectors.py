"""Reads of the hall: halls and who works in them, the slots of a day with what is left of
them, a person's appointments and standing, and the 体外循环 report (docs/hall.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role
from zhengwu.cases.models import Case, Channel
from zhengwu.core import clock
from zhengwu.hall import rules
from zhengwu.hall.models import (
    Appointment,
    AppointmentStatus,
    DayException,
    Duty,
    Hall,
    HallKind,
    OpeningHours,
    Residence,
    Service,
    Window,
)
from zhengwu.hall.queue_figures import TicketTimes
from zhengwu.hall.slots import DayRule, Session, Slot, slots_for_day
from zhengwu.workdays.calendar import SHANGHAI
from zhengwu.workdays.selectors import calendar_get

# Appointments that hold a place in their slot.
HOLDING = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.SERVED)
OPEN = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
STAFF_ROLES = (Role.WINDOW_CLERK, Role.HALL_MANAGER)
# In-person filing: what a window (or a kiosk or 帮代办 in the hall) accepts.
IN_PERSON = (Channel.WINDOW, Channel.SELF_SERVICE, Channel.PROXY)


def halls() -> QuerySet[Hall]:
    return Hall.objects.select_related("region").order_by("kind", "code")


def hall_default() -> Hall:
    """The city centre (政务服务中心): the hall of the API when none is named."""
    return Hall.objects.filter(kind=HallKind.CITY).order_by("code").first() or \
        Hall.objects.order_by("code")[0]


def _covers(assignment: RoleAssignment, hall: Hall) -> bool:
    return assignment.region is None or hall.region_id.startswith(assignment.region.prefix)


def hall_staff_ids(hall: Hall) -> set[int]:
    """Who serves at the hall: window clerks and hall managers whose region contains it,
    and whoever is on duty at one of its windows today. Kept on the hall instance for the
    day, so a page listing a day's appointments of one hall asks once."""
    today = clock.today()
    cached: tuple[dt.date, set[int]] | None = getattr(hall, "_staff_ids", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    ids = {a.user_id for a in RoleAssignment.objects.filter(role__in=STAFF_ROLES)
           .select_related("region") if _covers(a, hall)}
    ids |= set(Duty.objects.filter(window__hall=hall, date=today)
               .values_list("user_id", flat=True))
    hall._staff_ids = (today, ids)  # type: ignore[attr-defined]
    return ids


def managed_halls(user: User) -> QuerySet[Hall]:
    """The halls `user` manages: a hall manager's, within the region of the assignment."""
    if not user.is_authenticated:
        return Hall.objects.none()
    condition = Q(pk__in=[])
    for assignment in user.role_assignments.filter(role=Role.HALL_MANAGER).select_related(
            "region"):
        condition |= Q() if assignment.region is None else Q(
            region__code__startswith=assignment.region.prefix)
    return halls().filter(condition)


def staff_halls(user: User) -> QuerySet[Hall]:
    """The halls where `user` books for callers and checks people in (the same rule as
    hall_staff_ids, from the user's side)."""
    if not user.is_authenticated:
        return Hall.objects.none()
    condition = Q(windows__duties__date=clock.today(), windows__duties__user=user)
    for assignment in user.role_assignments.filter(role__in=STAFF_ROLES).select_related(
            "region"):
        condition |= Q() if assignment.region is None else Q(
            region__code__startswith=assignment.region.prefix)
    return halls().filter(condition).distinct()


def sessions_of(hall: Hall) -> list[Session]:
    return [Session(h.day_type, h.kind, h.start, h.end) for h in hall.hours.all()]


def exceptions_of(hall: Hall, day: dt.date) -> list[DayRule]:
    return [DayRule(e.date, e.closed, e.kind, e.start, e.end)
            for e in DayException.objects.filter(hall=hall, date=day)]


def windows_by_group(hall: Hall, day: dt.date) -> dict[str, int]:
    """Windows serving each group on `day`: the ones with staff rostered that day when the
    hall has a roster for it, else every active window."""
    windows = Window.objects.filter(hall=hall, active=True)
    rostered = windows.filter(duties__date=day).distinct()
    counted = rostered if rostered.exists() else windows
    return dict(Counter(counted.values_list("group", flat=True)))


@dataclass(frozen=True)
class OpenSlot:
    slot: Slot
    available: int


def day_slots(hall: Hall, day: dt.date, service: Service | None = None) -> list[OpenSlot]:
    """The slots of `day` at `hall` (for `service`'s window group, or every group that serves
    a bookable item), each with the places left. None in a year no calendar can say
    anything about (before 1900 or after 2999: bad input, never an overflow)."""
    if not 1900 <= day.year <= 2999:
        return []
    groups = windows_by_group(hall, day)
    served = {service.window_group} if service is not None else set(
        Service.objects.filter(hall=hall, bookable=True).values_list("window_group", flat=True))
    groups = {g: n for g, n in groups.items() if g in served}
    slots = slots_for_day(day, calendar_get(), sessions_of(hall), exceptions_of(hall, day),
                          groups, per_window=hall.per_window, minutes=hall.slot_minutes,
                          after_hours=bool(service and service.after_hours))
    start = dt.datetime.combine(day, dt.time(), SHANGHAI)
    taken = Counter({(row["window_group"], row["start"]): row["n"] for row in
                     Appointment.objects.filter(hall=hall, status__in=HOLDING, start__gte=start,
                                                start__lt=start + dt.timedelta(days=1))
                     .values("window_group", "start").annotate(n=Count("id"))})
    return [OpenSlot(s, max(0, s.capacity - taken[(s.window_group, s.start)])) for s in slots]


def person_standing(id_number: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """A person's open appointments (not yet served or missed) and the end of their no-show
    restriction in force, if any."""
    rows = Appointment.objects.filter(id_number=id_number)
    # Checked in today and not yet served still holds its place; an older one left checked in
    # (the window never closed it) no longer counts against the person.
    today = dt.datetime.combine(now.astimezone(SHANGHAI).date(), dt.time(), SHANGHAI)
    open_count = rows.filter(Q(status=AppointmentStatus.BOOKED, start__gt=now) | Q(
        status=AppointmentStatus.CHECKED_IN, start__gte=today)).count()
    policy = rules.policy()
    since = now - dt.timedelta(days=policy.no_show_window_days + policy.restriction_days)
    missed = list(rows.filter(status=AppointmentStatus.NO_SHOW, start__gte=since)
                  .values_list("start", flat=True))
    return open_count, rules.restricted_until(missed, now, policy)


def same_item_same_day(id_number: str, service: Service, day: dt.date) -> int:
    start = dt.datetime.combine(day, dt.time(), SHANGHAI)
    return Appointment.objects.filter(
        id_number=id_number, service__implementation_id=service.implementation_id,
        status__in=HOLDING, start__gte=start, start__lt=start + dt.timedelta(days=1)).count()


def appointments_of(user: User) -> QuerySet[Appointment]:
    """The appointments a person made or was booked for."""
    return Appointment.objects.filter(Q(person=user) | Q(submitted_by=user)).select_related(
        "hall", "service__implementation__item").order_by("-start")


def appointments_at(hall: Hall, day: dt.date) -> QuerySet[Appointment]:
    start = dt.datetime.combine(day, dt.time(), SHANGHAI)
    return Appointment.objects.filter(hall=hall, start__gte=start,
                                      start__lt=start + dt.timedelta(days=1)).select_related(
        "service__implementation__item").order_by("start", "window_group")


@dataclass(frozen=True)
class OutsideRow:
    """An item of a department in the hall that still accepts cases elsewhere."""

    department: str
    item: str
    implementation_code: str
    cases: int
    last_at: dt.datetime


def outside_cases(hall: Hall, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """体外循环 (docs/hall.md): cases filed between `start` and `end` (inclusive) for an item
    the hall handles only here (Service.hall_only), of a department that had moved in by then
    (Residence.since), accepted in person (window, kiosk or 帮代办), and not at this hall —
    accepted in another region, or filed by someone who neither belongs to the hall's
    operating unit nor is on the roster of one of its windows (Duty)."""
    low = dt.datetime.combine(start, dt.time(), SHANGHAI)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), SHANGHAI)
    implementations = Service.objects.filter(hall=hall, hall_only=True).values(
        "implementation_id")
    cases = Case.objects.filter(implementation_id__in=implementations, channel__in=IN_PERSON,
                                submitted_at__gte=low, submitted_at__lt=high)
    resident = Q(pk__in=[])
    for residence in Residence.objects.filter(hall=hall):
        since = dt.datetime.combine(residence.since, dt.time(), SHANGHAI)
        resident |= Q(department_id=residence.department_id, submitted_at__gte=since)
    cases = cases.filter(resident)
    at_hall = Q(accepting_region_id=hall.region_id)
    if hall.operator_id is not None:
        operators = RoleAssignment.objects.filter(department_id=hall.operator_id).values(
            "user_id")
        on_duty = Duty.objects.filter(window__hall=hall).values("user_id")
        at_hall &= Q(submitted_by_id__in=operators) | Q(submitted_by_id__in=on_duty)
    return cases.exclude(at_hall).select_related("department", "implementation__item")


def outside_report(hall: Hall, start: dt.date, end: dt.date) -> list[OutsideRow]:
    """The 体外循环 report: per item, how many cases were accepted outside the hall."""
    found: dict[str, OutsideRow] = {}
    for case in outside_cases(hall, start, end).order_by("submitted_at"):
        code = case.implementation.code
        row = found.get(code)
        found[code] = OutsideRow(case.department.name, case.implementation.item.name, code,
                                 (row.cases if row else 0) + 1, case.submitted_at)
    return sorted(found.values(), key=lambda r: (-r.cases, r.department, r.item))


def hall_detail(hall: Hall) -> dict[str, object]:
    return {
        "zones": list(hall.zones.all()),
        "windows": list(hall.windows.select_related("zone", "department")),
        "residences": list(hall.residences.select_related("department")),
        "services": list(hall.services.select_related("implementation__item",
                                                      "implementation__department")),
        "hours": list(OpeningHours.objects.filter(hall=hall)),
        "exceptions": list(hall.exceptions.all()),
    }


def ticket_times(hall: Hall, start: dt.date, end: dt.date) -> list[TicketTimes]:
    """The times of the queue numbers taken at `hall` from `start` to `end` (Beijing dates,
    both included), for the queue figures (hall/queue_figures.py)."""
    # Replaced by the queue branch at merge.
    return []

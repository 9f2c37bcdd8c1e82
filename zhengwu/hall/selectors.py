"""Reads of the hall: halls and who works in them, the slots of a day with what is left of
them, a person's appointments and standing, and the 体外循环 report (docs/hall.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
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
    QueueDay,
    QueueGroup,
    Residence,
    Service,
    Ticket,
    TicketStatus,
    Window,
)
from zhengwu.hall.queue_figures import TicketTimes
from zhengwu.hall.slots import DayRule, Session, Slot, sessions_on, slots_for_day
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


def day_sessions(hall: Hall, day: dt.date) -> list[Session]:
    """The sessions `hall` holds on `day`: its hours on the official calendar, its exceptions."""
    return sessions_on(day, calendar_get(), sessions_of(hall), exceptions_of(hall, day))


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


# --- the queue (取号叫号, ADR 0020) ------------------------------------------------------------

TICKET_OPEN = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)
RECENT = 6  # numbers the display lists as called last
DISPLAY_CACHE_SECONDS = 60  # the key carries the queue's version: a move makes a new key


def queue_groups(hall: Hall) -> dict[str, str]:
    """The hall's window groups with a number prefix each (QueueGroup; "" where none is set),
    of its active windows and of the groups given a prefix."""
    cached: dict[str, str] | None = getattr(hall, "_queue_groups", None)
    if cached is not None:
        return cached
    prefixes = dict(QueueGroup.objects.filter(hall=hall).values_list("group", "prefix"))
    groups = {g: prefixes.get(g, "") for g in Window.objects.filter(
        hall=hall, active=True).order_by("number").values_list("group", flat=True)}
    found = {**groups, **{g: p for g, p in prefixes.items() if g in groups}}
    hall._queue_groups = found  # type: ignore[attr-defined]
    return found


def may_call_at(user: User, window: Window) -> bool:
    """On duty at the window today (Duty), or a manager of its hall."""
    if not user.is_authenticated:
        return False
    if Duty.objects.filter(window=window, date=clock.today(), user=user).exists():
        return True
    return managed_halls(user).filter(pk=window.hall_id).exists()


def windows_callable(user: User, hall: Hall) -> list[Window]:
    """The windows of `hall` where `user` may call numbers."""
    windows = Window.objects.filter(hall=hall, active=True).order_by("number")
    if managed_halls(user).filter(pk=hall.pk).exists():
        return list(windows)
    return list(windows.filter(duties__date=clock.today(), duties__user=user).distinct())


def window_current(window: Window, day: dt.date) -> Ticket | None:
    """The number called at or being served at the window."""
    return Ticket.objects.filter(window=window, day=day, status__in=(
        TicketStatus.CALLED, TicketStatus.SERVING)).order_by("-last_called_at").first()


def queue_of(hall: Hall, day: dt.date, group: str, now: dt.datetime) -> list[Ticket]:
    """The waiting numbers of a window group, the next to call first (rules.queue_order)."""
    rows = {t.pk: t for t in Ticket.objects.filter(hall=hall, day=day, window_group=group,
                                                   status=TicketStatus.WAITING)}
    order = rules.queue_order((rules.Queued(t.pk, t.queued_at, t.priority, t.slot_start)
                               for t in rows.values()), now)
    return [rows[q.id] for q in order]


def ahead_of(ticket: Ticket, now: dt.datetime) -> int:
    """How many waiting numbers will be called before `ticket`."""
    order = [t.pk for t in queue_of(ticket.hall, ticket.day, ticket.window_group, now)]
    return order.index(ticket.pk) if ticket.pk in order else 0


def passed_at(hall: Hall, day: dt.date, group: str) -> QuerySet[Ticket]:
    return Ticket.objects.filter(hall=hall, day=day, window_group=group,
                                 status=TicketStatus.PASSED).order_by("-finished_at")


def _display_build(hall: Hall, day: dt.date, version: int) -> dict[str, object]:
    called = list(Ticket.objects.filter(hall=hall, day=day, last_called_at__isnull=False)
                  .order_by("-last_called_at").values(
                      "pk", "number", "status", "window_group", "last_called_at",
                      "window__number")[:RECENT + 20])
    calling = [{"number": t["number"], "window": t["window__number"] or "",
                "group": t["window_group"],
                "voice": rules.voice_text(t["number"], t["window__number"] or "")}
               for t in called if t["status"] == TicketStatus.CALLED]
    waiting = dict(Ticket.objects.filter(hall=hall, day=day, status=TicketStatus.WAITING)
                   .values("window_group").annotate(n=Count("id"))
                   .values_list("window_group", "n"))
    latest = next((t for t in called if t["status"] == TicketStatus.CALLED), None)
    return {
        "hall": hall.code, "hall_name": hall.name, "date": day.isoformat(), "version": version,
        "calling": calling,
        "recent": [{"number": t["number"], "window": t["window__number"] or ""}
                   for t in called[:RECENT]],
        "waiting": [{"group": group, "prefix": prefix, "count": waiting.get(group, 0)}
                    for group, prefix in queue_groups(hall).items()],
        "voice": calling[0]["voice"] if calling else "",
        # Changes with every call and recall: the screen speaks once per announcement.
        "voice_id": "" if latest is None or latest["last_called_at"] is None
        else f"{latest['pk']}-{latest['last_called_at'].timestamp():.0f}",
    }


def display_state(hall_code: str) -> dict[str, object] | None:
    """What the hall's screen shows: the numbers being called and where, the last called,
    the waiting counts per group, the announcer's text — numbers only, no personal data.
    Cheap: one query for the queue's version, the rest from the cache until a move."""
    day = clock.today()
    found = QueueDay.objects.filter(hall__code=hall_code, date=day).values_list(
        "version", flat=True).first()
    version = int(found or 0)
    key = f"hall:display:{hall_code}:{day.isoformat()}:{version}"
    state: dict[str, object] | None = cache.get(key)
    if state is not None:
        return state
    hall = Hall.objects.filter(code=hall_code).first()
    if hall is None:
        return None
    state = _display_build(hall, day, version)
    cache.set(key, state, DISPLAY_CACHE_SECONDS)
    return state


def pad_ticket(window: Window, now: dt.datetime) -> Ticket | None:
    """The number the window's rating pad offers: finished there last, within
    rules.pad_minutes(), and no other number called at the window since."""
    last = Ticket.objects.filter(window=window, day=now.astimezone(SHANGHAI).date()).exclude(
        last_called_at=None).select_related("hall", "service__implementation__item").order_by(
        "-last_called_at").first()
    if last is None or last.status != TicketStatus.FINISHED or last.finished_at is None:
        return None
    if now - last.finished_at > dt.timedelta(minutes=rules.pad_minutes()):
        return None
    return last


def ticket_times(hall: Hall, start: dt.date, end: dt.date) -> list[TicketTimes]:
    """The queue numbers of `hall` taken from `start` to `end` (Beijing days, inclusive),
    with their times, for the queue figures (hall.queue_figures)."""
    rows = Ticket.objects.filter(hall=hall, day__gte=start, day__lte=end).select_related(
        "window", "service__implementation__item").order_by("day", "seq")
    outcome = {TicketStatus.FINISHED: "served", TicketStatus.ABANDONED: "abandoned",
               TicketStatus.PASSED: "abandoned", TicketStatus.SERVING: "serving"}
    found = []
    for t in rows:
        implementation = t.service.implementation if t.service is not None else None
        found.append(TicketTimes(
            hall_code=hall.code, number=t.number,
            window_number=t.window.number if t.window is not None else "",
            item_code=implementation.code if implementation is not None else "",
            item_name=implementation.item.name if implementation is not None else "",
            priority=bool(t.priority), taken_at=t.taken_at, called_at=t.called_at,
            finished_at=t.finished_at if t.status in (
                TicketStatus.FINISHED, TicketStatus.ABANDONED, TicketStatus.PASSED) else None,
            outcome=outcome.get(TicketStatus(t.status), "waiting")))
    return found


def pad_rated(ticket: Ticket) -> bool:
    """Whether the window visit of `ticket` has its rating (one per visit)."""
    from zhengwu.evaluations.models import Rating

    return Rating.objects.filter(event__kind="visit", event__key=rules.visit_key(
        ticket.hall.code, ticket.day, ticket.number)).exists()

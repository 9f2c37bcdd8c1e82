"""Appointment slots of one day, pure: the calendar, the hall's opening hours, its exceptions
and its windows are passed in; nothing is read from the database or the clock (ADR 0018).

Which day is what comes from the OFFICIAL working-day calendar (workdays.calendar), never from
the weekday alone:
- a working day (Monday–Friday, and the 调休 Saturdays and Sundays the State Council makes
  working days) has the hall's working-day sessions: the regular hours and the 延时服务 at
  lunch and in the evening;
- an ordinary weekend day has the hall's rest-day sessions (周末延时服务), if it has any;
- a statutory holiday (法定节假日, with the weekend days joined to it) has none.
A hall's exception for one date either closes it (the whole day, whatever the calendar says) or
opens an extra session on it (a weekend or holiday 延时 service), which adds slots.

Sessions of kind `by_appointment` (预约延时) are hours outside the opening hours served only by
appointment, and only for items that allow it. Each session is cut into slots of the hall's
length; every window group gets `windows × per_window` places in each slot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from zhengwu.workdays.calendar import SHANGHAI, WorkdayCalendar


class DayType(StrEnum):
    WORKDAY = "workday"  # a working day of the official calendar (调休 days included)
    REST_DAY = "rest_day"  # an ordinary Saturday or Sunday
    HOLIDAY = "holiday"  # a statutory holiday (and the weekend joined to it)


class SessionKind(StrEnum):
    REGULAR = "regular"
    LUNCH = "lunch"  # 午间延时
    EVENING = "evening"  # 晚间延时
    WEEKEND = "weekend"  # 周末延时
    BY_APPOINTMENT = "by_appointment"  # 预约延时: only by appointment, items that allow it


# The kinds that are 延时服务 (outside the regular hours).
EXTENDED = frozenset({SessionKind.LUNCH, SessionKind.EVENING, SessionKind.WEEKEND,
                      SessionKind.BY_APPOINTMENT})


@dataclass(frozen=True)
class Session:
    """Opening hours: on days of `day_type` ("workday" or "rest_day"), from `start` to `end`."""

    day_type: str
    kind: str
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class DayRule:
    """A hall's exception for one date: closed, or an extra session (`start`–`end`)."""

    day: dt.date
    closed: bool
    kind: str = SessionKind.WEEKEND
    start: dt.time | None = None
    end: dt.time | None = None


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # aware, Beijing time
    end: dt.datetime
    window_group: str
    capacity: int
    kind: str

    @property
    def after_hours(self) -> bool:
        return self.kind == SessionKind.BY_APPOINTMENT


def day_type(calendar: WorkdayCalendar, day: dt.date) -> DayType:
    if calendar.is_workday(day):
        return DayType.WORKDAY
    if calendar.is_official(day) and day in calendar.holidays:
        return DayType.HOLIDAY
    return DayType.REST_DAY


def sessions_on(day: dt.date, calendar: WorkdayCalendar, sessions: Iterable[Session],
                exceptions: Iterable[DayRule]) -> list[Session]:
    """The sessions the hall holds on `day`, in time order."""
    todays = [e for e in exceptions if e.day == day]
    if any(e.closed for e in todays):
        return []
    kind = day_type(calendar, day)
    held = [s for s in sessions if s.day_type == kind] if kind != DayType.HOLIDAY else []
    held += [Session(kind, e.kind, e.start, e.end) for e in todays
             if e.start is not None and e.end is not None]
    return sorted(held, key=lambda s: (s.start, s.end))


def slots_for_day(day: dt.date, calendar: WorkdayCalendar, sessions: Iterable[Session],
                  exceptions: Iterable[DayRule], groups: Mapping[str, int], *,
                  per_window: int, minutes: int, after_hours: bool = False) -> list[Slot]:
    """The slots of `day` for each window group (`groups`: group → windows serving it), by
    time then group. Sessions of kind by_appointment count only when `after_hours` (the item
    allows 预约延时). A slot that does not fit wholly in its session is not offered; two
    sessions offering the same start give one slot."""
    if minutes <= 0 or per_window < 0:
        raise ValueError("slot length must be positive and capacity not negative")
    step = dt.timedelta(minutes=minutes)
    seen: dict[tuple[dt.datetime, str], Slot] = {}
    for session in sessions_on(day, calendar, sessions, exceptions):
        if session.kind == SessionKind.BY_APPOINTMENT and not after_hours:
            continue
        start = dt.datetime.combine(day, session.start, SHANGHAI)
        close = dt.datetime.combine(day, session.end, SHANGHAI)
        while start + step <= close:
            for group, windows in groups.items():
                if windows > 0:
                    seen.setdefault((start, group), Slot(start, start + step, group,
                                                         windows * per_window, session.kind))
            start += step
    return sorted(seen.values(), key=lambda s: (s.start, s.window_group))

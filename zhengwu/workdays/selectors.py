"""The calendar in force: chinesecalendar's official schedules (2004–2026, pinned version)
overlaid with years an administrator entered. Built once per process per change."""

from __future__ import annotations

import datetime as dt
import threading

from chinese_calendar import constants as official
from django.db.models import Count, Max

from zhengwu.workdays.calendar import WorkdayCalendar
from zhengwu.workdays.models import DayKind, ScheduleDay, ScheduleYear

BUNDLED_YEARS = frozenset(range(min(official.holidays).year, max(official.holidays).year + 1))

_lock = threading.Lock()
_cached: tuple[tuple[int, int], WorkdayCalendar] | None = None


def _version() -> tuple[int, int]:
    """Changes when a year is entered or removed: one small aggregate per call."""
    state = ScheduleYear.objects.aggregate(n=Count("id"), m=Max("id"))
    return (int(state["n"] or 0), int(state["m"] or 0))


def calendar_build() -> WorkdayCalendar:
    entered = {s.year for s in ScheduleYear.objects.all()}
    holidays = {d for d in official.holidays if d.year not in entered}
    makeup = {d for d in official.workdays if d.year not in entered}
    for day in ScheduleDay.objects.all():
        (holidays if day.kind == DayKind.HOLIDAY else makeup).add(day.date)
    return WorkdayCalendar(holidays=frozenset(holidays), makeup_workdays=frozenset(makeup),
                           official_years=BUNDLED_YEARS | frozenset(entered))


def calendar_get() -> WorkdayCalendar:
    """The calendar in force; rebuilt when an administrator has entered a year."""
    global _cached  # noqa: PLW0603 — one calendar per process, swapped atomically
    version = _version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        calendar = calendar_build()
        _cached = (version, calendar)
        return calendar


def missing_years(*, today: dt.date, ahead_days: int = 60) -> list[int]:
    """Years that start within `ahead_days` (or have started) without an official schedule:
    deadlines reaching into them are provisional, and administrators are alerted."""
    calendar = calendar_get()
    years = {today.year, (today + dt.timedelta(days=ahead_days)).year}
    return sorted(y for y in years if y not in calendar.official_years)

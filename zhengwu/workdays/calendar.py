"""Working-day arithmetic, pure: the calendar is passed in, nothing is read from the clock.

Law (shared standards-notes §5):
- 行政许可法 art. 82: time limits "以工作日计算，不含法定节假日"; 调休 Saturdays and Sundays that
  the State Council makes working days count as working days.
- The start day is not counted (行政许可法 art. 82 read with 民法典 art. 201: a period counted
  in days starts the next day).
- A deadline in whole working days ends at the end of its last working day (23:59:59.999999
  Beijing time), so a decision on that day is in time whatever the hour.
- Half a working day (the plan's 0.5-day promises [12]) is one office session (default
  8:30–12:00 and 14:30–17:30): the session under way when the clock starts is not counted, as
  the start day is not for whole days, and the deadline is the end of the next session. A
  limit of N and a half days (N ≥ 1) runs N whole days, then the morning session of the next
  working day (ending 12:00), so a longer limit never ends before a shorter one.
- A day in a year without an official schedule is counted with weekends only and the result is
  marked provisional — never an exception, never silently official.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59, 999999)


@dataclass(frozen=True)
class OfficeHours:
    morning_start: dt.time = dt.time(8, 30)
    morning_end: dt.time = dt.time(12, 0)
    afternoon_start: dt.time = dt.time(14, 30)
    afternoon_end: dt.time = dt.time(17, 30)


@dataclass(frozen=True)
class Deadline:
    due: dt.datetime  # aware, Beijing time
    provisional: bool

    @property
    def day(self) -> dt.date:
        return self.due.date()

    def as_text(self) -> str:
        return self.day.isoformat() + (" provisional" if self.provisional else "")


@dataclass(frozen=True)
class WorkdayCalendar:
    holidays: frozenset[dt.date]  # official days off (法定节假日 and the weekends joined to them)
    makeup_workdays: frozenset[dt.date]  # 调休: weekend days that are working days
    official_years: frozenset[int]  # years whose official schedule is known
    hours: OfficeHours = field(default_factory=OfficeHours)

    def is_official(self, day: dt.date) -> bool:
        return day.year in self.official_years

    def is_workday(self, day: dt.date) -> bool:
        if self.is_official(day):
            if day in self.makeup_workdays:
                return True
            if day in self.holidays:
                return False
        return day.weekday() < 5

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def add_workdays(self, start: dt.date, days: int) -> tuple[dt.date, bool]:
        """The date `days` working days after `start` (start not counted), and whether any
        day counted lies in a year without an official schedule."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, provisional = start, False
        for _ in range(days):
            day = self.next_workday(day)
            provisional = provisional or not self.is_official(day)
        return day, provisional

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (start not counted);
        negative when `end` is before `start`."""
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def office_workdays_between(self, start: dt.datetime, end: dt.datetime) -> Decimal:
        """Working time from `start` to `end` counted in office hours only, as working days
        (a full day's two sessions = 1; rounded to hundredths). Measures how long something
        actually took against a promise such as the plan's "企业开办 ≤ 1 working day"."""
        if end <= start:
            return Decimal(0)
        first, last = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
        hours = self.hours
        sessions = ((hours.morning_start, hours.morning_end),
                    (hours.afternoon_start, hours.afternoon_end))
        day_length = sum((_seconds(b) - _seconds(a) for a, b in sessions), 0)
        worked = 0.0
        day = first.date()
        while day <= last.date():
            if self.is_workday(day):
                for opens, closes in sessions:
                    low = max(dt.datetime.combine(day, opens, SHANGHAI), first)
                    high = min(dt.datetime.combine(day, closes, SHANGHAI), last)
                    if high > low:
                        worked += (high - low).total_seconds()
            day += dt.timedelta(days=1)
        return (Decimal(worked) / Decimal(day_length)).quantize(Decimal("0.01"))

    def add_office_hours(self, start: dt.datetime, hours: Decimal | int) -> Deadline:
        """The moment `hours` office hours after `start`, counting only the office sessions of
        working days (lunch, evenings, weekends and holidays skipped; 调休 days counted): a
        12345 order dispatched at 11:00 with 2 hours to sign is due at 15:30 (default hours).
        Started outside office hours, the clock starts with the next session."""
        remaining = Decimal(hours) * 3600
        if remaining < 0:
            raise ValueError("hours must not be negative")
        local = start.astimezone(SHANGHAI)
        day, provisional = local.date(), not self.is_official(local.date())
        sessions = ((self.hours.morning_start, self.hours.morning_end),
                    (self.hours.afternoon_start, self.hours.afternoon_end))
        while True:
            if self.is_workday(day):
                for opens, closes in sessions:
                    low = max(dt.datetime.combine(day, opens, SHANGHAI), local)
                    high = dt.datetime.combine(day, closes, SHANGHAI)
                    if high <= low:
                        continue
                    span = Decimal((high - low).total_seconds())
                    if remaining <= span:
                        return Deadline(low + dt.timedelta(seconds=float(remaining)),
                                        provisional)
                    remaining -= span
            day += dt.timedelta(days=1)
            provisional = provisional or not self.is_official(day)

    def range_is_official(self, start: dt.date, end: dt.date) -> bool:
        low, high = min(start, end), max(start, end)
        return all(year in self.official_years for year in range(low.year, high.year + 1))

    def deadline(self, start: dt.datetime, workdays: Decimal | int) -> Deadline:
        """When a time limit of `workdays` (whole or half days) started at `start` runs out."""
        amount = Decimal(workdays)
        if amount < 0 or (amount * 2) % 1:
            raise ValueError("a time limit is a whole or half number of working days")
        local = start.astimezone(SHANGHAI)
        whole = int(amount)
        if amount == whole:
            day, provisional = self.add_workdays(local.date(), whole)
            provisional = provisional or not self.is_official(local.date())
            return Deadline(dt.datetime.combine(day, END_OF_DAY, SHANGHAI), provisional)
        if whole == 0:
            return self._next_session(local)
        day, provisional = self.add_workdays(local.date(), whole + 1)
        return Deadline(dt.datetime.combine(day, self.hours.morning_end, SHANGHAI), provisional)

    # -- half-day sessions ------------------------------------------------------------------

    def _session_of(self, moment: dt.datetime) -> tuple[dt.date, int]:
        """The session the clock starts in: the one under way, or the last one that began."""
        day, now = moment.date(), moment.time()
        if self.is_workday(day):
            if now >= self.hours.afternoon_start:
                return day, 1
            if now >= self.hours.morning_start:
                return day, 0
        previous = day - dt.timedelta(days=1)
        while not self.is_workday(previous):
            previous -= dt.timedelta(days=1)
        return previous, 1

    def _next_session(self, start: dt.datetime) -> Deadline:
        """The end of the session after the one under way at `start` (half a working day)."""
        day, part = self._session_of(start)
        if part == 0:
            due = dt.datetime.combine(day, self.hours.afternoon_end, SHANGHAI)
        else:
            day = self.next_workday(day)
            due = dt.datetime.combine(day, self.hours.morning_end, SHANGHAI)
        return Deadline(due, not (self.is_official(start.date()) and self.is_official(day)))


def _seconds(moment: dt.time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second

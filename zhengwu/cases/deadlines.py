"""Clock rules for cases over workdays.WorkdayCalendar, pure (no queries, no "now").

- The clock starts at acceptance (受理); the start day is not counted (workdays.calendar).
- 行政许可法 art. 45: time spent in 听证、检验、检测、检疫、鉴定、专家评审 is not counted. The
  working days from the day a procedure starts to the day it ends, both included, are added
  to the deadline (standards-notes §5: accepted 2025-09-26 + 20 with expert review 9/29–10/15
  → 2025-11-11).
- 行政许可法 art. 42: one written extension; here the new deadline may not pass the legal limit
  (counted from acceptance, plus suspensions). Where the law gives no limit in working days,
  the cap is the promised deadline plus the statute's ordinary 10-working-day extension.
- 行政许可法 art. 32: an application not answered within 5 days of receipt counts as accepted
  from the day of receipt.
- The reading of the clock (working days left, paused or running, the yellow and red cards
  [25]) is cases.caseclock's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhengwu.workdays.calendar import END_OF_DAY, SHANGHAI, Deadline, WorkdayCalendar

ACCEPTANCE_BY_LAW_WORKDAYS = 5
ORDINARY_EXTENSION_WORKDAYS = 10
__all__ = ["END_OF_DAY", "SHANGHAI", "Deadline"]  # re-exported for callers of this module


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


def due_at_acceptance(calendar: WorkdayCalendar, accepted_at: dt.datetime,
                      promised: Decimal) -> Deadline:
    return calendar.deadline(accepted_at, promised)


def paused_workdays(calendar: WorkdayCalendar, started: dt.datetime,
                    ended: dt.datetime) -> int:
    """Working days of a special procedure, its first and last day included."""
    first, last = _local(started).date(), _local(ended).date()
    if last < first:
        raise ValueError("a procedure cannot end before it starts")
    return calendar.workdays_between(first - dt.timedelta(days=1), last)


def shift(calendar: WorkdayCalendar, due_at: dt.datetime, workdays: int) -> Deadline:
    """Move a deadline later by whole working days, keeping its time of day."""
    local = _local(due_at)
    day, provisional = calendar.add_workdays(local.date(), workdays)
    return Deadline(dt.datetime.combine(day, local.timetz()), provisional)


def extension_cap(calendar: WorkdayCalendar, *, accepted_at: dt.datetime,
                  legal: Decimal | None, paused: int, promised_due: dt.datetime) -> dt.datetime:
    """The latest deadline an extension may set."""
    if legal is not None and legal > 0:
        legal_due = calendar.deadline(accepted_at, legal).due
        return shift(calendar, legal_due, paused).due
    return shift(calendar, promised_due, ORDINARY_EXTENSION_WORKDAYS).due


def extended_due(calendar: WorkdayCalendar, due_at: dt.datetime, extra: int) -> Deadline:
    local = _local(due_at)
    day, provisional = calendar.add_workdays(local.date(), extra)
    return Deadline(dt.datetime.combine(day, END_OF_DAY, SHANGHAI), provisional)


def acceptance_by_law_due(calendar: WorkdayCalendar, submitted_at: dt.datetime) -> dt.datetime:
    """When an unanswered application counts as accepted (行政许可法 art. 32)."""
    return calendar.deadline(submitted_at, ACCEPTANCE_BY_LAW_WORKDAYS).due


def remaining_workdays(calendar: WorkdayCalendar, now: dt.datetime, due_at: dt.datetime) -> int:
    """Working days left after today until the due day (0 on the due day, < 0 when overdue)."""
    if now > due_at:
        return -max(1, calendar.workdays_between(_local(due_at).date(), _local(now).date()))
    return calendar.workdays_between(_local(now).date(), _local(due_at).date())


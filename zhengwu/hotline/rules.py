"""The limits of a 12345 work order and what the sweep does about them, pure: the calendar and
the moments are passed in, nothing is read from the clock or the database.

No national text fixes these numbers for every county (国办发〔2020〕53号 asks for limits
"分类" by kind and urgency; the body of GB/T 39666 was not available, ../shared/docs/
standards-notes.md §7). The defaults are the issue's; each is a setting:

- HOTLINE_LIMITS ({kind: working days}): 咨询 1, 求助 3, 投诉 5, 举报 5, 建议 10, 表扬 10; a
  category's own `limit_days` (> 0) overrides its kind's;
- 营商环境 orders (an enterprise caller with a USCC, or a category marked business) get half
  the limit, rounded down, at least 1 working day — the stricter rounding, because the
  measure is to answer enterprises faster (HOTLINE_BUSINESS_DIVISOR, 2);
- urgent orders: HOTLINE_URGENT_DAYS (1) working day at most, and
  HOTLINE_URGENT_SIGN_HOURS (1) working hour to sign for;
- sign-for: HOTLINE_SIGN_HOURS (2) working hours (office hours of the calendar);
- warnings at 50 % and 80 % of the limit's office time elapsed; 100 % is the limit passed
  (overdue): the yellow card; overdue by more than HOTLINE_RED_CARD_DAYS (2) further
  working days: the red card.

The handling limit runs from dispatch (派单), the moment the department has the order, and
ends at the end of its last working day (as every limit of the platform: workdays.calendar).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from zhengwu.workdays.calendar import END_OF_DAY, SHANGHAI, WorkdayCalendar

DEFAULT_DAYS = {"consult": 1, "help": 3, "complaint": 5, "report": 5, "suggestion": 10,
                "praise": 10}
WARN_PERCENTS = (50, 80, 100)


@dataclass(frozen=True)
class Limits:
    sign_hours: int
    days: int


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def kind_days(kind: str) -> int:
    configured = dict(DEFAULT_DAYS) | dict(_setting("HOTLINE_LIMITS", {}) or {})
    if kind not in configured:
        raise ValueError(f"unknown order kind {kind!r}")
    return int(configured[kind])


def limits(kind: str, category: Any = None, business: bool = False,
           urgent: bool = False) -> Limits:
    """The sign-for limit (working hours) and the handling limit (working days) of an order.

    `category`: a hotline.Category or anything with `limit_days` (0: the kind's default)."""
    days = kind_days(kind)
    own = int(getattr(category, "limit_days", 0) or 0)
    if own > 0:
        days = own
    if business:
        days = max(1, days // int(_setting("HOTLINE_BUSINESS_DIVISOR", 2)))
    sign_hours = int(_setting("HOTLINE_SIGN_HOURS", 2))
    if urgent:
        days = min(days, int(_setting("HOTLINE_URGENT_DAYS", 1)))
        sign_hours = min(sign_hours, int(_setting("HOTLINE_URGENT_SIGN_HOURS", 1)))
    return Limits(sign_hours=sign_hours, days=max(1, days))


def is_business(*, enterprise_uscc: str, category: Any = None) -> bool:
    """营商环境: the caller is an enterprise (a USCC given) or the category is a business one."""
    return bool(enterprise_uscc.strip()) or bool(getattr(category, "business", False))


def deadlines(calendar: WorkdayCalendar, start: dt.datetime,
              limit: Limits) -> tuple[dt.datetime, dt.datetime]:
    """(sign_due_at, due_at) of an order dispatched at `start`."""
    return (calendar.add_office_hours(start, limit.sign_hours).due,
            calendar.deadline(start, limit.days).due)


def extended(calendar: WorkdayCalendar, due: dt.datetime, days: int) -> dt.datetime:
    """The handling limit `due` extended by `days` working days (延期)."""
    day, _ = calendar.add_workdays(due.astimezone(SHANGHAI).date(), days)
    return dt.datetime.combine(day, END_OF_DAY, SHANGHAI)


def elapsed_percent(calendar: WorkdayCalendar, start: dt.datetime, due: dt.datetime,
                    now: dt.datetime) -> int:
    """How much of the limit's office time has gone, in percent (100 and over: overdue)."""
    if now > due:
        return 100
    total = calendar.office_workdays_between(start, due)
    if total <= 0:
        return 100 if now >= due else 0
    gone = calendar.office_workdays_between(start, now)
    return int(min(Decimal(99), gone * 100 / total))


def warn_level(calendar: WorkdayCalendar, start: dt.datetime, due: dt.datetime,
               now: dt.datetime) -> int:
    """The highest warning reached: 0, 50, 80 or 100 (the limit passed)."""
    if now > due:
        return 100
    percent = elapsed_percent(calendar, start, due, now)
    return max([0] + [p for p in WARN_PERCENTS[:-1] if percent >= p])


def card_of(calendar: WorkdayCalendar, due: dt.datetime, now: dt.datetime) -> str:
    """"" in time; "yellow" overdue; "red" overdue by more than HOTLINE_RED_CARD_DAYS further
    working days (counted after the due day)."""
    if now <= due:
        return ""
    late = calendar.workdays_between(due.astimezone(SHANGHAI).date(),
                                     now.astimezone(SHANGHAI).date())
    return "red" if late > int(_setting("HOTLINE_RED_CARD_DAYS", 2)) else "yellow"

"""The configurable numbers and words of 办不成事反映, read here and nowhere else.

No national text fixes these limits; the defaults are the issue's, and each is a setting:

- ZHENGWU_UNRESOLVED_CONTACT_WORKDAYS (1): working days to contact the person;
- ZHENGWU_UNRESOLVED_RESOLVE_WORKDAYS (5): working days to record an outcome;
- ZHENGWU_UNRESOLVED_WARN_WORKDAYS (1): working days left at which the officer is warned
  (by default the yellow card's threshold of cases, ZHENGWU_YELLOW_CARD_WORKDAYS).

Both limits count from the day the ticket is opened (the day itself not counted) on the
official calendar (workdays), as every time limit of the platform does.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

from zhengwu.workdays.calendar import WorkdayCalendar


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def contact_workdays() -> int:
    return _int("ZHENGWU_UNRESOLVED_CONTACT_WORKDAYS", 1)


def resolve_workdays() -> int:
    return _int("ZHENGWU_UNRESOLVED_RESOLVE_WORKDAYS", 5)


def warn_workdays() -> int:
    return _int("ZHENGWU_UNRESOLVED_WARN_WORKDAYS",
                int(getattr(settings, "ZHENGWU_YELLOW_CARD_WORKDAYS", 1)))


def deadlines(calendar: WorkdayCalendar, opened_at: dt.datetime) -> tuple[dt.datetime,
                                                                          dt.datetime]:
    """When contact and the outcome are due for a ticket opened at `opened_at`."""
    return (calendar.deadline(opened_at, contact_workdays()).due,
            calendar.deadline(opened_at, resolve_workdays()).due)


def days_taken(calendar: WorkdayCalendar, opened_at: dt.datetime,
               resolved_at: dt.datetime) -> int:
    """Working days from opening to the outcome (the opening day not counted; 0: same day)."""
    from zhengwu.workdays.calendar import SHANGHAI

    return max(0, calendar.workdays_between(opened_at.astimezone(SHANGHAI).date(),
                                            resolved_at.astimezone(SHANGHAI).date()))


SUMMARY_MAX = 60
# A phone number, an ID number, a run of digits that could be either: never on a public page.
_DIGITS = re.compile(r"\d[\d\s-]{5,}[\dXx]?")


def anonymised(text: str, *, names: tuple[str, ...] = ()) -> str:
    """`text` fit for the public list: the given names and every run of six or more digits
    masked, cut to SUMMARY_MAX characters."""
    for name in names:
        if name:
            text = text.replace(name, "某某")
    text = _DIGITS.sub("＊＊＊", " ".join(text.split()))
    return text if len(text) <= SUMMARY_MAX else text[:SUMMARY_MAX - 1] + "…"

"""The limits of 依申请公开 (中华人民共和国政府信息公开条例, revised 2019; issue 14 §2), on the
official working-day calendar. Pure: the calendar and the days are handed in.

- Art. 31, the day of receipt: in person, the day submitted; by registered post, the day the
  agency signs for it; an ordinary letter (no signature), online or by fax, the day the agency
  and the applicant confirm it — until then no limit runs.
- Art. 33: an answer within 20 working days of receipt (the day of receipt not counted: the
  calendar's add_workdays); extended by at most 20 working days with the approval of the head
  of the openness office, the applicant told.
- Art. 30: an unclear application is sent back for 补正 once, within 7 working days of receipt,
  and the limit then counts from the day the supplemented application is received — it
  restarts, it does not resume where it stopped.
- Art. 32: a third party whose rights the disclosure may harm is asked in writing and has 15
  working days from receiving the letter; art. 33: the time consultation takes is not counted.
  Counted here as the working days after the third party received the letter up to its answer,
  or up to its 15th working day when it does not answer (then the agency decides alone), or up
  to `today` while it may still answer.

These are the statute's limits; the request process (issue 14 §2) keeps the dates and calls
answer_due whenever one of them changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from zhengwu.core.errors import InvalidInput
from zhengwu.workdays.calendar import WorkdayCalendar

ANSWER_WORKDAYS = 20  # art. 33
EXTENSION_MAX_WORKDAYS = 20  # art. 33
SUPPLEMENT_NOTICE_WORKDAYS = 7  # art. 30
THIRD_PARTY_WORKDAYS = 15  # art. 32

# How an application arrived (art. 31), and which date of it starts the limit.
SUBMITTED_DAY = frozenset({"in_person"})
SIGNED_DAY = frozenset({"registered_post"})
CONFIRMED_DAY = frozenset({"post", "online", "fax"})
CHANNELS = SUBMITTED_DAY | SIGNED_DAY | CONFIRMED_DAY


@dataclass(frozen=True)
class Receipt:
    channel: str
    submitted: dt.date
    signed_for: dt.date | None = None  # registered post: the agency's signature
    confirmed: dt.date | None = None  # letter, online, fax: both sides confirmed


@dataclass(frozen=True)
class Consultation:
    """A third party asked for its opinion (art. 32)."""

    received_by_third_party: dt.date
    answered_on: dt.date | None = None


@dataclass(frozen=True)
class Due:
    day: dt.date  # the last day of the limit
    provisional: bool  # a day counted lies in a year without an official schedule


def received_on(receipt: Receipt) -> dt.date | None:
    """The day of receipt under art. 31, or None while it is not yet established."""
    if receipt.channel not in CHANNELS:
        raise InvalidInput("未知的申请提交方式。", code="openness.channel")
    if receipt.channel in SUBMITTED_DAY:
        return receipt.submitted
    if receipt.channel in SIGNED_DAY:
        return receipt.signed_for
    return receipt.confirmed


def supplement_notice_due(calendar: WorkdayCalendar, *, received: dt.date) -> dt.date:
    """The last day to send the one 补正 notice (art. 30)."""
    return calendar.add_workdays(received, SUPPLEMENT_NOTICE_WORKDAYS)[0]


def third_party_due(calendar: WorkdayCalendar, consultation: Consultation) -> dt.date:
    """The last day of the third party's 15 working days (art. 32)."""
    return calendar.add_workdays(consultation.received_by_third_party, THIRD_PARTY_WORKDAYS)[0]


def _paused(calendar: WorkdayCalendar, consultation: Consultation,
            today: dt.date | None) -> int:
    last = third_party_due(calendar, consultation)
    end = consultation.answered_on or today or last
    return max(0, calendar.workdays_between(consultation.received_by_third_party,
                                            min(end, last)))


def answer_due(calendar: WorkdayCalendar, *, received: dt.date,
               supplement_received: dt.date | None = None, extension_workdays: int = 0,
               consultations: Sequence[Consultation] = (),
               today: dt.date | None = None) -> Due:
    """The last day to answer (art. 33), from receipt or from the supplement's receipt (art.
    30), with the extension granted and the consultations' time left out (art. 32–33).
    `today` bounds a consultation still waiting for its answer (None: up to its last day)."""
    if not 0 <= extension_workdays <= EXTENSION_MAX_WORKDAYS:
        raise InvalidInput("延长答复期限最长不得超过20个工作日（政府信息公开条例第三十三条）。",
                           code="openness.extension")
    start = supplement_received or received
    paused = sum(_paused(calendar, c, today) for c in consultations)
    day, provisional = calendar.add_workdays(start, ANSWER_WORKDAYS + extension_workdays + paused)
    return Due(day, provisional)

"""The one reading of a case's deadline clock: whether it runs, the working days left and the
电子监察 card. The todo page, the case page, the API and the monitoring sweep all read it here,
so they cannot disagree (they did: three computations, two yellow thresholds).

- The clock runs from acceptance until a decision (status 审查中); before acceptance there is
  no deadline yet, after the decision nothing is left to count.
- 行政许可法 art. 45: it stops during a special procedure (特别程序中), and the deadline moves
  by the procedure's working days when it ends (deadlines.paused_workdays), so a paused clock
  reads as it did when it stopped: the days left then, the card then.
- Working days left: after the reading day up to the due day (0 on the due day, negative
  when overdue; deadlines.remaining_workdays).
- Cards (电子监察 [25]): red once the deadline has passed; yellow while at most
  `ZHENGWU_YELLOW_CARD_WORKDAYS` working days are left (`yellow_threshold`) — where the
  limit is longer than that threshold.
- A limit no longer than the threshold (即办, half a day, one day with the default threshold
  of 1 — over 1,800 of the Leiyang pack's implementations and the 一件事 members promised in
  half a day) would read yellow the moment its clock starts: the whole limit is within the
  threshold. A warning that is on from the start warns of nothing, and staff learn to ignore
  it. requirements.md §2 asks for "a yellow card before the deadline, red card after", a
  warning that comes *before* the deadline, and standards-notes §2 (GB/T 39046's 监察预警)
  gives no number; so such a case reads yellow in the last half of its limit: from half-way
  between acceptance and the due moment (`half_way`). For one working day that is the due
  day; for half a day, the office session the limit ends in; for 即办, the end of the day's
  office hours. Working days cannot measure this (half a day has 0 working days left from
  its start), so the half is clock time; a limit longer than the threshold keeps the
  working-day rule, which leaves it unwarned at first.

`read` is pure (the case row, the calendar, the moment, the threshold); the selectors supply
the calendar and the threshold. Every form of the rule is here: `read` (a case),
`deadline_reading` (any deadline: a case, a 事后核查) and, for the sweep that stores the same
cards for lists and counts, `yellow_before` (a bound on `due_at` that holds every yellow card,
exact for long limits: one UPDATE) with `short_limit` (the rows whose card the sweep reads one
by one, with `deadline_reading`). cases/tests/test_clock.py checks that they agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from zhengwu.cases import deadlines
from zhengwu.cases.models import Card, Case, CaseStatus
from zhengwu.workdays.calendar import SHANGHAI, WorkdayCalendar

WAITING, RUNNING, PAUSED, STOPPED = "waiting", "running", "paused", "stopped"


def yellow_threshold() -> int:
    """Working days left at which the yellow card shows. requirements.md §2 (电子监察 [25])
    asks for "a yellow card before the deadline, red card after" and standards-notes §2 lists
    a 监察预警类型 in GB/T 39046's 电子监察 set, but neither gives a number: 1 working day is
    this platform's choice (issue 3 item 6), which a county may change with
    ZHENGWU_YELLOW_CARD_WORKDAYS (config/settings/base.py, docs/deploy.md)."""
    return int(settings.ZHENGWU_YELLOW_CARD_WORKDAYS)


@dataclass(frozen=True)
class CaseClock:
    state: str  # WAITING, RUNNING, PAUSED or STOPPED
    remaining: int | None  # working days left; frozen while paused; None unless counting
    card: str  # Card: "", "yellow" or "red"

    @property
    def paused(self) -> bool:
        return self.state == PAUSED

    @property
    def overdue_workdays(self) -> int:
        """Working days past the deadline (0 when not overdue)."""
        return -self.remaining if self.remaining is not None and self.remaining < 0 else 0


def read(case: Case, calendar: WorkdayCalendar, now: dt.datetime, threshold: int) -> CaseClock:
    """The clock of `case` at `now`."""
    if case.status in _BEFORE_ACCEPTANCE:
        return CaseClock(WAITING, None, "")
    if case.due_at is None or case.status not in (CaseStatus.ACCEPTED, CaseStatus.SUSPENDED):
        return CaseClock(STOPPED, None, "")
    if case.status == CaseStatus.ACCEPTED:
        state, moment = RUNNING, now
    else:
        state, moment = PAUSED, case.suspended_at or now
    remaining, card = deadline_reading(calendar, moment, case.due_at, threshold,
                                       started=case.accepted_at, limit=case.promised_workdays)
    return CaseClock(state, remaining, card)


def is_short(limit: Decimal | None, threshold: int) -> bool:
    """The whole limit is within the yellow threshold: yellow in its last half only."""
    return limit is not None and limit <= threshold


def half_way(started: dt.datetime, due_at: dt.datetime) -> dt.datetime:
    """Where the last half of a limit begins (clock time)."""
    return started + (due_at - started) / 2


def deadline_reading(calendar: WorkdayCalendar, moment: dt.datetime, due_at: dt.datetime,
                     threshold: int, *, started: dt.datetime | None = None,
                     limit: Decimal | int | None = None) -> tuple[int, str]:
    """Working days left at `moment` until `due_at`, and the card: red once it has passed;
    yellow while at most `threshold` working days are left, or, for a limit (in working
    days, counted from `started`) no longer than the threshold, from half-way to the due
    moment. Every deadline the platform watches (a case, a 事后核查) is read with this rule."""
    remaining = deadlines.remaining_workdays(calendar, moment, due_at)
    if moment > due_at:
        return remaining, str(Card.RED)
    if started is not None and limit is not None and is_short(Decimal(limit), threshold):
        yellow = moment >= half_way(started, due_at)
    else:
        yellow = remaining <= threshold
    return remaining, str(Card.YELLOW) if yellow else ""


def short_limit(threshold: int) -> Q:
    """The cases whose limit is within the threshold (`is_short`), as a filter: the sweep
    reads their cards one by one, with `deadline_reading`."""
    return Q(promised_workdays__lte=threshold)


def yellow_before(calendar: WorkdayCalendar, now: dt.datetime, threshold: int) -> dt.datetime:
    """A running clock that reads yellow at `now` has `now <= due_at < yellow_before(...)`:
    the due day comes before the (threshold + 1)-th working day after today. For a limit
    longer than the threshold the converse holds too; a short limit (`short_limit`) in the
    bound is yellow only in its last half."""
    day, _ = calendar.add_workdays(now.astimezone(SHANGHAI).date(), threshold + 1)
    return dt.datetime.combine(day, dt.time.min, SHANGHAI)


_BEFORE_ACCEPTANCE = (CaseStatus.SUBMITTED, CaseStatus.AWAITING_SUPPLEMENT,
                      CaseStatus.SUPPLEMENTED)

"""Queue figures (取号叫号 统计): average and p90 wait, numbers served and abandoned, per hall,
window, item and hour (issue 12 §3). Pure: works on `TicketTimes` rows, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class TicketTimes:
    """One queue number's times, as the figures need them (built by
    hall.selectors.ticket_times)."""

    hall_code: str
    number: str                       # the number shown, e.g. "A012"
    window_number: str                # the window that served it last; "" if never called
    item_code: str                    # ItemImplementation code; "" if no item chosen
    item_name: str
    priority: bool                    # taken by a priority group (70+, disabled, pregnant…)
    taken_at: dt.datetime             # aware, UTC as stored
    called_at: dt.datetime | None     # first call
    finished_at: dt.datetime | None   # served (办结) or given up (过号/离开)
    outcome: str                      # "served" | "abandoned" | "waiting" | "serving"

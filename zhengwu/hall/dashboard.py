"""The hall manager's live dashboard (取号叫号统计, docs/hall.md): the figures of a period
from the queue's rows (selectors.ticket_times, read through the module so that a test can put
its own rows in place), and their charts. Today's view is live: the page polls it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhengwu.core import charts, clock
from zhengwu.hall import queue_figures, selectors
from zhengwu.hall.models import Hall
from zhengwu.hall.queue_figures import Figures

POLL_SECONDS = 30
# Each keeps 3:1 against the page (core.charts.check_colour): the grey was #8c959f, 2.85:1.
SERVED, ABANDONED, OPEN, P90 = "#1a7f37", "#b3261e", "#6e7781", "#0b5cad"


def hour_charts(hours: list[Figures]) -> list[str]:
    """Numbers taken per hour (served, abandoned, still open, stacked) and the p90 wait."""
    labels, ticks = [h.label for h in hours], [h.key for h in hours]
    return [
        charts.bar_chart("每小时取号数（按取号时段）", labels, [
            charts.Series("已办结", [h.served for h in hours], SERVED),
            charts.Series("放弃或过号", [h.abandoned for h in hours], ABANDONED),
            charts.Series("等候或办理中", [h.waiting + h.serving for h in hours], OPEN),
        ], unit="个", ticks=ticks),
        charts.line_chart("每小时 P90 等候时长（按取号时段）", labels,
                          charts.Series("P90 等候", [h.wait_p90_minutes for h in hours], P90),
                          unit="分钟", ticks=ticks),
    ]


def dashboard(hall: Hall, start: dt.date, end: dt.date) -> dict[str, Any]:
    """What the dashboard shows for `hall` from `start` to `end` (Beijing dates, included)."""
    rows = selectors.ticket_times(hall, start, end)
    found = queue_figures.summary(rows)
    now = clock.now()
    live = start == end == now.astimezone(clock.SHANGHAI).date()
    return {"start": start, "end": end, "summary": found, "charts": hour_charts(found.hours),
            "live": live, "poll_seconds": POLL_SECONDS, "updated_at": now,
            "longest_waiting": queue_figures.longest_waiting(rows, now) if live else None}

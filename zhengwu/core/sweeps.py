"""The registry of periodic sweeps that `zhengwu sweep [--now ISO]` runs once, in order.

Apps register their sweeps in AppConfig.ready(); each takes the moment to run "as of" and
returns a one-line summary. Sweeps must be idempotent and safe to run concurrently.

The order is declared, never taken from INSTALLED_APPS: each sweep names its `Stage`, and a
run goes stage by stage (registration order within a stage). Sweeps that decide (deemed
approval, red cards, absent departments) come first, sweeps that react to those decisions (a
bundle closing members the cases sweep decided) next, and delivery of the notification outbox
last — so the messages a run queues reach people in the same run, not in the next one.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable, Iterator

logger = logging.getLogger(__name__)

Sweep = Callable[[dt.datetime], str]


class Stage(enum.IntEnum):
    DECIDE = 10  # change the state of processes (deadlines, cards, defaults)
    FOLLOW = 20  # react to what DECIDE changed (compositions, e.g. bundles)
    DELIVER = 90  # hand what the earlier stages queued to its channels


SWEEPS: dict[str, Sweep] = {}
STAGES: dict[str, Stage] = {}


def register(name: str, sweep: Sweep, *, stage: Stage = Stage.DECIDE) -> None:
    SWEEPS[name] = sweep
    STAGES[name] = stage


def ordered() -> Iterator[str]:
    """The registered names in running order (stage, then registration); a sweep put into
    SWEEPS directly (tests) runs in the DECIDE stage."""
    names = list(SWEEPS)
    yield from sorted(names, key=lambda name: (STAGES.get(name, Stage.DECIDE),
                                               names.index(name)))


def run_all(now: dt.datetime) -> list[tuple[str, str]]:
    """Every sweep in order; an exception stops the run (tests want to see it)."""
    return [(name, SWEEPS[name](now)) for name in ordered()]


def run_each(now: dt.datetime) -> tuple[list[tuple[str, str]], list[str]]:
    """Every sweep in order, each on its own: a sweep that raises is logged with its traceback
    and the run goes on (a broken sweep must not stop deadlines and deliveries, nor — through
    `zhengwu serve`, which stops when its worker does — the site). Each sweep's writes are
    its own transactions, so a failed one leaves the others' work whole. Returns the
    summaries and the names that failed."""
    results: list[tuple[str, str]] = []
    failed: list[str] = []
    for name in ordered():
        try:
            results.append((name, SWEEPS[name](now)))
        except Exception as error:
            logger.exception("sweep %s failed as of %s", name, now.isoformat())
            results.append((name, f"失败（{type(error).__name__}，详见日志）"))
            failed.append(name)
    return results, failed

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
from collections.abc import Callable, Iterator

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
    return [(name, SWEEPS[name](now)) for name in ordered()]

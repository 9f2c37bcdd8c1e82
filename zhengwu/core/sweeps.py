"""The registry of periodic sweeps that `zhengwu sweep [--now ISO]` runs once, in order.

Apps register their sweeps in AppConfig.ready(); each takes the moment to run "as of" and
returns a one-line summary. Sweeps must be idempotent and safe to run concurrently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Sweep = Callable[[dt.datetime], str]
SWEEPS: dict[str, Sweep] = {}


def register(name: str, sweep: Sweep) -> None:
    SWEEPS[name] = sweep


def run_all(now: dt.datetime) -> list[tuple[str, str]]:
    return [(name, sweep(now)) for name, sweep in SWEEPS.items()]

"""A process's timeline as its pages show it: one row per event (process.models.ProcessEvent),
what was done, the state it left, and who did it in which role and department, and why.

Each process names its own moves, states and roles; the row and the rule that the public
(the progress query) sees what happened but not which member of staff did it are shared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from zhengwu.process.models import ProcessEvent

EventT = TypeVar("EventT", bound=ProcessEvent)


@dataclass(frozen=True)
class TimelineRow:
    at: dt.datetime
    label: str
    status: str
    who: str
    role: str
    department: str
    reason: str


def timeline_rows(events: Iterable[EventT], *, label: Callable[[EventT], str],
                  status: Callable[[str], str], roles: Mapping[str, str],
                  with_staff: bool = True) -> list[TimelineRow]:
    """The rows of `events` in their order: `label` names an event's move, `status` the state
    it left, `roles` the actors' roles. Without staff (a public page), who, role, department and
    reason are left out."""
    return [TimelineRow(
        at=event.at, label=label(event), status=status(event.to_status),
        who=event.actor_label if with_staff else "",
        role=roles.get(event.role, event.role) if with_staff else "",
        department=event.department_label if with_staff else "",
        reason=event.reason if with_staff else "") for event in events]

"""The approval steps of a case (承办 → 审核 → 批准, or the item's own chain) as people did
them, read from its timeline; pure, no queries.

A step is done only when a person's event did it: a 审查通过 passes the current step, a
decision (准予/不予许可) by a person completes the step it was made at, and a 退回 reopens the
step it returns to. A deemed approval (超时默认准予) is the platform's, not a step anybody
did: it is reported apart, and the steps nobody reached stay undone. The case's
`approval_step` says where a running case stands; the timeline says who did what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

DEFAULT_CHAIN = ("承办", "审核", "批准")
# Decisions a person makes at the step the case has reached.
PERSON_DECISIONS = frozenset({"grant", "deny"})
SYSTEM_DECISIONS = {"deem_approved": "超时默认准予"}


class StepEvent(Protocol):
    action: str
    role: str
    actor_label: str
    department_label: str
    at: dt.datetime


@dataclass(frozen=True)
class Step:
    name: str
    state: str  # "done" (by a person), "current" (the case waits here), "" (not done)
    who: str = ""
    department: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class SystemDecision:
    label: str  # 超时默认准予
    at: dt.datetime


@dataclass(frozen=True)
class Steps:
    steps: list[Step]
    by_system: SystemDecision | None


def chain_of(approval_chain: Sequence[str] | None) -> list[str]:
    """The item's approval chain; the three usual steps when the item names none."""
    return list(approval_chain or DEFAULT_CHAIN)


def current_step(approval_chain: Sequence[str] | None, approval_step: int) -> str:
    """The step a running case is at (承办/审核/批准 …)."""
    chain = chain_of(approval_chain)
    return chain[min(max(approval_step, 0), len(chain) - 1)]


def approval_steps(approval_chain: Sequence[str] | None, events: Iterable[StepEvent], *,
                   running: bool) -> Steps:
    """Each step of the chain with who did it, from the case's events in order; `running`:
    the case still waits for a decision (its current step is marked)."""
    chain = chain_of(approval_chain)
    last = len(chain) - 1
    done: dict[int, StepEvent] = {}
    index = 0
    by_system: SystemDecision | None = None
    for event in events:
        if event.action == "accept":
            index, by_system = 0, None
            done.clear()
        elif event.action == "review_pass":
            done[min(index, last)] = event
            index = min(index + 1, last)
        elif event.action == "review_return":
            index = max(index - 1, 0)
            done.pop(index, None)
        elif event.action in PERSON_DECISIONS and event.role != "system":
            done[min(index, last)] = event
        elif event.action in SYSTEM_DECISIONS:
            by_system = SystemDecision(SYSTEM_DECISIONS[event.action], event.at)
    steps = []
    for position, name in enumerate(chain):
        by = done.get(position)
        if by is not None:
            steps.append(Step(name, "done", by.actor_label, by.department_label, by.at))
        else:
            steps.append(Step(name, "current" if running and position == index else ""))
    return Steps(steps, by_system)

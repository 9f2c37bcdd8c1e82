"""The approval steps of a case (承办 → 审核 → 批准, or the item's own chain) as people did
them, read from its timeline; pure, no queries.

A step is done only when a person's event did it: a 审查通过 passes the current step, a
decision (准予/不予许可) by a person completes the step it was made at, and a 退回 reopens the
step it returns to. A deemed approval (超时默认准予) is the platform's, not a step anybody
did: it is reported apart, and the steps nobody reached stay undone. The case's
`approval_step` says where a running case stands; the timeline says who did what.

告知承诺 (a case filed `by_commitment`): the decision needs no complete chain — the window
grants on the spot at acceptance, or the back office at whatever step the case has reached
(cases.workflow's grant guards). Such a grant is a person's lawful decision, reported apart
(当场准予（告知承诺） at the window); the steps it made unnecessary are "waived"
(告知承诺制免于逐级审批), not left undone as if somebody had failed to do them. A commitment
grant at the last step is an ordinary one.
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
# The account role whose grant on a commitment is made on the spot, at the window.
WINDOW_ROLE = "window_clerk"
ON_THE_SPOT = "当场准予（告知承诺）"
ON_COMMITMENT = "准予（告知承诺）"


class StepEvent(Protocol):
    action: str
    role: str
    actor_label: str
    department_label: str
    at: dt.datetime


@dataclass(frozen=True)
class Step:
    name: str
    # "done" (by a person), "current" (the case waits here), "waived" (a grant on commitment
    # made it unnecessary), "" (not done)
    state: str
    who: str = ""
    department: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class SystemDecision:
    label: str  # 超时默认准予
    at: dt.datetime


@dataclass(frozen=True)
class CommitmentDecision:
    label: str  # 当场准予（告知承诺） at the window, 准予（告知承诺） in the back office
    who: str
    department: str
    at: dt.datetime


@dataclass(frozen=True)
class Steps:
    steps: list[Step]
    by_system: SystemDecision | None
    on_commitment: CommitmentDecision | None = None


def chain_of(approval_chain: Sequence[str] | None) -> list[str]:
    """The item's approval chain; the three usual steps when the item names none."""
    return list(approval_chain or DEFAULT_CHAIN)


def current_step(approval_chain: Sequence[str] | None, approval_step: int) -> str:
    """The step a running case is at (承办/审核/批准 …)."""
    chain = chain_of(approval_chain)
    return chain[min(max(approval_step, 0), len(chain) - 1)]


def approval_steps(approval_chain: Sequence[str] | None, events: Iterable[StepEvent], *,
                   running: bool, by_commitment: bool = False) -> Steps:
    """Each step of the chain with who did it, from the case's events in order; `running`:
    the case still waits for a decision (its current step is marked); `by_commitment`: the
    case was filed on commitment (告知承诺), so a grant before the last step is lawful."""
    chain = chain_of(approval_chain)
    last = len(chain) - 1
    done: dict[int, StepEvent] = {}
    index = 0
    by_system: SystemDecision | None = None
    on_commitment: CommitmentDecision | None = None
    for event in events:
        if event.action == "accept":
            index, by_system, on_commitment = 0, None, None
            done.clear()
        elif (event.action == "grant" and by_commitment and index < last
              and event.role != "system"):
            on_commitment = CommitmentDecision(
                ON_THE_SPOT if event.role == WINDOW_ROLE else ON_COMMITMENT,
                event.actor_label, event.department_label, event.at)
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
        elif on_commitment is not None:
            steps.append(Step(name, "waived"))
        else:
            steps.append(Step(name, "current" if running and position == index else ""))
    return Steps(steps, by_system, on_commitment)

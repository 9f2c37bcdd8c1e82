"""The bundle case life cycle as a table (ADR 0006): who may make each move on the whole
一件事. The member cases follow cases.workflow; the bundle makes their acceptance, supplement,
refusal, withdrawal and delivery moves once for all of them.

submit → [ask_supplement → supplement] → accept | refuse → (members run in parallel) →
finished (when every member has ended) → deliver; withdraw before acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from zhengwu.bundles.models import BundleCaseStatus as S
from zhengwu.core.errors import Conflict


class Role(Enum):
    APPLICANT = "applicant"
    WINDOW = "window"  # the 一件事 window (综合窗口) of the bundle's region
    SYSTEM = "system"


@dataclass(frozen=True)
class Move:
    source: frozenset[S]
    target: S
    roles: frozenset[Role]
    label: str


BEFORE_ACCEPT = frozenset({S.SUBMITTED, S.SUPPLEMENTED})

MOVES: dict[str, Move] = {
    "ask_supplement": Move(frozenset({S.SUBMITTED}), S.AWAITING_SUPPLEMENT,
                           frozenset({Role.WINDOW}), "一次性告知补正"),
    "supplement": Move(frozenset({S.AWAITING_SUPPLEMENT}), S.SUPPLEMENTED,
                       frozenset({Role.APPLICANT}), "补正材料"),
    "accept": Move(BEFORE_ACCEPT, S.IN_PROGRESS, frozenset({Role.WINDOW, Role.SYSTEM}), "受理"),
    "refuse": Move(BEFORE_ACCEPT, S.REFUSED, frozenset({Role.WINDOW}), "不予受理"),
    "withdraw": Move(frozenset({S.SUBMITTED, S.AWAITING_SUPPLEMENT, S.SUPPLEMENTED}),
                     S.WITHDRAWN, frozenset({Role.APPLICANT}), "撤回"),
    "finish": Move(frozenset({S.IN_PROGRESS}), S.FINISHED, frozenset({Role.SYSTEM}), "办结"),
    "deliver": Move(frozenset({S.FINISHED}), S.DELIVERED, frozenset({Role.WINDOW, Role.SYSTEM}),
                    "送达"),
}


class BundleMoveNotAllowed(Conflict):
    code = "bundle.move_not_allowed"


def move_for(action: str, status: str) -> Move:
    move = MOVES.get(action)
    if move is None:
        raise BundleMoveNotAllowed(f"未知的一件事操作“{action}”。", code="bundle.unknown_action")
    current = S(status)
    if current not in move.source:
        raise BundleMoveNotAllowed(f"一件事当前状态为“{current.label}”，不能{move.label}。")
    return move

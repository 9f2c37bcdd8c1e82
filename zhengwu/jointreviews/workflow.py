"""The joint review life cycle as a table: every allowed move and who may make it. Only
jointreviews.services and jointreviews.sweeps apply it (ADR 0008).

schedule → attend / answer (each invited department, until the answer deadline) →
conclude (issued by the platform once every required department has answered, or by the
sweep or the lead department after the deadline, defaulting the silent ones: 缺席默认) —
or cancel (the lead department, with a reason, before the result).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from zhengwu.core.errors import Conflict
from zhengwu.jointreviews.models import Opinion, Outcome
from zhengwu.jointreviews.models import ReviewStatus as S


class Role(Enum):
    """Who may make a move (mapped to account roles in jointreviews.access)."""

    LEAD = "lead"  # reviewers and chief representatives of the lead department (牵头部门)
    PARTICIPANT = "participant"  # reviewers and chief representatives of an invited department
    SYSTEM = "system"  # the platform: the last answer, the deadline sweep


@dataclass(frozen=True)
class Move:
    source: frozenset[S]
    target: S
    roles: frozenset[Role]
    label: str


OPEN = frozenset({S.SCHEDULED})

MOVES: dict[str, Move] = {
    "attend": Move(OPEN, S.SCHEDULED, frozenset({Role.PARTICIPANT}), "到场签到"),
    "answer": Move(OPEN, S.SCHEDULED, frozenset({Role.PARTICIPANT}), "出具意见"),
    "default": Move(OPEN, S.SCHEDULED, frozenset({Role.SYSTEM, Role.LEAD}),
                    "逾期未答复，视为无意见（缺席默认）"),
    "conclude": Move(OPEN, S.CONCLUDED, frozenset({Role.SYSTEM, Role.LEAD}),
                     "出具联合审查意见"),
    "cancel": Move(OPEN, S.CANCELLED, frozenset({Role.LEAD}), "取消联合审查"),
}
# The first event of every session; not a move (there is no state before it).
SCHEDULE_LABEL = "安排联合审查"


class MoveNotAllowed(Conflict):
    code = "joint_review.move_not_allowed"


def move_for(action: str, status: str) -> Move:
    """The move, if `action` is allowed from `status`; MoveNotAllowed (409) otherwise."""
    move = MOVES.get(action)
    if move is None:
        raise MoveNotAllowed(f"未知的联合审查操作“{action}”。", code="joint_review.unknown_action")
    current = S(status)
    if current not in move.source:
        raise MoveNotAllowed(f"联合审查当前状态为“{current.label}”，不能{move.label}。")
    return move


def combined_outcome(opinions: list[str]) -> Outcome:
    """联合审查意见: 不通过 if any department disagrees, 有条件通过 if any agrees with
    conditions, otherwise 通过 (agreements and no-objections alike)."""
    if Opinion.DISAGREE in opinions:
        return Outcome.FAILED
    if Opinion.CONDITIONAL in opinions:
        return Outcome.CONDITIONAL
    return Outcome.PASSED

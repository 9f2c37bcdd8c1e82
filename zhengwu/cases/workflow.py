"""The case life cycle as a table: every allowed move, who may make it, what it does to the
clock. Only cases.services applies it (style guide §3.3; ADR 0006).

submit → (ask_supplement → supplement) → accept | refuse → review (承办 → 审核 → 批准) →
[suspend ⇄ resume] → [extend once] → grant | deny | deem_approved → close → deliver;
withdraw before a decision; revoke after a decision found to rest on a false commitment.
"Ask once" is structural: SUPPLEMENTED has no move back to AWAITING_SUPPLEMENT, and the
Supplement row is one-to-one with its case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from zhengwu.cases.models import CaseStatus as S
from zhengwu.core.errors import Conflict


class Clock(Enum):
    NONE = "none"
    START = "start"  # 受理: the clock starts; the start day is not counted
    PAUSE = "pause"  # 特别程序: 听证、检验、检测、鉴定、专家评审 (行政许可法 art. 45)
    RESUME = "resume"
    STOP = "stop"


class Role(Enum):
    """Who may make a move (mapped to account roles in cases.access)."""

    APPLICANT = "applicant"  # the applicant, or the proxy agent who filed for them
    WINDOW = "window"  # 综合窗口 clerk of the accepting region
    REVIEWER = "reviewer"  # back office of the responsible department
    SYSTEM = "system"  # sweeps: deemed approval, acceptance by law after 5 days


@dataclass(frozen=True)
class Move:
    source: frozenset[S]
    target: S
    roles: frozenset[Role]
    clock: Clock = Clock.NONE
    label: str = ""


OPEN = frozenset({S.SUBMITTED, S.AWAITING_SUPPLEMENT, S.SUPPLEMENTED, S.ACCEPTED, S.SUSPENDED})
BEFORE_ACCEPT = frozenset({S.SUBMITTED, S.SUPPLEMENTED})
DECIDED_OR_LATER = frozenset({S.DECIDED, S.CLOSED, S.DELIVERED})

MOVES: dict[str, Move] = {
    "ask_supplement": Move(frozenset({S.SUBMITTED}), S.AWAITING_SUPPLEMENT,
                           frozenset({Role.WINDOW}), label="一次性告知补正"),
    "supplement": Move(frozenset({S.AWAITING_SUPPLEMENT}), S.SUPPLEMENTED,
                       frozenset({Role.APPLICANT}), label="补正材料"),
    "accept": Move(BEFORE_ACCEPT, S.ACCEPTED, frozenset({Role.WINDOW, Role.SYSTEM}), Clock.START,
                   label="受理"),
    "refuse": Move(BEFORE_ACCEPT, S.REFUSED, frozenset({Role.WINDOW}), Clock.STOP,
                   label="不予受理"),
    "review_pass": Move(frozenset({S.ACCEPTED}), S.ACCEPTED, frozenset({Role.REVIEWER}),
                        label="审查通过"),
    "review_return": Move(frozenset({S.ACCEPTED}), S.ACCEPTED, frozenset({Role.REVIEWER}),
                          label="退回上一环节"),
    "suspend": Move(frozenset({S.ACCEPTED}), S.SUSPENDED, frozenset({Role.REVIEWER}),
                    Clock.PAUSE, label="启动特别程序"),
    "resume": Move(frozenset({S.SUSPENDED}), S.ACCEPTED, frozenset({Role.REVIEWER}),
                   Clock.RESUME, label="特别程序结束"),
    "extend": Move(frozenset({S.ACCEPTED}), S.ACCEPTED, frozenset({Role.REVIEWER}),
                   label="延期"),
    "grant": Move(frozenset({S.ACCEPTED}), S.DECIDED, frozenset({Role.REVIEWER, Role.WINDOW}),
                  Clock.STOP, label="准予"),
    "deny": Move(frozenset({S.ACCEPTED}), S.DECIDED, frozenset({Role.REVIEWER}), Clock.STOP,
                 label="不予许可"),
    "deem_approved": Move(frozenset({S.ACCEPTED}), S.DECIDED, frozenset({Role.SYSTEM}),
                          Clock.STOP, label="超时默认准予"),
    "close": Move(frozenset({S.DECIDED}), S.CLOSED, frozenset({Role.WINDOW, Role.REVIEWER,
                                                              Role.SYSTEM}), label="办结"),
    "deliver": Move(frozenset({S.CLOSED}), S.DELIVERED, frozenset({Role.WINDOW, Role.SYSTEM}),
                    label="送达"),
    "withdraw": Move(OPEN, S.WITHDRAWN, frozenset({Role.APPLICANT}), Clock.STOP, label="撤回"),
    # A bundle's member case whose prerequisite member was not granted (bundles app).
    "cancel": Move(OPEN, S.WITHDRAWN, frozenset({Role.SYSTEM}), Clock.STOP,
                   label="前置事项未获准予，终止办理"),
    "revoke": Move(DECIDED_OR_LATER, S.REVOKED, frozenset({Role.REVIEWER}), label="撤销"),
}


class MoveNotAllowed(Conflict):
    code = "case.move_not_allowed"


def move_for(action: str, status: str) -> Move:
    """The move, if `action` is allowed from `status`; MoveNotAllowed (409) otherwise."""
    move = MOVES.get(action)
    if move is None:
        raise MoveNotAllowed(f"未知的办件操作“{action}”。", code="case.unknown_action")
    current = S(status)
    if current not in move.source:
        raise MoveNotAllowed(f"办件当前状态为“{current.label}”，不能{move.label or action}。")
    return move

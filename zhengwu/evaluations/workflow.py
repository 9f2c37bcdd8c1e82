"""差评整改 as a process on the engine (ADR 0013, docs/processes.md): its move table, roles and
guards. What the moves do is in services; this module only says what may be done by whom.

国办发〔2019〕51号 [V, standards-notes §3]: "谁办理、谁负责" — the department that served
rectifies (its 首席代表 is the rectification officer); a 差评 is triaged (情况清楚、诉求合理 →
立行立改; 复杂 → 限期整改; 缺乏法定依据 → 解释说明) and 误评/"恶意"差评 are filtered by 申诉复核
— here a second reviewer (电子监察) must confirm that a 差评 is invalid, the rater is told
and may appeal. The limits (contact within 1 working day, rectify within 5 or 15) are
settings (evaluations.rules): the national wording of a deadline was not found [NF].
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from zhengwu.accounts.models import RoleAssignment
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.evaluations import rules
from zhengwu.evaluations.models import Rectification
from zhengwu.evaluations.models import RectificationStatus as S
from zhengwu.process.spec import Attempt, Move, Refusal, Table


class Role(StrEnum):
    OFFICER = "officer"  # the responsible department's 首席代表: triage, contact, rectify
    REVIEWER = "second_reviewer"  # 电子监察: confirms invalid, approves extensions, appeals
    RATER = "rater"  # the person who rated
    SYSTEM = "system"


ROLE_LABELS = {Role.OFFICER: "整改责任人", Role.REVIEWER: "复核人", Role.RATER: "评价人",
               Role.SYSTEM: "系统"}


def roles_on(user: Any, row: Rectification) -> frozenset[str]:
    if user is None:
        return frozenset({Role.SYSTEM})
    held: set[str] = set()
    if row.rating.rater_id == user.pk:
        held.add(Role.RATER)
    if user.is_staff:
        assigned = RoleAssignment.objects.filter(user=user)
        if assigned.filter(role=AccountRole.SUPERVISOR).exists():
            held.add(Role.REVIEWER)
        if row.department_id is not None and assigned.filter(
                role=AccountRole.CHIEF_REPRESENTATIVE, department_id=row.department_id).exists():
            held.add(Role.OFFICER)
    return frozenset(held)


def _second_person(row: Rectification, attempt: Attempt) -> Refusal | None:
    if row.proposed_by_id is not None and row.proposed_by_id == attempt.user_id:
        return Refusal("rectification.second_reviewer",
                       "无效差评须由提出人以外的另一名复核人确认。", forbidden=True)
    return None


def _appeal_in_time(row: Rectification, attempt: Attempt) -> Refusal | None:
    if row.invalid_at is None or attempt.now > row.invalid_at + dt.timedelta(
            days=rules.appeal_days()):
        return Refusal("rectification.appeal_closed",
                       f"已超过申诉期限（认定无效后{rules.appeal_days()}日内）。")
    return None


def _no_extension_yet(row: Rectification, attempt: Attempt) -> Refusal | None:
    if row.extension_state:
        return Refusal("rectification.extension_once", "整改期限只能申请延期一次。")
    return None


def _extension_requested(row: Rectification, attempt: Attempt) -> Refusal | None:
    if row.extension_state != "requested":
        return Refusal("rectification.no_extension_request", "没有待审批的延期申请。")
    return None


def _no_change_request_yet(row: Rectification, attempt: Attempt) -> Refusal | None:
    if row.change_requested_at is not None:
        return Refusal("rectification.change_requested", "已就该差评提出过事项变更建议。")
    return None


OFFICER, REVIEWER, RATER = (frozenset({Role.OFFICER}), frozenset({Role.REVIEWER}),
                            frozenset({Role.RATER}))
DEADLINE_STATES = frozenset({S.CONTACTING, S.RECTIFYING})

MOVES = {
    "accept": Move(frozenset({S.TRIAGE}), S.CONTACTING, OFFICER, "认定为有效差评"),
    "propose_invalid": Move(frozenset({S.TRIAGE}), S.INVALID_PROPOSED, OFFICER,
                            "提出无效差评"),
    "confirm_invalid": Move(frozenset({S.INVALID_PROPOSED}), S.INVALID, REVIEWER,
                            "复核确认无效差评", guards=(_second_person,)),
    "reject_invalid": Move(frozenset({S.INVALID_PROPOSED}), S.TRIAGE, REVIEWER,
                           "复核不予认定无效", guards=(_second_person,)),
    "appeal": Move(frozenset({S.INVALID}), S.APPEALED, RATER, "申诉",
                   guards=(_appeal_in_time,)),
    "uphold_appeal": Move(frozenset({S.APPEALED}), S.CONTACTING, REVIEWER, "申诉成立"),
    "dismiss_appeal": Move(frozenset({S.APPEALED}), S.INVALID_FINAL, REVIEWER, "驳回申诉"),
    "contact": Move(frozenset({S.CONTACTING}), S.RECTIFYING, OFFICER, "登记已联系评价人"),
    "request_extension": Move(frozenset({S.RECTIFYING}), None, OFFICER, "申请延期",
                              guards=(_no_extension_yet,)),
    "approve_extension": Move(frozenset({S.RECTIFYING}), None, REVIEWER, "批准延期",
                              guards=(_extension_requested,)),
    "refuse_extension": Move(frozenset({S.RECTIFYING}), None, REVIEWER, "不批准延期",
                             guards=(_extension_requested,)),
    "rectify": Move(frozenset({S.RECTIFYING}), S.CALLBACK, OFFICER, "登记整改完成"),
    "callback": Move(frozenset({S.CALLBACK}), S.CLOSED, OFFICER, "登记回访结果"),
    "request_change": Move(frozenset({S.CONTACTING, S.RECTIFYING, S.CALLBACK, S.CLOSED}), None,
                           OFFICER, "提出事项变更建议", guards=(_no_change_request_yet,)),
}

RECTIFICATION_TABLE: Table[Rectification] = Table(
    name="rectification", noun="差评整改", status_field="status",
    status_label=lambda status: str(S(status).label), moves=MOVES, roles_on=roles_on)

STAFF_ACTIONS = tuple(a for a in MOVES if a != "appeal")

# The timeline's words for every action, the moves' and the platform's own.
ACTION_LABELS = {action: move.label for action, move in MOVES.items()} | {
    "open": "收到差评", "warn": "整改期限预警", "escalate": "整改逾期督办",
    "escalate_contact": "联系逾期督办"}

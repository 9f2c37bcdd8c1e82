"""12345 work orders as a process on the engine (ADR 0013, ADR 0023, docs/processes.md): the
move table, its pure guards, and who holds which role on an order. What the moves do is in
services.

Roles on an order:
- operator: a 12345 话务员 (accounts role hotline_operator) — 受理, 派单, 退单审核, 回访, 办结,
  直办, 合并, 重办/重启, 催办, 延期审批; and 互动交流's 公开答复 / 不予公开 of a closed order
  whose caller agreed (the centre took the call and the callback, and answers for what the
  hotline publishes; a department does not publish its own answers);
- department: the staff of the order's department (reviewer or chief_representative scoped to
  it) — 签收, 退单, 答复, 申请延期, 上报, 下派;
- supervisor: 电子监察 — sees every order; 督办, 催办, 延期审批, 重启;
- caller: the signed-in person who opened it — sees it; withdraws consent to publication;
- system: the sweep — 预警, 亮牌, 督办.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from zhengwu.accounts.models import RoleAssignment
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.accounts.selectors import holds
from zhengwu.hotline.models import OrderKind, Publication, Satisfaction, WorkOrder
from zhengwu.hotline.models import Status as S  # noqa: N817
from zhengwu.process.spec import Attempt, Move, Refusal, Table


class Role(StrEnum):
    OPERATOR = "operator"
    DEPARTMENT = "department"
    SUPERVISOR = "supervisor"
    CALLER = "caller"
    SYSTEM = "system"


ROLE_LABELS = {Role.OPERATOR: "12345话务员", Role.DEPARTMENT: "承办部门",
               Role.SUPERVISOR: "电子监察", Role.CALLER: "诉求人", Role.SYSTEM: "系统"}

DEPARTMENT_ROLES = (AccountRole.REVIEWER, AccountRole.CHIEF_REPRESENTATIVE)


def department_ids(user: Any) -> set[int]:
    """The departments whose orders `user` handles as department staff."""
    return set(RoleAssignment.objects.filter(
        user=user, role__in=DEPARTMENT_ROLES, department__isnull=False).values_list(
        "department_id", flat=True))


def is_operator(user: Any) -> bool:
    return holds(user, AccountRole.HOTLINE_OPERATOR)


def is_admin(user: Any) -> bool:
    """Hotline admin: an operator with hotline.change_routingrule, or a system admin."""
    if user is None or not user.is_authenticated:
        return False
    if holds(user, AccountRole.SYSTEM_ADMIN):
        return True
    return is_operator(user) and bool(user.has_perm("hotline.change_routingrule"))


def roles_on(user: Any, row: WorkOrder) -> frozenset[str]:
    if user is None:
        return frozenset({Role.SYSTEM})
    held: set[str] = set()
    if row.caller_id is not None and row.caller_id == user.pk:
        held.add(Role.CALLER)
    if user.is_staff:
        assigned = set(RoleAssignment.objects.filter(user=user).values_list(
            "role", "department_id"))
        names = {role for role, _ in assigned}
        if AccountRole.HOTLINE_OPERATOR in names:
            held.add(Role.OPERATOR)
        if AccountRole.SUPERVISOR in names:
            held.add(Role.SUPERVISOR)
        if row.department_id is not None and any(
                role in DEPARTMENT_ROLES and dept == row.department_id
                for role, dept in assigned):
            held.add(Role.DEPARTMENT)
    return frozenset(held)


# --- guards (pure: the row and the attempt only) -------------------------------------------


def _has_reply_and_callback(row: WorkOrder, attempt: Attempt) -> Refusal | None:
    if not row.reply.strip():
        return Refusal("order.reply_missing", "工单尚无承办部门答复，不能办结。")
    if row.callback_at is None or row.resolved is None:
        return Refusal("order.callback_missing", "工单尚未回访诉求人（须记录是否解决和满意度），不能办结。")
    if row.satisfaction == Satisfaction.UNSATISFIED:
        return Refusal("order.unsatisfied", "诉求人对答复不满意，请退回重办，不能办结。")
    return None


def _unsatisfied(row: WorkOrder, attempt: Attempt) -> Refusal | None:
    if row.callback_at is None:
        return Refusal("order.callback_missing", "请先回访诉求人，再决定是否重办。")
    if row.satisfaction != Satisfaction.UNSATISFIED and row.resolved is not False:
        return Refusal("order.satisfied", "诉求人对答复满意且问题已解决，无需重办。")
    return None


def _consult(row: WorkOrder, attempt: Attempt) -> Refusal | None:
    if row.kind != OrderKind.CONSULT:
        return Refusal("order.not_consult", "只有咨询类诉求可以在电话中直接答复办结（直办）。")
    return None


def _no_extension_pending(row: WorkOrder, attempt: Attempt) -> Refusal | None:
    if row.extension_requested:
        return Refusal("order.extension_pending", "该工单已有延期申请待审批。")
    return None


def _extension_pending(row: WorkOrder, attempt: Attempt) -> Refusal | None:
    if not row.extension_requested:
        return Refusal("order.no_extension", "该工单没有待审批的延期申请。")
    return None


def _has_department(row: WorkOrder, attempt: Attempt) -> Refusal | None:
    if row.department_id is None:
        return Refusal("order.no_department", "工单尚未派给承办部门。")
    return None


def _consented(row: WorkOrder, attempt: Attempt) -> Refusal | None:
    if not row.publish_consent:
        return Refusal("order.no_consent", "诉求人未同意公开（或已撤回同意），不能公开。")
    return None


def _undecided_or_published(row: WorkOrder, attempt: Attempt) -> Refusal | None:
    """不予公开 decides a waiting order, or takes a published one down; twice is nothing."""
    if row.publication == Publication.DECLINED:
        return Refusal("order.declined", "该工单已决定不予公开。")
    return None


def _consent_given(row: WorkOrder, attempt: Attempt) -> Refusal | None:
    if not row.publish_consent:
        return Refusal("order.consent_absent", "您未同意公开此诉求，无需撤回。")
    return None


OPERATOR = frozenset({Role.OPERATOR})
DEPARTMENT = frozenset({Role.DEPARTMENT})
SUPERVISOR = frozenset({Role.SUPERVISOR})
SYSTEM = frozenset({Role.SYSTEM})
WITH_DEPARTMENT = frozenset({S.SIGNING, S.HANDLING})  # a department holds it
OPEN_STATES = frozenset({S.DISPATCHING, S.SIGNING, S.RETURNED, S.HANDLING, S.ANSWERED})
RUNNING = frozenset({S.SIGNING, S.HANDLING})  # the limits run against a department

MOVES = {
    "dispatch": Move(frozenset({S.DISPATCHING}), S.SIGNING, OPERATOR | SYSTEM, "派单"),
    "sign": Move(frozenset({S.SIGNING}), S.HANDLING, DEPARTMENT, "签收"),
    "return": Move(WITH_DEPARTMENT, S.RETURNED, DEPARTMENT, "退单"),
    "return_approve": Move(frozenset({S.RETURNED}), S.SIGNING, OPERATOR, "同意退单并改派"),
    "return_reject": Move(frozenset({S.RETURNED}), S.SIGNING, OPERATOR, "驳回退单"),
    "answer": Move(frozenset({S.HANDLING}), S.ANSWERED, DEPARTMENT, "答复"),
    "callback": Move(frozenset({S.ANSWERED}), None, OPERATOR, "回访"),
    "close": Move(frozenset({S.ANSWERED}), S.CLOSED, OPERATOR, "办结",
                  guards=(_has_reply_and_callback,)),
    "redo": Move(frozenset({S.ANSWERED}), S.HANDLING, OPERATOR, "退回重办",
                 guards=(_unsatisfied,)),
    "reopen": Move(frozenset({S.CLOSED}), S.HANDLING, OPERATOR | SUPERVISOR, "重启工单",
                   guards=(_has_department,)),
    "escalate": Move(WITH_DEPARTMENT, S.DISPATCHING, DEPARTMENT, "上报"),
    "delegate": Move(WITH_DEPARTMENT, S.SIGNING, DEPARTMENT, "下派"),
    "extend_request": Move(frozenset({S.HANDLING}), None, DEPARTMENT, "申请延期",
                           guards=(_no_extension_pending,)),
    "extend_approve": Move(frozenset({S.HANDLING}), None, OPERATOR | SUPERVISOR, "批准延期",
                           guards=(_extension_pending,)),
    "extend_deny": Move(frozenset({S.HANDLING}), None, OPERATOR | SUPERVISOR, "不予延期",
                        guards=(_extension_pending,)),
    "urge": Move(OPEN_STATES - {S.DISPATCHING}, None, OPERATOR | SUPERVISOR | SYSTEM, "催办",
                 guards=(_has_department,)),
    "supervise": Move(RUNNING | {S.RETURNED}, None, OPERATOR | SUPERVISOR | SYSTEM, "督办",
                      guards=(_has_department,)),
    "warn": Move(RUNNING, None, SYSTEM, "期限预警"),
    "card": Move(RUNNING, None, SYSTEM | SUPERVISOR, "亮牌"),
    "direct": Move(frozenset({S.DISPATCHING}), S.CLOSED, OPERATOR, "直办",
                   guards=(_consult,)),
    "merge": Move(frozenset({S.DISPATCHING, S.SIGNING, S.HANDLING}), S.MERGED, OPERATOR,
                  "合并重复工单"),
    # 互动交流 (measure [24]): none changes the state.
    "publish": Move(frozenset({S.CLOSED}), None, OPERATOR, "公开答复", guards=(_consented,)),
    "publish_decline": Move(frozenset({S.CLOSED}), None, OPERATOR, "不予公开",
                            guards=(_consented, _undecided_or_published)),
    "consent_withdraw": Move(frozenset(S.values), None, frozenset({Role.CALLER}),
                             "撤回公开同意", guards=(_consent_given,)),
}

ORDER_TABLE: Table[WorkOrder] = Table(
    name="order", noun="工单", status_field="status",
    status_label=lambda status: str(S(status).label), moves=MOVES, roles_on=roles_on)

# Moves a person makes from the detail page / API (the sweep's are not offered).
PERSON_ACTIONS = tuple(a for a in MOVES if a not in ("warn",))
# The caller's own moves, on their order's page (not among the staff page's forms).
CALLER_ACTIONS = ("consent_withdraw",)

# The timeline's words for every action, the moves' and the platform's own.
ACTION_LABELS = {action: move.label for action, move in MOVES.items()} | {
    "accept": "受理", "attach": "上传附件"}

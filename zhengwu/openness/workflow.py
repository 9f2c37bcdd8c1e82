"""依申请公开 as a process on the engine (ADR 0013, docs/processes.md): its move table, its
guards and who holds which role on a request. What the moves do is in services.

Who answers a request: the staff of the agency it is addressed to (the request's department)
— its 后台审批人员 (reviewer) and 首席代表 (chief_representative). The accounts app has no role
for a 政府信息公开工作机构 of its own; these are the department's staff who answer in its name
(docs/openness.md). 电子监察 (supervisor) sees every request and makes no move. The requester
(signed in) submits the 补正.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.db.models import Q

from zhengwu.accounts.selectors import OFFICER_ROLES, is_supervisor, officer_department_ids
from zhengwu.core.clock import SHANGHAI
from zhengwu.openness.models import OpennessRequest
from zhengwu.openness.models import RequestStatus as S
from zhengwu.process.spec import Attempt, Move, Refusal, Table


class Role(StrEnum):
    OFFICER = "officer"  # the agency's staff answering the request
    SUPERVISOR = "supervisor"  # 电子监察: reads every request
    PERSON = "person"  # the requester, signed in
    SYSTEM = "system"


ROLE_LABELS = {Role.OFFICER: "公开工作人员", Role.SUPERVISOR: "电子监察",
               Role.PERSON: "申请人", Role.SYSTEM: "系统"}

# Taken by the app's other modules from here; defined once in accounts.selectors.
__all__ = ["OFFICER_ROLES", "is_supervisor", "officer_department_ids"]


def staff_q(user: Any) -> Q | None:
    """The requests a member of staff may see, or None for none."""
    if is_supervisor(user):
        return Q()
    departments = officer_department_ids(user)
    return Q(department_id__in=departments) if departments else None


def roles_on(user: Any, row: OpennessRequest) -> frozenset[str]:
    if user is None:
        return frozenset({Role.SYSTEM})
    held: set[str] = set()
    if row.person_id is not None and row.person_id == user.pk:
        held.add(Role.PERSON)
    if user.is_staff:
        if row.department_id in officer_department_ids(user):
            held.add(Role.OFFICER)
        if is_supervisor(user):
            held.add(Role.SUPERVISOR)
    return frozenset(held)


def _today(attempt: Attempt) -> dt.date:
    return attempt.now.astimezone(SHANGHAI).date()


def _supplement_once(row: OpennessRequest, attempt: Attempt) -> Refusal | None:
    if row.supplement_asked_on is not None:
        return Refusal("openness.supplement_once",
                       "补正只能告知一次（政府信息公开条例第三十条）。")
    if row.supplement_notice_due_on is not None and _today(attempt) > row.supplement_notice_due_on:
        return Refusal("openness.supplement_late",
                       f"补正告知须在收到申请之日起7个工作日内作出（已于"
                       f"{row.supplement_notice_due_on:%Y年%m月%d日}届满）。")
    return None


def _extend_once(row: OpennessRequest, attempt: Attempt) -> Refusal | None:
    if row.extension_workdays:
        return Refusal("openness.extended", "答复期限已延长过，延长最长不得超过20个工作日。")
    return None


def _not_consulting(row: OpennessRequest, attempt: Attempt) -> Refusal | None:
    if row.consulting_until is not None:
        return Refusal("openness.consulting", "正在征求第三方意见，请先登记第三方答复。")
    return None


def _consulting(row: OpennessRequest, attempt: Attempt) -> Refusal | None:
    if row.consulting_until is None:
        return Refusal("openness.not_consulting", "没有正在进行的第三方意见征询。")
    return None


def _third_party_time_over(row: OpennessRequest, attempt: Attempt) -> Refusal | None:
    # Art. 32: the agency decides alone only once the third party's 15 working days are over.
    if row.consulting_until is not None and _today(attempt) <= row.consulting_until:
        return Refusal("openness.third_party_pending",
                       f"第三方答复期限（{row.consulting_until:%Y年%m月%d日}）未届满，"
                       "请先登记第三方答复或待期限届满后答复。")
    return None


def _supplement_time_over(row: OpennessRequest, attempt: Attempt) -> Refusal | None:
    if row.supplement_by is not None and _today(attempt) <= row.supplement_by:
        return Refusal("openness.supplement_pending",
                       f"补正期限（{row.supplement_by:%Y年%m月%d日}）未届满。")
    return None


OFFICER, PERSON_OR_OFFICER = frozenset({Role.OFFICER}), frozenset({Role.OFFICER, Role.PERSON})
PROCESSING = frozenset({S.PROCESSING})

MOVES = {
    # Art. 31: an ordinary letter, an online or fax application counts from the day both sides
    # confirm it.
    "confirm": Move(frozenset({S.SUBMITTED}), S.PROCESSING, OFFICER, "确认收到申请"),
    "supplement_notice": Move(PROCESSING, S.SUPPLEMENT, OFFICER, "补正告知",
                              guards=(_supplement_once, _not_consulting)),
    "supplement_submit": Move(frozenset({S.SUPPLEMENT}), S.PROCESSING, PERSON_OR_OFFICER,
                              "提交补正"),
    # Art. 30: 逾期不补正的，视为放弃申请.
    "lapse": Move(frozenset({S.SUPPLEMENT}), S.LAPSED, OFFICER, "逾期未补正，视为放弃申请",
                  guards=(_supplement_time_over,)),
    "extend": Move(PROCESSING, None, OFFICER, "延长答复期限", guards=(_extend_once,)),
    "consult": Move(PROCESSING, None, OFFICER, "征求第三方意见", guards=(_not_consulting,)),
    "third_party_answer": Move(PROCESSING, None, OFFICER, "登记第三方答复",
                               guards=(_consulting,)),
    "answer": Move(PROCESSING, S.ANSWERED, OFFICER, "答复申请人",
                   guards=(_third_party_time_over,)),
}

REQUEST_TABLE: Table[OpennessRequest] = Table(
    name="openness_request", noun="政府信息公开申请", status_field="status",
    status_label=lambda status: str(S(status).label), moves=MOVES, roles_on=roles_on)

STAFF_ACTIONS = tuple(MOVES)
PERSON_ACTIONS = ("supplement_submit",)

ACTION_LABELS = {action: move.label for action, move in MOVES.items()} | {
    "submit": "提交申请", "overdue": "答复逾期提醒", "due_soon": "答复期限预警",
    "recompute_due": "重新计算答复期限"}

"""An inspection on the process engine (issue 15 §3; docs/processes.md).

待抽取检查人员 → (assign: the inspectors' draw finished, the platform) 待检查 →
(record: a drawn inspector) 已检查, or (rectify: 责令整改) 责令整改待复查 → (recheck) 已复查;
a result of 立案查处, or a 复查 finding the 责令整改 not remedied, writes a 失信记录 against the
enterprise's USCC in the same move (cases.credit.record_write: no inspector, no findings);
publish (an officer of the plan's department) and warn (the platform, disclosure overdue)
leave the state as it is. abort: the inspectors' draw was aborted. Each move is one
transaction with its InspectionEvent and audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.cases import credit
from zhengwu.cases.models import CreditKind, CreditSource
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import FieldsInvalid
from zhengwu.inspections import rules
from zhengwu.inspections.models import (
    Inspection,
    InspectionEvent,
    InspectionResult,
    Inspector,
)
from zhengwu.inspections.models import InspectionStatus as S
from zhengwu.inspections.services import officer_department_ids
from zhengwu.ledger.services import ledger_append
from zhengwu.process.spec import Attempt, Move, Process, Refusal, Step, Table
from zhengwu.workdays.selectors import calendar_get

INSPECTOR, OFFICER, SYSTEM_ROLE = "inspector", "officer", "system"
PUBLISHABLE = frozenset({S.INSPECTED, S.RECTIFYING, S.RECHECKED})


def roles_on(user: User | None, row: Inspection) -> frozenset[str]:
    if user is None:
        return frozenset({SYSTEM_ROLE})
    roles = set()
    if row.inspectors.filter(user=user).exists():
        roles.add(INSPECTOR)
    if row.plan.department_id in officer_department_ids(user):
        roles.add(OFFICER)
    return frozenset(roles)


def _unpublished(row: Inspection, attempt: Attempt) -> Refusal | None:
    if row.published_at is not None:
        return Refusal("inspection.published", "该检查结果已公示。")
    return None


def _unwarned(row: Inspection, attempt: Attempt) -> Refusal | None:
    if row.published_at is not None or row.overdue_warned_at is not None:
        return Refusal("inspection.warned", "已公示或已预警。")
    return None


INSPECTION_TABLE: Table[Inspection] = Table(
    name="inspection", noun="抽查检查", status_field="status",
    status_label=lambda status: str(S(status).label), roles_on=roles_on,
    forbidden_message=lambda move: "只有抽中的检查人员或抽查部门的工作人员可以办理。", moves={
        "assign": Move(frozenset({S.DRAWING}), S.ASSIGNED, frozenset({SYSTEM_ROLE}),
                       "选派检查人员"),
        "abort": Move(frozenset({S.DRAWING}), S.ABORTED, frozenset({SYSTEM_ROLE}), "中止"),
        "record": Move(frozenset({S.ASSIGNED}), S.INSPECTED, frozenset({INSPECTOR}),
                       "记录检查结果"),
        "rectify": Move(frozenset({S.ASSIGNED}), S.RECTIFYING, frozenset({INSPECTOR}),
                        "责令整改"),
        "recheck": Move(frozenset({S.RECTIFYING}), S.RECHECKED, frozenset({INSPECTOR}),
                        "记录复查"),
        "publish": Move(PUBLISHABLE, None, frozenset({OFFICER}), "公示结果",
                        guards=(_unpublished,)),
        "warn": Move(PUBLISHABLE, None, frozenset({SYSTEM_ROLE}), "逾期未公示预警",
                     guards=(_unwarned,)),
    })


@dataclass
class InspectionMoveIn:
    action: str
    result: str = ""
    findings: str = ""
    result_on: dt.date | None = None
    rectify_workdays: int = 0
    drawn: tuple[str, ...] = ()  # assign: the drawn 执法证号
    draw: str = ""  # assign / abort: the draw's number
    remedied: bool | None = None  # recheck: was the 责令整改 remedied?


def _assign(row: Inspection, move: InspectionMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    today = attempt.now.astimezone(SHANGHAI).date()
    row.inspectors.set(Inspector.objects.filter(certificate__in=move.drawn))
    row.assigned_on = today
    row.due_on = rules.due_after(calendar_get(), today, row.plan.due_workdays)
    return {"draw": move.draw, "inspectors": sorted(move.drawn), "due_on": str(row.due_on)}


def _abort(row: Inspection, move: InspectionMoveIn, attempt: Attempt,
           actor: Actor) -> dict[str, Any]:
    return {"draw": move.draw}


def _result(row: Inspection, move: InspectionMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    today = attempt.now.astimezone(SHANGHAI).date()
    day = move.result_on or today
    rectify = move.action == "rectify"
    problems: dict[str, str] = {}
    if move.result not in InspectionResult.values or \
            (move.result == InspectionResult.RECTIFY) != rectify:
        problems["result"] = "请选择检查结果。"
    if not move.findings.strip():
        problems["findings"] = "请填写检查情况。"
    if row.assigned_on and not row.assigned_on <= day <= today:
        problems["result_on"] = "结果日期应在选派之后、不晚于今天。"
    if rectify and not 1 <= move.rectify_workdays <= 60:
        problems["rectify_workdays"] = "责令整改应给出1至60个工作日的整改期限。"
    if problems:
        raise FieldsInvalid(problems, code="inspections.result_invalid")
    calendar = calendar_get()
    row.result, row.findings, row.result_on = move.result, move.findings.strip(), day
    row.disclosure_due = rules.disclosure_due(calendar, day)
    if rectify:
        row.rectify_due = rules.due_after(calendar, day, move.rectify_workdays)
    done: dict[str, Any] = {"result": row.result, "result_on": str(day),
                            "disclosure_due": str(row.disclosure_due),
                            "rectify_due": str(row.rectify_due or "")}
    if row.result == InspectionResult.CASE_OPENED:
        done["credit_record"] = _dishonest(row, CreditKind.INSPECTION_CASE, attempt, actor)
    return done


def _dishonest(row: Inspection, kind: CreditKind, attempt: Attempt, actor: Actor) -> int:
    """The 失信记录 of a failed inspection: the enterprise's USCC and name, the supervision
    item, the plan's number and department — never the inspectors nor the findings."""
    record = credit.record_write(
        source=CreditSource.INSPECTION, kind=kind, subject_id_number=row.uscc,
        subject_name=row.enterprise, department=row.plan.department, number=row.plan.number,
        reason=f"{row.plan.item.name}：{kind.label}", ref=f"inspections.Inspection:{row.pk}",
        actor=actor, at=attempt.now)
    return record.pk


def _recheck(row: Inspection, move: InspectionMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    problems: dict[str, str] = {}
    if not move.findings.strip():
        problems["findings"] = "请填写复查情况。"
    if move.remedied is None:
        problems["remedied"] = "请选择复查结论：整改到位，或逾期未改正。"
    if problems:
        raise FieldsInvalid(problems, code="inspections.recheck_invalid")
    row.recheck_findings = move.findings.strip()
    row.rechecked_on = attempt.now.astimezone(SHANGHAI).date()
    row.remedied = move.remedied
    done: dict[str, Any] = {"remedied": move.remedied}
    if not move.remedied:
        done["credit_record"] = _dishonest(row, CreditKind.NOT_REMEDIED, attempt, actor)
    return done


def _publish(row: Inspection, move: InspectionMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    row.published_at = attempt.now
    row.ledger_index = ledger_append(kind="inspection.result", data={
        "plan": row.plan.number, "uscc": row.uscc, "item": row.plan.item.code,
        "result": row.result, "result_on": str(row.result_on),
        "department": row.plan.department.name}, ref=f"inspections.Inspection:{row.pk}",
        at=attempt.now).index
    late = attempt.now.astimezone(SHANGHAI).date() > (row.disclosure_due or dt.date.max)
    return {"ledger_index": row.ledger_index, "late": late}


def _warn(row: Inspection, move: InspectionMoveIn, attempt: Attempt,
          actor: Actor) -> dict[str, Any]:
    row.overdue_warned_at = attempt.now
    return {"disclosure_due": str(row.disclosure_due)}


def _lock(pk: int, user: User | None) -> Inspection:
    return Inspection.objects.select_for_update(of=("self",)).select_related(
        "plan__item", "plan__department").get(pk=pk)


def _actor(user: User | None, row: Inspection, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    base = actor_for(user, department=row.plan.department)
    return Actor(user=user, label=base.label, role=role, department_id=row.plan.department_id,
                 department_label=row.plan.department.name)


def _record(row: Inspection, step: Step) -> None:
    InspectionEvent.of_move(inspection=row, action=step.action, before=step.before,
                            after=row.status, actor=step.actor, reason=step.reason,
                            data=step.data, at=step.at).save()
    audit_record(actor=step.actor, action=f"inspections.inspection.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


INSPECTION_PROCESS: Process[Inspection, InspectionMoveIn] = Process(
    table=INSPECTION_TABLE, lock=_lock, actor=_actor, record=_record,
    handlers={"assign": _assign, "abort": _abort, "record": _result, "rectify": _result,
              "recheck": _recheck, "publish": _publish, "warn": _warn},
    reason_of=lambda move: "", action_of=lambda move: move.action)

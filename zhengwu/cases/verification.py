"""事后核查: the post-verification of a case decided on a commitment (告知承诺) [3], as a
process of its own on the engine (ADR 0013) — the first client after cases and bundles.

A grant on a commitment opens a Verification due `verification_workdays` working days later
(cases.services._grant). The case's department back office records the outcome: the
commitment was true (确认承诺属实), or it was not (认定承诺不实), which revokes the decision,
tells the applicant and enters the credit list (失信记录, requirements §2). The worklist shows
what is due first, with the yellow and red cards read as a case's deadline is
(cases.caseclock.deadline_reading); the sweep tells the department once when a verification
is overdue. A due date that reaches a year whose official holidays are not published yet is
provisional (临时期限), as a case's is, and is computed again when the year is entered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.cases import caseclock, credit, workflow
from zhengwu.cases.access import case_queryset_for, roles_on, visible_q
from zhengwu.cases.models import Case, CreditKind, CreditSource, Verification
from zhengwu.cases.models import VerificationStatus as S
from zhengwu.cases.services import (
    MoveIn,
    case_actor,
    case_event,
    case_transition,
    staff_text_check,
    verification_due,
)
from zhengwu.core.audit import SYSTEM, Actor
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.notifications.services import notify
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Move, Process, Step, Table
from zhengwu.workdays.selectors import calendar_get

REVIEWER = workflow.Role.REVIEWER


@dataclass
class VerificationMoveIn:
    action: str  # "confirm" or "find_false"
    finding: str = ""


def _roles_on(user: User | None, verification: Verification) -> frozenset[str]:
    if user is None:
        return frozenset({workflow.Role.SYSTEM})
    return frozenset({REVIEWER}) & frozenset(roles_on(user, verification.case))


VERIFICATION_TABLE: Table[Verification] = Table(
    name="verification", noun="事后核查", status_field="status",
    status_label=lambda status: str(S(status).label), roles_on=_roles_on, moves={
        "confirm": Move(frozenset({S.PENDING}), S.CONFIRMED, frozenset({REVIEWER}),
                        "确认承诺属实"),
        "find_false": Move(frozenset({S.PENDING}), S.FALSE, frozenset({REVIEWER}),
                           "认定承诺不实"),
    })


def _finding(move: VerificationMoveIn) -> str:
    finding = move.finding.strip()
    if not finding:
        raise InvalidInput("请填写核查结果。", code="case.finding_required")
    return finding


def _confirm(verification: Verification, move: VerificationMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    verification.done_at, verification.truthful = attempt.now, True
    verification.finding = _finding(move)
    return {"truthful": True}


def _find_false(verification: Verification, move: VerificationMoveIn, attempt: Attempt,
                actor: Actor) -> dict[str, Any]:
    verification.done_at, verification.truthful = attempt.now, False
    verification.finding = _finding(move)
    case = verification.case
    record = credit.record_write(
        source=CreditSource.COMMITMENT, kind=CreditKind.FALSE_COMMITMENT,
        subject_id_number=case.applicant_id_number, subject_name=case.applicant_name,
        department=case.department, case=case, number=case.number,
        reason=f"告知承诺不实：{verification.finding}", ref=f"cases.Case:{case.pk}",
        actor=actor, at=attempt.now)
    return {"truthful": False, "ledger_index": record.ledger_index}


def _lock(pk: int, user: User | None) -> Verification:
    rows = Verification.objects.all()
    if user is not None:
        rows = rows.filter(case_id__in=case_queryset_for(user).values("pk"))
    return rows.select_for_update(of=("self",)).select_related(
        "case__department", "case__implementation__item").get(pk=pk)


def _record(verification: Verification, step: Step) -> None:
    # On the case's own timeline: the applicant reads it there, with the revocation after it.
    case_event(verification.case, action="verify", before=verification.case.status,
               actor=step.actor, reason=step.reason, data=step.data)


VERIFICATION_PROCESS: Process[Verification, VerificationMoveIn] = Process(
    table=VERIFICATION_TABLE, handlers={"confirm": _confirm, "find_false": _find_false},
    lock=_lock, record=_record, reason_of=lambda move: move.finding.strip(),
    action_of=lambda move: move.action,
    text_check=lambda move: staff_text_check([("核查结果", move.finding)]),
    actor=lambda user, verification, role, subject: case_actor(user, verification.case, role))


@transaction.atomic
def verification_record(*, case_id: int, user: User, truthful: bool, finding: str) -> Case:
    """Record the outcome of a commitment case's 事后核查; a false commitment then revokes the
    decision (the case's own revoke move, which notifies the applicant)."""
    case = case_queryset_for(user).get(pk=case_id)
    pk = Verification.objects.filter(case=case).values_list("pk", flat=True).first()
    if pk is None:
        raise Conflict("该办件不是告知承诺办件，无需核查。", code="case.no_verification")
    engine.transition(VERIFICATION_PROCESS, pk, user, VerificationMoveIn(
        action="confirm" if truthful else "find_false", finding=finding))
    if not truthful:
        return case_transition(case_id=case.pk, user=user, move=MoveIn(
            action="revoke", reason=f"告知承诺不实：{finding.strip()}"))
    return Case.objects.get(pk=case.pk)


@dataclass(frozen=True)
class WorkRow:
    verification: Verification
    remaining: int | None  # working days left while pending
    card: str


def verification_worklist(*, user: User) -> QuerySet[Verification]:
    """The 事后核查 of the departments `user` answers for (every department's for a
    supervisor, who reads and records none): pending first, the earliest due first; then the
    ones done, the latest first."""
    rows = Verification.objects.select_related(
        "case__implementation__item", "case__department").order_by(
        "-status", "due_at", "-done_at")
    condition = visible_q(user, department="case__department_id")
    return rows.none() if condition is None else rows.filter(condition)


def worklist_rows(verifications: Iterable[Verification], now: dt.datetime) -> list[WorkRow]:
    calendar, threshold = calendar_get(), caseclock.yellow_threshold()
    rows = []
    for verification in verifications:
        if verification.status != S.PENDING:
            rows.append(WorkRow(verification, None, ""))
            continue
        case = verification.case
        remaining, card = caseclock.deadline_reading(
            calendar, now, verification.due_at, threshold, started=case.decided_at,
            limit=case.implementation.verification_workdays)
        rows.append(WorkRow(verification, remaining, card))
    return rows


def _department_staff(department_id: int) -> list[User]:
    return [a.user for a in RoleAssignment.objects.filter(
        role__in=[AccountRole.REVIEWER, AccountRole.CHIEF_REPRESENTATIVE],
        department_id=department_id).select_related("user")]


def overdue_tell(now: dt.datetime) -> int:
    """Tell each department's back office, once, of its pending verifications past their
    deadline (a sweep: `zhengwu sweep`)."""
    overdue = list(Verification.objects.filter(
        status=S.PENDING, due_at__lt=now, overdue_told_at__isnull=True).select_related(
        "case__implementation__item"))
    for verification in overdue:
        case = verification.case
        notify(recipients=_department_staff(case.department_id),
               title=f"事后核查已逾期：{case.number}",
               body=f"告知承诺办件{case.number}（{case.implementation.item.name}）的事后核查已超过"
                    "核查期限，请尽快核查并登记结果。",
               link=reverse("cases:verification", args=[case.number]), category="case",
               dedupe_key=f"verification:{verification.pk}:overdue")
    Verification.objects.filter(pk__in=[v.pk for v in overdue]).update(overdue_told_at=now)
    return len(overdue)


def verifications_recompute_provisional(year: int) -> int:
    """Compute again the provisional due dates of pending verifications once `year`'s
    official schedule is entered (a workdays.services.YEAR_ENTERED callback), each with its
    event on the case's timeline."""
    calendar = calendar_get()
    changed = 0
    pending = Verification.objects.filter(status=S.PENDING, due_provisional=True)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            verification = Verification.objects.select_for_update().select_related(
                "case__implementation").get(pk=pk)
            case = verification.case
            if (not verification.due_provisional or verification.status != S.PENDING
                    or case.decided_at is None):
                continue
            due = verification_due(calendar, case, case.decided_at)
            before = verification.due_at
            verification.due_at, verification.due_provisional = due.due, due.provisional
            verification.save(update_fields=["due_at", "due_provisional"])
            case_event(case, action="recompute_verification_due", before=case.status,
                       actor=SYSTEM, reason=f"{year}年官方放假安排已录入，重新计算核查期限",
                       data={"old_due_at": before.isoformat(), "due_at": due.due.isoformat(),
                             "provisional": due.provisional})
            changed += 1
    return changed

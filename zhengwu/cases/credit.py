"""Credit supervision (信用监管, issue 15 §3): what a 失信记录 takes away, and 信用修复.

- **告知承诺 is not for a subject with an unrepaired 失信记录.** 国办发〔2020〕42号 (证明事项和涉企
  经营许可事项告知承诺制的指导意见) excludes from 告知承诺 an applicant who has made a false
  commitment, until its credit is repaired. `commitment_refusal` is the one rule: the item must
  practise 告知承诺 and the applicant must have no unrepaired record; the application form,
  the submission and a supplement all ask it.
- **信用修复** (CreditRepair, on the process engine): the subject (the enterprise's or the
  person's own account) asks for a record to be repaired once it has corrected what it did,
  pledges (信用承诺) and at least `ZHENGWU_CREDIT_REPAIR_MIN_DAYS` days (default 90) have passed
  since the record; the department that recorded it decides within REPAIR_WORKDAYS working days
  (official calendar): 已修复 — the record stops taking the option away and leaves the public
  credit page; its repair is a transparency-log entry — or 不予修复 with the reason. The
  minimum period and the decision limit are this platform's defaults, to be set by the operator
  from the rules in force (docs/credit.md says what was and was not checked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.services import actor_for
from zhengwu.cases.access import reviewer_departments
from zhengwu.cases.models import CreditRecord, CreditRepair, CreditRepairEvent, RepairStatus
from zhengwu.cases.models import RepairStatus as S
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import Conflict, FieldsInvalid, NotAllowed
from zhengwu.core.numbering import next_value
from zhengwu.core.text import TextError, check_text
from zhengwu.ledger.services import ledger_append
from zhengwu.notifications.services import notify
from zhengwu.process import engine
from zhengwu.process.spec import Move, Process, Step, Table
from zhengwu.workdays.selectors import calendar_get

REPAIR_WORKDAYS = 5
REVIEWER = "reviewer"  # staff of the department that recorded the 失信记录


def min_days() -> int:
    return int(settings.ZHENGWU_CREDIT_REPAIR_MIN_DAYS)


def active_records(id_number: str) -> QuerySet[CreditRecord]:
    """The subject's 失信记录 not repaired."""
    return CreditRecord.objects.filter(subject_id_number=id_number.strip().upper(),
                                       repaired_at__isnull=True)


def commitment_refusal(implementation: ItemImplementation, id_number: str) -> str | None:
    """Why the applicant `id_number` may not replace materials by a commitment, or None."""
    if not implementation.commitment_allowed:
        return "本事项未实行告知承诺制，不能以承诺代替材料。"
    if id_number and active_records(id_number).exists():
        return ("申请人有未修复的失信记录（曾作出不实承诺），信用修复前不适用告知承诺制，"
                "请提交材料。")
    return None


def subject_of(user: User) -> str:
    """The ID number or USCC a signed-in account stands for ("" for staff)."""
    if user.kind == UserKind.ENTERPRISE:
        return user.uscc
    if user.kind == UserKind.PERSON:
        return user.citizen_id
    return ""


def records_of(user: User) -> QuerySet[CreditRecord]:
    code = subject_of(user)
    rows = CreditRecord.objects.filter(subject_id_number=code) if code \
        else CreditRecord.objects.none()
    return rows.select_related("case__department").prefetch_related("repairs") \
        .order_by("-recorded_at")


def repair_opens_on(record: CreditRecord) -> dt.date:
    """The first day a repair may be asked for."""
    return record.recorded_at.astimezone(clock.SHANGHAI).date() + dt.timedelta(days=min_days())


# --- the process ---------------------------------------------------------------------------


def roles_on(user: User | None, row: CreditRepair) -> frozenset[str]:
    if user is None:
        return frozenset()
    if user.is_staff and row.record.case.department_id in reviewer_departments(user):
        return frozenset({REVIEWER})
    return frozenset()


REPAIR_TABLE: Table[CreditRepair] = Table(
    name="credit_repair", noun="信用修复申请", status_field="status",
    status_label=lambda status: str(S(status).label), roles_on=roles_on, moves={
        "repair": Move(frozenset({S.SUBMITTED}), S.REPAIRED, frozenset({REVIEWER}), "准予修复"),
        "refuse": Move(frozenset({S.SUBMITTED}), S.REFUSED, frozenset({REVIEWER}), "不予修复"),
    })


@dataclass
class RepairMoveIn:
    action: str
    reason: str = ""


def _decided(row: CreditRepair, attempt: Any) -> None:
    row.decided_at, row.decided_by = attempt.now, attempt.user


def _repair(row: CreditRepair, move: RepairMoveIn, attempt: Any, actor: Actor) -> dict[str, Any]:
    _decided(row, attempt)
    row.decision_reason = move.reason.strip()
    record = row.record
    record.repaired_at = attempt.now
    record.save(update_fields=["repaired_at"])
    entry = ledger_append(kind="credit.repair", data={
        "record": record.pk, "repair": row.number, "case": record.case.number,
        "department": record.case.department.name}, ref=f"cases.CreditRepair:{row.pk}",
        at=attempt.now)
    _tell(row, "您的信用修复申请已获准予：该失信记录不再限制告知承诺，也不再公示。")
    return {"record": record.pk, "ledger_index": entry.index}


def _refuse(row: CreditRepair, move: RepairMoveIn, attempt: Any, actor: Actor) -> dict[str, Any]:
    if not move.reason.strip():
        raise FieldsInvalid({"reason": "请填写不予修复的理由。"}, code="credit_repair.reason")
    _decided(row, attempt)
    row.decision_reason = move.reason.strip()
    _tell(row, f"您的信用修复申请未获准予：{row.decision_reason}")
    return {}


def _tell(row: CreditRepair, body: str) -> None:
    notify(recipients=[row.applicant], title=f"信用修复申请 {row.number}", body=body,
           link=reverse("cases:credit_mine"), category="credit", dedupe_key=f"repair:{row.pk}")


def _lock(number: str, user: User | None) -> CreditRepair:
    rows = CreditRepair.objects.all()
    if user is not None:
        rows = rows.filter(record__case__department_id__in=reviewer_departments(user))
    return rows.select_for_update(of=("self",)).select_related(
        "record__case__department", "applicant").get(number=number)


def _actor(user: User | None, row: CreditRepair, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    return actor_for(user, department=row.record.case.department)


def _record(row: CreditRepair, step: Step) -> None:
    CreditRepairEvent.of_move(repair=row, action=step.action, before=step.before,
                              after=row.status, actor=step.actor, reason=step.reason,
                              data=step.data, at=step.at).save()
    audit_record(actor=step.actor, action=f"cases.credit_repair.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


def _text_check(move: RepairMoveIn) -> None:
    try:
        check_text(move.reason, label="理由", multiline=True)
    except TextError as error:
        raise FieldsInvalid({"reason": error.message + "。"}, code="credit_repair.text") \
            from error


REPAIR_PROCESS: Process[CreditRepair, RepairMoveIn] = Process(
    table=REPAIR_TABLE, handlers={"repair": _repair, "refuse": _refuse}, lock=_lock,
    actor=_actor, record=_record, reason_of=lambda move: move.reason.strip(),
    action_of=lambda move: move.action, text_check=_text_check)


@transaction.atomic
def repair_decide(*, number: str, user: User, move: RepairMoveIn) -> CreditRepair:
    return engine.transition(REPAIR_PROCESS, number, user, move)


@transaction.atomic
def repair_submit(*, user: User, record_id: int, correction: str,
                  pledged: bool) -> CreditRepair:
    """The subject asks for its record to be repaired (conditions checked, all named at once)."""
    record = CreditRecord.objects.select_for_update().select_related("case__department") \
        .filter(pk=record_id, subject_id_number=subject_of(user) or "-").first()
    if record is None:
        raise CreditRecord.DoesNotExist("没有这条失信记录。")
    if record.repaired_at is not None:
        raise Conflict("这条失信记录已修复。", code="credit_repair.already_repaired")
    if record.repairs.filter(status=RepairStatus.SUBMITTED).exists():
        raise Conflict("这条失信记录已有待审核的修复申请。", code="credit_repair.pending")
    problems: dict[str, str] = {}
    opens = repair_opens_on(record)
    today = clock.today()
    if today < opens:
        problems[""] = (f"失信记录自记录之日起满 {min_days()} 天方可申请信用修复，"
                        f"最早可于 {opens.isoformat()} 申请。")
    try:
        check_text(correction, label="纠正情况", multiline=True)
    except TextError as error:
        problems["correction"] = error.message + "。"
    if not correction.strip():
        problems["correction"] = "请说明已如何纠正失信行为（如已补交真实材料、已整改）。"
    if not pledged:
        problems["pledged"] = "请阅读并勾选信用承诺。"
    if problems:
        raise FieldsInvalid(problems, code="credit_repair.invalid")
    if not user.is_authenticated or user.is_staff:
        raise NotAllowed("只能由失信记录的主体本人申请。", code="credit_repair.forbidden")
    now = clock.now()
    due, _ = calendar_get().add_workdays(today, REPAIR_WORKDAYS)
    row = CreditRepair.objects.create(
        number=f"XF{today.year}{next_value(f'cases.credit_repair.{today.year}'):06d}",
        record=record, applicant=user, correction=correction.strip(), pledged=True,
        submitted_at=now, due_on=due)
    _record(row, Step(action="submit", before="", actor=actor_for(user), reason="",
                      data={"record": record.pk, "due_on": due.isoformat()}, at=now))
    return row


def repairs_for_staff(user: User) -> QuerySet[CreditRepair]:
    return CreditRepair.objects.filter(
        record__case__department_id__in=reviewer_departments(user)).select_related(
        "record__case__department", "applicant").order_by("status", "due_on", "pk")


def public_records(uscc: str) -> QuerySet[CreditRecord]:
    """What the public credit page of an enterprise shows: its unrepaired 失信记录 (a repaired
    one is no longer published). Persons have no public page."""
    return active_records(uscc).select_related("case__department").order_by("-recorded_at")

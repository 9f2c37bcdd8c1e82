"""Credit supervision (信用监管, issue 15 §3): the one writer of a 失信记录, the subject's credit
grade and what it takes away, and 信用修复.

- **One writer** (`record_write`), for the three sources (CreditSource): a false 告知承诺 found
  by 事后核查 (cases.verification), a failed 双随机 inspection (立案查处, or 责令整改 not remedied
  at 复查; inspections.process) and a 中介超市 blacklisting (market.agencies). In the caller's
  transaction: the record, its transparency-log entry `credit.record` (a person named only by
  a salted commitment; never the finding's text) and an audit row.
- **Grades** (cases.credit_grades, pure): A 守信 / B 基本守信 / C 失信 / D 严重失信, and the one
  table of what each takes away; `refusal(code, consequence)` is how every app asks.

- **告知承诺 is not for a subject graded C or worse (an unrepaired 失信记录).** 国办发〔2020〕42号 (证明事项和涉企
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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.services import actor_for
from zhengwu.cases.access import reviewer_departments
from zhengwu.cases.credit_grades import Consequence, Grade, RecordFacts, barred, grade
from zhengwu.cases.models import (
    Case,
    CreditKind,
    CreditRecord,
    CreditRepair,
    CreditRepairEvent,
    CreditSource,
    RepairStatus,
)
from zhengwu.cases.models import RepairStatus as S
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import Conflict, FieldsInvalid, NotAllowed
from zhengwu.core.numbering import next_value
from zhengwu.core.text import TextError, check_text
from zhengwu.departments.models import Department
from zhengwu.ledger.services import ledger_append, person_commitment
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


# The legal basis shown with each type of record. 42号 for a false commitment is cited from
# memory; 35号 for the others is the general basis of 信用分级分类监管 — neither re-checked
# against the text in this session (docs/credit.md).
BASIS: dict[str, str] = {
    CreditKind.FALSE_COMMITMENT: "国办发〔2020〕42号（告知承诺不实）",
    CreditKind.INSPECTION_CASE: "国办发〔2019〕35号（双随机抽查发现违法行为，立案查处）",
    CreditKind.NOT_REMEDIED: "国办发〔2019〕35号（责令整改，复查未改正）",
    CreditKind.MARKET_BLACKLIST: "国办发〔2019〕35号；中介超市信用规则（审改办处罚，列入黑名单）",
}


def record_write(*, source: CreditSource, kind: CreditKind, subject_id_number: str,
                 subject_name: str, department: Department, number: str, reason: str,
                 ref: str, actor: Actor, at: dt.datetime,
                 case: Case | None = None) -> CreditRecord:
    """Write a 失信记录 in the caller's transaction, with its transparency-log entry (issue 15
    §2: every credit event verifiable by an outsider) and its audit row. An enterprise is
    named in the entry by its USCC and name (public under the 企业信息公示暂行条例); a person
    only by a salted commitment to the ID number — the salt stays in the entry's private
    field, so the entry is theirs to prove, nobody's to read. `reason` is not logged (it may
    name people); the type, basis, department and public number are."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_write must run inside the source's transaction")
    record = CreditRecord.objects.create(
        subject_id_number=subject_id_number.strip().upper(), subject_name=subject_name,
        source=source, kind=kind, basis=BASIS[kind], department=department, case=case,
        number=number, ref=ref, reason=reason, recorded_at=at)
    data: dict[str, Any] = {"record": record.pk, "source": str(source),
                            "type": str(CreditKind(kind).label), "basis": record.basis,
                            "number": number, "department": department.name}
    if case is not None:
        data["case"] = case.number
    private: dict[str, Any] = {}
    if record.is_person:
        commitment, salt = person_commitment(record.subject_id_number)
        data |= {"subject_kind": "person", "subject_commitment": commitment}
        private = {"salt": salt}
    else:
        data |= {"subject_kind": "enterprise", "subject": record.subject_id_number,
                 "subject_name": record.subject_name}
    entry = ledger_append(kind="credit.record", data=data, private=private,
                          ref=f"cases.CreditRecord:{record.pk}", at=at)
    record.ledger_index = entry.index
    record.save(update_fields=["ledger_index"])
    audit_record(actor=actor, action="cases.credit_record.record", obj=record,
                 object_repr=f"失信记录 {record.pk}",
                 after={"source": str(source), "kind": str(kind), "ref": ref, "number": number,
                        "department": department.pk, "ledger_index": entry.index})
    return record


def grade_of(id_number: str) -> Grade:
    """The subject's credit grade from its records on this platform (cases.credit_grades)."""
    code = id_number.strip().upper()
    if not code:
        return Grade.A
    rows = CreditRecord.objects.filter(subject_id_number=code).values_list("kind", "repaired_at")
    return grade(RecordFacts(kind=kind, repaired=repaired is not None) for kind, repaired in rows)


def grades_of(id_numbers: Iterable[str]) -> dict[str, Grade]:
    """Each subject's grade, in one query (a candidate list asks for many at once)."""
    codes = {c.strip().upper() for c in id_numbers if c and c.strip()}
    facts: dict[str, list[RecordFacts]] = {code: [] for code in codes}
    for code, kind, repaired in CreditRecord.objects.filter(
            subject_id_number__in=codes).values_list("subject_id_number", "kind", "repaired_at"):
        facts[code].append(RecordFacts(kind=kind, repaired=repaired is not None))
    return {code: grade(rows) for code, rows in facts.items()}


REFUSALS = {
    Consequence.NO_COMMITMENT: "信用修复前不适用告知承诺制，请提交材料。",
    Consequence.NO_MARKET: "信用修复前不得入驻中介超市，也不能被抽取或选取。",
}


def refusal(id_number: str, consequence: Consequence) -> str | None:
    """Why the subject's credit grade takes `consequence` away, or None: every app asks this."""
    if not id_number:
        return None
    of = grade_of(id_number)
    if not barred(of, consequence):
        return None
    return (f"信用等级为{of.value}（{of.label}）：有未修复的失信记录，{REFUSALS[consequence]}"
            "可在“我的信用记录”查看并申请信用修复。")


def commitment_refusal(implementation: ItemImplementation, id_number: str) -> str | None:
    """Why the applicant `id_number` may not replace materials by a commitment, or None."""
    if not implementation.commitment_allowed:
        return "本事项未实行告知承诺制，不能以承诺代替材料。"
    return refusal(id_number, Consequence.NO_COMMITMENT)


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
    return rows.select_related("department", "case").prefetch_related("repairs") \
        .order_by("-recorded_at")


def repair_opens_on(record: CreditRecord) -> dt.date:
    """The first day a repair may be asked for."""
    return record.recorded_at.astimezone(clock.SHANGHAI).date() + dt.timedelta(days=min_days())


# --- the process ---------------------------------------------------------------------------


def deciding_departments(user: User) -> list[int]:
    """The departments whose records' repairs `user` decides: those whose back office they
    are (cases.access), and, for the 审改办's catalogue admins — who record 中介超市
    blacklistings as `catalog.edit_catalog` holders (market.agencies), not as a back office —
    their own department, as the blacklisting recorded it (accounts.services.actor_for)."""
    ids = list(reviewer_departments(user))
    if user.is_staff and user.has_perm("catalog.edit_catalog"):
        own = actor_for(user).department_id
        if own is not None and own not in ids:
            ids.append(own)
    return ids


def roles_on(user: User | None, row: CreditRepair) -> frozenset[str]:
    if user is None:
        return frozenset()
    if user.is_staff and row.record.department_id in deciding_departments(user):
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
    data: dict[str, Any] = {"record": record.pk, "repair": row.number,
                            "number": record.number, "department": record.department.name}
    if record.case is not None:
        data["case"] = record.case.number
    entry = ledger_append(kind="credit.repair", data=data, ref=f"cases.CreditRepair:{row.pk}",
                          at=attempt.now)
    _tell(row, "您的信用修复申请已获准予：该失信记录不再降低信用等级，也不再公示。")
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
        rows = rows.filter(record__department_id__in=deciding_departments(user))
    return rows.select_for_update(of=("self",)).select_related(
        "record__department", "record__case", "applicant").get(number=number)


def _actor(user: User | None, row: CreditRepair, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    return actor_for(user, department=row.record.department)


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
    record = CreditRecord.objects.select_for_update().select_related("department") \
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
        record__department_id__in=deciding_departments(user)).select_related(
        "record__department", "record__case", "applicant").order_by("status", "due_on", "pk")


def public_records(uscc: str) -> QuerySet[CreditRecord]:
    """What the public credit page of an enterprise shows: its unrepaired 失信记录 (a repaired
    one is no longer published). Persons have no public page."""
    return active_records(uscc).select_related("department").order_by("-recorded_at")

"""中介机构入驻 (issue 15 §1) on the process engine (ADR 0013).

An enterprise account registers its agency under its own USCC: 资质 rows, service types from
the catalogue's 中介服务事项清单, staff count, fee description (待审核). The 审改办 — users with
the catalogue-admin permission `catalog.edit_catalog` — verifies it (已入驻) or returns it
with a reason (退回); the agency corrects and submits again. The 审改办 may sanction a listed
agency, with a reason, optionally blacklisting it: the sanction is a transparency-log entry
(`market.sanction`, no personal data) and counts in the credit formula. A blacklisting also
writes a 失信记录 against the agency's USCC (cases.credit, same transaction); an enterprise
graded D (严重失信, cases.credit_grades) may not register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.services import actor_for
from zhengwu.cases import credit as credit_supervision
from zhengwu.cases.credit_grades import Consequence
from zhengwu.cases.models import CreditKind, CreditSource
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import Conflict, FieldsInvalid, InvalidInput, NotAllowed
from zhengwu.core.text import TextError, check_text
from zhengwu.departments.models import Department
from zhengwu.ledger.services import ledger_append
from zhengwu.market.models import Agency, AgencyEvent, AgencyStatus, Qualification, Sanction
from zhengwu.market.models import AgencyStatus as S
from zhengwu.market.selectors import service_types
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Move, Process, Step, Table

APPLICANT = "applicant"  # the enterprise account holding the agency's USCC
ADMIN = "admin"          # 审改办 (catalog.edit_catalog)
SYSTEM_ROLE = "system"


def is_admin(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff
                and user.has_perm("catalog.edit_catalog"))


def roles_on(user: User | None, row: Agency) -> frozenset[str]:
    if user is None:
        return frozenset({SYSTEM_ROLE})
    roles = set()
    if user.kind == UserKind.ENTERPRISE and user.uscc and user.uscc == row.uscc:
        roles.add(APPLICANT)
    if is_admin(user):
        roles.add(ADMIN)
    return frozenset(roles)


AGENCY_TABLE: Table[Agency] = Table(
    name="agency", noun="中介机构", status_field="status",
    status_label=lambda status: str(S(status).label), roles_on=roles_on, moves={
        "verify": Move(frozenset({S.PENDING}), S.LISTED, frozenset({ADMIN}), "审核通过（入驻）"),
        "return": Move(frozenset({S.PENDING}), S.RETURNED, frozenset({ADMIN}), "退回"),
        "resubmit": Move(frozenset({S.RETURNED}), S.PENDING, frozenset({APPLICANT}),
                         "重新提交"),
        "sanction": Move(frozenset({S.LISTED}), None, frozenset({ADMIN}), "处罚"),
    })


@dataclass
class AgencyMoveIn:
    action: str
    reason: str = ""
    blacklist: bool = False


@dataclass
class QualificationIn:
    name: str
    level: str
    certificate_number: str
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass
class AgencyIn:
    name: str
    staff_count: int | None
    fee_description: str
    service_type_ids: list[int] = field(default_factory=list)
    qualifications: list[QualificationIn] = field(default_factory=list)


def _text(problems: dict[str, str], name: str, value: str, label: str, *, limit: int,
          multiline: bool = False) -> str:
    text = value.strip()
    if not text:
        problems[name] = f"请填写{label}。"
        return text
    if len(text) > limit:
        problems[name] = f"{label}至多{limit}个字符。"
        return text
    try:
        check_text(text, label=label, multiline=multiline)
    except TextError as error:
        problems[name] = error.message + "。"
    return text


def agency_validate(data: AgencyIn) -> None:
    """Every problem of what was typed, each on its field (FieldsInvalid)."""
    problems: dict[str, str] = {}
    data.name = _text(problems, "name", data.name, "机构名称", limit=120)
    data.fee_description = _text(problems, "fee_description", data.fee_description,
                                 "收费标准说明", limit=2000, multiline=True)
    if data.staff_count is None or not 1 <= data.staff_count <= 100000:
        problems["staff_count"] = "从业人员数应为1到100000的整数。"
    allowed = set(service_types().values_list("pk", flat=True))
    if not data.service_type_ids:
        problems["service_types"] = "请至少选择一项中介服务事项。"
    elif not set(data.service_type_ids) <= allowed:
        problems["service_types"] = "服务类型应选自中介服务事项清单。"
    if not data.qualifications:
        problems["qualifications"] = "请至少填写一项资质。"
    for n, q in enumerate(data.qualifications, start=1):
        prefix = f"q{n}_"
        q.name = _text(problems, prefix + "name", q.name, "资质名称", limit=120)
        q.level = _text(problems, prefix + "level", q.level, "资质等级", limit=40)
        q.certificate_number = _text(problems, prefix + "certificate_number",
                                     q.certificate_number, "证书编号", limit=60)
        if q.valid_from is None:
            problems[prefix + "valid_from"] = "请填写有效期起（如 2026-01-01）。"
        if q.valid_to is None:
            problems[prefix + "valid_to"] = "请填写有效期止（如 2028-12-31）。"
        elif q.valid_from is not None and q.valid_to < q.valid_from:
            problems[prefix + "valid_to"] = "有效期止不能早于有效期起。"
    if problems:
        raise FieldsInvalid(problems, code="agency.invalid")


def _store(agency: Agency, data: AgencyIn) -> None:
    agency.qualifications.all().delete()
    Qualification.objects.bulk_create(
        Qualification(agency=agency, name=q.name, level=q.level,
                      certificate_number=q.certificate_number, valid_from=q.valid_from,
                      valid_to=q.valid_to) for q in data.qualifications
        if q.valid_from is not None and q.valid_to is not None)  # validated
    agency.service_types.set(data.service_type_ids)


def _returned_resubmit(agency: Agency, move: AgencyMoveIn, attempt: Attempt,
                       actor: Actor) -> dict[str, Any]:
    agency.return_reason = ""
    agency.submitted_at = attempt.now
    return {}


@transaction.atomic
def agency_register(*, user: User, data: AgencyIn) -> Agency:
    """The enterprise account registers its agency (or, returned, submits it again)."""
    if user.kind != UserKind.ENTERPRISE or not user.uscc:
        raise NotAllowed("只有已登录的企业（法人）账号可以申请入驻中介超市。",
                         code="agency.not_enterprise")
    agency_validate(data)
    barred = credit_supervision.refusal(user.uscc, Consequence.NO_MARKET)
    if barred is not None:
        raise NotAllowed(barred, code="agency.credit_grade")
    existing = Agency.objects.select_for_update().filter(uscc=user.uscc).first()
    if existing is not None and existing.status != S.RETURNED:
        raise Conflict(f"本单位的入驻申请{existing.get_status_display()}，无需重复提交。",
                       code="agency.exists")
    now = clock.now()
    if existing is not None:
        existing.name, existing.staff_count = data.name, data.staff_count or 0
        existing.fee_description = data.fee_description
        existing.save(update_fields=["name", "staff_count", "fee_description"])
        _store(existing, data)
        return engine.transition(AGENCY_PROCESS, existing.uscc, user,
                                 AgencyMoveIn("resubmit"))
    agency = Agency.objects.create(uscc=user.uscc, name=data.name, account=user,
                                   staff_count=data.staff_count or 0,
                                   fee_description=data.fee_description, submitted_at=now)
    _store(agency, data)
    base = actor_for(user)
    _record(agency, Step(action="register", before="", actor=Actor(
        user=user, label=base.label, role=APPLICANT, department_id=None,
        department_label=""), reason="", data={"qualifications": len(data.qualifications),
                                              "service_types": sorted(data.service_type_ids)},
        at=now))
    return agency


def _reason(move: AgencyMoveIn, what: str) -> str:
    reason = move.reason.strip()
    if not reason:
        raise InvalidInput(f"请填写{what}。", code="agency.reason_required")
    return reason


def _verify(agency: Agency, move: AgencyMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    agency.listed_at = attempt.now
    agency.return_reason = ""
    return {}


def _return(agency: Agency, move: AgencyMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    agency.return_reason = _reason(move, "退回理由")
    return {}


def _sanction(agency: Agency, move: AgencyMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    reason = _reason(move, "处罚理由")
    if move.blacklist:
        agency.blacklisted = True
    sanction = Sanction(agency=agency, reason=reason, blacklist=move.blacklist, at=attempt.now,
                        ledger_index=0)
    sanction.save()
    # Public forever: the agency (an enterprise: USCC and name are public information), the
    # decision and its reason as the 审改办 wrote it — never a person's name or number.
    entry = ledger_append(kind="market.sanction", data={
        "agency": agency.uscc, "agency_name": agency.name, "sanction": sanction.pk,
        "blacklist": move.blacklist, "reason": reason}, ref=f"market.Sanction:{sanction.pk}",
        at=attempt.now)
    sanction.ledger_index = entry.index
    sanction.save(update_fields=["ledger_index"])
    done: dict[str, Any] = {"sanction": sanction.pk, "blacklist": move.blacklist,
                            "ledger_index": entry.index}
    if move.blacklist:
        done["credit_record"] = _blacklist_record(agency, sanction, reason, attempt, actor)
    return done


def _blacklist_record(agency: Agency, sanction: Sanction, reason: str, attempt: Attempt,
                      actor: Actor) -> int:
    """列入黑名单 is a 失信记录 of the agency's USCC, recorded by the 审改办's department."""
    department = Department.objects.filter(pk=actor.department_id).first() \
        if actor.department_id is not None else None
    if department is None:
        raise Conflict("列入黑名单须由所属审改办的工作人员作出。", code="agency.no_department")
    return credit_supervision.record_write(
        source=CreditSource.MARKET, kind=CreditKind.MARKET_BLACKLIST,
        subject_id_number=agency.uscc, subject_name=agency.name, department=department,
        number=f"中介超市处罚 {sanction.pk}", reason=f"中介超市处罚，列入黑名单：{reason}",
        ref=f"market.Sanction:{sanction.pk}", actor=actor, at=attempt.now).pk


def _lock(uscc: str, user: User | None) -> Agency:
    # A NUL is refused by PostgreSQL inside a query: such a key names no agency.
    return Agency.objects.select_for_update().get(uscc=uscc.replace("\x00", "?"))


def _actor(user: User | None, row: Agency, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    base = actor_for(user)
    return Actor(user=user, label=base.label, role=role, department_id=base.department_id,
                 department_label=base.department_label)


def _record(row: Agency, step: Step) -> None:
    AgencyEvent.of_move(agency=row, action=step.action, before=step.before, after=row.status,
                        actor=step.actor, reason=step.reason, data=step.data,
                        at=step.at).save()
    audit_record(actor=step.actor, action=f"market.agency.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


def _text_check(move: AgencyMoveIn) -> None:
    try:
        check_text(move.reason, label="理由", multiline=True)
    except TextError as error:
        raise InvalidInput(error.message + "。", code="agency.text") from error


AGENCY_PROCESS: Process[Agency, AgencyMoveIn] = Process(
    table=AGENCY_TABLE, lock=_lock, actor=_actor, record=_record, text_check=_text_check,
    handlers={"verify": _verify, "return": _return, "resubmit": _returned_resubmit,
              "sanction": _sanction},
    reason_of=lambda move: move.reason.strip(), action_of=lambda move: move.action)


@transaction.atomic
def agency_move(*, uscc: str, user: User, move: AgencyMoveIn) -> Agency:
    if move.action not in ("verify", "return", "sanction"):
        raise InvalidInput("未知的操作。", code="agency.action_invalid")
    return engine.transition(AGENCY_PROCESS, uscc, user, move)


def agency_statuses() -> list[tuple[str, str]]:
    return list(AgencyStatus.choices)

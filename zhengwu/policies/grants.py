"""免申即享 (issue 14 §1): a department grants a benefit to the enterprises (or, for a person's
benefit such as 人才住房补贴, the persons) the rules find eligible, without an application — a grant list on the process engine (ADR 0013).

1. **Prepare** (拟定): a member of the department's staff takes the matching of the day: every
   eligible enterprise with the explanation and amount the version in force gave it, kept on
   its Grant (a later change of facts or rules does not rewrite a decision).
2. **Confirm** (复核确认) — four-eyes: another member of the department's staff, never the one
   who prepared it (the guard, and a database constraint behind it). Each enterprise with an
   account is told, in the same transaction, what it is granted and why; it reads it in
   我能享受的政策 with no application.
3. **Withdraw** (撤回) instead, with a reason, while not confirmed.
4. Each confirmed grant's **payment** is recorded (支付凭证号, 拨付日期), once.

KPIs (kpis): working days from eligibility to confirmation, share granted without application.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from zhengwu.accounts.models import User, UserKind
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.core.numbering import next_value
from zhengwu.core.text import TextError, check_text
from zhengwu.notifications.services import notify
from zhengwu.policies import services
from zhengwu.policies.models import (
    Benefit,
    BenefitMode,
    Grant,
    GrantList,
    GrantListEvent,
    GrantListStatus,
    SubjectKind,
)
from zhengwu.policies.models import GrantListStatus as S
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Move, Process, Refusal, Step, Table

OFFICER = "officer"  # staff of the benefit's department (后台审批人员, 首席代表)
SYSTEM_ROLE = "system"


def roles_on(user: User | None, row: GrantList) -> frozenset[str]:
    if user is None:
        return frozenset({SYSTEM_ROLE})
    if row.benefit.department_id in services.officer_department_ids(user):
        return frozenset({OFFICER})
    return frozenset()


def _second_pair_of_eyes(row: GrantList, attempt: Attempt) -> Refusal | None:
    if attempt.user_id == row.prepared_by_id:
        return Refusal("grant_list.four_eyes", "名单须由拟定人以外的工作人员复核确认。",
                       forbidden=True)
    return None


GRANT_LIST_TABLE: Table[GrantList] = Table(
    name="grant_list", noun="免申即享名单", status_field="status",
    status_label=lambda status: str(S(status).label), roles_on=roles_on, moves={
        "confirm": Move(frozenset({S.PREPARED}), S.CONFIRMED, frozenset({OFFICER}), "复核确认",
                        guards=(_second_pair_of_eyes,)),
        "withdraw": Move(frozenset({S.PREPARED}), S.WITHDRAWN, frozenset({OFFICER}), "撤回"),
    })


@dataclass
class ListMoveIn:
    action: str  # "confirm" or "withdraw"
    note: str = ""


def _confirm(row: GrantList, move: ListMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    row.confirmed_by, row.confirmed_at = attempt.user, attempt.now
    grants = list(row.grants.all())
    accounts = subject_accounts(row.benefit.subject_kind, [g.subject for g in grants])
    link = reverse("policies:mine")
    you = "您" if row.benefit.subject_kind == SubjectKind.PERSON else "贵单位"
    for grant in grants:
        account = accounts.get(grant.subject)
        if account is None:
            continue  # told when it opens an account: 我能享受的政策 lists grants by its number
        amount = f"，金额 {grant.amount} 元" if grant.amount is not None else ""
        notify(recipients=[account], title=f"免申即享：{row.benefit.name}",
               body=f"经{row.benefit.department.name}核定，{you}符合“{row.benefit.name}”的享受"
                    f"条件{amount}，无需申请，将直接兑现。判定依据见“我能享受的政策”。",
               link=link, category="policy", dedupe_key=f"grant:{grant.pk}")
    return {"grants": len(grants), "told": sum(g.subject in accounts for g in grants)}


def subject_accounts(kind: str, codes: list[str]) -> dict[str, User]:
    """The open accounts of the subjects `codes`: enterprises by USCC, persons by ID number."""
    if kind == SubjectKind.PERSON:
        rows = User.objects.filter(kind=UserKind.PERSON, closed_at__isnull=True,
                                   citizen_id__in=codes)
        return {u.citizen_id: u for u in rows}
    return {u.uscc: u for u in User.objects.filter(kind=UserKind.ENTERPRISE, uscc__in=codes)}


def _withdraw(row: GrantList, move: ListMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    if not move.note.strip():
        raise InvalidInput("请填写撤回理由。", code="grant_list.reason_required")
    return {}


def _lock(number: str, user: User | None) -> GrantList:
    rows = GrantList.objects.all()
    if user is not None and not services.is_supervisor(user):
        rows = rows.filter(benefit__department_id__in=services.officer_department_ids(user))
    return rows.select_for_update(of=("self",)).select_related(
        "benefit__department", "prepared_by").get(number=number)


def _actor(user: User | None, row: GrantList, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    base = services.officer_actor(user, row.benefit.department)
    return Actor(user=user, label=base.label, role=role, department_id=base.department_id,
                 department_label=base.department_label)


def _record(row: GrantList, step: Step) -> None:
    GrantListEvent.of_move(grant_list=row, action=step.action, before=step.before,
                           after=row.status, actor=step.actor, reason=step.reason,
                           data=step.data, at=step.at).save()
    audit_record(actor=step.actor, action=f"policies.grant_list.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


def _text_check(move: ListMoveIn) -> None:
    try:
        check_text(move.note, label="说明", multiline=True)
    except TextError as error:
        raise InvalidInput(error.message + "。", code="grant_list.text") from error


GRANT_LIST_PROCESS: Process[GrantList, ListMoveIn] = Process(
    table=GRANT_LIST_TABLE, handlers={"confirm": _confirm, "withdraw": _withdraw},
    lock=_lock, actor=_actor, record=_record, reason_of=lambda move: move.note.strip(),
    action_of=lambda move: move.action, text_check=_text_check)


@transaction.atomic
def grant_list_prepare(*, user: User, benefit_id: int) -> GrantList:
    """Take today's matching as a list to confirm (one list at a time per benefit)."""
    benefit = Benefit.objects.select_for_update().select_related("department").filter(
        pk=benefit_id, department_id__in=services.officer_department_ids(user)).first()
    if benefit is None:
        raise Benefit.DoesNotExist("没有这个惠企政策事项。")
    actor = services.officer_actor(user, benefit.department)
    if benefit.mode != BenefitMode.NO_APPLICATION:
        raise Conflict("该事项为即申即享，由企业一键申请，不拟定免申即享名单。",
                       code="grant_list.not_no_application")
    if benefit.grant_lists.filter(status=S.PREPARED).exists():
        raise Conflict("该事项已有待复核的名单，请先复核确认或撤回。",
                       code="grant_list.pending_exists")
    today = clock.today()
    rule = benefit.rules.filter(effective_from__lte=today).exclude(
        effective_to__lt=today).order_by("-version").first()
    if rule is None:
        raise Conflict("今天没有生效的享受条件，无法拟定名单。", code="grant_list.no_rule")
    granted = set(Grant.objects.filter(grant_list__benefit=benefit,
                                       grant_list__status=S.CONFIRMED,
                                       grant_list__rule=rule).values_list("subject", flat=True))
    answers = [a for a in services.eligible_answers(benefit=benefit, on=today)
               if a.subject.code not in granted]
    if not answers:
        raise Conflict("今天没有新的符合条件的企业（已兑现的不再列入）。",
                       code="grant_list.nobody")
    now = clock.now()
    number = f"MS{today.year}{next_value(f'policies.grant_list.{today.year}'):05d}"
    row = GrantList.objects.create(number=number, benefit=benefit, rule=rule, as_of=today,
                                   prepared_by=user, prepared_at=now)
    Grant.objects.bulk_create(
        Grant(grant_list=row, subject=a.subject.code, subject_name=a.subject.name[:120],
              amount=a.verdict.amount, explanation=services.verdict_json(a.verdict),
              eligible_since=services.eligible_since(a.verdict, rule))
        for a in answers)
    step = Step(action="prepare", before="", actor=Actor(
        user=user, label=actor.label, role=OFFICER, department_id=actor.department_id,
        department_label=actor.department_label), reason="",
        data={"grants": len(answers), "rule_version": rule.version}, at=now)
    _record(row, step)
    return row


@transaction.atomic
def grant_list_move(*, number: str, user: User, move: ListMoveIn) -> GrantList:
    return engine.transition(GRANT_LIST_PROCESS, number, user, move)


@transaction.atomic
def grant_paid(*, user: User, grant_id: int, reference: str, paid_on: dt.date) -> Grant:
    """Record a confirmed grant's payment, once."""
    grant = Grant.objects.select_for_update().select_related(
        "grant_list__benefit__department").filter(
        pk=grant_id,
        grant_list__benefit__department_id__in=services.officer_department_ids(user)).first()
    if grant is None:
        raise Grant.DoesNotExist("没有这笔兑现。")
    actor = services.officer_actor(user, grant.grant_list.benefit.department)
    if grant.grant_list.status != GrantListStatus.CONFIRMED:
        raise Conflict("名单复核确认后才能登记拨付。", code="grant.not_confirmed")
    if grant.paid_on is not None:
        raise Conflict("这笔兑现已登记拨付。", code="grant.already_paid")
    reference = reference.strip()
    problems = []
    if not reference or len(reference) > 60:
        problems.append("请填写支付凭证号（至多60个字符）")
    if paid_on > clock.today() or paid_on < grant.grant_list.as_of:
        problems.append("拨付日期应在名单判定日期与今天之间")
    if problems:
        raise InvalidInput("；".join(problems) + "。", code="grant.payment_invalid")
    grant.payment_reference, grant.paid_on = reference, paid_on
    grant.save(update_fields=["payment_reference", "paid_on"])
    audit_record(actor=actor, action="policies.grant_paid", obj=grant,
                 after={"payment_reference": reference, "paid_on": paid_on})
    return grant

"""Periodic sweeps over open cases, set-based and safe to run twice or concurrently:

- 超时默认 [4]: accepted cases of items on a published 超时默认 list whose deadline (or
  extended deadline) has passed without a decision are decided "deemed approved" by the
  platform, with a 默认准予 notice, a notification, and a failure record against the
  department. Other overdue cases get a red card and an escalation instead — never a
  deemed approval.
- 行政许可法 art. 32: applications unanswered 5 working days after receipt count as accepted.
- 电子监察 [25]: the yellow cards the clock reads (cases.caseclock), stored for lists and counts.

Each batch is one transaction; rows are claimed with SKIP LOCKED where the database has it,
so two workers never decide the same case, and a crash loses at most the batch in flight
(rerun resumes). Notice PDFs are rendered later, on download or by a task — never here.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from zhengwu.cases import caseclock, deadlines
from zhengwu.cases.access import CASE_TABLE
from zhengwu.cases.models import (
    NOTICE_MARK,
    Card,
    Case,
    CaseEvent,
    CaseStatus,
    Decision,
    DepartmentFailure,
    FailureKind,
    Notice,
    NoticeKind,
)
from zhengwu.cases.notices import notice_sealer
from zhengwu.cases.services import CASE_PROCESS
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import numbering
from zhengwu.core.audit import SYSTEM, audit_record
from zhengwu.core.bulk import rows_insert
from zhengwu.core.context import current_request_id
from zhengwu.core.errors import DomainError
from zhengwu.departments.models import Department
from zhengwu.licences.notice_signature import signing_unavailable
from zhengwu.notifications.services import Note, notify, notify_many
from zhengwu.process import engine
from zhengwu.process.spec import Outcome
from zhengwu.workdays.selectors import calendar_get

BATCH = 2000
logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    deemed: int = 0
    red: int = 0
    yellow: int = 0
    accepted_by_law: int = 0
    held: int = 0  # overdue cases whose department cannot sign now (deem_overdue)

    def summary(self) -> str:
        return (f"超时默认准予 {self.deemed}，红牌 {self.red}，黄牌 {self.yellow}，"
                f"逾期未答复视为受理 {self.accepted_by_law}"
                + (f"，签名密钥不可用暂缓 {self.held}" if self.held else ""))


def _claim(queryset: QuerySet[Case]) -> QuerySet[Case]:
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.select_for_update()


def record_deemed(case: Case, now: dt.datetime) -> dict[str, Any]:
    """The side effects of one deemed approval (notice, failure record, notification)."""
    numbers = _deemed_notices([case], {case.department_id: case.department}, now)
    DepartmentFailure.objects.get_or_create(case=case, kind=FailureKind.DEEMED,
                                            defaults={"department": case.department,
                                                      "recorded_at": now})
    _notify_deemed([case])
    return {"decision": Decision.DEEMED_APPROVED, "notice": numbers[0]}


def _deemed_notices(cases: list[Case], departments: dict[int, Department],
                    now: dt.datetime) -> list[str]:
    """One 默认准予 notice per case, numbered in blocks per printed prefix (`departments`: the
    cases' departments by id; as notice_issue numbers single notices), so that numbers never
    collide between departments, and each signed by its department's key (issue 11 item 9)
    before the rows are inserted at once. Returns the numbers in the order of `cases`."""
    year = now.astimezone(deadlines.SHANGHAI).year
    by_prefix: dict[str, list[Case]] = {}
    for case in cases:
        by_prefix.setdefault(departments[case.department_id].document_prefix, []).append(case)
    number_of: dict[int, str] = {}
    for prefix, group in by_prefix.items():
        numbers = numbering.document_numbers(prefix, NOTICE_MARK[NoticeKind.DEEMED], year,
                                             len(group))
        number_of.update(zip((c.pk for c in group), numbers, strict=True))
    # The items' names, which the signatures carry, in one query (not joined into the claim).
    items = dict(ItemImplementation.objects.filter(
        pk__in={c.implementation_id for c in cases}).values_list("pk", "item__name"))
    notices = []
    for case in cases:
        # Unsaved: only what the signature covers; the rows go in by one executemany.
        notice = Notice(kind=NoticeKind.DEEMED, issued_at=now, number=number_of[case.pk],
                        content={"due_at": case.due_at.isoformat() if case.due_at else None},
                        verify_code=secrets.token_hex(10))
        notice_sealer(case, departments[case.department_id],
                      item=items[case.implementation_id])(notice)
        notices.append(notice)
    rows_insert(Notice, ("case", "kind", "issued_at", "number", "content", "verify_code",
                         "signed_data", "signature", "kid"), [
        (case.pk, n.kind, n.issued_at, n.number, n.content, n.verify_code, n.signed_data,
         n.signature, n.kid) for case, n in zip(cases, notices, strict=True)])
    return [number_of[c.pk] for c in cases]


def _notify_deemed(cases: list[Case]) -> None:
    # A bundle's member is announced with its bundle's result, once (bundles app).
    told = [case for case in cases if not case.bundle_number]
    notify_many(notes=[Note(
        recipient=case.applicant, title="申请已超时默认准予",
        body=f"办件{case.number}在承诺期限内未作出决定，依超时默认制度视为准予。"
             "默认准予通知书可在办件详情中下载。",
        link=link, dedupe_key=f"case:{case.pk}:deemed")
        for case, link in zip(told, Case.absolute_urls([c.number for c in told]), strict=True)],
        category="case", channels=("inapp", "sms"))


def deem_overdue(now: dt.datetime, *, batch: int = BATCH) -> int:
    """Decide every overdue batch-listed case "deemed approved"; returns how many."""
    return _deem(now, batch)[0]


def _overdue(now: dt.datetime) -> QuerySet[Case]:
    return Case.objects.filter(status=CaseStatus.ACCEPTED, deemed_eligible=True, due_at__lt=now)


def _held_q(departments: set[int]) -> Q:
    """The cases a department that cannot sign would sign for: its own, or a licence it
    issues."""
    return Q(department_id__in=departments) | Q(
        implementation__licence_type__issuing_department__in=departments)


def _unsigned(cases: list[Case], departments: dict[int, Department]) -> set[int]:
    """The departments among a batch's (deciding, or issuing its licences) that cannot sign
    now: their notices and licences would roll the whole batch back."""
    issuing = dict(ItemImplementation.objects.filter(
        pk__in={c.implementation_id for c in cases}, licence_type__isnull=False).values_list(
        "pk", "licence_type__issuing_department"))
    wanted = set(departments) | set(issuing.values())
    every = {**Department.objects.only("id", "uscc", "name").in_bulk(
        wanted - set(departments)), **departments}
    return {pk for pk in wanted if signing_unavailable(every[pk]) is not None}


def _deem(now: dt.datetime, batch: int) -> tuple[int, int]:
    """Deemed approvals, batch by batch: (decided, held). A department that cannot sign (no
    key, the signing service not configured) holds up only the cases it would sign for —
    they stay overdue and accepted, are logged and audited, and the next run decides them
    once the key is there — never the other departments' due approvals."""
    total = 0
    held_back: set[int] = set()  # departments that cannot sign in this run
    # Cases whose decision cannot be completed (its licence cannot be issued: a 设立登记
    # without the registration's name, the 赋码 service refusing …), each with its reason:
    # found by deciding the batch that failed one case at a time, then held like the cases of
    # a department without a key — one case never stops every other due approval.
    held_cases: dict[int, str] = {}
    size, alone = batch, 0
    while True:
        try:
            done = _deem_batch(now, size, held_back, held_cases)
        except _Unsigned as unsigned:
            held_back |= unsigned.departments
            continue
        except DomainError as error:
            if size > 1:  # the same batch again, a case at a time
                size, alone = 1, 0
                continue
            held_cases[getattr(error, "case_ids", [0])[0]] = error.message
            size = batch
            continue
        if not done:
            break
        total += done
        if size == 1:
            alone += 1
            if alone >= batch:  # past the failing batch without meeting the failure again
                size = batch
    return total, _held_record(now, held_back, held_cases)


class _Unsigned(Exception):
    def __init__(self, departments: set[int]) -> None:
        super().__init__(departments)
        self.departments = departments


def _deem_batch(now: dt.datetime, size: int, held_back: set[int],
                held_cases: dict[int, str]) -> int:
    """One batch of deemed approvals in one transaction; how many (0: none left). Raises
    _Unsigned (nothing written) when a department of the batch cannot sign, and the
    DomainError of a decision's follow-up (all of it rolled back), naming its `case_ids`."""
    with transaction.atomic():
        candidates = _overdue(now).order_by("due_at", "id")
        if held_back:  # (never joined otherwise: the claim stays on the index)
            candidates = candidates.exclude(_held_q(held_back))
        if held_cases:
            candidates = candidates.exclude(pk__in=list(held_cases))
        # Only what deciding needs: a batch of full rows with their joins costs more than
        # the decision itself (a department row per case, too: its prefix is read once).
        cases = list(_claim(candidates).select_related("applicant").only(
            "id", "number", "due_at", "department_id", "applicant_id", "bundle_number",
            "status", "applicant__phone", "applicant__email",
            # What the signed 默认准予 notice says of the case (issue 11 item 9).
            "applicant_kind", "applicant_name", "applicant_id_number",
            "implementation_id")[:size])
        if not cases:
            return 0
        ids = [c.pk for c in cases]
        departments = Department.objects.only("id", "uscc", "name", "document_prefix") \
            .in_bulk({c.department_id for c in cases})
        unsigned = _unsigned(cases, departments)
        if unsigned:  # nothing written yet: claim again without them
            raise _Unsigned(unsigned)
        try:
            _deem_cases(cases, ids, departments, now)
        except DomainError as error:
            error.case_ids = ids  # type: ignore[attr-defined]
            raise
        return len(cases)


def _deem_cases(cases: list[Case], ids: list[int], departments: dict[int, Department],
                now: dt.datetime) -> None:
    """Decide the claimed cases "deemed approved": the rows, notices, events, failure
    records, notifications, and the processes told (their follow-ups issue the licences)."""
    Case.objects.filter(pk__in=ids).update(status=CaseStatus.DECIDED,
                                           decision=Decision.DEEMED_APPROVED,
                                           decided_at=now, card="", updated_at=now)
    numbers = _deemed_notices(cases, departments, now)
    request_id = current_request_id()
    rows_insert(CaseEvent, (
        "case", "action", "from_status", "to_status", "actor_label", "role", "reason",
        "data", "at", "request_id"), [(
            case.pk, "deem_approved", CaseStatus.ACCEPTED, CaseStatus.DECIDED, "系统",
            "system", "承诺期限届满未作决定，依超时默认制度视为准予",
            {"decision": Decision.DEEMED_APPROVED, "notice": number,
             "due_at": case.due_at.isoformat() if case.due_at else None},
            now, request_id) for case, number in zip(cases, numbers, strict=True)])
    rows_insert(DepartmentFailure, ("department", "case", "kind", "recorded_at"), [
        (c.department_id, c.pk, FailureKind.DEEMED, now) for c in cases],
        ignore_conflicts=True)
    _notify_deemed(cases)
    # The processes composing cases (a bundle) are told, as of every single move.
    for case in cases:
        case.status, case.decision = CaseStatus.DECIDED, Decision.DEEMED_APPROVED
    engine.tell(CASE_PROCESS, [Outcome(
        process=CASE_TABLE.name, row=case, action="deem_approved",
        before=CaseStatus.ACCEPTED, after=CaseStatus.DECIDED, driver="")
        for case in cases])
    audit_record(actor=SYSTEM, action="cases.deem_approved_batch",
                 object_type="cases.Case", object_id=f"{ids[0]}…{ids[-1]}",
                 object_repr=f"超时默认准予 {len(ids)} 件",
                 after={"cases": [c.number for c in cases][:50], "count": len(ids)},
                 stream="cases")


def _held_record(now: dt.datetime, held_back: set[int], held_cases: dict[int, str]) -> int:
    """Say which due approvals wait — for a department's signing key, or a case whose decision
    could not be completed (with why): the log (for the operator) and one audit row per run;
    returns how many cases wait."""
    if not held_back and not held_cases:
        return 0
    waiting = _overdue(now).filter(_held_q(held_back) | Q(pk__in=list(held_cases)))
    count = waiting.count()
    departments = list(Department.objects.filter(pk__in=held_back).order_by("pk"))
    rows = [{"department": d.name, "cases": waiting.filter(department=d).count()}
            for d in departments]
    numbers = dict(Case.objects.filter(pk__in=list(held_cases)).values_list("pk", "number"))
    cases = [{"case": numbers.get(pk, ""), "reason": reason} for pk, reason in held_cases.items()]
    logger.error("deemed approvals held: no usable signing key for %s; cases not completed: "
                 "%s (%d cases)", "、".join(d.name for d in departments) or "-",
                 "; ".join(f"{c['case']} {c['reason']}" for c in cases) or "-", count)
    with transaction.atomic():
        audit_record(actor=SYSTEM, action="cases.deem_held", object_type="departments.Department",
                     object_id=",".join(str(d.pk) for d in departments)
                     or ",".join(str(c["case"]) for c in cases)[:100],
                     object_repr=f"超时默认准予暂缓 {count} 件",
                     after={"departments": rows, "cases": cases, "count": count},
                     stream="cases")
    return count


def mark_overdue(now: dt.datetime) -> int:
    """Red cards for overdue cases not on a deemed-approval list, escalated once each."""
    with transaction.atomic():
        overdue = list(_claim(Case.objects.filter(
            status=CaseStatus.ACCEPTED, deemed_eligible=False, due_at__lt=now)
            .exclude(card=Card.RED)).select_related("department"))
        if not overdue:
            return 0
        Case.objects.filter(pk__in=[c.pk for c in overdue]).update(card=Card.RED, updated_at=now)
        DepartmentFailure.objects.bulk_create(
            [DepartmentFailure(department_id=c.department_id, case=c, kind=FailureKind.OVERDUE,
                               recorded_at=now) for c in overdue], ignore_conflicts=True)
        CaseEvent.objects.bulk_create(CaseEvent(
            case=c, action="red_card", from_status=c.status, to_status=c.status,
            actor_label="系统", role="system", reason="超过办结期限未作决定：红牌督办",
            at=now, request_id=current_request_id()) for c in overdue)
        _escalate(overdue)
        return len(overdue)


def _escalate(cases: list[Case]) -> None:
    """Tell the department's chief representatives and the supervisors."""
    from zhengwu.accounts.models import RoleAssignment
    from zhengwu.accounts.roles import Role

    by_department: dict[int, list[Case]] = {}
    for case in cases:
        by_department.setdefault(case.department_id, []).append(case)
    supervisors = [a.user for a in RoleAssignment.objects.filter(role=Role.SUPERVISOR)
                   .select_related("user")]
    for department_id, group in by_department.items():
        heads = [a.user for a in RoleAssignment.objects.filter(
            role__in=[Role.CHIEF_REPRESENTATIVE], department_id=department_id)
            .select_related("user")]
        numbers = "、".join(c.number for c in group[:20])
        notify(recipients=heads + supervisors, title="红牌督办：办件超时",
               body=f"{group[0].department.name}有 {len(group)} 件办件超过承诺期限未办结：{numbers}",
               link=reverse("cases:monitoring") + "?card=red", category="monitoring",
               dedupe_key=f"red:{department_id}:{group[0].pk}:{len(group)}")


def mark_yellow(now: dt.datetime, threshold: int | None = None) -> int:
    """Store the yellow cards the clock reads (cases.caseclock), for lists and counts: new
    ones on running clocks in one UPDATE (those with a limit within the threshold, due
    before the bound, read one by one), and on paused clocks as they read when they stopped;
    a yellow card the clock no longer reads (the deadline moved) is taken off. Returns how
    many new yellow cards."""
    limit = caseclock.yellow_threshold() if threshold is None else threshold
    calendar = calendar_get()
    before = caseclock.yellow_before(calendar, now, limit)
    short = caseclock.short_limit(limit)
    with transaction.atomic():
        running = Case.objects.filter(status=CaseStatus.ACCEPTED)
        count = running.filter(due_at__gte=now, due_at__lt=before, card="").exclude(
            short).update(card=Card.YELLOW, updated_at=now)
        running.filter(card=Card.YELLOW, due_at__gte=before).update(card="", updated_at=now)
        changed: dict[str, list[int]] = {Card.YELLOW: [], "": []}
        # A limit within the threshold is yellow in its last half only: those due before the
        # bound (accepted a day or two ago) are read one by one.
        for pk, accepted_at, due_at, promised, stored in running.filter(
                short, due_at__gte=now, due_at__lt=before).values_list(
                "pk", "accepted_at", "due_at", "promised_workdays", "card"):
            if due_at is None:  # filtered out above; the column is nullable
                continue
            card = caseclock.deadline_reading(calendar, now, due_at, limit,
                                              started=accepted_at, limit=promised)[1]
            if card != stored and card in changed:
                changed[card].append(pk)
        # Few cases are in a special procedure at a time: read each.
        for case in Case.objects.filter(status=CaseStatus.SUSPENDED).exclude(
                card=Card.RED).only("id", "status", "due_at", "suspended_at", "card",
                                    "accepted_at", "promised_workdays"):
            card = caseclock.read(case, calendar, now, limit).card
            if card != case.card and card in changed:
                changed[card].append(case.pk)
        for card, ids in changed.items():
            if ids:
                Case.objects.filter(pk__in=ids).update(card=card, updated_at=now)
        return count + len(changed[Card.YELLOW])


def accept_unanswered(now: dt.datetime) -> int:
    """行政许可法 art. 32: unanswered 5 working days after receipt → accepted from receipt."""
    from zhengwu.cases.services import MoveIn, case_transition

    calendar = calendar_get()
    # 5 working days are at least 5 calendar days: older receipts are the only candidates,
    # each checked exactly on the calendar below.
    # A bundle's member cases are answered once for the whole bundle (bundles sweeps).
    candidates = Case.objects.filter(status=CaseStatus.SUBMITTED, bundle_number="",
                                     submitted_at__lt=now - dt.timedelta(days=5))
    count = 0
    for pk, submitted in candidates.values_list("pk", "submitted_at").iterator():
        if deadlines.acceptance_by_law_due(calendar, submitted) < now:
            case_transition(case_id=pk, user=None, move=MoveIn(
                action="accept", reason="收到申请材料5日内未作处理，依行政许可法第三十二条视为受理"),
                now=now)
            count += 1
    return count


def run(now: dt.datetime) -> SweepReport:
    report = SweepReport()
    report.accepted_by_law = accept_unanswered(now)
    report.deemed, report.held = _deem(now, BATCH)
    report.red = mark_overdue(now)
    report.yellow = mark_yellow(now)
    return report


def remove_orphan_uploads(now: dt.datetime, *, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete uploaded files that no row refers to: files are written while a step's
    transaction is open, so a rollback the step's discarded_on_failure did not see (a killed
    process, an outer transaction) leaves them behind. Cases' materials (`cases/`) and every
    app's uploaded files (core.models.StoredFile, each in its UPLOAD_DIR). Only files older
    than a day, so that work in flight is never touched. A file kept for a refused form's next
    attempt (cases.staging) is referenced by its staged row."""
    from pathlib import Path

    from django.apps import apps

    from zhengwu.cases.models import CaseMaterial, StagedUpload
    from zhengwu.core.models import StoredFile

    kinds = [m for m in apps.get_models() if issubclass(m, StoredFile)]
    media = Path(settings.MEDIA_ROOT)
    roots = [media / folder for folder in ("cases", *sorted({m.UPLOAD_DIR for m in kinds}))]
    referenced = set(CaseMaterial.objects.exclude(file="").values_list("file", flat=True))
    referenced.update(StagedUpload.objects.values_list("file", flat=True))
    for model in kinds:
        referenced.update(model.objects.values_list("file", flat=True))  # type: ignore[attr-defined]
    cutoff = (now - older_than).timestamp()
    removed = 0
    for root in roots:
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if not path.is_file() or path.stat().st_mtime > cutoff:
                continue
            if path.relative_to(media).as_posix() not in referenced:
                path.unlink(missing_ok=True)
                removed += 1
    return removed

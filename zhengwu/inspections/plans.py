"""抽查计划 and the two draws of 双随机 (issue 15 §3).

**Target pool** (抽查对象名录), one documented source: the enterprises the platform itself
granted a supervised item — cases of one of the supervision item's catalogue items decided
准予 (or 超时默认准予), whose applicant is an enterprise identified by a valid USCC
(`Case.applicant_id_number`, or `Case.registered_uscc` for a registration that created one),
the name being the case's applicant name. Criterion: the USCC's 登记管理机关行政区划码
(characters 3–8) starts with the plan's region prefix (e.g. 430481 for 耒阳). The pool is
fixed and published with the plan, before the draw.

**Draw of targets**: one verifiable draw (zhengwu.draws) over the pool, count = the share
(rules.share_count), parties: the planning department's officer (组织部门), the platform and
电子监察. When it finishes (the listener `draw_finished`), one Inspection per drawn enterprise.

**Draw of inspectors**: one draw PER TARGET, two drawn from the department's inspectors minus
those who declared a conflict with that enterprise. Per target because the exclusion is per
target and must be applied to the candidate set before the draw (a per-plan draw assigning
pairs would have to skip conflicted pairs after the draw, which an observer cannot tell from a
choice). The number excluded is in the draw's public purpose (so in its log entry), no names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.cases.models import GRANTED_DECISIONS, Case
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, audit_record
from zhengwu.core.codes import CodeError, validate_uscc
from zhengwu.core.errors import Conflict, FieldsInvalid, InvalidInput, NotAllowed
from zhengwu.core.numbering import next_value
from zhengwu.draws.models import Draw, PartyRole
from zhengwu.draws.services import PartyIn, draw_open
from zhengwu.inspections import rules
from zhengwu.inspections.models import (
    ConflictDeclaration,
    Inspection,
    InspectionEvent,
    InspectionStatus,
    Inspector,
    Plan,
    PlanStatus,
    SupervisionItem,
)
from zhengwu.inspections.process import INSPECTION_PROCESS, InspectionMoveIn
from zhengwu.inspections.services import department_of, officer_actor, officer_department_ids
from zhengwu.notifications.services import notify
from zhengwu.process import engine
from zhengwu.process.spec import FollowUp, Outcome

COMMIT_DAYS, REVEAL_DAYS = 3, 6  # calendar days the parties have to commit, then reveal
POOL_RULE = ("本平台准予{item}对应事项的企业申请人（统一社会信用代码有效）"
             "{region}")


def enterprise_code(*codes: str) -> str:
    """The first of `codes` that is a valid USCC, or ""."""
    for code in codes:
        try:
            return validate_uscc(code.strip().upper())
        except CodeError:
            continue
    return ""


def pool_filter(rows: Iterable[tuple[str, str, str]], region_prefix: str) -> dict[str, str]:
    """USCC → name of the rows (id number, registered USCC, name) that name an enterprise
    registered under `region_prefix`; the latest name of an enterprise granted twice."""
    pool: dict[str, str] = {}
    for id_number, registered, name in rows:
        code = enterprise_code(id_number, registered)
        if code and code[2:8].startswith(region_prefix):
            pool[code] = name
    return pool


def pool_of(item: SupervisionItem, region_prefix: str) -> dict[str, str]:
    rows = Case.objects.filter(
        implementation__item__in=item.items.all(), decision__in=GRANTED_DECISIONS,
    ).order_by("decided_at", "pk").values_list("applicant_id_number", "registered_uscc",
                                                "applicant_name")
    return pool_filter(rows, region_prefix)


@dataclass
class PlanIn:
    name: str
    item_code: str
    percent: str
    due_workdays: int
    region_prefix: str = ""


def _plan_checked(data: PlanIn, department_id: int) -> tuple[SupervisionItem, Decimal]:
    problems: dict[str, str] = {}
    if not data.name.strip():
        problems["name"] = "请填写计划名称。"
    item = SupervisionItem.objects.filter(code=data.item_code,
                                          department_id=department_id).first()
    if item is None:
        problems["item"] = "请选择本部门的监管事项。"
    try:
        percent = Decimal(str(data.percent).strip())
    except InvalidOperation:
        percent = Decimal(0)
    if not Decimal(0) < percent <= Decimal(100) or percent != round(percent, 2):
        problems["percent"] = "抽查比例应大于0且不超过100（最多两位小数）。"
    if not 1 <= data.due_workdays <= 120:
        problems["due_workdays"] = "检查期限应为1至120个工作日。"
    prefix = data.region_prefix.strip()
    if prefix and (not prefix.isdigit() or len(prefix) > 6 or len(prefix) % 2):
        problems["region_prefix"] = "区划码前缀应为2、4或6位数字（如430481）。"
    if problems:
        raise FieldsInvalid(problems, code="inspections.plan_invalid")
    assert item is not None
    return item, percent


@transaction.atomic
def plan_create(*, user: User, data: PlanIn) -> Plan:
    department = department_of(user)
    item, percent = _plan_checked(data, department.pk)
    now = clock.now()
    row = Plan.objects.create(
        number=f"CC{now.year}{next_value(f'inspections.plan.{now.year}'):05d}",
        name=data.name.strip(), department=department, item=item,
        region_prefix=data.region_prefix.strip(), percent=percent,
        due_workdays=data.due_workdays, created_by=user, created_at=now)
    audit_record(actor=officer_actor(user, department), action="inspections.plan_create", obj=row,
                 after={"number": row.number, "item": item.code, "percent": str(percent),
                        "region_prefix": row.region_prefix, "due_workdays": row.due_workdays})
    return row


def _own_plan(user: User, number: str) -> Plan:
    row = Plan.objects.select_for_update().filter(number=number).first()
    if row is None or row.department_id not in officer_department_ids(user):
        raise NotAllowed("只有本部门的工作人员可以办理该抽查计划。", code="inspections.forbidden")
    return row


@transaction.atomic
def plan_publish(*, user: User, number: str) -> Plan:
    """Fix the pool and the count, and publish the plan (before any draw)."""
    row = _own_plan(user, number)
    if row.status != PlanStatus.DRAFT:
        raise Conflict("计划已公布。", code="inspections.plan_state")
    pool = pool_of(row.item, row.region_prefix)
    try:
        count = rules.share_count(len(pool), float(row.percent))
    except rules.RuleError as error:
        raise InvalidInput(str(error), code="inspections.pool_empty") from None
    region = f"，登记机关区划码以{row.region_prefix}开头" if row.region_prefix else ""
    row.pool, row.target_count, row.status, row.published_at = (
        pool, count, PlanStatus.PUBLISHED, clock.now())
    row.pool_rule = POOL_RULE.format(item=row.item.name, region=region)[:300]
    row.save(update_fields=["pool", "target_count", "status", "published_at", "pool_rule"])
    audit_record(actor=officer_actor(user, row.department), action="inspections.plan_publish",
                 obj=row, before={"status": PlanStatus.DRAFT},
                 after={"status": row.status, "pool": len(pool), "count": count})
    return row


def _parties(department_name: str, organiser: User) -> list[PartyIn]:
    return [PartyIn(PartyRole.ORGANISER, department_name, organiser),
            PartyIn(PartyRole.PLATFORM, "平台"),
            PartyIn(PartyRole.SUPERVISOR, "电子监察")]


def _dues() -> tuple[dt.datetime, dt.datetime]:
    now = clock.now()
    return now + dt.timedelta(days=COMMIT_DAYS), now + dt.timedelta(days=REVEAL_DAYS)


@transaction.atomic
def plan_draw(*, user: User, number: str) -> Plan:
    """Open the verifiable draw of the plan's targets over its published pool."""
    row = _own_plan(user, number)
    if row.status != PlanStatus.PUBLISHED:
        raise Conflict("只能对已公布且尚未抽取的计划发起抽取。", code="inspections.plan_state")
    commit_due, reveal_due = _dues()
    draw = draw_open(purpose=f"双随机抽查对象：{row.number} {row.name}"[:200],
                     ref=f"inspections.Plan:{row.pk}", candidates=row.pool,
                     count=row.target_count, parties=_parties(row.department.name, user),
                     commit_due=commit_due, reveal_due=reveal_due,
                     actor=officer_actor(user, row.department))
    row.target_draw, row.status = draw, PlanStatus.DRAWING
    row.save(update_fields=["target_draw", "status"])
    audit_record(actor=officer_actor(user, row.department), action="inspections.plan_draw", obj=row,
                 before={"status": PlanStatus.PUBLISHED},
                 after={"status": row.status, "draw": draw.number})
    return row


def _inspector_draw(inspection: Inspection) -> None:
    """Open the draw of two inspectors for one drawn enterprise, conflicts excluded first."""
    plan = inspection.plan
    inspectors = {i.certificate: i.certificate for i in Inspector.objects.filter(
        department=plan.department, active=True)}
    conflicts = ConflictDeclaration.objects.filter(
        inspector__department=plan.department).values_list("inspector__certificate", "uscc")
    try:
        candidates, excluded = rules.inspector_candidates(inspectors, conflicts,
                                                          inspection.uscc)
    except rules.RuleError as error:
        raise InvalidInput(str(error), code="inspections.inspectors_short") from None
    commit_due, reveal_due = _dues()
    draw = draw_open(
        purpose=f"双随机检查人员：{plan.number} {inspection.uscc}（回避排除{excluded}名）",
        ref=f"inspections.Inspection:{inspection.pk}", candidates=candidates,
        count=rules.INSPECTORS_PER_INSPECTION,
        parties=_parties(plan.department.name, plan.created_by),
        commit_due=commit_due, reveal_due=reveal_due)
    inspection.inspector_draw, inspection.excluded = draw, excluded
    inspection.save(update_fields=["inspector_draw", "excluded"])


def _targets_drawn(plan: Plan, draw: Draw) -> None:
    plan.status = PlanStatus.DRAWN
    plan.save(update_fields=["status"])
    made = [Inspection.objects.create(plan=plan, uscc=uscc, enterprise=plan.pool[uscc])
            for uscc in draw.drawn]
    for inspection in made:  # the process's first event: drawn as a target
        InspectionEvent.of_move(inspection=inspection, action="open", before="",
                                after=inspection.status, actor=SYSTEM,
                                data={"draw": draw.number}).save()
        audit_record(actor=SYSTEM, action="inspections.inspection.open", obj=inspection,
                     after={"status": inspection.status, "draw": draw.number})
    audit_record(actor=SYSTEM, action="inspections.targets_drawn", obj=plan,
                 before={"status": PlanStatus.DRAWING},
                 after={"status": plan.status, "draw": draw.number, "targets": draw.drawn})
    for inspection in made:
        try:
            _inspector_draw(inspection)
        except InvalidInput as short:
            # Too few inspectors without a conflict with this enterprise: the targets stay
            # drawn (their draw is not undone for it); the department adds inspectors and
            # opens this draw again (inspectors_redraw).
            audit_record(actor=SYSTEM, action="inspections.inspectors_short", obj=inspection,
                         after={"message": short.message})


@transaction.atomic
def inspectors_redraw(*, user: User, pk: int) -> Inspection:
    """Open the inspectors' draw of a target left without one (too few inspectors then)."""
    inspection = Inspection.objects.select_for_update(of=("self",)).select_related(
        "plan__department", "plan__created_by").get(pk=pk)
    if inspection.plan.department_id not in officer_department_ids(user):
        raise NotAllowed("只有抽查部门的工作人员可以发起抽取。", code="inspections.forbidden")
    if inspection.status != InspectionStatus.DRAWING or inspection.inspector_draw is not None:
        raise Conflict("该检查已在抽取或已选派检查人员。", code="inspections.state")
    _inspector_draw(inspection)
    audit_record(actor=officer_actor(user, inspection.plan.department),
                 action="inspections.inspectors_redraw", obj=inspection,
                 after={"draw": inspection.inspector_draw.number
                        if inspection.inspector_draw else ""})
    return inspection


def _inspectors_drawn(inspection: Inspection, draw: Draw) -> None:
    engine.transition(INSPECTION_PROCESS, inspection.pk, None, InspectionMoveIn(
        action="assign", drawn=tuple(draw.drawn), draw=draw.number))


def draw_finished(outcome: Outcome[Draw]) -> list[FollowUp]:
    """The engine's listener on draws (AppConfig.ready): a finished draw of this app's makes
    its inspections or assigns their inspectors; an aborted one marks the plan or inspection
    (a new plan is drawn afresh: a draw is not retried with the same candidates)."""
    draw, action = outcome.row, outcome.action
    if action not in ("finish", "abort") \
            or not draw.ref.startswith("inspections."):
        return []
    kind, _, pk = draw.ref.partition(":")

    def follow() -> None:
        if kind == "inspections.Plan":
            plan = Plan.objects.select_for_update().get(pk=int(pk))
            if action == "finish":
                _targets_drawn(plan, draw)
            else:
                plan.status = PlanStatus.ABORTED
                plan.save(update_fields=["status"])
                audit_record(actor=SYSTEM, action="inspections.plan_draw_aborted", obj=plan,
                             after={"draw": draw.number})
        elif kind == "inspections.Inspection":
            engine.transition(INSPECTION_PROCESS, int(pk), None, InspectionMoveIn(
                action="assign" if action == "finish" else "abort",
                drawn=tuple(draw.drawn), draw=draw.number))
            if action == "finish":
                _inspectors_told(int(pk), draw)
    return [follow]


def _inspectors_told(pk: int, draw: Draw) -> None:
    """Each drawn inspector is told, in the assignment's transaction, where to find the
    inspection and by when it is due (an inspector learning it from the public plan page
    would be the first to know last)."""
    inspection = Inspection.objects.select_related("plan__item").get(pk=pk)
    drawn = list(Inspector.objects.filter(certificate__in=draw.drawn).select_related("user"))
    due = f"，请于{inspection.due_on:%Y年%m月%d日}前完成检查并录入结果" if inspection.due_on else ""
    notify(recipients=[i.user for i in drawn], category="inspection",
           title=f"您被抽中参加双随机抽查（{inspection.plan.number}）",
           body=f"您被随机抽中检查{inspection.enterprise}（{inspection.plan.item.name}）{due}。"
                "如与该企业存在利害关系，请立即申报回避。",
           link=reverse("inspections:mine"), dedupe_key=f"inspection-drawn:{pk}")

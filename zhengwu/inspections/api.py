"""互联网+监管 API (/api/v1/inspections/…, issue 15 §3).

- `GET /items` (public): the supervision items (监管事项清单); `GET /items/{code}` one.
- `POST /items` {"code","name","items":[basic_code…],"legal_basis","method"}: an officer of
  exactly one department registers an item for it (403 otherwise; 422 with the field's message).
- `GET /inspectors` (staff: the department's officers, 电子监察 all): the register with names.
- `GET /plans`, `GET /plans/{number}` (public): published plans with pool, count and draws;
  `POST /plans`, `POST /plans/{number}/moves` {"action": "publish"|"draw"}: the department.
- `GET /inspections`, `GET /inspections/{id}`: the department's, one's own (a drawn
  inspector) or all (电子监察); `POST /inspections/{id}/moves` {"action": "result" | "recheck"
  | "publish", …}: a drawn inspector records (a recheck says "remedied": true|false; 立案查处
  or not remedied writes a 失信记录); an officer publishes.
- `GET /results` (public): published results, no inspector.
- `POST /inspectors` {"username","certificate"}: an officer registers one of the department's
  staff; `POST /conflicts` {"certificate","uscc","reason","note"}: the inspector (or the
  department's officer) declares an enterprise he or she may not inspect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core.errors import NotAllowed
from zhengwu.inspections import plans, results, services
from zhengwu.inspections.models import (
    ConflictReason,
    Inspection,
    InspectionMethod,
    SupervisionItem,
)
from zhengwu.inspections.selectors import (
    inspectors_for,
    item_public,
    items_public,
    plan_public,
    plans_public,
    result_public,
    results_public,
)

router = Router(tags=["互联网+监管"])


class ServiceItemOut(Schema):
    basic_code: str
    name: str


class SupervisionItemOut(Schema):
    code: str
    name: str
    department: str
    items: list[ServiceItemOut]
    legal_basis: str
    method: str
    method_label: str
    illustrative: bool = Field(description="示例数据")


@router.get("/items", response=list[SupervisionItemOut], auth=None, summary="监管事项清单")
def items(request: HttpRequest) -> list[dict[str, Any]]:
    return [item_public(row) for row in items_public()]


@router.get("/items/{code}", response=SupervisionItemOut, auth=None, summary="一项监管事项")
def item(request: HttpRequest, code: str) -> dict[str, Any]:
    return item_public(items_public().get(code=code))


class ItemIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    items: list[str] = Field(max_length=50, description="对应政务服务事项的基本编码")
    legal_basis: str = Field(max_length=2000)
    method: str = Field(max_length=12, description="、".join(InspectionMethod.values))


@router.post("/items", response={201: SupervisionItemOut}, auth=django_auth, summary="登记监管事项")
def item_add(request: HttpRequest, body: ItemIn) -> Status[Any]:
    row = services.item_create(user=cast(User, request.user), data=services.ItemIn(
        code=body.code, name=body.name, item_codes=body.items, legal_basis=body.legal_basis,
        method=body.method))
    return Status(201, item_public(SupervisionItem.objects.get(pk=row.pk)))


class ConflictOut(Schema):
    uscc: str
    reason: str


class InspectorOut(Schema):
    certificate: str
    name: str = Field(description="仅工作人员可见")
    department: str
    active: bool
    conflicts: list[ConflictOut]


def _inspector(row: Any) -> dict[str, Any]:
    return {"certificate": row.certificate,
            "name": row.user.display_name or row.user.username,
            "department": row.department.name, "active": row.active,
            "conflicts": [{"uscc": c.uscc, "reason": c.reason} for c in row.conflicts.all()]}


@router.get("/inspectors", response=list[InspectorOut], auth=django_auth,
            summary="执法检查人员名录库（工作人员）")
def inspectors(request: HttpRequest) -> list[dict[str, Any]]:
    user = cast(User, request.user)
    if services.is_supervisor(user):
        return [_inspector(r) for r in inspectors_for(None)]
    if not services.officer_department_ids(user):
        raise NotAllowed("只有部门工作人员和电子监察可以查看执法检查人员名录库。",
                         code="inspections.forbidden")
    return [_inspector(r) for r in inspectors_for(services.officer_department_ids(user))]


class InspectorIn(Schema):
    username: str = Field(max_length=150)
    certificate: str = Field(max_length=30)


@router.post("/inspectors", response={201: InspectorOut}, auth=django_auth,
             summary="登记执法检查人员")
def inspector_add(request: HttpRequest, body: InspectorIn) -> Status[Any]:
    row = services.inspector_register(user=cast(User, request.user), username=body.username,
                                      certificate=body.certificate)
    return Status(201, _inspector(inspectors_for(None).get(pk=row.pk)))


class ConflictIn(Schema):
    certificate: str = Field(max_length=30)
    uscc: str = Field(max_length=18)
    reason: str = Field(max_length=12, description="、".join(ConflictReason.values))
    note: str = Field("", max_length=200)


@router.post("/conflicts", response={201: ConflictOut}, auth=django_auth, summary="申报回避")
def conflict_add(request: HttpRequest, body: ConflictIn) -> Status[Any]:
    row = services.conflict_declare(user=cast(User, request.user), certificate=body.certificate,
                                    uscc=body.uscc, reason=body.reason, note=body.note)
    return Status(201, {"uscc": row.uscc, "reason": row.reason})


# --- 双随机一公开: plans, inspections, public results ---------------------------------------


class PoolOut(Schema):
    uscc: str
    name: str


class PlanInspectionOut(Schema):
    uscc: str
    enterprise: str
    status: str
    inspector_draw: str = Field(description="抽取检查人员的抽取编号（/api/v1/draws/{number}）")
    excluded: int = Field(description="因利害关系回避、抽取前排除的人数")
    due_on: str


class PlanOut(Schema):
    number: str
    name: str
    department: str
    item: str
    item_name: str
    status: str
    status_label: str
    pool_rule: str
    pool: list[PoolOut]
    percent: str
    target_count: int
    due_workdays: int
    target_draw: str
    inspections: list[PlanInspectionOut]


@router.get("/plans", response=list[PlanOut], auth=None, summary="公布的抽查计划")
def plan_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [plan_public(row) for row in plans_public()]


@router.get("/plans/{number}", response=PlanOut, auth=None, summary="一项公布的抽查计划")
def plan_one(request: HttpRequest, number: str) -> dict[str, Any]:
    return plan_public(plans_public().get(number=number))


class PlanIn(Schema):
    name: str = Field(max_length=200)
    item: str = Field(max_length=40, description="监管事项编码")
    percent: str = Field(max_length=6)
    due_workdays: int = Field(ge=1, le=120)
    region_prefix: str = Field("", max_length=6)


class PlanStaffOut(Schema):
    number: str
    status: str


@router.post("/plans", response={201: PlanStaffOut}, auth=django_auth, summary="拟定抽查计划")
def plan_add(request: HttpRequest, body: PlanIn) -> Status[Any]:
    row = plans.plan_create(user=cast(User, request.user), data=plans.PlanIn(
        name=body.name, item_code=body.item, percent=body.percent,
        due_workdays=body.due_workdays, region_prefix=body.region_prefix))
    return Status(201, {"number": row.number, "status": row.status})


class PlanMoveIn(Schema):
    action: Literal["publish", "draw"]


@router.post("/plans/{number}/moves", response=PlanStaffOut, auth=django_auth,
             summary="公布计划或发起抽取")
def plan_move(request: HttpRequest, number: str, body: PlanMoveIn) -> dict[str, Any]:
    user = cast(User, request.user)
    row = (plans.plan_publish if body.action == "publish" else plans.plan_draw)(
        user=user, number=number)
    return {"number": row.number, "status": row.status}


class InspectionOut(Schema):
    id: int
    plan: str
    uscc: str
    enterprise: str
    status: str
    inspectors: list[str] = Field(description="执法证号")
    due_on: str
    result: str
    findings: str
    result_on: str
    rectify_due: str
    disclosure_due: str
    published: bool


def _inspection(row: Inspection) -> dict[str, Any]:
    return {"id": row.pk, "plan": row.plan.number, "uscc": row.uscc,
            "enterprise": row.enterprise, "status": row.status,
            "inspectors": sorted(i.certificate for i in row.inspectors.all()),
            "due_on": str(row.due_on or ""), "result": row.result, "findings": row.findings,
            "result_on": str(row.result_on or ""), "rectify_due": str(row.rectify_due or ""),
            "disclosure_due": str(row.disclosure_due or ""),
            "published": row.published_at is not None}


def _inspections_for(user: User) -> Any:
    rows = Inspection.objects.select_related("plan").prefetch_related("inspectors")
    if services.is_supervisor(user):
        return rows
    return rows.filter(Q(plan__department_id__in=services.officer_department_ids(user))
                       | Q(inspectors__user=user)).distinct()


@router.get("/inspections", response=list[InspectionOut], auth=django_auth,
            summary="检查任务（本部门、本人或电子监察）")
def inspection_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_inspection(r) for r in _inspections_for(cast(User, request.user))]


@router.get("/inspections/{inspection_id}", response=InspectionOut, auth=django_auth,
            summary="一项检查任务")
def inspection_one(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    return _inspection(_inspections_for(cast(User, request.user)).get(pk=inspection_id))


class InspectionMoveIn(Schema):
    action: Literal["result", "recheck", "publish"]
    result: str = Field("", max_length=12)
    findings: str = Field("", max_length=4000)
    result_on: dt.date | None = None
    rectify_workdays: int = Field(0, ge=0, le=60)
    remedied: bool | None = None  # recheck: required there


@router.post("/inspections/{inspection_id}/moves", response=InspectionOut, auth=django_auth,
             summary="记录检查结果、复查或公示结果")
def inspection_move(request: HttpRequest, inspection_id: int,
                    body: InspectionMoveIn) -> dict[str, Any]:
    user = cast(User, request.user)
    if not _inspections_for(user).filter(pk=inspection_id).exists():
        raise Inspection.DoesNotExist
    if body.action == "result":
        results.result_record(user=user, pk=inspection_id, result=body.result,
                              findings=body.findings, result_on=body.result_on,
                              rectify_workdays=body.rectify_workdays)
    elif body.action == "recheck":
        results.recheck_record(user=user, pk=inspection_id, findings=body.findings,
                               remedied=body.remedied)
    else:
        results.result_publish(user=user, pk=inspection_id)
    return _inspection(Inspection.objects.get(pk=inspection_id))


class ResultOut(Schema):
    plan: str
    uscc: str
    enterprise: str
    item: str
    department: str
    result: str
    result_label: str
    result_on: str
    published_at: str
    ledger_index: int | None = Field(description="透明日志条目序号（inspection.result）")


@router.get("/results", response=list[ResultOut], auth=None, summary="抽查结果公示")
def result_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [result_public(r) for r in results_public()]

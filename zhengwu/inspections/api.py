"""互联网+监管 API (/api/v1/inspections/…, issue 15 §3).

- `GET /items` (public): the supervision items (监管事项清单); `GET /items/{code}` one.
- `POST /items` {"code","name","items":[basic_code…],"legal_basis","method"}: an officer of
  exactly one department registers an item for it (403 otherwise; 422 with the field's message).
- `GET /inspectors` (staff: the department's officers, 电子监察 all): the register with names.
- `POST /inspectors` {"username","certificate"}: an officer registers one of the department's
  staff; `POST /conflicts` {"certificate","uscc","reason","note"}: the inspector (or the
  department's officer) declares an enterprise he or she may not inspect.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core.errors import NotAllowed
from zhengwu.inspections import services
from zhengwu.inspections.models import ConflictReason, InspectionMethod, SupervisionItem
from zhengwu.inspections.selectors import inspectors_for, item_public, items_public

router = Router(tags=["互联网+监管"])


class ServiceItemOut(Schema):
    basic_code: str
    name: str


class ItemOut(Schema):
    code: str
    name: str
    department: str
    items: list[ServiceItemOut]
    legal_basis: str
    method: str
    method_label: str
    illustrative: bool = Field(description="示例数据")


@router.get("/items", response=list[ItemOut], auth=None, summary="监管事项清单")
def items(request: HttpRequest) -> list[dict[str, Any]]:
    return [item_public(row) for row in items_public()]


@router.get("/items/{code}", response=ItemOut, auth=None, summary="一项监管事项")
def item(request: HttpRequest, code: str) -> dict[str, Any]:
    return item_public(items_public().get(code=code))


class ItemIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    items: list[str] = Field(max_length=50, description="对应政务服务事项的基本编码")
    legal_basis: str = Field(max_length=2000)
    method: str = Field(max_length=12, description="、".join(InspectionMethod.values))


@router.post("/items", response={201: ItemOut}, auth=django_auth, summary="登记监管事项")
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

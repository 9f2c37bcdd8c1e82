"""Departments API: `/api/v1/departments`."""

# No `from __future__ import annotations` here: ninja resolves a view's string annotations in
# the globals of the function it is given, which for @paginate views is ninja's own wrapper,
# so every paginated endpoint would fail with a 500 (PydanticUserError: not fully defined).

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhengwu.core.schemas import Pagination, PathId
from zhengwu.departments import selectors
from zhengwu.departments.models import Department, DepartmentKind

router = Router(tags=["departments"])


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    uscc: str
    region_code: str = Field(..., alias="region_id")
    phone: str
    address: str


class DepartmentQuery(Schema):
    region: str | None = Field(None, pattern=r"^\d{12}$")
    kind: DepartmentKind | None = None
    q: str | None = Field(None, max_length=50)


@router.get("", response=list[DepartmentOut])
@paginate(Pagination)
def list_departments(request: HttpRequest, query: Query[DepartmentQuery]) -> QuerySet[Department]:
    return selectors.department_list(region=query.region, kind=query.kind, q=query.q)


@router.get("/{department_id}", response=DepartmentOut)
def get_department(request: HttpRequest, department_id: PathId) -> Department:
    return selectors.department_get(department_id=department_id)

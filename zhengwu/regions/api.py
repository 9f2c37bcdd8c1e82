"""Regions API: `/api/v1/regions`."""

# No `from __future__ import annotations` here: ninja resolves a view's string annotations in
# the globals of the function it is given, which for @paginate views is ninja's own wrapper,
# so every paginated endpoint would fail with a 500 (PydanticUserError: not fully defined).

from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from zhengwu.core.schemas import Pagination
from zhengwu.regions import selectors
from zhengwu.regions.models import Region, RegionLevel

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = Field(None, alias="parent_id")


class RegionQuery(Schema):
    parent: str | None = Field(None, pattern=r"^\d{12}$")
    level: RegionLevel | None = None
    within: str | None = Field(None, pattern=r"^\d{12}$")


@router.get("", response=list[RegionOut])
@paginate(Pagination)
def list_regions(request: HttpRequest, query: Query[RegionQuery]) -> QuerySet[Region]:
    return selectors.region_list(parent=query.parent, level=query.level, within=query.within)


@router.get("/{code}", response=RegionOut)
def get_region(request: HttpRequest, code: Annotated[str, Path(pattern=r"^\d{12}$")]) -> Region:
    return selectors.region_get(code=code)

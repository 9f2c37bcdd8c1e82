"""Shared API types: bounded ids so that no path parameter can overflow the database, and the
one pagination of every list (`limit` 1–100, `offset` bounded; architecture.md, API conventions).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Path, Schema
from ninja.pagination import LimitOffsetPagination

MAX_ID = 2**63 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000_000


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=` with bounds, so that a huge or zero value is a 422, never a 500."""

    class Input(Schema):
        limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)  # type: ignore[arg-type]


class AccessGroupOut(Schema):
    """One line of 谁查看过我的办件 (core.access_log): a staff member of a department read the
    person's data for a purpose on a day, `times` times between `first_at` and `last_at`."""

    day: dt.date
    who: str = Field(description="工作人员")
    department: str = Field(description="部门")
    purpose: str = Field(description="用途")
    unmasked: bool = Field(description="是否查看了完整身份信息")
    times: int = Field(description="次数")
    first_at: dt.datetime
    last_at: dt.datetime


class AccessPage(Schema):
    items: list[AccessGroupOut]
    count: int = Field(description="行数（按日、工作人员、部门、用途合并）")
    total: int = Field(description="查看总次数")

"""GET /api/v1/hotline/results?month=YYYY-MM — the 三率 as JSON (issue 13 §4): the same report
the staff page shows (results_report), for the same people (results_selectors.scope_for).
Mounted by config/api.py on /hotline next to the hotline's own router.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.hotline import results_report, results_selectors

router = Router(tags=["12345热线"], auth=django_auth)


class ResultsQuery(Schema):
    month: str = Field("", pattern=r"^(20\d{2}-(0[1-9]|1[0-2]))?$",
                       description="月份 YYYY-MM（默认本月，北京时间）")


class RatesOut(Schema):
    dispatched: int
    signed_on_time: int
    signed_late: int
    callbacks: int
    resolved: int
    rated: int
    satisfied: int
    received: int
    direct: int
    closed: int
    closed_on_time: int
    overdue: int
    returned: int
    reopened: int
    response_rate: float | None = Field(description="响应率 0..1；无派单时为 null")
    resolution_rate: float | None = Field(description="解决率 0..1；无回访时为 null")
    satisfaction_rate: float | None = Field(description="满意率 0..1；无评价时为 null")


class RowOut(RatesOut):
    key: str = Field(description="部门 ID 或诉求分类编码；空为尚未派单/未分类")
    label: str


class MonthOut(RatesOut):
    month: str


class TopicOut(Schema):
    key: str
    label: str
    count: int
    previous: int
    rise: int


class HotOut(Schema):
    previous_month: str
    categories: list[TopicOut]
    regions: list[TopicOut]
    rising_categories: list[TopicOut]
    rising_regions: list[TopicOut]


class ResultsOut(Schema):
    month: str
    total: RatesOut
    departments: list[RowOut]
    categories: list[RowOut]
    trend: list[MonthOut]
    hot_topics: HotOut
    definitions: str


@router.get("/results", response=ResultsOut, summary="12345 三率（响应率、解决率、满意率）")
def get_results(request: HttpRequest, query: Query[ResultsQuery]) -> dict[str, Any]:
    scope = results_selectors.scope_for(cast(User, request.user))
    if scope is None:
        raise PermissionDenied("12345 三率统计仅供 12345 话务员、电子监察、系统管理员和承办部门工作人员查看。")
    month = results_report.month_parse(query.month, today=clock.today())
    return results_report.report(scope, month=month, now=clock.now()).as_json()

"""督查督办 API (/api/v1/plan/…), part of the public contract (docs/plan.md):
- `GET /plan/measures` (public): the plan's measures with their tasks, targets, each target's
  live figure (value, unit, as-of) and each task's status;
- `POST /plan/tasks/{id}/reports` (a lead or co-department's staff): a monthly progress report;
- `POST /plan/tasks/{id}/comments` (电子监察): a supervisor's comment.
The public answer carries no personal data: neither reporters' nor supervisors' names."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.plan import selectors, services

router = Router(tags=["督查督办"], auth=django_auth)


class PlanFigureOut(Schema):
    key: str = Field(..., description="实时指标键（plan.figures），可带参数，如 bundle_longest_days:LY-QYKB")
    label: str
    unit: str
    value: float | None = Field(..., description="指标值；暂无数据时为 null")
    period: str = Field(..., description="按月指标的月份 YYYY-MM；时点指标为空")
    as_of: dt.datetime = Field(..., description="计算时间")
    definition: str
    source: str


class PlanTargetOut(Schema):
    number: int
    text: str
    figure: PlanFigureOut | None = Field(..., description="由平台实时计算的指标；无则由部门报送")
    comparison: str = Field(..., description=">= 或 <=；仅展示的指标为空")
    threshold: float | None
    met: bool | None = Field(..., description="是否达标；无目标值或暂无数据时为 null")


class PlanReportOut(Schema):
    month: str
    department: str
    text: str
    completed: bool
    has_evidence: bool
    reported_at: dt.datetime


class PlanTaskOut(Schema):
    id: int
    number: int
    text: str = Field(..., description="主要任务（举措分为几项任务时各项的原文；否则为空，见举措原文）")
    lead_units: str = Field(..., description="牵头单位（方案原文）")
    co_units: str = Field(..., description="配合单位（方案原文）")
    lead_departments: list[str]
    co_departments: list[str]
    responsible: str
    deadline: dt.date | None = Field(..., description="完成时限；长期坚持为 null")
    deadline_text: str
    status: str = Field(..., description="on_track / at_risk / late / done")
    status_label: str = Field(..., description="正常推进 / 有风险 / 已逾期 / 已完成")
    status_reasons: list[str]
    latest_report: PlanReportOut | None


class PlanMeasureOut(Schema):
    number: int
    group_number: int
    group: str
    title: str
    text: str
    tasks: list[PlanTaskOut]
    targets: list[PlanTargetOut]


class PlanMeasurePage(Schema):
    items: list[PlanMeasureOut]
    count: int


class PlanPageQuery(Schema):
    limit: int = Field(100, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


def _report(report: Any) -> dict[str, Any] | None:
    if report is None:
        return None
    return {"month": f"{report.month:%Y-%m}", "department": report.department.short_name,
            "text": report.text, "completed": report.completed,
            "has_evidence": bool(report.evidence), "reported_at": report.created_at}


def _target(target: selectors.TargetView) -> dict[str, Any]:
    figure = None
    if target.figure is not None and target.reading is not None:
        figure = {"key": target.figure_key, "label": target.figure.label,
                  "unit": target.figure.unit, "value": target.reading.value,
                  "period": target.reading.period, "as_of": target.reading.as_of,
                  "definition": target.figure.definition, "source": target.figure.source}
    return {"number": target.number, "text": target.text, "figure": figure,
            "comparison": target.comparison,
            "threshold": float(target.threshold) if target.threshold is not None else None,
            "met": target.met}


def _task(view: selectors.TaskView) -> dict[str, Any]:
    task = view.task
    return {"id": task.pk, "number": task.number, "text": task.text,
            "lead_units": task.lead_units,
            "co_units": task.co_units, "lead_departments": view.lead,
            "co_departments": view.co, "responsible": task.responsible,
            "deadline": task.deadline, "deadline_text": task.deadline_text,
            "status": view.verdict.status.value, "status_label": view.verdict.label,
            "status_reasons": list(view.verdict.reasons), "latest_report": _report(view.latest)}


def measure_out(view: selectors.MeasureView) -> dict[str, Any]:
    measure = view.measure
    return {"number": measure.number, "group_number": measure.group_number,
            "group": measure.group, "title": measure.title, "text": measure.text,
            "tasks": [_task(t) for t in view.tasks],
            "targets": [_target(t) for t in view.targets]}


@router.get("/measures", response=PlanMeasurePage, auth=None)
def measures(request: HttpRequest, page: Query[PlanPageQuery]) -> dict[str, Any]:
    """行动方案的全部举措：任务（牵头、配合部门，完成时限）、目标及其实时指标（值、单位、计算时间）、
    每项任务的状态（正常推进、有风险、已逾期、已完成）。"""
    found = selectors.overview().measures
    return {"items": [measure_out(v) for v in found[page.offset:page.offset + page.limit]],
            "count": len(found)}


class PlanReportIn(Schema):
    month: str = Field(..., max_length=7, description="报送月份 YYYY-MM")
    text: str = Field(..., max_length=5000, description="进展情况")
    completed: bool = Field(False, description="是否已完成")
    department_id: int | None = Field(None, ge=1, le=2**31 - 1,
                                      description="报送部门（兼任多个部门时指定）")


class PlanReportCreatedOut(Schema):
    id: int
    month: str
    department: str
    completed: bool


class PlanCommentIn(Schema):
    text: str = Field(..., max_length=5000, description="督办意见")


class PlanCommentOut(Schema):
    id: int
    text: str
    created_at: dt.datetime


@router.post("/tasks/{task_id}/reports", response={201: PlanReportCreatedOut})
def report(request: HttpRequest, task_id: int, body: PlanReportIn) -> Status[dict[str, Any]]:
    """部门报送任务的月度进展（佐证材料请在工作台页面上传）。"""
    saved = services.report_submit(task=selectors.task_get(task_id),
                                   user=cast(User, request.user), month=body.month,
                                   text=body.text, completed=body.completed,
                                   department_id=body.department_id)
    return Status(201, {"id": saved.pk, "month": f"{saved.month:%Y-%m}",
                        "department": saved.department.short_name,
                        "completed": saved.completed})


@router.post("/tasks/{task_id}/comments", response={201: PlanCommentOut})
def comment(request: HttpRequest, task_id: int, body: PlanCommentIn) -> Status[dict[str, Any]]:
    """电子监察填写督办意见。"""
    saved = services.comment_add(task=selectors.task_get(task_id),
                                 user=cast(User, request.user), text=body.text)
    return Status(201, {"id": saved.pk, "text": saved.text, "created_at": saved.created_at})

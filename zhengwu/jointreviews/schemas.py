"""API schemas of joint reviews: what a client sends (bounded, so bad input is a 422, never a
500) and what it gets back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from zhengwu.core.schemas import MAX_ID, MAX_LIMIT, MAX_OFFSET
from zhengwu.jointreviews.models import ReviewKind, ReviewStatus

DepartmentId = Annotated[int, Field(ge=1, le=MAX_ID)]

# --- input ----------------------------------------------------------------------------------


class ScheduleBody(Schema):
    """安排联合审查. Give the answer deadline either as a moment (`answer_due_at`) or as a
    number of working days after the session day (`answer_workdays`), not both."""

    model_config = ConfigDict(extra="forbid")

    kind: ReviewKind = Field(..., description="site_survey 联合踏勘、drawing_review 联合审图、"
                                              "acceptance 联合验收")
    title: str = Field(..., max_length=200, description="项目名称")
    description: str = Field("", max_length=5000, description="审查内容")
    lead_department_id: DepartmentId = Field(..., description="牵头部门")
    required_department_ids: list[DepartmentId] = Field(..., max_length=50,
                                                        description="必须参加的部门（至少一个）")
    optional_department_ids: list[DepartmentId] = Field(default_factory=list, max_length=50,
                                                        description="列席部门（可选）")
    place: str = Field(..., max_length=200, description="地点")
    starts_at: dt.datetime = Field(..., description="会议时间（无时区时按北京时间）")
    answer_due_at: dt.datetime | None = Field(None, description="答复截止时间")
    answer_workdays: Decimal | None = Field(None, gt=0, le=60, max_digits=3, decimal_places=1,
                                            description="答复时限：会议日后的工作日数（可为半天）")
    case_number: str = Field("", max_length=32, description="关联办件编号（可选）")
    bundle_number: str = Field("", max_length=32, description="关联一件事编号（可选）")


class OpinionBody(Schema):
    model_config = ConfigDict(extra="forbid")

    opinion: Literal["agree", "conditional", "disagree"] = Field(
        ..., description="agree 同意、conditional 有条件同意、disagree 不同意")
    conditions: str = Field("", max_length=5000, description="有条件同意时必填：条件")
    reasons: str = Field("", max_length=5000, description="不同意时必填：理由")
    attended: bool | None = Field(None, description="是否到场（不填则保持已登记的情况）")


class CloseBody(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=5000, description="牵头部门说明（可选）")


class CancelBody(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., max_length=5000, description="取消理由")


class ReviewFilter(Schema):
    status: ReviewStatus | None = None
    kind: ReviewKind | None = None
    q: str | None = Field(None, max_length=50, description="联审编号前缀或项目名称")
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


class AbsenceFilter(Schema):
    department: int | None = Field(None, ge=1, le=MAX_ID)
    since: dt.date | None = Field(None, description="记录起始日（默认全部）")
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


class JointReviewPageQuery(Schema):
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


# --- output ---------------------------------------------------------------------------------


class ParticipantOut(Schema):
    department_id: int
    department: str
    required: bool
    attended: bool | None
    opinion: str
    opinion_label: str
    conditions: str
    reasons: str
    answered_at: dt.datetime | None
    defaulted: bool = Field(..., description="逾期未答复，视为无意见（缺席默认）")
    state_label: str


class JointReviewProgressOut(Schema):
    required: int
    answered: int
    defaulted: int
    pending: int


class ReviewSummaryOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    title: str
    lead_department_id: int
    lead_department: str
    place: str
    starts_at: dt.datetime
    answer_due_at: dt.datetime
    due_provisional: bool
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    case_number: str
    bundle_number: str


class ReviewOut(ReviewSummaryOut):
    description: str
    answer_workdays: Decimal | None
    result_number: str | None
    concluded_at: dt.datetime | None
    conclusion_note: str
    participants: list[ParticipantOut]
    progress: JointReviewProgressOut
    my_departments: list[int] = Field(..., description="调用者可代为签到、出具意见的受邀部门")
    can_close: bool
    can_cancel: bool


class ReviewPage(Schema):
    items: list[ReviewSummaryOut]
    count: int


class JointReviewEventOut(Schema):
    id: int
    action: str
    label: str
    department: str
    actor_label: str
    role: str
    department_label: str
    reason: str
    data: dict[str, Any]
    at: dt.datetime


class JointReviewEventPage(Schema):
    items: list[JointReviewEventOut]
    count: int


class AbsenceOut(Schema):
    id: int
    review_id: int
    review_number: str
    review_title: str
    department_id: int
    department: str
    kind: str
    kind_label: str
    due_at: dt.datetime
    recorded_at: dt.datetime


class AbsenceCountOut(Schema):
    department_id: int
    department: str
    count: int


class AbsencePage(Schema):
    items: list[AbsenceOut]
    count: int
    by_department: list[AbsenceCountOut]

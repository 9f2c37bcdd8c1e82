"""API schemas of case handling: what a client sends (bounded, so bad input is a 422, never a
500) and what it gets back (personal data masked unless the caller may see it whole)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from zhengwu.cases.models import CaseStatus
from zhengwu.core.schemas import MAX_ID, MAX_LIMIT, MAX_OFFSET

# licence: a licence the applicant holds instead of the material (its identifier in
# `licence`); shared_data: the material's shared data item fetched with the applicant's
# consent (its code in `item`, or in `reference`). e_license is kept for older clients.
MaterialKindIn = Literal["upload", "commitment", "shared_data", "e_license", "licence", "paper"]
# cross_region is never chosen: the platform sets it when the accepting region is elsewhere.
ChannelIn = Literal["online", "window", "mobile", "self_service", "proxy"]
# deem_approved is the platform's own move (sweeps), so a client cannot ask for it.
ActionIn = Literal["ask_supplement", "supplement", "accept", "refuse", "review_pass",
                   "review_return", "suspend", "resume", "extend", "grant", "deny", "close",
                   "deliver", "withdraw", "revoke"]


# --- input ----------------------------------------------------------------------------------


class FormIn(Schema):
    """申请表 (GB/T 39046 Table 5): checked field by field by cases.formdef."""

    model_config = ConfigDict(extra="forbid")

    applicant_name: str = Field("", max_length=150, description="申请人姓名/名称")
    id_number: str = Field("", max_length=30, description="身份证号码或统一社会信用代码")
    phone: str = Field("", max_length=20, description="联系电话")
    address: str = Field("", max_length=300, description="联系地址")
    description: str = Field("", max_length=2000, description="申请事项说明")


class MaterialSpecIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200, description="材料名称（与办事指南一致）")
    kind: MaterialKindIn = Field(..., description="提供方式")
    file_field: str | None = Field(None, min_length=1, max_length=100,
                                   description="上传文件所在的 multipart 字段名（kind=upload 时必填）")
    reference: str = Field("", max_length=200, description="证照或共享数据的引用")
    licence: str = Field("", max_length=120,
                         description="kind=licence 时必填：以申请人本人（或所代表企业）持有的有效电子"
                                     "证照代替本材料，填证照标识（GB/T 36904）；须为本材料所需的证照"
                                     "类型。提交即表示持证人同意本次使用，记入其“谁用了我的证照/数据”。")
    item: str = Field("", max_length=40,
                      description="kind=shared_data 时可填：本材料可由其代替的共享数据项编码（见办事"
                                  "指南材料的 shared_item_code）；提交即表示同意部门调取。")


class SubmitIn(Schema):
    """The JSON in the `payload` part of a multipart submission."""

    model_config = ConfigDict(extra="forbid")

    implementation_id: int = Field(..., ge=1, le=MAX_ID, description="事项实施清单 id")
    form: FormIn
    channel: ChannelIn = "online"
    materials: list[MaterialSpecIn] = Field(default_factory=list, max_length=50)
    applicant_id: int | None = Field(None, ge=1, le=MAX_ID,
                                     description="代他人申请时的申请人账号（窗口、帮代办）")
    on_behalf_of: str | None = Field(
        None, min_length=1, max_length=64,
        description="以授权人（委托人、企业）的名义申请：对方的用户名、手机号或统一社会信用代码；"
                    "须有对方给本人的有效授权，且授权范围包括所申请事项")
    accepting_region: str | None = Field(None, pattern=r"^\d{12}$", description="受理地区划代码")
    answers: dict[str, Any] | None = Field(
        None, description=(
            "本事项自己的申请表的答案（事项有申请表时必填，其 JSON Schema 见事项的表单接口）："
            "文本为字符串，日期 YYYY-MM-DD，日期区间 {start,end}，区划为 12 位代码，多选为列表，"
            "是否为 true/false，重复组为对象列表；文件写作 {\"file_field\": \"multipart 字段名\"}。"
            "有误时回答 422 {\"code\": \"form.invalid\", \"detail\": \"申请表有误：路径：说明；…\"}，"
            "路径形如 key、group.0.sub、range.start。"))


class SupplementIn(Schema):
    """The JSON in the `payload` part of a multipart supplement (补正)."""

    model_config = ConfigDict(extra="forbid")

    materials: list[MaterialSpecIn] = Field(..., min_length=1, max_length=50)
    reason: str = Field("", max_length=2000)


class SupplementItemIn(Schema):
    material: str = Field(..., min_length=1, max_length=200)
    reason: str = Field("", max_length=500)


class MoveBody(Schema):
    model_config = ConfigDict(extra="forbid")

    action: ActionIn
    reason: str = Field("", max_length=2000)
    supplement_items: list[SupplementItemIn] = Field(default_factory=list, max_length=50)
    procedure_kind: str = Field("", max_length=20)
    extra_workdays: int = Field(0, ge=0, le=250)
    approver: str = Field("", max_length=100)
    delivery_method: str = Field("", max_length=12)
    tracking_number: str = Field("", max_length=40)


class UnmaskIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, description="查看完整个人信息的理由")


class VerificationIn(Schema):
    truthful: bool
    finding: str = Field(..., min_length=1, max_length=2000)


class CaseFilter(Schema):
    status: CaseStatus | None = None
    card: Literal["yellow", "red"] | None = None
    department: int | None = Field(None, ge=1, le=MAX_ID)
    q: str | None = Field(None, max_length=50, description="办件编号前缀或事项名称")
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


class PageQuery(Schema):
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


class ProgressQuery(Schema):
    number: str = Field(..., pattern=r"^\d{1,32}$", description="办件编号")
    id_number: str = Field(..., min_length=1, max_length=30, description="申请人证件号码")


class MonitoringQuery(Schema):
    # The trend has a row per week since then: bounded, so a query cannot ask for 100,000.
    since: dt.date | None = Field(None, ge=dt.date(2000, 1, 1),
                                  description="统计起始日（默认 90 天前；不早于 2000-01-01）")
    department: int | None = Field(None, ge=1, le=MAX_ID)


# --- output ---------------------------------------------------------------------------------


class CaseSummaryOut(Schema):
    number: str
    status: str
    status_label: str
    item_name: str
    implementation_id: int
    department_id: int
    department: str
    applicant_name: str
    channel: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    due_provisional: bool
    card: str = Field(..., description="电子监察：yellow 黄牌预警，red 红牌超时，空为无")
    remaining_workdays: int | None = Field(
        None, description="剩余工作日（受理后计算，超期为负；特别程序中停在暂停时）")


class CasePage(Schema):
    items: list[CaseSummaryOut]
    count: int


class CaseMaterialOut(Schema):
    name: str
    kind: str
    original_name: str
    content_type: str
    size: int
    reference: str
    reference_version: int | None = Field(None, description="所用电子证照的版本号")
    reference_sm3: str = Field("", description="所用电子证照签名原文（或共享数据）的 SM3")
    supplement: bool
    added_at: dt.datetime


class CaseOut(Schema):
    number: str
    status: str
    status_label: str
    implementation_id: int
    item_name: str
    item_version: int
    department_id: int
    department: str
    region_code: str
    accepting_region_code: str
    applicant_kind: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    address: str
    description: str
    masked: bool = Field(..., description="证件号码、电话、地址是否已脱敏")
    identity_basis: str = Field("", description=(
        "申请身份依据：self 本人账号（已实名）| authorization 经授权代为申请 | in_person 窗口当面核验证件"))
    submitted_by: str = Field("", description="提交人（经授权代为申请时为经办人）")
    authorization_id: int | None = Field(None, description="经授权代为申请时所依据的授权")
    channel: str
    decision: str
    by_commitment: bool
    promised_workdays: Decimal
    approval_step: int
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    due_provisional: bool
    suspended_at: dt.datetime | None
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    delivered_at: dt.datetime | None
    delivery_method: str
    tracking_number: str
    card: str = Field(..., description="电子监察：yellow 黄牌预警，red 红牌超时，空为无")
    remaining_workdays: int | None = Field(
        None, description="剩余工作日（受理后计算，超期为负；特别程序中停在暂停时）")
    supplement_items: list[dict[str, str]] = Field(default_factory=list,
                                                   description="一次性补正告知的清单")
    answers: dict[str, Any] | None = Field(
        None, description="本事项申请表的答案（证件号码、电话、地址按脱敏规则与 masked 一致）；"
                          "文件为 {name, material}，material 为办件材料名称")
    materials: list[CaseMaterialOut]


class EventOut(Schema):
    id: int
    action: str
    label: str
    from_status: str
    to_status: str
    actor_label: str
    role: str
    department_label: str
    reason: str
    data: dict[str, object]
    at: dt.datetime


class EventPage(Schema):
    items: list[EventOut]
    count: int


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    number: str
    issued_at: dt.datetime
    verify_code: str
    pdf_url: str
    # The department's signature (issue 11 item 9): its key id and the SM3 digest printed on
    # the PDF; both empty on notices issued before notices were signed.
    kid: str = ""
    signature_digest: str = ""


class NoticePage(Schema):
    items: list[NoticeOut]
    count: int


class UnmaskOut(Schema):
    number: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    address: str


class ProgressStepOut(Schema):
    action: str
    label: str
    status: str
    status_label: str
    at: dt.datetime


class ProgressOut(Schema):
    number: str
    item_name: str
    department: str
    status: str
    status_label: str
    applicant_name: str
    applicant_id_number: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    decision: str
    steps: list[ProgressStepOut]


class MonitoringDepartmentOut(Schema):
    department_id: int
    department: str
    open: int
    yellow: int
    red: int


class MonitoringItemOut(Schema):
    item: str
    cases: int


class MonitoringWeekOut(Schema):
    week: dt.date
    red: int
    deemed: int


class MonitoringFailureOut(Schema):
    department_id: int
    department: str
    overdue: int
    deemed: int


class MonitoringPersonOut(Schema):
    handler: str | None
    department: str
    yellow: int
    red: int


class MonitoringDeemedOut(Schema):
    """One case the platform decided 超时默认准予."""

    number: str
    department: str
    item_name: str
    due_at: dt.datetime | None
    decided_at: dt.datetime
    url: str


class MonitoringOut(Schema):
    since: dt.date
    open_cases: int
    yellow: int
    red: int
    by_department: list[MonitoringDepartmentOut]
    by_item: list[MonitoringItemOut]
    by_person: list[MonitoringPersonOut]
    failures: list[MonitoringFailureOut]
    weekly: list[MonitoringWeekOut] = Field(..., description="每周一行（无记录的周为 0），按北京时间")
    deemed_cases: list[MonitoringDeemedOut] = Field(..., description="超时默认准予的办件（最近 100 件）")


# --- electronic-licence KPIs (`GET /api/v1/licences/kpis`) ----------------------------------
# Names start with LicenceKpi: OpenAPI schema names are global across the apps' routers.


class LicenceKpiQuery(Schema):
    # Parsed and checked by cases.licence_kpis.period_parse (one rule for page and API); the
    # length bound only keeps a huge value out.
    start: str | None = Field(None, max_length=7, description="开始月份 YYYY-MM（默认结束月份前 11 个月）")
    end: str | None = Field(None, max_length=7, description="结束月份 YYYY-MM（默认本月），区间最长 36 个月")


class LicenceKpiPeriodOut(Schema):
    start: str
    end: str
    label: str


class LicenceKpiShareOut(Schema):
    key: str
    label: str
    numerator: int
    denominator: int
    value: float | None = Field(description="占比 0–1；没有可统计的对象时为 null")
    target: float | None
    met: bool | None


class LicenceKpiItemOut(Schema):
    code: str
    item: str
    department: str
    url: str


class LicenceKpiElectronicRowOut(LicenceKpiItemOut):
    names_licence_type: bool
    granted: int
    electronic: int
    value: float
    missed: bool


class LicenceKpiMaterialsOut(Schema):
    total: int
    replaced: int
    by_licence: int
    by_shared_data: int
    value: float | None


class LicenceKpiMaterialRowOut(LicenceKpiItemOut):
    total: int
    replaced: int
    by_licence: int
    by_shared_data: int
    value: float


class LicenceKpiKindOut(Schema):
    kind: str
    label: str
    count: int


class LicenceKpiUsesOut(Schema):
    total: int
    licences: int
    shared_data: int
    by_kind: list[LicenceKpiKindOut]


class LicenceKpiMonthOut(Schema):
    month: str = Field(description="YYYY-MM（北京时间）")
    total: int
    licences: int
    shared_data: int
    by_kind: dict[str, int]


class LicenceKpiOut(Schema):
    period: LicenceKpiPeriodOut
    electronic_results: LicenceKpiShareOut
    electronic_items: LicenceKpiShareOut
    electronic_by_item: list[LicenceKpiElectronicRowOut]
    materials_replaced: LicenceKpiMaterialsOut
    materials_by_item: list[LicenceKpiMaterialRowOut]
    uses: LicenceKpiUsesOut
    uses_by_month: list[LicenceKpiMonthOut]

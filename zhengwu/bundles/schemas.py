"""API schemas of 一件事一次办: what a client sends (bounded, so bad input is a 422, never a 500)
and what it gets back (personal data masked for everyone but the applicant, as for cases)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from zhengwu.bundles.models import BundleCaseStatus
from zhengwu.cases.schemas import ChannelIn, MaterialSpecIn, SupplementItemIn
from zhengwu.core.schemas import MAX_ID, MAX_LIMIT, MAX_OFFSET

Key = Annotated[str, StringConstraints(min_length=1, max_length=40)]
AnswerValue = Annotated[str, StringConstraints(max_length=40)]
FormValue = Annotated[str, StringConstraints(max_length=2000)] | int | float
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
DeliveryIn = Literal["window", "postal", "electronic"]
BUNDLE_CODE = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"

# --- input ----------------------------------------------------------------------------------


class BundleFilter(Schema):
    q: str | None = Field(None, max_length=50, description="名称、主题或编码")
    audience: Literal["person", "enterprise"] | None = None
    hall_level: Literal["city", "township"] | None = None
    theme: str | None = Field(None, max_length=50, description="主题名称，如“企业开办”")
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


class GuideQuery(Schema):
    region: RegionCode | None = Field(None, description="乡镇（街道）办理的一件事：办理地区划代码")


class EvaluateIn(Schema):
    """情形引导: the answers so far (question key → answer value)."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[Key, AnswerValue] = Field(default_factory=dict, max_length=50)
    region: RegionCode | None = Field(None, description="乡镇（街道）办理的一件事：办理地区划代码")


class ApplicationIn(Schema):
    """The JSON in the `payload` part of a multipart 一件事 application (or the whole JSON body
    when no file is uploaded): answers, the one form, each material once by its name in the
    guide (`materials.needed[].identity`)."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[Key, AnswerValue] = Field(default_factory=dict, max_length=50)
    form: dict[Key, FormValue] = Field(default_factory=dict, max_length=80,
                                       description="一套表单：字段标识 → 值（见 form_fields）。"
                                       "带 meaning 的字段在联办申请表询问该含义时不必填写"
                                       "（取自 item_answers，在此填写的值被忽略），"
                                       "同一事实只填一次")
    materials: list[MaterialSpecIn] = Field(default_factory=list, max_length=50)
    channel: ChannelIn = "online"
    region: RegionCode | None = Field(None, description="乡镇（街道）办理的一件事：办理地区划代码")
    delivery_method: DeliveryIn = "electronic"
    applicant_id: int | None = Field(None, ge=1, le=MAX_ID,
                                     description="代他人申请时的申请人账号（窗口、帮代办）")
    on_behalf_of: str | None = Field(
        None, min_length=1, max_length=64,
        description="以授权人（委托人、企业）的名义申请：对方的用户名、手机号或统一社会信用代码；"
                    "须有对方给本人的有效授权，且授权范围包括所申请事项")
    item_answers: dict[str, Any] | None = Field(
        None, description=(
            "各成员事项申请表合成的一张联办申请表的答案（同一含义 maps_to 的字段只填一次），"
            "格式同单个事项的 answers；系统按各事项自己的申请表拆分给每个成员办件。成员事项有"
            "自己的申请表时必须提交：未提交回答 422 {\"code\": \"form.required\"}，detail 列出"
            "联办申请表的必填字段；有误时回答 422 {\"code\": \"form.invalid\"}，路径为联办"
            "申请表的字段。成员事项都没有自己的申请表时不提交（提交非空答案回答 422 form.none）。"
            "暂不支持文件字段。"))


class ApplicationFilter(Schema):
    status: BundleCaseStatus | None = None
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


class BundlePageQuery(Schema):
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


class ReasonIn(Schema):
    """受理 / 不予受理 (reason required) / 撤回."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=2000)


class BundleSupplementItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    material: str = Field(..., min_length=1, max_length=200)
    reason: str = Field("", max_length=500)
    item: str = Field("", max_length=12, description="只涉及某一成员事项时：事项基本编码")


class AskSupplementIn(Schema):
    """一次性补正告知: the window's own findings; every department's pre-review findings are
    added to the same one notice."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=2000)
    supplement_items: list[BundleSupplementItemIn] = Field(default_factory=list, max_length=50)


class BundleSupplementIn(Schema):
    """The JSON in the `payload` part of a multipart 补正 of the whole bundle."""

    model_config = ConfigDict(extra="forbid")

    materials: list[MaterialSpecIn] = Field(..., min_length=1, max_length=50)
    reason: str = Field("", max_length=2000)


class DeliverIn(Schema):
    model_config = ConfigDict(extra="forbid")

    delivery_method: DeliveryIn | None = Field(None, description="默认为申请时选择的方式")
    tracking_number: str = Field("", max_length=40, description="邮寄送达时必填")


class SupplementRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    items: list[SupplementItemIn] = Field(..., min_length=1, max_length=50)


class DraftIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(..., pattern=BUNDLE_CODE, description="一件事编码")
    definition: dict[str, Any] = Field(..., description="一件事定义（JSON，见 bundles.definition）")
    region: RegionCode | None = Field(None, description="新一件事的行政区划（默认本级）")


class DraftFilter(Schema):
    state: Literal["draft", "submitted", "published", "rejected"] | None = None
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


class BundleReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=300, description="审核意见（退回时必填）")


# --- output: bundles and guides ---------------------------------------------------------------


class BundleSummaryOut(Schema):
    code: str
    name: str
    audience: str
    audience_label: str
    theme: str
    hall_level: str
    hall_level_label: str
    lead_department: str
    region_code: str
    version: int
    published_at: dt.datetime | None
    promised_workdays: Decimal
    member_count: int
    illustrative: bool
    guide_url: str
    api_url: str


class BundlePage(Schema):
    items: list[BundleSummaryOut]
    count: int


class AnswerOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    key: str
    text: str
    help: str
    answers: list[AnswerOut]
    shows_if: dict[str, str]
    conditions: str = Field(..., description="显示条件（中文）；空为始终显示")


class MemberOut(Schema):
    item: str = Field(..., description="事项基本编码")
    item_name: str
    department: str
    department_id: int | None
    implementation_code: str | None = Field(..., description="办理地的实施编码；None 为暂无实施清单")
    implementation_guide_url: str | None
    promised_workdays: Decimal | None = Field(..., description="一件事内的承诺时限（工作日）")
    item_promised_workdays: Decimal | None = Field(..., description="事项单独办理的承诺时限")
    depends_on: list[str]
    depends_on_names: list[str]
    when: dict[str, str]
    conditions: str = Field(..., description="适用条件（中文）；空为始终适用")
    stage: int = Field(..., description="并联阶段：同一阶段的事项同时办理")


class SharedByOut(Schema):
    item: str
    item_name: str
    name: str = Field(..., description="该事项办事指南中的材料名称")


class NeededMaterialOut(Schema):
    identity: str = Field(..., description="申请时提交材料所用的名称")
    name: str
    source: str = Field(..., description=(
        "applicant：申请人提交；commitment：可以书面承诺代替（kind 为 commitment，须各成员事项"
        "实行告知承诺制且申请人信用允许）；e_license / shared_data：平台调取"))
    shared_by: list[SharedByOut]


class MaterialsOut(Schema):
    before: int = Field(..., description="各事项分别办理时需提交的材料数")
    after: int = Field(..., description="一次采集、去重后需提交的材料数")
    needed: list[NeededMaterialOut]
    fetched: list[NeededMaterialOut] = Field(..., description="平台通过电子证照或共享数据调取，无需提交")


class PromiseRuleOut(Schema):
    when: dict[str, str]
    conditions: str
    workdays: Decimal


class FormFieldOut(Schema):
    key: str
    label: str
    required: bool
    kind: str
    common: bool
    meaning: str = Field("", description=(
        "该字段代表的共享含义（catalog MAPS_TO，如 enterprise.name）；成员事项的联办申请表"
        "询问该含义时，本字段不在 form 中填写，其值取自 item_answers 中对应字段的答案"))


class BundleRegionOut(Schema):
    code: str
    name: str


class GuideOut(BundleSummaryOut):
    description: str
    source: str
    steps: int
    steps_limit: int | None
    materials_limit: int | None
    critical_path_workdays: Decimal
    promises: list[PromiseRuleOut]
    questions: list[QuestionOut]
    members: list[MemberOut]
    stages: list[list[str]]
    form_fields: list[FormFieldOut]
    materials: MaterialsOut
    townships: list[BundleRegionOut]
    qr_url: str
    notice_pdf_url: str
    apply_url: str
    applications_url: str


class EvaluateOut(Schema):
    complete: bool = Field(..., description="是否已回答全部显示的问题")
    answers: dict[str, str] = Field(..., description="有效的回答（隐藏问题的回答已去掉）")
    errors: dict[str, str]
    questions: list[QuestionOut]
    members: list[MemberOut]
    stages: list[list[str]]
    materials: MaterialsOut
    steps: int
    promised_workdays: Decimal
    critical_path_workdays: Decimal


class BundleVersionOut(Schema):
    number: int
    published_at: dt.datetime
    note: str
    approved_by: str | None


class VersionPage(Schema):
    items: list[BundleVersionOut]
    count: int


# --- output: bundle cases -----------------------------------------------------------------------


class BundleCaseSummaryOut(Schema):
    number: str
    bundle_code: str
    bundle_name: str
    status: str
    status_label: str
    result: str
    result_label: str
    applicant_name: str
    channel: str
    region_code: str
    item_count: int
    promised_workdays: Decimal
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    due_provisional: bool
    finished_at: dt.datetime | None
    delivered_at: dt.datetime | None


class BundleCasePage(Schema):
    items: list[BundleCaseSummaryOut]
    count: int


class MemberCaseOut(Schema):
    item: str
    item_name: str
    department: str
    department_id: int
    case_id: int
    case_number: str
    case_status: str
    case_status_label: str
    state: str
    state_label: str
    stage: int
    depends_on: list[str]
    promised_workdays: Decimal
    decision: str
    decision_label: str
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    note: str


class BundleMaterialOut(Schema):
    identity: str
    kind: str
    original_name: str
    content_type: str
    size: int
    reference: str
    members: list[str]
    supplement: bool
    added_at: dt.datetime


class SupplementNoticeItemOut(Schema):
    material: str
    reason: str
    item: str = ""
    department: str = ""


class DepartmentRequestOut(Schema):
    item: str
    item_name: str
    department: str
    items: list[dict[str, str]]
    requested_at: dt.datetime


class BundleNoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    number: str
    issued_at: dt.datetime
    verify_code: str
    pdf_url: str
    # The lead department's signature (issue 11 item 9), as on cases' NoticeOut.
    kid: str = ""
    signature_digest: str = ""


class BundleEventOut(Schema):
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


class BundleCaseOut(BundleCaseSummaryOut):
    version: int
    applicant_kind: str
    applicant_id_number: str
    applicant_phone: str
    address: str
    masked: bool = Field(..., description="证件号码、电话、地址是否已脱敏")
    answers: dict[str, str]
    form: dict[str, str]
    steps: int
    materials_before: int
    materials_after: int
    delivery_method: str
    tracking_number: str
    members: list[MemberCaseOut]
    materials: list[BundleMaterialOut]
    supplement_items: list[SupplementNoticeItemOut] = Field(
        ..., description="一次性补正告知书所列的全部补正事项")
    department_requests: list[DepartmentRequestOut] = Field(
        ..., description="各部门预审提出、尚待窗口一次告知的补正意见（仅工作人员可见）")
    notices: list[BundleNoticeOut]
    events: list[BundleEventOut]
    guide_url: str


class SupplementRequestOut(Schema):
    bundle_number: str
    case_id: int
    case_number: str
    item: str
    item_name: str
    department: str
    items: list[dict[str, str]]
    requested_at: dt.datetime


# --- output: KPIs and definitions -----------------------------------------------------------


class LimitCheckOut(Schema):
    label: str
    limit: str
    actual: str
    passed: bool | None
    result: Literal["pass", "fail", "none"] = Field(..., description="none：尚无办结办件")


class BundleKpiOut(Schema):
    code: str
    name: str
    steps: int
    steps_limit: int | None
    materials_before: int
    materials_after: int
    materials_limit: int | None
    promised_workdays: Decimal
    submitted: int
    open: int
    finished: int
    in_time: int
    in_time_share: Decimal | None
    average_elapsed_workdays: Decimal | None
    longest_elapsed_workdays: Decimal | None
    checks: list[LimitCheckOut]
    result: Literal["pass", "fail", "none"]


class OverallKpiOut(Schema):
    bundles: int
    submitted: int
    finished: int
    in_time: int
    in_time_share: Decimal | None
    materials_before: int
    materials_after: int
    materials_saved_share: Decimal | None


class KpisOut(Schema):
    overall: OverallKpiOut
    items: list[BundleKpiOut]
    count: int


class BundleDraftOut(Schema):
    id: int
    code: str
    bundle_code: str | None
    state: str
    state_label: str
    definition: dict[str, Any]
    author: str
    reviewer: str | None
    review_note: str
    published_version: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class DraftPage(Schema):
    items: list[BundleDraftOut]
    count: int

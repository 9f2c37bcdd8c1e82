"""The data of case handling: cases, their event timeline, materials, supplements, special
procedures, extensions, notices, post-verification, and the records kept against departments
and applicants. State changes happen only through cases.services (ADR 0006)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from zhengwu.accounts.models import IdentityBasis
from zhengwu.core.codes import is_valid_uscc
from zhengwu.core.models import AccessRecord, BaseModel
from zhengwu.process.models import (
    ProcessEvent,
    ProcessMaterial,
    ProcessNotice,
    ProcessSupplement,
)

if TYPE_CHECKING:
    from zhengwu.cases.results import ResultDocument


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    AWAITING_SUPPLEMENT = "awaiting_supplement", "待补正"
    SUPPLEMENTED = "supplemented", "已补正待受理"
    ACCEPTED = "accepted", "审查中"
    SUSPENDED = "suspended", "特别程序中"
    DECIDED = "decided", "已决定"
    CLOSED = "closed", "已办结"
    DELIVERED = "delivered", "已送达"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"
    REVOKED = "revoked", "已撤销"


OPEN_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.AWAITING_SUPPLEMENT, CaseStatus.SUPPLEMENTED,
                 CaseStatus.ACCEPTED, CaseStatus.SUSPENDED)


class Decision(models.TextChoices):
    GRANTED = "granted", "准予"
    DENIED = "denied", "不予许可"
    DEEMED_APPROVED = "deemed_approved", "超时默认准予"


# The decisions that grant: a licence is issued for these (cases.licensing), and the
# electronic-licence KPIs count them as the results that could be a licence.
GRANTED_DECISIONS = (Decision.GRANTED, Decision.DEEMED_APPROVED)


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    WINDOW = "window", "窗口受理"
    MOBILE = "mobile", "移动端"
    SELF_SERVICE = "self_service", "自助终端"
    PROXY = "proxy", "帮代办"
    CROSS_REGION = "cross_region", "跨域通办"


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人"


class Card(models.TextChoices):
    NONE = "", "正常"
    YELLOW = "yellow", "黄牌预警"
    RED = "red", "红牌超时"


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", "窗口领取"
    POSTAL = "postal", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"


class Case(BaseModel):
    """办件: one application for one implementation, pinned to the guide version it was filed
    under. `due_at` is the promised deadline on the working-day calendar (GB/T 39046 Table 6
    承诺办结时间), moved only by suspensions and the one written extension."""

    number = models.CharField("办件编号", max_length=32, unique=True)
    implementation = models.ForeignKey("catalog.ItemImplementation", verbose_name="事项",
                                       on_delete=models.PROTECT, related_name="cases")
    item_version = models.PositiveIntegerField("事项版本")
    department = models.ForeignKey("departments.Department", verbose_name="承办部门",
                                   on_delete=models.PROTECT, related_name="cases")
    region = models.ForeignKey("regions.Region", verbose_name="办理地", on_delete=models.PROTECT,
                               related_name="cases")
    accepting_region = models.ForeignKey("regions.Region", verbose_name="受理地",
                                         on_delete=models.PROTECT, related_name="accepted_cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人账号",
                                  on_delete=models.PROTECT, related_name="cases")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人",
                                     on_delete=models.PROTECT, related_name="+")
    applicant_kind = models.CharField("申请人类型", max_length=12, choices=ApplicantKind.choices)
    # On what the applicant's identity rests (accounts.mandates.filing_basis): the account's
    # verified identity, an authorization (the principal is `applicant`, the agent
    # `submitted_by`), or the ID card checked in person by the staff member who filed.
    identity_basis = models.CharField("身份依据", max_length=16, blank=True,
                                      choices=IdentityBasis.choices)
    authorization = models.ForeignKey("accounts.Authorization", verbose_name="授权",
                                      null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    applicant_name = models.CharField("申请人", max_length=150)
    applicant_id_number = models.CharField("证件号码", max_length=18)
    applicant_phone = models.CharField("联系电话", max_length=20)
    channel = models.CharField("申报渠道", max_length=16, choices=Channel.choices)
    form_data = models.JSONField("申请表", default=dict)
    status = models.CharField("状态", max_length=24, choices=CaseStatus.choices,
                              default=CaseStatus.SUBMITTED)
    decision = models.CharField("办理结果", max_length=20, choices=Decision.choices, blank=True)
    by_commitment = models.BooleanField("告知承诺办理", default=False)
    deemed_eligible = models.BooleanField("适用超时默认", default=False)
    promised_workdays = models.DecimalField("承诺时限(工作日)", max_digits=5, decimal_places=1)
    legal_workdays = models.DecimalField("法定时限(工作日)", max_digits=5, decimal_places=1,
                                         null=True, blank=True)
    approval_step = models.PositiveSmallIntegerField("当前审批环节", default=0)
    # Kept on the row so that the workflow's guards read no other table (ADR 0013): who passed
    # the previous approval step (the next one must be someone else), and whether the one
    # extension was granted.
    last_pass_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上一环节审查人",
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    extended = models.BooleanField("已延期", default=False)
    submitted_at = models.DateTimeField("申请时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    due_at = models.DateTimeField("办结期限", null=True, blank=True)
    due_provisional = models.BooleanField("临时期限", default=False)
    suspended_at = models.DateTimeField("暂停计时于", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivery_method = models.CharField("送达方式", max_length=12, choices=DeliveryMethod.choices,
                                       blank=True)
    tracking_number = models.CharField("邮寄单号", max_length=40, blank=True)
    card = models.CharField("监察", max_length=8, choices=Card.choices, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=80, null=True, blank=True)
    request_hash = models.CharField("请求摘要", max_length=64, blank=True)
    # 一件事: the bundle case this case belongs to ("" for a case of its own). Acceptance,
    # supplements and delivery of a member case happen once for the whole bundle (bundles app).
    bundle_number = models.CharField("所属一件事", max_length=32, blank=True, db_index=True)
    # 设立登记: the 统一社会信用代码 the grant assigned to the enterprise it registered
    # (cases.registration); "" for every other case.
    registered_uscc = models.CharField("登记赋予的统一社会信用代码", max_length=18, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        permissions = [
            ("view_all_cases", "查看全部办件（电子监察）"),
            ("unmask_personal_data", "查看完整个人信息"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CaseStatus.values),
                                   name="case_status_valid"),
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"],
                                    condition=models.Q(idempotency_key__isnull=False),
                                    name="case_idempotency_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["department", "status", "due_at"]),
            models.Index(fields=["applicant", "status"]),
            models.Index(fields=["accepting_region", "status"]),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", kwargs={"number": self.number})

    @staticmethod
    def absolute_urls(numbers: list[str]) -> list[str]:
        """`get_absolute_url` of many cases with one `reverse()`: a sweep links thousands of
        notifications, and resolving the URL per case was a fifth of its time. Case numbers
        are ASCII letters and digits, which a URL carries as they are."""
        from django.urls import reverse

        marker = "CASE-NUMBER-MARKER"
        template = reverse("cases:detail", kwargs={"number": marker})
        return [template.replace(marker, number) for number in numbers]

    @property
    def result_document(self) -> ResultDocument:
        """The result document its item's type calls for (cases.results)."""
        from zhengwu.cases.results import result_document

        item = self.implementation.item
        return result_document(item.item_type, item.name)


class CaseEvent(ProcessEvent):
    """The case's timeline: every move with who, in which role and department, when, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "办件事件"
        verbose_name_plural = "办件事件"
        ordering = ["case_id", "id"]
        indexes = [models.Index(fields=["case", "id"]), *ProcessEvent.Meta.indexes]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class MaterialKind(models.TextChoices):
    UPLOAD = "upload", "上传文件"
    COMMITMENT = "commitment", "告知承诺"
    SHARED_DATA = "shared_data", "共享数据"
    E_LICENSE = "e_license", "电子证照"
    PAPER = "paper", "窗口收取纸质材料"


class CaseMaterial(ProcessMaterial):
    """A material of a case, as its item's guide names it; a member case of a bundle refers
    to the file its bundle stored once (bundles.BundleMaterial)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField("材料名称", max_length=200)
    kind = models.CharField("提供方式", max_length=12, choices=MaterialKind.choices)
    # A licence or shared data used instead of a file (issue 11 item 6): `reference` names the
    # licence's identifier or the data item's code; these pin what was used — the licence's
    # version and the SM3 of its signed bytes, or the SM3 of the shared data fetched.
    reference_version = models.PositiveSmallIntegerField("证照版本", null=True, blank=True)
    reference_sm3 = models.CharField("证照/数据 SM3", max_length=64, blank=True)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"

    def __str__(self) -> str:
        return self.name


class StagedUpload(models.Model):
    """A checked file kept between attempts at a page form that was refused (cases.staging):
    it belongs to the signed-in account and the form it came from, is found by a random
    token carried in the re-rendered form, and expires after staging.KEEP_FOR."""

    token = models.CharField("令牌", max_length=64, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    form = models.CharField("表单", max_length=120)
    slot = models.CharField("材料位置", max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=60)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    file = models.FileField("文件", upload_to="cases/staged/%Y/%m/")
    created_at = models.DateTimeField("保留时间")
    expires_at = models.DateTimeField("到期时间", db_index=True)

    class Meta:
        verbose_name = "暂存上传文件"
        verbose_name_plural = "暂存上传文件"

    def __str__(self) -> str:
        return self.original_name


class ApplicationDraft(models.Model):
    """草稿: what a person typed on an application page, saved by 保存草稿 or automatically,
    so they can resume on any device (cases.drafts). One per account and page: an item's apply
    page (`implementation`) or another application form named as cases.staging names it
    (`form`, e.g. the 一件事 wizard "bundles.apply:<code>", bundles.drafts). It holds the
    answers, the files kept for it (staged-upload tokens, kept as long as the draft) and
    expires after drafts.KEEP_FOR unless saved again; filing the application deletes it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="application_drafts")
    implementation = models.ForeignKey("catalog.ItemImplementation", on_delete=models.CASCADE,
                                       related_name="+", null=True, blank=True)
    form = models.CharField("表单", max_length=120, blank=True, default="")
    # An item's: {"common": {...}, "answers": {...}, "rows": {group: n}, "kept": [tokens]};
    # another form's: what its app saves, with "kept" (cases.drafts.form_draft_save).
    data = models.JSONField("草稿内容", default=dict)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("保存时间")
    expires_at = models.DateTimeField("到期时间", db_index=True)

    class Meta:
        verbose_name = "申请草稿"
        verbose_name_plural = "申请草稿"
        constraints = [
            models.UniqueConstraint(fields=["owner", "implementation"],
                                    name="cases_draft_one_per_item"),
            models.UniqueConstraint(fields=["owner", "form"], condition=~models.Q(form=""),
                                    name="cases_draft_one_per_form"),
            # Either an item's apply page or another form, never both or neither.
            models.CheckConstraint(
                condition=models.Q(implementation__isnull=False, form="")
                | (models.Q(implementation__isnull=True) & ~models.Q(form="")),
                name="cases_draft_item_or_form"),
        ]

    def __str__(self) -> str:
        return f"草稿 {self.form or self.implementation_id}"


class Supplement(ProcessSupplement):
    """一次性补正材料告知: at most one per case, listing everything missing or defective."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="supplement")
    # The case's request is the notice to the applicant itself (a bundle's are departments'
    # findings gathered into one).
    requested_at = models.DateTimeField("告知时间")
    answered_at = models.DateTimeField("补正时间", null=True, blank=True)

    class Meta:
        verbose_name = "补正告知"
        verbose_name_plural = "补正告知"

    def __str__(self) -> str:
        return f"{self.case_id} 补正"


class ProcedureKind(models.TextChoices):
    HEARING = "hearing", "听证"
    INSPECTION = "inspection", "检验"
    TESTING = "testing", "检测"
    QUARANTINE = "quarantine", "检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"
    BIDDING = "bidding", "招标、拍卖"


class SpecialProcedure(models.Model):
    """特别程序 (行政许可法 art. 45): the clock pauses while it runs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="procedures")
    kind = models.CharField("种类", max_length=16, choices=ProcedureKind.choices)
    reason = models.TextField("启动理由或依据")
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    result = models.TextField("结果", blank=True)
    paused_workdays = models.PositiveSmallIntegerField("暂停工作日数", default=0)

    class Meta:
        verbose_name = "特别程序"
        verbose_name_plural = "特别程序"

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


class Extension(models.Model):
    """延期: one written extension at most, approved by the agency head, within the legal limit."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="extension")
    reason = models.TextField("延期理由")
    approver = models.CharField("批准人", max_length=100)
    old_due_at = models.DateTimeField("原期限")
    new_due_at = models.DateTimeField("新期限")
    extra_workdays = models.PositiveSmallIntegerField("延长工作日")
    granted_at = models.DateTimeField("批准时间")

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"

    def __str__(self) -> str:
        return f"{self.case_id} 延期"


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理通知书"
    REFUSAL = "refusal", "不予受理通知书"
    SUPPLEMENT = "supplement", "一次性补正材料告知书"
    SUSPENSION = "suspension", "特别程序告知书"
    EXTENSION = "extension", "延期办理告知书"
    GRANT = "grant", "准予行政许可决定书"
    DENIAL = "denial", "不予行政许可决定书"
    DEEMED = "deemed", "超时默认准予通知书"
    REVOCATION = "revocation", "撤销决定书"
    # Result documents of items other than 行政许可 (cases.results).
    FILING = "filing", "备案回执"
    FILING_DENIAL = "filing_denial", "不予备案通知书"
    COMPLETION = "completion", "办结通知书"
    NOT_DONE = "not_done", "不予办理通知书"


# The character that marks each kind in a document number: 耒政服受〔2026〕123号.
NOTICE_MARK = {
    NoticeKind.ACCEPTANCE: "受", NoticeKind.REFUSAL: "不受", NoticeKind.SUPPLEMENT: "补",
    NoticeKind.SUSPENSION: "特", NoticeKind.EXTENSION: "延", NoticeKind.GRANT: "许",
    NoticeKind.DENIAL: "不许", NoticeKind.DEEMED: "默", NoticeKind.REVOCATION: "撤",
    NoticeKind.FILING: "备", NoticeKind.FILING_DENIAL: "不备", NoticeKind.COMPLETION: "结",
    NoticeKind.NOT_DONE: "不办",
}


class Notice(ProcessNotice):
    """文书 of a case, issued by its department; the PDF is rendered later and cached in the
    file `pdf`, never inside a sweep (cases.notices)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("文书种类", max_length=16, choices=NoticeKind.choices)
    pdf = models.FileField("PDF", upload_to="notices/%Y/", blank=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["case_id", "issued_at", "id"]

    def __str__(self) -> str:
        return self.number


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "待核查"
    CONFIRMED = "confirmed", "承诺属实"
    FALSE = "false", "承诺不实"


class Verification(models.Model):
    """事后核查 of a case decided on a commitment (告知承诺) [3]: a process of its own on the
    engine (cases.verification)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="verification")
    status = models.CharField("核查状态", max_length=12, choices=VerificationStatus.choices,
                              default=VerificationStatus.PENDING)
    due_at = models.DateTimeField("核查期限")
    # Counted over a year whose official holidays are not published yet (weekends only):
    # recomputed when the year is entered (verifications_recompute_provisional).
    due_provisional = models.BooleanField("临时期限", default=False)
    # When the department was told the deadline had passed (the sweep tells it once).
    overdue_told_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)
    done_at = models.DateTimeField("核查时间", null=True, blank=True)
    truthful = models.BooleanField("承诺属实", null=True)
    finding = models.TextField("核查结果", blank=True)

    class Meta:
        verbose_name = "事后核查"
        verbose_name_plural = "事后核查"

    def __str__(self) -> str:
        return f"{self.case_id} 核查"


class CreditSource(models.TextChoices):
    """Where a 失信记录 comes from (issue 15 §3)."""

    COMMITMENT = "commitment", "告知承诺事后核查"
    INSPECTION = "inspection", "双随机抽查"
    MARKET = "market", "中介超市"


class CreditKind(models.TextChoices):
    """The type of a 失信记录 as the public sees it (its legal basis: cases.credit.BASIS)."""

    FALSE_COMMITMENT = "false_commitment", "告知承诺不实"
    INSPECTION_CASE = "inspection_case", "抽查检查立案查处"
    NOT_REMEDIED = "not_remedied", "责令整改逾期未改正"
    MARKET_BLACKLIST = "market_blacklist", "中介机构列入黑名单"


class CreditRecord(models.Model):
    """失信记录 against an ID number or USCC, from one of three sources (CreditSource): a false
    commitment (事后核查, with its case), a failed 双随机 inspection, or a 中介超市 blacklisting.
    Written only by cases.credit.record_write, with its transparency-log entry. While not
    repaired (信用修复, CreditRepair) it lowers the subject's credit grade (cases.credit_grades),
    which takes options away."""

    subject_id_number = models.CharField("证件号码", max_length=18, db_index=True)
    subject_name = models.CharField("名称", max_length=150)
    source = models.CharField("来源", max_length=12, choices=CreditSource.choices,
                              default=CreditSource.COMMITMENT)
    kind = models.CharField("类型", max_length=20, choices=CreditKind.choices,
                            default=CreditKind.FALSE_COMMITMENT)
    basis = models.CharField("依据", max_length=300, blank=True)
    # The department that recorded it decides its repair (the case's, the plan's, 审改办).
    department = models.ForeignKey("departments.Department", verbose_name="记录部门",
                                   on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    # The public number of what it records (case number, plan number, sanction number).
    number = models.CharField("关联编号", max_length=40, blank=True)
    # What it records, "app.Model:pk" (the platform's own lookups; not shown).
    ref = models.CharField("关联对象", max_length=80, blank=True)
    reason = models.TextField("原因")
    recorded_at = models.DateTimeField("记录时间")
    ledger_index = models.PositiveBigIntegerField("透明日志序号", null=True, blank=True)
    repaired_at = models.DateTimeField("信用修复时间", null=True, blank=True)

    class Meta:
        verbose_name = "失信记录"
        verbose_name_plural = "失信记录"
        constraints = [
            models.CheckConstraint(condition=models.Q(source__in=CreditSource.values),
                                   name="credit_record_source_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=CreditKind.values),
                                   name="credit_record_kind_valid")]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.recorded_at:%Y-%m-%d}"

    @property
    def is_person(self) -> bool:
        """A person's record (masked for staff, never public): anything not a valid USCC."""
        return not is_valid_uscc(self.subject_id_number)


class RepairStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    REPAIRED = "repaired", "已修复"
    REFUSED = "refused", "不予修复"


class CreditRepair(models.Model):
    """信用修复: the subject of a 失信记录 asks for it to be repaired, having corrected what it
    did and pledged (信用承诺); the department that recorded it decides (cases.credit)."""

    number = models.CharField("申请编号", max_length=24, unique=True)
    record = models.ForeignKey(CreditRecord, on_delete=models.PROTECT, related_name="repairs")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    correction = models.TextField("纠正失信行为的情况")
    pledged = models.BooleanField("已作出信用承诺")
    status = models.CharField("状态", max_length=12, choices=RepairStatus.choices,
                              default=RepairStatus.SUBMITTED)
    submitted_at = models.DateTimeField("申请时间")
    due_on = models.DateField("办理期限")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decision_reason = models.TextField("决定理由", blank=True)

    class Meta:
        verbose_name = "信用修复申请"
        verbose_name_plural = "信用修复申请"
        ordering = ["-submitted_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(status__in=RepairStatus.values),
                                              name="credit_repair_status_valid")]

    def __str__(self) -> str:
        return self.number


class CreditRepairEvent(ProcessEvent):
    repair = models.ForeignKey(CreditRepair, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "信用修复事件"
        verbose_name_plural = "信用修复事件"
        ordering = ["repair_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="cases_repair_event_unsealed")]


class FailureKind(models.TextChoices):
    DEEMED = "deemed", "超时默认准予"
    OVERDUE = "overdue", "超时未办结（红牌）"


class DepartmentFailure(models.Model):
    """A deadline a department missed: deemed approval or a red card, on its record [4][25]."""

    department = models.ForeignKey("departments.Department", on_delete=models.PROTECT,
                                    related_name="failures")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="failures")
    kind = models.CharField("类型", max_length=10, choices=FailureKind.choices)
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "超时记录"
        verbose_name_plural = "超时记录"
        constraints = [models.UniqueConstraint(fields=["case", "kind"],
                                               name="failure_once_per_case_kind")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.kind} {self.case_id}"


class CaseAccess(AccessRecord):
    """A member of staff opened a person's case (quality.md #8): the applicant can see which
    department looked, when and why. Sealed into the audit chain at each checkpoint."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accesses")
    unmasked = models.BooleanField("查看完整个人信息", default=False)

    class Meta(AccessRecord.Meta):
        verbose_name = "办件查阅记录"
        verbose_name_plural = "办件查阅记录"
        indexes = [models.Index(fields=["case", "at"]), *AccessRecord.Meta.indexes]

    def __str__(self) -> str:
        return f"{self.case_id} {self.purpose}"

"""The data of 一件事一次办: bundle definitions (versioned, edited as drafts and published by a
second catalogue administrator, like items), and bundle cases — one application whose
member cases run in parallel in each department and come back as one result.

State changes happen only through bundles.services (ADR 0006, ADR 0007)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.accounts.models import IdentityBasis
from zhengwu.core.models import AccessRecord, BaseModel
from zhengwu.process.models import (
    ProcessEvent,
    ProcessMaterial,
    ProcessNotice,
    ProcessSupplement,
)


class HallLevel(models.TextChoices):
    CITY = "city", "市政务服务大厅"
    TOWNSHIP = "township", "乡镇（街道）便民服务中心"


class BundleAudience(models.TextChoices):
    PERSON = "person", "个人"
    ENTERPRISE = "enterprise", "企业"


class Bundle(BaseModel):
    """一件事. The listing columns mirror the published version's definition."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    audience = models.CharField("对象", max_length=12, choices=BundleAudience.choices)
    theme = models.CharField("主题", max_length=50, blank=True)
    hall_level = models.CharField("办理大厅", max_length=10, choices=HallLevel.choices)
    region = models.ForeignKey("regions.Region", verbose_name="行政区划",
                               on_delete=models.PROTECT, related_name="bundles")
    lead_department = models.ForeignKey("departments.Department", verbose_name="牵头部门",
                                        on_delete=models.PROTECT, related_name="led_bundles")
    version = models.PositiveIntegerField("当前版本", default=0)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    definition = models.JSONField("当前定义", default=dict)
    illustrative = models.BooleanField("示例数据", default=False)
    source = models.TextField("来源", blank=True)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]
        indexes = [models.Index(fields=["audience", "hall_level"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("bundles:guide", kwargs={"code": self.code})


class BundleVersion(models.Model):
    """An immutable published definition."""

    bundle = models.ForeignKey(Bundle, verbose_name="一件事", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    definition = models.JSONField("定义")
    published_at = models.DateTimeField("发布时间")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "一件事版本"
        verbose_name_plural = "一件事版本"
        constraints = [models.UniqueConstraint(fields=["bundle", "number"],
                                               name="bundle_version_unique")]
        ordering = ["bundle_id", "-number"]

    def __str__(self) -> str:
        return f"{self.bundle_id} v{self.number}"


class BundleDraftState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    REJECTED = "rejected", "已退回"


class BundleDraft(BaseModel):
    """A change to a bundle's definition, published only by a second administrator."""

    bundle = models.ForeignKey(Bundle, verbose_name="一件事", on_delete=models.CASCADE, related_name="drafts",
                               null=True, blank=True)
    code = models.CharField("编码", max_length=40)
    definition = models.JSONField("定义")
    state = models.CharField("状态", max_length=12, choices=BundleDraftState.choices,
                             default=BundleDraftState.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT,
                               related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    review_note = models.TextField("审核意见", blank=True)
    published_version = models.PositiveIntegerField("发布为版本", null=True, blank=True)

    class Meta:
        verbose_name = "一件事草稿"
        verbose_name_plural = "一件事草稿"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.code} 草稿{self.pk}"


class BundleCaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    AWAITING_SUPPLEMENT = "awaiting_supplement", "待补正"
    SUPPLEMENTED = "supplemented", "已补正待受理"
    IN_PROGRESS = "in_progress", "并联办理中"
    FINISHED = "finished", "已办结待送达"
    DELIVERED = "delivered", "已送达"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_BUNDLE_STATUSES = (BundleCaseStatus.SUBMITTED, BundleCaseStatus.AWAITING_SUPPLEMENT,
                        BundleCaseStatus.SUPPLEMENTED, BundleCaseStatus.IN_PROGRESS)


class BundleResult(models.TextChoices):
    NONE = "", "—"
    ALL_GRANTED = "all_granted", "全部准予"
    PARTLY_GRANTED = "partly_granted", "部分准予"
    NONE_GRANTED = "none_granted", "均未准予"


class BundleCase(BaseModel):
    """One application for a bundle: one form, one set of materials, one promise, one
    delivery; its member cases run in parallel in their departments."""

    number = models.CharField("一件事编号", max_length=32, unique=True)
    bundle = models.ForeignKey(Bundle, verbose_name="一件事", on_delete=models.PROTECT,
                               related_name="cases")
    version = models.PositiveIntegerField("定义版本")
    region = models.ForeignKey("regions.Region", verbose_name="办理地", on_delete=models.PROTECT,
                               related_name="bundle_cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人账号",
                                  on_delete=models.PROTECT, related_name="bundle_cases")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人",
                                     on_delete=models.PROTECT, related_name="+")
    applicant_kind = models.CharField("申请人类型", max_length=12)
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
    channel = models.CharField("申报渠道", max_length=16)
    answers = models.JSONField("情形引导回答", default=dict)
    items = models.JSONField("适用事项", default=list)  # [item code, ...] in position order
    form_data = models.JSONField("申请表", default=dict)
    status = models.CharField("状态", max_length=24, choices=BundleCaseStatus.choices,
                              default=BundleCaseStatus.SUBMITTED)
    result = models.CharField("办理结果", max_length=16, choices=BundleResult.choices,
                              blank=True)
    promised_workdays = models.DecimalField("承诺时限(工作日)", max_digits=5, decimal_places=1)
    steps = models.PositiveSmallIntegerField("环节数")
    materials_before = models.PositiveSmallIntegerField("去重前材料数")
    materials_after = models.PositiveSmallIntegerField("去重后材料数")
    submitted_at = models.DateTimeField("申请时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    due_at = models.DateTimeField("承诺办结期限", null=True, blank=True)
    due_provisional = models.BooleanField("临时期限", default=False)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivery_method = models.CharField("送达方式", max_length=12, blank=True)
    tracking_number = models.CharField("邮寄单号", max_length=40, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=80, null=True, blank=True)
    request_hash = models.CharField("请求摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "一件事办件"
        verbose_name_plural = "一件事办件"
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=BundleCaseStatus.values),
                                   name="bundle_case_status_valid"),
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"],
                                    condition=models.Q(idempotency_key__isnull=False),
                                    name="bundle_case_idempotency_unique"),
        ]
        indexes = [models.Index(fields=["status", "region"]),
                   models.Index(fields=["applicant", "status"]),
                   models.Index(fields=["bundle", "status"])]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("bundles:case", kwargs={"number": self.number})


class MemberState(models.TextChoices):
    WAITING = "waiting", "等待前置事项"
    RUNNING = "running", "办理中"
    DONE = "done", "已办结"
    CANCELLED = "cancelled", "不再办理"


class BundleMember(models.Model):
    """One applicable member item of a bundle case and its member case in the department."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE,
                                    related_name="members")
    item_code = models.CharField("事项编码", max_length=12)
    item_name = models.CharField("事项名称", max_length=200)
    implementation = models.ForeignKey("catalog.ItemImplementation", verbose_name="实施清单", on_delete=models.PROTECT,
                                       related_name="+")
    department = models.ForeignKey("departments.Department", on_delete=models.PROTECT,
                                   related_name="bundle_members")
    position = models.PositiveSmallIntegerField("序号")
    stage = models.PositiveSmallIntegerField("并联阶段", default=1)
    depends_on = models.JSONField("前置事项", default=list)
    case = models.OneToOneField("cases.Case", verbose_name="成员办件", on_delete=models.PROTECT,
                                related_name="bundle_member")
    state = models.CharField("状态", max_length=12, choices=MemberState.choices,
                             default=MemberState.WAITING)
    started_at = models.DateTimeField("开始计时", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "一件事成员办件"
        verbose_name_plural = "一件事成员办件"
        ordering = ["bundle_case_id", "position"]
        constraints = [models.UniqueConstraint(fields=["bundle_case", "item_code"],
                                               name="bundle_member_once")]

    def __str__(self) -> str:
        return f"{self.bundle_case_id} {self.item_name}"


class BundleMaterial(ProcessMaterial):
    """A material collected once for a bundle case and shared with every member that needs
    it (the member cases' material rows refer to the same stored file)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE,
                                    related_name="materials")
    identity = models.CharField("材料", max_length=200)
    members = models.JSONField("共享给", default=list)  # item codes

    class Meta:
        verbose_name = "一件事材料"
        verbose_name_plural = "一件事材料"

    def __str__(self) -> str:
        return self.identity


class BundleEvent(ProcessEvent):
    """The bundle case's own timeline (member cases keep theirs)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "一件事事件"
        verbose_name_plural = "一件事事件"
        ordering = ["bundle_case_id", "id"]

    def __str__(self) -> str:
        return f"{self.bundle_case_id} {self.action}"


class SupplementRequest(ProcessSupplement):
    """A department's pre-review finding on its member case, gathered by the 一件事 window
    into the bundle's one supplement notice."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE,
                                    related_name="supplement_requests")
    member = models.ForeignKey(BundleMember, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("departments.Department", on_delete=models.PROTECT,
                                   related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = "部门补正意见"
        verbose_name_plural = "部门补正意见"

    def __str__(self) -> str:
        return f"{self.bundle_case_id} {self.department_id}"


class BundleNoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "一件事受理通知书"
    SUPPLEMENT = "supplement", "一件事一次性补正告知书"
    REFUSAL = "refusal", "一件事不予受理通知书"
    COMPLETION = "completion", "一件事办结通知书"


BUNDLE_NOTICE_MARK = {BundleNoticeKind.ACCEPTANCE: "一件事受", BundleNoticeKind.SUPPLEMENT: "一件事补",
                      BundleNoticeKind.REFUSAL: "一件事不受",
                      BundleNoticeKind.COMPLETION: "一件事结"}


class BundleNotice(ProcessNotice):
    """One notice for the whole bundle (一次告知), issued by its lead department: acceptance,
    the one supplement notice, refusal, completion. Its PDF is cached in the cache, not in a
    file (bundles.notices)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("文书种类", max_length=16, choices=BundleNoticeKind.choices)

    class Meta:
        verbose_name = "一件事文书"
        verbose_name_plural = "一件事文书"
        ordering = ["bundle_case_id", "issued_at", "id"]

    def __str__(self) -> str:
        return self.number


class MaterialIdentity(models.Model):
    """一次采集: material names (as items' guides write them) that are the same document."""

    identity = models.CharField("材料", max_length=200, unique=True)
    names = models.JSONField("对应材料名称", default=list)

    class Meta:
        verbose_name = "材料同一性"
        verbose_name_plural = "材料同一性"
        ordering = ["identity"]

    def __str__(self) -> str:
        return self.identity


class BundleAccess(AccessRecord):
    """A member of staff opened a bundle case (quality.md #8): the applicant can see which
    department looked, when and why — as for cases (cases.CaseAccess)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="accesses")

    class Meta(AccessRecord.Meta):
        verbose_name = "一件事查阅记录"
        verbose_name_plural = "一件事查阅记录"
        indexes = [models.Index(fields=["bundle_case", "at"]), *AccessRecord.Meta.indexes]

    def __str__(self) -> str:
        return f"{self.bundle_case_id} {self.purpose}"

"""The policy library (政策文件, 解读), benefits with their dated rule versions, the facts they
are decided from, and 免申即享 grant lists (issue 14 §1, ADR 0024).

- A **policy document** is what was issued (title, 文号, issuing body, dates, status with the
  superseding document); its **interpretations** (解读) explain it in words and Q&A.
- A **benefit** (奖补, 减免, 贴息, 人才补贴…) comes from a document, is owned by a department,
  and is decided by **rule versions**: conditions and an amount formula stored as data
  (`conditions` is a list of {"fact", "op", "value", "label"}), read by `eligibility`. A
  version is never edited: a new one is added with its own dates.
- A **fact** is one value about a subject — an enterprise by its USCC, or a person by the
  公民身份号码 (人才 and 惠民 benefits; a benefit says which it is for) — with its source and the
  day it is true as of; departments' data files arrive as a FactBatch, whole or not at all.
- A person's ID number is shown to staff masked; every showing of a person on a staff page or
  in the API is a SubjectRead the person sees in 我能享受的政策 (quality.md #8).
- A **grant list** is one department's decision for one benefit: prepared from the matching
  (each Grant keeps the explanation and amount the rule version gave), confirmed by a second
  member of staff (four-eyes), then each grant is paid (payment reference). It moves on the
  process engine; every move leaves a GrantListEvent and an audit row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.models import AccessRecord, BaseModel, StoredFile
from zhengwu.process.models import ProcessEvent


class DocumentStatus(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "失效"
    REVISED = "revised", "已修订"


class PolicyDocument(BaseModel):
    title = models.CharField("标题", max_length=200)
    doc_number = models.CharField("文号", max_length=80)
    issuer = models.CharField("发文机关", max_length=120)
    department = models.ForeignKey("departments.Department", verbose_name="牵头部门", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField("成文日期")
    effective_on = models.DateField("施行日期")
    expires_on = models.DateField("有效期至", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=DocumentStatus.choices,
                              default=DocumentStatus.VALID)
    superseded_by = models.ForeignKey("self", verbose_name="修订后的文件", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="supersedes")
    full_text = models.TextField("全文")
    # Illustrative documents (a demo pack's) say so on every page that shows them.
    illustrative = models.BooleanField("示例数据", default=False)

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        ordering = ["-issued_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["doc_number"], name="policy_document_number_unique"),
            models.CheckConstraint(condition=models.Q(status__in=DocumentStatus.values),
                                   name="policy_document_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status=DocumentStatus.REVISED)
                | models.Q(superseded_by__isnull=False),
                name="policy_document_revised_names_successor"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.doc_number}）"


class Interpretation(BaseModel):
    """解读 (measure [30]): the document explained, with questions and answers."""

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE,
                                 related_name="interpretations")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("解读内容")
    # [{"q": "…", "a": "…"}]: shown as a list of questions on the document's page.
    questions = models.JSONField("问答", default=list, blank=True)
    published_on = models.DateField("发布日期")

    class Meta:
        verbose_name = "政策解读"
        verbose_name_plural = "政策解读"
        ordering = ["document_id", "published_on", "pk"]

    def __str__(self) -> str:
        return self.title


class PolicyFile(StoredFile):
    """A file published with a 政策文件 — its 附件 (the signed scan, tables, application forms)
    — or, when `interpretation` is set, a 图解 of that 解读 (an image, shown on the page with
    its text description for those who cannot see it). Checked by core.upload_check, kept as
    every uploaded file is (core.models.StoredFile) and served with the type its content has."""

    UPLOAD_DIR = "policies"

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE, related_name="files")
    interpretation = models.ForeignKey(Interpretation, null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="graphics")
    description = models.CharField("说明", max_length=300)

    class Meta:
        verbose_name = "政策文件附件"
        verbose_name_plural = "政策文件附件"
        ordering = ["document_id", "pk"]
        constraints = [
            # A 图解 is an image: its description is what a screen reader says instead.
            models.CheckConstraint(
                condition=models.Q(interpretation__isnull=True)
                | models.Q(content_type__startswith="image/"),
                name="policy_file_graphic_is_an_image"),
        ]


class BenefitKind(models.TextChoices):
    AWARD = "award", "奖补"
    REDUCTION = "reduction", "减免"
    INTEREST = "interest", "贴息"
    TALENT = "talent", "人才补贴"
    OTHER = "other", "其他"


class SubjectKind(models.TextChoices):
    """Whom a benefit is for (eligibility.ENTERPRISE / PERSON): whose facts its rules read."""

    ENTERPRISE = "enterprise", "企业"
    PERSON = "person", "个人"


# How people count subjects of each kind: "3 家企业", "2 人".
COUNTED: dict[str, str] = {SubjectKind.ENTERPRISE: "家企业", SubjectKind.PERSON: "人"}


class BenefitMode(models.TextChoices):
    NO_APPLICATION = "no_application", "免申即享"  # the department decides from the facts
    ONE_CLICK = "one_click", "即申即享"  # a prefilled application through a case


class Benefit(BaseModel):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类别", max_length=12, choices=BenefitKind.choices)
    mode = models.CharField("兑现方式", max_length=16, choices=BenefitMode.choices,
                            default=BenefitMode.NO_APPLICATION)
    subject_kind = models.CharField("适用对象", max_length=12, choices=SubjectKind.choices,
                                    default=SubjectKind.ENTERPRISE)
    document = models.ForeignKey(PolicyDocument, verbose_name="政策依据", on_delete=models.PROTECT,
                                 related_name="benefits")
    department = models.ForeignKey("departments.Department", verbose_name="兑现部门",
                                   on_delete=models.PROTECT, related_name="+")
    description = models.TextField("内容说明")
    published = models.BooleanField("已发布", default=False)
    # The catalogue item through which an enterprise applies: 即申即享's one-click application
    # (a case of this item, its form prefilled as every item's is), and for a 免申即享 benefit
    # the way in for an enterprise whose facts the departments do not hold (需补充).
    implementation = models.ForeignKey("catalog.ItemImplementation", verbose_name="申请事项",
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    class Meta:
        verbose_name = "惠企政策事项"
        verbose_name_plural = "惠企政策事项"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=BenefitKind.values),
                                   name="policy_benefit_kind_valid"),
            models.CheckConstraint(condition=models.Q(mode__in=BenefitMode.values),
                                   name="policy_benefit_mode_valid"),
            models.CheckConstraint(condition=models.Q(subject_kind__in=SubjectKind.values),
                                   name="policy_benefit_subject_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class BenefitRule(models.Model):
    """One dated version of a benefit's rules (eligibility.RuleVersion as data); never edited."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="rules")
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    conditions = models.JSONField("条件")
    amount = models.CharField("金额公式", max_length=300, blank=True)
    max_fact_age_days = models.PositiveIntegerField("数据有效天数", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "享受条件版本"
        verbose_name_plural = "享受条件版本"
        ordering = ["benefit_id", "version"]
        constraints = [models.UniqueConstraint(fields=["benefit", "version"],
                                               name="policy_rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.benefit}（第{self.version}版）"


class FactBatch(models.Model):
    """One data file a department imported (税务, 社保 …), of enterprises or of persons."""

    subject_kind = models.CharField("数据对象", max_length=12, choices=SubjectKind.choices,
                                    default=SubjectKind.ENTERPRISE)
    department = models.ForeignKey("departments.Department", verbose_name="提供部门", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField("数据来源", max_length=120)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64, blank=True)
    rows = models.PositiveIntegerField("行数")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间")
    illustrative = models.BooleanField("示例数据", default=False)

    class Meta:
        verbose_name = "企业信息数据批次"
        verbose_name_plural = "企业信息数据批次"
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source}（{self.imported_at:%Y-%m-%d}）"


class FactRecord(models.Model):
    """One fact about a subject: `key` (eligibility.FACT_SPECS) = `value`, true as of `as_of`."""

    subject_kind = models.CharField("对象", max_length=12, choices=SubjectKind.choices,
                                    default=SubjectKind.ENTERPRISE)
    subject = models.CharField("统一社会信用代码或公民身份号码", max_length=18)
    subject_name = models.CharField("名称或姓名", max_length=120)
    key = models.CharField("信息项", max_length=40)
    value = models.JSONField("值")
    as_of = models.DateField("截至日期")
    batch = models.ForeignKey(FactBatch, on_delete=models.PROTECT, related_name="facts")

    class Meta:
        verbose_name = "政策判定信息"
        verbose_name_plural = "政策判定信息"
        indexes = [models.Index(fields=["subject", "key", "as_of"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.key}"


class GrantListStatus(models.TextChoices):
    PREPARED = "prepared", "待复核"
    CONFIRMED = "confirmed", "已确认"
    WITHDRAWN = "withdrawn", "已撤回"


class GrantList(models.Model):
    """免申即享: the enterprises a department decides to grant a benefit, without application."""

    number = models.CharField("名单编号", max_length=32, unique=True)
    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="grant_lists")
    rule = models.ForeignKey(BenefitRule, verbose_name="所据条件版本", on_delete=models.PROTECT,
                             related_name="+")
    as_of = models.DateField("判定日期")
    status = models.CharField("状态", max_length=12, choices=GrantListStatus.choices,
                              default=GrantListStatus.PREPARED)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="拟定人",
                                    on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField("拟定时间")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核人", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "免申即享名单"
        verbose_name_plural = "免申即享名单"
        ordering = ["-prepared_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=GrantListStatus.values),
                                   name="policy_grant_list_status_valid"),
            # Four-eyes (issue 14 §1): whoever prepared the list cannot be who confirms it.
            models.CheckConstraint(
                condition=models.Q(confirmed_by__isnull=True)
                | ~models.Q(confirmed_by=models.F("prepared_by")),
                name="policy_grant_list_four_eyes"),
        ]

    def __str__(self) -> str:
        return self.number


class GrantListEvent(ProcessEvent):
    grant_list = models.ForeignKey(GrantList, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "免申即享名单事件"
        verbose_name_plural = "免申即享名单事件"
        ordering = ["grant_list_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="policies_event_unsealed")]


class Grant(models.Model):
    """One enterprise's or person's grant on a list (the benefit's subject kind): what the rule
    version said of it on the day, kept."""

    grant_list = models.ForeignKey(GrantList, on_delete=models.CASCADE, related_name="grants")
    subject = models.CharField("统一社会信用代码或公民身份号码", max_length=18)
    subject_name = models.CharField("名称或姓名", max_length=120)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    # The per-condition explanation and the facts used (source, as-of), as they stood.
    explanation = models.JSONField("判定说明")
    # The day the enterprise became eligible: the later of the version's start and the newest
    # fact the decision used (the KPI counts working days from it to the confirmation).
    eligible_since = models.DateField("符合条件日期")
    payment_reference = models.CharField("支付凭证号", max_length=60, blank=True)
    paid_on = models.DateField("拨付日期", null=True, blank=True)

    class Meta:
        verbose_name = "免申即享兑现"
        verbose_name_plural = "免申即享兑现"
        ordering = ["grant_list_id", "subject"]
        constraints = [models.UniqueConstraint(fields=["grant_list", "subject"],
                                               name="policy_grant_once_per_list")]

    def __str__(self) -> str:
        return f"{self.grant_list.number} {self.subject}"


class SubjectRead(AccessRecord):
    """A member of staff was shown a person (name, ID number masked or whole) on a benefit's
    eligible list or grant list, page or API: one row per person per showing, read by the
    person in 我能享受的政策 (quality.md #8; core.access_log groups them)."""

    id_number = models.CharField("公民身份号码", max_length=18)
    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="+")
    unmasked = models.BooleanField("显示完整号码", default=False)

    class Meta(AccessRecord.Meta):
        verbose_name = "政策兑现个人信息查阅"
        verbose_name_plural = "政策兑现个人信息查阅"
        indexes = [models.Index(fields=["id_number", "at"]), *AccessRecord.Meta.indexes]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.purpose}"

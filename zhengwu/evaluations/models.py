"""好差评 records: the service event (what is rated), its one rating, the SMS invitation, and
the rectification of a 差评 as a process row with its timeline and the reads of the rater's
contact.

A service event is referenced generically by `kind` and `key` (a case number, a bundle
number; later a hall queue ticket, an appointment, a 12345 work order), so other services
plug in without a schema change: `kind` is a plain string checked against the registry of
kinds in code (events.KINDS), not a database choice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.models import AccessRecord
from zhengwu.process.models import ProcessEvent


class ServiceEvent(models.Model):
    """One service to rate (一次一评/一事一评, GB/T 39734-2020 title; its §7.1 评价次数规则 body
    was not readable, standards-notes §3 [NF]): who was served, by which department and item,
    and when it ended. The person served is kept for the rating rule; staff pages never show
    it (quality.md scorecard row 20)."""

    kind = models.CharField("服务类型", max_length=16)
    key = models.CharField("服务标识", max_length=64)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="服务对象", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    department = models.ForeignKey("departments.Department", verbose_name="责任部门",
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    item_code = models.CharField("事项编码", max_length=40, blank=True)
    item_name = models.CharField("事项名称", max_length=200, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    # Where it was served, for per-window figures: "<hall name> <n>号窗口" (a queue number's
    # window); blank for services without one (an online case).
    window = models.CharField("服务窗口", max_length=120, blank=True)
    opened_at = models.DateTimeField("可评价起")
    closed_at = models.DateTimeField("办结时间")

    class Meta:
        verbose_name = "服务事件"
        verbose_name_plural = "服务事件"
        constraints = [models.UniqueConstraint(fields=["kind", "key"],
                                               name="evaluations_event_unique")]
        indexes = [models.Index(fields=["closed_at"]), models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class Channel(models.TextChoices):
    """评价渠道 (GB/T 39046 Table 9 channels: PC端, 短信, 政务大厅平板电脑 …, notes §3 [V])."""

    WEB = "web", "PC端/网页"
    SMS = "sms", "短信链接"
    API = "api", "接口（移动端）"
    PAD = "pad", "政务大厅平板电脑"


class Rating(models.Model):
    """The one rating of a service event (the OneToOne is the rule, in the database)."""

    event = models.OneToOneField(ServiceEvent, verbose_name="服务事件", on_delete=models.PROTECT,
                                 related_name="rating")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评价人", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    # GB/T 39046 A.8 满意度代码: 1 非常满意 … 5 非常不满意 (notes §3 [V]).
    level = models.PositiveSmallIntegerField("满意度")
    reasons = models.JSONField("差评原因", default=list)
    text = models.TextField("文字评价", blank=True)
    channel = models.CharField("评价渠道", max_length=8, choices=Channel.choices)
    rated_at = models.DateTimeField("评价时间")
    real_name = models.BooleanField("实名评价", default=True)
    by_staff = models.BooleanField("工作人员账号", default=False)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    # The API's Idempotency-Key (core.idempotency): same key, same body → the same rating.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField("幂等键", max_length=80, null=True, blank=True)
    request_hash = models.CharField("请求摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5),
                                   name="evaluations_rating_level"),
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"],
                                    condition=models.Q(idempotency_key__isnull=False),
                                    name="evaluations_rating_idempotency"),
        ]
        indexes = [models.Index(fields=["rated_at"])]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.level}"

    def get_level_label(self) -> str:
        return {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}.get(
            self.level, "")


class Invitation(models.Model):
    """The SMS link's one-time token: only its SHA-256 is kept; used once."""

    event = models.ForeignKey(ServiceEvent, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "评价邀请"
        verbose_name_plural = "评价邀请"

    def __str__(self) -> str:
        return f"{self.event_id}"


class RectificationStatus(models.TextChoices):
    TRIAGE = "triage", "待研判"
    INVALID_PROPOSED = "invalid_proposed", "无效差评待复核"
    INVALID = "invalid", "已认定无效差评"
    APPEALED = "appealed", "申诉复核中"
    CONTACTING = "contacting", "待联系评价人"
    RECTIFYING = "rectifying", "整改中"
    CALLBACK = "callback", "待回访"
    CLOSED = "closed", "已办结"
    INVALID_FINAL = "invalid_final", "无效差评（申诉已驳回）"


class Complexity(models.TextChoices):
    SIMPLE = "simple", "简单（立行立改）"
    COMPLEX = "complex", "复杂（限期整改）"


class InvalidKind(models.TextChoices):
    MISTAKEN = "mistaken", "误评"
    MALICIOUS = "malicious", "恶意差评"


class Rectification(models.Model):
    """差评整改: one per 差评, on the process engine (evaluations.workflow)."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey("departments.Department", verbose_name="责任部门",
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    status = models.CharField("状态", max_length=20, choices=RectificationStatus.choices,
                              default=RectificationStatus.TRIAGE)
    created_at = models.DateTimeField("发起时间")
    complexity = models.CharField("类型", max_length=8, choices=Complexity.choices, blank=True)
    invalid_kind = models.CharField("无效类型", max_length=10, choices=InvalidKind.choices,
                                    blank=True)
    invalid_reason = models.TextField("无效理由", blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    invalid_at = models.DateTimeField("认定无效时间", null=True, blank=True)
    appeal_text = models.TextField("申诉理由", blank=True)
    appealed_at = models.DateTimeField("申诉时间", null=True, blank=True)
    appeal_outcome = models.CharField("申诉结果", max_length=10, blank=True)
    contact_due_at = models.DateTimeField("联系期限", null=True, blank=True)
    contacted_at = models.DateTimeField("联系时间", null=True, blank=True)
    contact_note = models.TextField("联系情况", blank=True)
    rectify_due_at = models.DateTimeField("整改期限", null=True, blank=True)
    rectified_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    rectify_note = models.TextField("整改情况", blank=True)
    extension_workdays = models.PositiveSmallIntegerField("延期工作日", default=0)
    extension_reason = models.TextField("延期理由", blank=True)
    extension_state = models.CharField("延期审批", max_length=10, blank=True)
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    callback_level = models.PositiveSmallIntegerField("回访满意度", null=True, blank=True)
    callback_note = models.TextField("回访情况", blank=True)
    warned_at = models.DateTimeField("预警时间", null=True, blank=True)
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)
    contact_escalated_at = models.DateTimeField("联系逾期督办时间", null=True, blank=True)
    change_requested_at = models.DateTimeField("提出事项变更时间", null=True, blank=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        constraints = [models.CheckConstraint(
            condition=models.Q(status__in=RectificationStatus.values),
            name="evaluations_rectification_status")]
        indexes = [models.Index(fields=["status", "rectify_due_at"])]

    def __str__(self) -> str:
        return f"差评整改#{self.pk}"

    @property
    def extension_state_label(self) -> str:
        return {"requested": "待审批", "approved": "已批准", "refused": "未批准"}.get(
            self.extension_state, "")


class RectificationEvent(ProcessEvent):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE,
                                      related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "差评整改事件"
        verbose_name_plural = "差评整改事件"
        ordering = ["rectification_id", "id"]
        # Named here: the default name would exceed Django's 30 characters.
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="evaluations_rect_unsealed")]


class ContactRead(AccessRecord):
    """The rectification officer read the rater's contact for the callback: logged as a read
    of personal data (quality.md #8), like cases.CaseAccess; each read is also audited."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE,
                                      related_name="contact_reads")

    class Meta(AccessRecord.Meta):
        verbose_name = "评价人联系方式查阅记录"
        verbose_name_plural = "评价人联系方式查阅记录"
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="evaluations_read_unsealed")]

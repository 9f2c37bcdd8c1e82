"""12345 work orders (工单) and their routing tables (the shared contract of issue 13).

A work order keeps what the caller asked (kind, category, text, where), who they are (masked
for department staff, never shown to the department when the order is confidential), where it
was sent (department, named handler), its limits (sign_due_at, due_at: rules.limits on the
official calendar) and what happened to them (warned_percent, card). It moves only through
hotline.services (engine.transition); every move leaves a WorkOrderEvent and an audit row.

Routing: the pack's rule table (region prefix × category → department) is versioned; one
RoutingVersion is active at a time, and a new version is written whole (never edited).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.models import AccessRecord, StoredFile
from zhengwu.process.models import ProcessEvent


class OrderKind(models.TextChoices):  # 诉求类型
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    MOBILE = "mobile", "移动端"
    LETTER = "letter", "来信"
    EMAIL = "email", "电子邮件"
    UPSTREAM = "upstream", "上级平台转办"
    EVALUATION = "evaluation", "好差评差评"
    OPEN311 = "open311", "Open311接口"


class Status(models.TextChoices):
    DISPATCHING = "dispatching", "待派单"  # accepted (受理), waiting for a department
    SIGNING = "signing", "待签收"  # dispatched to a department
    RETURNED = "returned", "退单待审核"  # the department sent it back; a dispatcher reviews
    HANDLING = "handling", "办理中"  # signed
    ANSWERED = "answered", "待回访"  # the department replied
    CLOSED = "closed", "已办结"
    MERGED = "merged", "已合并"  # a duplicate merged into another order


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Card(models.TextChoices):
    NONE = "", "无"
    YELLOW = "yellow", "黄牌"
    RED = "red", "红牌"


class Publication(models.TextChoices):  # 互动交流: the order's answer on the public page
    NONE = "", "未处理"
    PUBLISHED = "published", "已公开"
    DECLINED = "declined", "不予公开"
    WITHDRAWN = "withdrawn", "已撤下"  # the caller withdrew consent (a reopened order goes back to NONE)


class Category(models.Model):
    """诉求分类: a three-level tree from packs/<pack>/hotline/categories.csv."""

    code = models.CharField("分类编码", max_length=20, unique=True)
    name = models.CharField("分类名称", max_length=60)
    parent = models.ForeignKey("self", verbose_name="上级分类", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField("层级", default=1)
    business = models.BooleanField("营商环境诉求", default=False)
    active = models.BooleanField("启用", default=True)
    # Working days for orders of this category, overriding the kind's default (rules.limits);
    # 0: the kind's default.
    limit_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=0)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3),
                                   name="hotline_category_level"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RoutingVersion(models.Model):
    number = models.PositiveIntegerField("版本号", unique=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)
    active = models.BooleanField("生效", default=False)

    class Meta:
        verbose_name = "派单规则版本"
        verbose_name_plural = "派单规则版本"
        ordering = ["-number"]
        constraints = [
            # One active version at a time, in the database too.
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                    name="hotline_one_active_routing"),
        ]

    def __str__(self) -> str:
        return f"派单规则第{self.number}版"


class RoutingRule(models.Model):
    version = models.ForeignKey(RoutingVersion, verbose_name="版本", on_delete=models.CASCADE,
                                related_name="rules")
    region_code = models.CharField("区划编码前缀", max_length=12, blank=True)  # blank: any
    category = models.ForeignKey(Category, verbose_name="诉求分类", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")  # null: any
    department = models.ForeignKey("departments.Department", verbose_name="承办部门",
                                   on_delete=models.PROTECT, related_name="+")
    priority = models.IntegerField("优先级", default=0)

    class Meta:
        verbose_name = "派单规则"
        verbose_name_plural = "派单规则"
        ordering = ["version_id", "-priority", "id"]

    def __str__(self) -> str:
        return f"{self.region_code or '*'} × {self.category_id or '*'} → {self.department_id}"


class WorkOrder(models.Model):
    number = models.CharField("工单编号", max_length=24, unique=True)
    kind = models.CharField("诉求类型", max_length=12, choices=OrderKind.choices)
    channel = models.CharField("来源渠道", max_length=12, choices=Channel.choices)
    external_id = models.CharField("来源编号", max_length=64, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices,
                              default=Status.DISPATCHING)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("诉求内容")
    category = models.ForeignKey(Category, verbose_name="诉求分类", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="orders")
    region_code = models.CharField("区划编码", max_length=12, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    caller_name = models.CharField("诉求人", max_length=50)
    caller_phone = models.CharField("联系电话", max_length=20, blank=True)
    # An e-mail to answer by when there is no phone (an e-mail or Open311 report); one of the
    # two is required (services.clean).
    caller_email = models.EmailField("电子邮箱", max_length=120, blank=True)
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="诉求人账号", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    enterprise_uscc = models.CharField("企业统一社会信用代码", max_length=18, blank=True)
    business = models.BooleanField("营商环境诉求", default=False)
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    confidential = models.BooleanField("保密（举报人保护）", default=False)
    department = models.ForeignKey("departments.Department", verbose_name="承办部门",
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField("受理时间")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="受理人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    sign_due_at = models.DateTimeField("签收期限", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    due_at = models.DateTimeField("办理期限", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    resolved = models.BooleanField("是否解决", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices,
                                    blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    direct = models.BooleanField("直办", default=False)
    merged_into = models.ForeignKey("self", verbose_name="合并至", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged")
    reopen_count = models.PositiveIntegerField("重办次数", default=0)
    return_count = models.PositiveIntegerField("退单次数", default=0)
    warned_percent = models.PositiveSmallIntegerField("已预警（%）", default=0)
    card = models.CharField("亮牌", max_length=8, choices=Card.choices, blank=True, default="")
    extension_days = models.PositiveIntegerField("延期工作日", default=0)
    extension_requested = models.BooleanField("延期申请中", default=False)
    # 互动交流 (measure [24]): the caller's explicit consent to publish the question and the
    # answer once closed, personal data removed. Off unless the caller ticks it (个人信息保护法
    # art. 14, 25: consent given by a clear act, publication needs separate consent); the
    # caller may withdraw it at any time (art. 15), which takes the publication down.
    publish_consent = models.BooleanField("同意公开", default=False)
    publish_consent_at = models.DateTimeField("公开同意变更时间", null=True, blank=True)
    publication = models.CharField("公开状态", max_length=10, choices=Publication.choices,
                                   blank=True, default=Publication.NONE)
    # What the public page shows: edited by the 12345 centre, never the caller's own words
    # unreviewed (hotline.redact prefills them).
    public_title = models.CharField("公开标题", max_length=100, blank=True)
    public_question = models.TextField("公开诉求", blank=True)
    public_answer = models.TextField("公开答复", blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公开人", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "12345工单"
        verbose_name_plural = "12345工单"
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values),
                                   name="hotline_order_status"),
            models.CheckConstraint(condition=models.Q(kind__in=OrderKind.values),
                                   name="hotline_order_kind"),
            # Imports are idempotent by (channel, external_id).
            models.UniqueConstraint(fields=["channel", "external_id"],
                                    condition=~models.Q(external_id=""),
                                    name="hotline_order_external_once"),
            # A closed order says what it was closed with (services.close needs both).
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(direct=True)
                | (~models.Q(reply="") & models.Q(callback_at__isnull=False)),
                name="hotline_closed_has_reply_and_callback"),
            # Published only with the caller's consent, closed, with both public texts.
            models.CheckConstraint(
                condition=~models.Q(publication="published") | (
                    models.Q(publish_consent=True, status="closed")
                    & ~models.Q(public_question="") & ~models.Q(public_answer="")),
                name="hotline_published_with_consent"),
        ]
        indexes = [models.Index(fields=["status", "due_at"]),
                   models.Index(fields=["department", "status"]),
                   models.Index(fields=["caller_phone"]),
                   models.Index(fields=["accepted_at"]),
                   models.Index(fields=["publication", "published_at"])]

    def __str__(self) -> str:
        return f"工单 {self.number}"


class WorkOrderEvent(ProcessEvent):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "工单事件"
        verbose_name_plural = "工单事件"
        ordering = ["order_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="hotline_event_unsealed")]


class WorkOrderRead(AccessRecord):
    """A member of staff opened the order with the caller's name and phone unmasked: a read of
    personal data (quality.md #8), like unresolved.TicketRead."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="reads")

    class Meta(AccessRecord.Meta):
        verbose_name = "工单查阅记录"
        verbose_name_plural = "工单查阅记录"
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="hotline_read_unsealed")]


class AttachmentPart(models.TextChoices):
    REQUEST = "request", "诉求附件"  # given with the order: a letter's scan, a photo
    REPLY = "reply", "答复附件"  # given by the department with its handling


class WorkOrderAttachment(StoredFile):
    """A file of an order (hotline.attachments): checked by core.upload_check (PDF, JPEG or PNG
    by content), kept as every uploaded file is (core.models.StoredFile), served only as an
    attachment to whoever may see it (selectors.attachments_for)."""

    UPLOAD_DIR = "hotline"

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="attachments")
    part = models.CharField("类别", max_length=8, choices=AttachmentPart.choices)

    class Meta:
        verbose_name = "工单附件"
        verbose_name_plural = "工单附件"
        ordering = ["order_id", "id"]


class UpstreamFeedback(models.Model):
    """反馈: what the upstream (provincial) platform is told of an order it sent (channel
    upstream): the reply, an extension asked or decided, the closing (hotline.upstream). A
    queue read in order of `id` by the exchange (`GET /api/v1/hotline/upstream/feedback`,
    `zhengwu hotline_feedback`) and acknowledged up to an id; written in the move's
    transaction, so a move and its feedback are one."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="feedback")
    action = models.CharField("反馈类型", max_length=20)
    payload = models.JSONField("反馈内容")
    created_at = models.DateTimeField("产生时间")
    delivered_at = models.DateTimeField("确认送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "上级平台反馈"
        verbose_name_plural = "上级平台反馈"
        ordering = ["id"]
        indexes = [models.Index(fields=["delivered_at", "id"])]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.action}"

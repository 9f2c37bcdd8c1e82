"""中介超市 records: agencies (中介机构) with their 资质 and service types, projects (采购项目)
with registrations, the owner's evaluation and the 审改办's sanctions (docs/market.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.catalog.models import ServiceItem
from zhengwu.departments.models import Department
from zhengwu.process.models import ProcessEvent


class AgencyStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    LISTED = "listed", "已入驻"
    RETURNED = "returned", "退回"


class Agency(models.Model):
    """An intermediary agency, registered by the enterprise account that holds its USCC."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("机构名称", max_length=120)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    service_types = models.ManyToManyField(ServiceItem, verbose_name="服务类型",
                                           related_name="agencies")
    staff_count = models.PositiveIntegerField("从业人员数")
    fee_description = models.TextField("收费标准说明")
    status = models.CharField("状态", max_length=12, choices=AgencyStatus.choices,
                              default=AgencyStatus.PENDING)
    return_reason = models.TextField("退回理由", blank=True)
    submitted_at = models.DateTimeField("申请时间")
    listed_at = models.DateTimeField("入驻时间", null=True, blank=True)
    # 黑名单: set by a sanction of the 审改办 (credit.py also lists an agency whose score
    # falls below the threshold; that is computed, not stored).
    blacklisted = models.BooleanField("列入黑名单（处罚决定）", default=False)
    illustrative = models.BooleanField("示例数据", default=False)

    class Meta:
        verbose_name = "中介机构"
        verbose_name_plural = "中介机构"
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=models.Q(status__in=AgencyStatus.values),
                                              name="market_agency_status_valid")]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    """资质: a certificate with its level and validity; only a valid one makes the agency
    selectable on a day (selectors.selectable_agencies)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField("资质名称", max_length=120)
    level = models.CharField("资质等级", max_length=40)
    certificate_number = models.CharField("证书编号", max_length=60)
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期止")

    class Meta:
        verbose_name = "中介机构资质"
        verbose_name_plural = "中介机构资质"
        ordering = ["agency_id", "valid_to", "pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(valid_to__gte=models.F("valid_from")),
            name="market_qualification_dates")]

    def __str__(self) -> str:
        return f"{self.name}（{self.level}）"


class AgencyEvent(ProcessEvent):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "中介机构事件"
        verbose_name_plural = "中介机构事件"
        ordering = ["agency_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="market_agencyevent_unsealed")]


class Method(models.TextChoices):
    RANDOM = "random", "随机抽取"
    LOWEST = "lowest", "最低价"
    DIRECT = "direct", "直接选取"


class DirectReason(models.TextChoices):
    """The fixed grounds on which an owner may choose an agency directly (docs/market.md)."""

    SECRET = "secret", "涉及国家秘密"
    EMERGENCY = "emergency", "抢险救灾等紧急情形"
    SOLE = "sole", "仅一家中介机构具备相应资质"
    FOLLOW_UP = "follow_up", "原服务的后续服务，须由原中介机构承担"


class ProjectStatus(models.TextChoices):
    OPEN = "open", "报名中"
    DRAWING = "drawing", "抽取中"
    SELECTED = "selected", "已选定"
    CONTRACTED = "contracted", "已签约"
    DELIVERED = "delivered", "已交付待验收"
    ACCEPTED = "accepted", "已验收"
    PAID = "paid", "已付款"
    EVALUATED = "evaluated", "已评价"
    FAILED = "failed", "流标"


class Project(models.Model):
    """A 采购项目 an owner posts for one service type."""

    number = models.CharField("项目编号", max_length=24, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="项目业主经办人",
                              on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField("项目业主", max_length=200)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    service_type = models.ForeignKey(ServiceItem, verbose_name="服务类型",
                                     on_delete=models.PROTECT, related_name="+")
    title = models.CharField("项目名称", max_length=200)
    budget = models.DecimalField("预算（元）", max_digits=14, decimal_places=2)
    requirements = models.TextField("服务要求")
    service_workdays = models.PositiveIntegerField("服务期限（工作日）")
    registration_closes = models.DateField("报名截止日期")
    method = models.CharField("选取方式", max_length=12, choices=Method.choices)
    direct_reason = models.CharField("直接选取理由", max_length=16, blank=True,
                                     choices=DirectReason.choices)
    status = models.CharField("状态", max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.OPEN)
    posted_at = models.DateTimeField("发布时间")
    draw_number = models.CharField("抽取编号", max_length=24, blank=True)
    winner = models.ForeignKey(Agency, verbose_name="选定机构", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="projects_won")
    selected_at = models.DateTimeField("选定时间", null=True, blank=True)
    contract_on = models.DateField("签约日期", null=True, blank=True)
    contract_amount = models.DecimalField("合同金额（元）", max_digits=14, decimal_places=2,
                                          null=True, blank=True)
    due_on = models.DateField("服务到期日", null=True, blank=True)
    due_provisional = models.BooleanField("临时期限", default=False)
    delivered_on = models.DateField("交付日期", null=True, blank=True)
    delayed = models.BooleanField("逾期交付", default=False)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    paid_on = models.DateField("付款日期", null=True, blank=True)
    payment_reference = models.CharField("付款凭证号", max_length=60, blank=True)
    illustrative = models.BooleanField("示例数据", default=False)

    class Meta:
        verbose_name = "中介服务项目"
        verbose_name_plural = "中介服务项目"
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ProjectStatus.values),
                                   name="market_project_status_valid"),
            # 直接选取 only with a reason from the list; 随机抽取 never carries one.
            models.CheckConstraint(
                condition=(models.Q(method="direct") & ~models.Q(direct_reason=""))
                | (models.Q(method__in=["random", "lowest"]) & models.Q(direct_reason="")),
                name="market_project_direct_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Registration(models.Model):
    """报名: an agency asks to be a candidate of a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="registrations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="registrations")
    registered_at = models.DateTimeField("报名时间")
    # 最低价: the agency's price (元), sealed until the owner awards (not shown before).
    bid = models.DecimalField("报价（元）", max_digits=14, decimal_places=2, null=True,
                              blank=True)

    class Meta:
        verbose_name = "项目报名"
        verbose_name_plural = "项目报名"
        ordering = ["project_id", "registered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "agency"],
                                               name="market_registration_once")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.agency_id}"


class ProjectEvent(ProcessEvent):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "中介服务项目事件"
        verbose_name_plural = "中介服务项目事件"
        ordering = ["project_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="market_projectevent_unsealed")]


class Evaluation(models.Model):
    """The owner's evaluation of the agency's service on a project, once."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="evaluation")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="evaluations")
    quality = models.PositiveSmallIntegerField("服务质量")
    timeliness = models.PositiveSmallIntegerField("服务时效")
    attitude = models.PositiveSmallIntegerField("服务态度")
    text = models.TextField("评价内容", blank=True)
    at = models.DateTimeField("评价时间")
    ledger_index = models.PositiveBigIntegerField("透明日志序号")

    class Meta:
        verbose_name = "中介服务评价"
        verbose_name_plural = "中介服务评价"
        ordering = ["-at", "-pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(quality__gte=1, quality__lte=5, timeliness__gte=1,
                               timeliness__lte=5, attitude__gte=1, attitude__lte=5),
            name="market_evaluation_stars")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.quality}/{self.timeliness}/{self.attitude}"


class Sanction(models.Model):
    """A sanction the 审改办 decides on an agency (with its reason), in the log."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="sanctions")
    reason = models.TextField("处罚理由")
    blacklist = models.BooleanField("列入黑名单")
    at = models.DateTimeField("决定时间")
    ledger_index = models.PositiveBigIntegerField("透明日志序号")

    class Meta:
        verbose_name = "中介机构处罚"
        verbose_name_plural = "中介机构处罚"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.at:%Y-%m-%d}"

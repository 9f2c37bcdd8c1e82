"""中介超市 records: agencies (中介机构) with their 资质 and service types, projects (采购项目)
with registrations, the owner's evaluation and the 审改办's sanctions; the 评审专家库 with
conflict declarations, a 综合评分 project's drawn panel and its scores; complaints (投诉)
(docs/market.md)."""

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
    SCORED = "scored", "综合评分"
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
    PANEL = "panel", "评审专家抽取中"
    SCORING = "scoring", "专家评分中"
    SCORED = "scored", "评分完成"
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
    # 综合评分: the draw of the panel, and the agencies (USCCs) the panel scores — those
    # registered and qualified on the day the panel was drawn.
    panel_draw_number = models.CharField("评审专家抽取编号", max_length=24, blank=True)
    scored_agencies = models.JSONField("参评机构", default=list, blank=True)
    scores_ledger_index = models.PositiveBigIntegerField("评分结果透明日志序号", null=True,
                                                         blank=True)
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
                | (models.Q(method__in=["random", "lowest", "scored"])
                   & models.Q(direct_reason="")),
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


class ConflictReason(models.TextChoices):
    RELATIVE = "relative", "近亲属在该机构任职或持股"
    FORMER = "former", "曾在该机构任职（三年内）"
    INTEREST = "interest", "与该机构有其他利害关系"


class Expert(models.Model):
    """评审专家: a member of the 评审专家库 kept by the 审改办. The 专家编号 is the expert's
    public id (draw candidates, scores in the log); the name (the account's) is shown to the
    审改办 only."""

    code = models.CharField("专家编号", max_length=20, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号",
                                on_delete=models.PROTECT, related_name="market_expert")
    specialties = models.ManyToManyField(ServiceItem, verbose_name="评审专业（服务类型）",
                                         related_name="market_experts")
    # The expert's employer: a department (then the department's own projects exclude the
    # expert) or another employer by name.
    department = models.ForeignKey(Department, verbose_name="所在部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    employer = models.CharField("工作单位", max_length=200)
    active = models.BooleanField("在库", default=True)
    registered_at = models.DateTimeField("入库时间")
    illustrative = models.BooleanField("示例数据", default=False)

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ExpertConflict(models.Model):
    """利害关系回避: an agency (USCC) an expert may not score, and why; applied to the
    candidates before the panel's draw."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    uscc = models.CharField("机构统一社会信用代码", max_length=18)
    reason = models.CharField("回避事由", max_length=12, choices=ConflictReason.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    declared_at = models.DateTimeField("申报时间")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "评审专家回避申报"
        verbose_name_plural = "评审专家回避申报"
        ordering = ["expert_id", "uscc"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "uscc"], name="market_conflict_once"),
            models.CheckConstraint(condition=models.Q(reason__in=ConflictReason.values),
                                   name="market_conflict_reason_valid")]

    def __str__(self) -> str:
        return f"{self.expert} ↔ {self.uscc}"


class PanelMember(models.Model):
    """An expert drawn onto a project's 综合评分 panel."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="panels")
    position = models.PositiveSmallIntegerField("抽中顺序")
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)

    class Meta:
        verbose_name = "评审专家组成员"
        verbose_name_plural = "评审专家组成员"
        ordering = ["project_id", "position"]
        constraints = [models.UniqueConstraint(fields=["project", "expert"],
                                               name="market_panel_member_once")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.expert_id}"


class Score(models.Model):
    """One panel member's marks for one agency (scoring.py: 技术方案 0–40, 服务质量保障 0–30)."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    technical = models.PositiveSmallIntegerField("技术方案")
    quality = models.PositiveSmallIntegerField("服务质量保障")

    class Meta:
        verbose_name = "专家评分"
        verbose_name_plural = "专家评分"
        ordering = ["member_id", "agency__uscc"]
        constraints = [
            models.UniqueConstraint(fields=["member", "agency"], name="market_score_once"),
            models.CheckConstraint(condition=models.Q(technical__lte=40, quality__lte=30),
                                   name="market_score_range")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.agency_id}"


class ComplaintStatus(models.TextChoices):
    FILED = "filed", "待处理"
    UPHELD = "upheld", "成立"
    DISMISSED = "dismissed", "不成立"


class ComplainantRole(models.TextChoices):
    OWNER = "owner", "项目业主"
    AGENCY = "agency", "中介机构"
    PUBLIC = "public", "社会公众"


class Complaint(models.Model):
    """投诉: about an agency (then an upheld one counts in its credit), a project, or both."""

    number = models.CharField("投诉编号", max_length=24, unique=True)
    complainant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="投诉人",
                                    on_delete=models.PROTECT, related_name="+")
    complainant_role = models.CharField("投诉人身份", max_length=8,
                                        choices=ComplainantRole.choices)
    project = models.ForeignKey(Project, verbose_name="所涉项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="complaints")
    agency = models.ForeignKey(Agency, verbose_name="被投诉机构", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="complaints")
    text = models.TextField("投诉事项与理由")
    status = models.CharField("状态", max_length=10, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.FILED)
    filed_at = models.DateTimeField("投诉时间")
    due_on = models.DateField("办理期限")
    due_provisional = models.BooleanField("临时期限", default=False)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_reason = models.TextField("处理理由", blank=True)
    ledger_index = models.PositiveBigIntegerField("透明日志序号", null=True, blank=True)

    class Meta:
        verbose_name = "中介超市投诉"
        verbose_name_plural = "中介超市投诉"
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ComplaintStatus.values),
                                   name="market_complaint_status_valid"),
            models.CheckConstraint(condition=models.Q(project__isnull=False)
                                   | models.Q(agency__isnull=False),
                                   name="market_complaint_about_something")]

    def __str__(self) -> str:
        return self.number


class ComplaintEvent(ProcessEvent):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "中介超市投诉事件"
        verbose_name_plural = "中介超市投诉事件"
        ordering = ["complaint_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="market_complaintevent_unsealed")]

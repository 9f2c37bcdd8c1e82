"""互联网+监管 records (issue 15 §3): supervision items, inspectors and their conflicts.

- SupervisionItem (监管事项): what a department supervises after the fact — the catalogue
  items (ServiceItem) whose holders it inspects, its legal basis and its inspection method.
  Kept by the department's 后台审批人员 / 首席代表; public (the catalogue is published).
- Inspector (执法检查人员): a member of a department's staff registered with his or her
  执法证号. The 执法证号 is the public id used in draws; the name is shown to staff only.
- ConflictDeclaration (利害关系回避): an enterprise (USCC) an inspector may not inspect, and
  why; applied to the candidate set before an inspectors' draw.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.process.models import ProcessEvent


class InspectionMethod(models.TextChoices):
    ON_SITE = "on_site", "现场检查"
    DOCUMENTS = "documents", "书面检查"
    ONLINE = "online", "网络监测"
    SAMPLING = "sampling", "抽样检测"


class SupervisionItem(models.Model):
    code = models.CharField("监管事项编码", max_length=40, unique=True)
    name = models.CharField("监管事项名称", max_length=200)
    department = models.ForeignKey("departments.Department", verbose_name="监管部门",
                                   on_delete=models.PROTECT, related_name="supervision_items")
    items = models.ManyToManyField("catalog.ServiceItem", verbose_name="对应的政务服务事项",
                                   related_name="supervision_items")
    legal_basis = models.TextField("监管依据")
    method = models.CharField("检查方式", max_length=12, choices=InspectionMethod.choices)
    illustrative = models.BooleanField("示例", default=False)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "监管事项"
        verbose_name_plural = "监管事项"
        ordering = ["code"]
        constraints = [models.CheckConstraint(
            condition=models.Q(method__in=InspectionMethod.values),
            name="supervision_item_method_valid")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Inspector(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="工作人员",
                                on_delete=models.PROTECT, related_name="inspector")
    department = models.ForeignKey("departments.Department", verbose_name="所属部门",
                                   on_delete=models.PROTECT, related_name="inspectors")
    # The public id of an inspector (draw candidates, results): never the name.
    certificate = models.CharField("执法证号", max_length=30, unique=True)
    active = models.BooleanField("在库", default=True)
    registered_at = models.DateTimeField("入库时间")

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员"
        ordering = ["department_id", "certificate"]

    def __str__(self) -> str:
        return self.certificate


class ConflictReason(models.TextChoices):
    RELATIVE = "relative", "近亲属在该企业任职或持股"
    FORMER = "former", "曾在该企业任职"
    INTEREST = "interest", "与该企业有其他利害关系"


class ConflictDeclaration(models.Model):
    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="conflicts")
    uscc = models.CharField("企业统一社会信用代码", max_length=18)
    reason = models.CharField("回避事由", max_length=12, choices=ConflictReason.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    declared_at = models.DateTimeField("申报时间")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "利害关系回避申报"
        verbose_name_plural = "利害关系回避申报"
        ordering = ["inspector_id", "uscc"]
        constraints = [
            models.UniqueConstraint(fields=["inspector", "uscc"], name="conflict_once"),
            models.CheckConstraint(condition=models.Q(reason__in=ConflictReason.values),
                                   name="conflict_reason_valid")]

    def __str__(self) -> str:
        return f"{self.inspector} ↔ {self.uscc}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "拟定"
    PUBLISHED = "published", "已公布"
    DRAWING = "drawing", "抽取中"
    DRAWN = "drawn", "已抽取"
    ABORTED = "aborted", "抽取中止"


class Plan(models.Model):
    """抽查计划: a department's random inspection of the holders of a supervised item. The
    target pool is fixed when the plan is published (its source and criteria in `pool_rule`),
    before the draw, so the draw's candidates are the published pool."""

    number = models.CharField("计划编号", max_length=24, unique=True)
    name = models.CharField("计划名称", max_length=200)
    department = models.ForeignKey("departments.Department", verbose_name="抽查部门",
                                   on_delete=models.PROTECT, related_name="inspection_plans")
    item = models.ForeignKey(SupervisionItem, verbose_name="监管事项", on_delete=models.PROTECT,
                             related_name="plans")
    region_prefix = models.CharField("登记机关区划码前缀", max_length=6, blank=True)
    percent = models.DecimalField("抽查比例（%）", max_digits=5, decimal_places=2)
    due_workdays = models.PositiveSmallIntegerField("检查期限（工作日）")
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    pool = models.JSONField("抽查对象名录", default=dict)  # USCC → enterprise name
    pool_rule = models.CharField("名录来源与条件", max_length=300, blank=True)
    target_count = models.PositiveIntegerField("抽取户数", default=0)
    target_draw = models.ForeignKey("draws.Draw", verbose_name="抽取对象", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="拟定人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("拟定时间")
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽查计划"
        verbose_name_plural = "抽查计划"
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(status__in=PlanStatus.values),
                                              name="inspection_plan_status_valid")]

    def __str__(self) -> str:
        return self.number


class InspectionStatus(models.TextChoices):
    DRAWING = "drawing", "待抽取检查人员"
    ASSIGNED = "assigned", "待检查"
    INSPECTED = "inspected", "已检查"
    RECTIFYING = "rectifying", "责令整改待复查"
    RECHECKED = "rechecked", "已复查"
    ABORTED = "aborted", "检查人员抽取中止"


class InspectionResult(models.TextChoices):
    PASSED = "passed", "合格"
    NO_ISSUE = "no_issue", "未发现问题"
    RECTIFY = "rectify", "责令整改"
    CASE_OPENED = "case_opened", "立案查处"
    NOT_FOUND = "not_found", "通过登记的住所（经营场所）无法联系"


class Inspection(models.Model):
    """One drawn enterprise of a plan; its two inspectors drawn in their own draw (the
    candidates: the department's inspectors without those who declared a conflict with it)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="inspections")
    uscc = models.CharField("企业统一社会信用代码", max_length=18)
    enterprise = models.CharField("企业名称", max_length=200)
    status = models.CharField("状态", max_length=12, choices=InspectionStatus.choices,
                              default=InspectionStatus.DRAWING)
    inspector_draw = models.ForeignKey("draws.Draw", verbose_name="抽取检查人员", null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")
    excluded = models.PositiveSmallIntegerField("回避排除人数", default=0)
    inspectors = models.ManyToManyField(Inspector, verbose_name="检查人员", blank=True,
                                        related_name="inspections")
    assigned_on = models.DateField("选派日期", null=True, blank=True)
    due_on = models.DateField("检查期限", null=True, blank=True)
    result = models.CharField("检查结果", max_length=12, choices=InspectionResult.choices,
                              blank=True)
    findings = models.TextField("检查情况", blank=True)
    result_on = models.DateField("结果作出日期", null=True, blank=True)
    rectify_due = models.DateField("整改期限", null=True, blank=True)
    recheck_findings = models.TextField("复查情况", blank=True)
    rechecked_on = models.DateField("复查日期", null=True, blank=True)
    # The 复查's verdict: not remedied writes a 失信记录 (cases.credit), in the same move.
    remedied = models.BooleanField("整改到位", null=True, blank=True)
    disclosure_due = models.DateField("公示期限", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    ledger_index = models.PositiveBigIntegerField("透明日志序号", null=True, blank=True)
    overdue_warned_at = models.DateTimeField("逾期未公示预警时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽查检查"
        verbose_name_plural = "抽查检查"
        ordering = ["plan_id", "uscc"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "uscc"], name="inspection_once_per_plan"),
            models.CheckConstraint(condition=models.Q(status__in=InspectionStatus.values),
                                   name="inspection_status_valid")]

    def __str__(self) -> str:
        return f"{self.plan} {self.uscc}"


class InspectionEvent(ProcessEvent):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "抽查检查事件"
        verbose_name_plural = "抽查检查事件"
        ordering = ["inspection_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="inspections_event_unsealed")]

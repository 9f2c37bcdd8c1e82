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

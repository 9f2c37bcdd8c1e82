"""Departments (部门): every body that implements items or handles cases, with its 统一社会信用代码
(GB 32100-2015) and the region it belongs to.
"""

from __future__ import annotations

from django.db import models

from zhengwu.core.models import BaseModel


class DepartmentKind(models.TextChoices):
    PARTY = "党委部门", "党委部门"
    GOVERNMENT = "政府工作部门", "政府工作部门"
    DIRECT = "直属机构", "直属机构"
    VERTICAL = "垂直管理", "垂直管理"
    UTILITY = "公用企业", "公用企业"
    TOWNSHIP = "乡镇人民政府", "乡镇人民政府"
    STREET = "街道办事处", "街道办事处"
    VILLAGE = "村(居)民委员会", "村(居)民委员会"
    OTHER = "其他", "其他"


class Department(BaseModel):
    name = models.CharField("名称", max_length=200)
    short_name = models.CharField("简称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=20, choices=DepartmentKind.choices,
                            default=DepartmentKind.GOVERNMENT)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    uscc_illustrative = models.BooleanField("信用代码为示例", default=False)
    region = models.ForeignKey("regions.Region", verbose_name="所属区划",
                               on_delete=models.PROTECT, related_name="departments")
    phone = models.CharField("电话", max_length=40, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    # Notices are numbered like 耒政服受〔2026〕123号; the prefix is configurable per department.
    document_prefix = models.CharField("文书字号前缀", max_length=20, blank=True)
    confirmed = models.CharField("核实情况", max_length=20, blank=True)
    source = models.TextField("来源", blank=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region_id", "id"]

    def __str__(self) -> str:
        return self.name

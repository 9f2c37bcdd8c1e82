"""The deployment's identity (which county this platform serves), set by its data pack."""

from __future__ import annotations

from django.db import models


class Site(models.Model):
    """One row: the deploying government's name, service centre and contact details."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    name = models.CharField("地区名称", max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name="本级区划", on_delete=models.PROTECT,
                               related_name="+")
    service_center = models.CharField("政务服务中心", max_length=100, blank=True)
    service_center_address = models.CharField("中心地址", max_length=200, blank=True)
    service_phone = models.CharField("服务电话", max_length=50, blank=True)
    document_prefix = models.CharField("文书字号前缀", max_length=20, blank=True)
    division_year = models.PositiveSmallIntegerField("区划代码年份", null=True, blank=True)

    class Meta:
        verbose_name = "部署地区"
        verbose_name_plural = "部署地区"

    def __str__(self) -> str:
        return self.name

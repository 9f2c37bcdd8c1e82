"""Administrative divisions (行政区划), identified by the 12-digit 统计用区划代码 of the National
Bureau of Statistics: 2 province + 2 city + 2 county + 3 township + 3 village digits.
"""

from __future__ import annotations

from django.db import models


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县(市、区)"
    STREET = "street", "街道"
    TOWN = "town", "镇"
    TOWNSHIP = "township", "乡"
    COMMUNITY = "community", "社区(居委会)"
    VILLAGE = "village", "村(村委会)"


# How many leading digits of the code are significant at each level.
PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2, RegionLevel.CITY: 4, RegionLevel.COUNTY: 6,
    RegionLevel.STREET: 9, RegionLevel.TOWN: 9, RegionLevel.TOWNSHIP: 9,
    RegionLevel.COMMUNITY: 12, RegionLevel.VILLAGE: 12,
}
TOWNSHIP_LEVELS = (RegionLevel.STREET, RegionLevel.TOWN, RegionLevel.TOWNSHIP)
VILLAGE_LEVELS = (RegionLevel.COMMUNITY, RegionLevel.VILLAGE)


class Region(models.Model):
    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    prefix = models.CharField("代码前缀", max_length=12, db_index=True)
    # The region this deployment serves (set by its data pack); pages offer its townships.
    home = models.BooleanField("本级部署区划", default=False)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=RegionLevel.values),
                                   name="region_level_valid"),
        ]
        # The deployment's own region is read on every search page (regions.selectors
        # .home_region): found through this index, not a scan of a province's 12,000 regions.
        indexes = [models.Index(fields=["home"], condition=models.Q(home=True),
                                name="region_home")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_township(self) -> bool:
        return self.level in TOWNSHIP_LEVELS

    @property
    def is_village(self) -> bool:
        return self.level in VILLAGE_LEVELS

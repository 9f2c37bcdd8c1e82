"""Reads of regions."""

from __future__ import annotations

from django.db.models import QuerySet

from zhengwu.regions.models import Region


def region_list(*, parent: str | None = None, level: str | None = None,
                within: str | None = None) -> QuerySet[Region]:
    regions = Region.objects.all()
    if parent:
        regions = regions.filter(parent_id=parent)
    if level:
        regions = regions.filter(level=level)
    if within:
        region = Region.objects.get(code=within)
        regions = regions.filter(code__startswith=region.prefix)
    return regions.order_by("code")


def region_get(*, code: str) -> Region:
    return Region.objects.get(code=code)


def region_ancestors(region: Region) -> list[Region]:
    """From the province down to the region itself."""
    chain: list[Region] = []
    current: Region | None = region
    while current is not None:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


def home_region() -> Region | None:
    """The region this deployment serves (its data pack's region)."""
    return Region.objects.filter(home=True).first()

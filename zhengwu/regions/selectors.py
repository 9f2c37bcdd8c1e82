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
    """From the province down to the region itself, in one query: a region's ancestors are
    the regions whose code prefix begins its own (GB/T 2260 codes nest by prefix)."""
    prefixes = [region.prefix[:length] for length in range(1, len(region.prefix))]
    above = list(Region.objects.filter(prefix__in=prefixes).exclude(code=region.code))
    return [*sorted(above, key=lambda r: len(r.prefix)), region]


def home_region() -> Region | None:
    """The region this deployment serves (its data pack's region)."""
    return Region.objects.filter(home=True).first()


# Where a search may be narrowed to: down to townships; a village's own items come with its
# township (catalog.search ranks the nearest implementation first).
PICKABLE_LEVELS = ("province", "city", "county", "street", "town", "township")


def picker_roots() -> list[Region]:
    """The top of the region picker: the deployment's own region (its pack's county), or, for a
    deployment that marks none (a province platform), the regions that have no parent."""
    home = home_region()
    if home is not None:
        return [home]
    return list(Region.objects.filter(parent__isnull=True).order_by("code"))


def pickable_region(code: str, roots: list[Region] | None = None) -> Region | None:
    """The region a picker may submit: a pickable level, inside a root; None otherwise."""
    region = Region.objects.filter(code=code, level__in=PICKABLE_LEVELS).first()
    if region is None:
        return None
    roots = picker_roots() if roots is None else roots
    return region if any(region.code.startswith(r.prefix) for r in roots) else None


def picker_tree(selected: Region | None,
                roots: list[Region] | None = None) -> list[tuple[Region, int]]:
    """The picker's options as (region, depth), in tree order: each root, its children, and the
    children of every region on the way down to `selected` (and of `selected` itself). A
    province's picker so lists some 40 regions where all of them would be thousands (issue 16:
    8,607 options made the search page take ~630 ms)."""
    path = {r.code for r in region_ancestors(selected)} if selected is not None else set()
    roots = picker_roots() if roots is None else roots
    # Every list the walk opens (each root's, and each region's on the path), in one query.
    children: dict[str | None, list[Region]] = {}
    for child in Region.objects.filter(
            parent_id__in=path | {r.code for r in roots}, level__in=PICKABLE_LEVELS,
    ).order_by("code"):
        children.setdefault(child.parent_id, []).append(child)
    out: list[tuple[Region, int]] = []

    def walk(region: Region, depth: int) -> None:
        out.append((region, depth))
        if depth and region.code not in path:
            return
        for child in children.get(region.code, ()):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return out

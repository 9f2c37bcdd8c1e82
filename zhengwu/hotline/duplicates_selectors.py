"""The rows behind duplicate candidates (duplicates.py decides; this only fetches).

One bounded query: the OPEN orders accepted in the last HOTLINE_DUPLICATE_DAYS days with the
same category (or none) at the same township or the same address, newest first, at most
POOL_MAX rows — the text comparison then runs in Python on that small pool."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from zhengwu.core import clock
from zhengwu.hotline import duplicates
from zhengwu.hotline.models import WorkOrder
from zhengwu.hotline.selectors import OPEN

POOL_MAX = 200
FIELDS = ("number", "title", "content", "category__code", "region_code", "address",
          "accepted_at", "status")


def as_order(row: WorkOrder) -> duplicates.Order:
    return duplicates.Order(
        number=row.number, title=row.title, content=row.content,
        category_code=row.category.code if row.category is not None else "",
        region_code=row.region_code, address=row.address, accepted_at=row.accepted_at,
        status=row.status)


def candidates_for(row: WorkOrder, *, now: dt.datetime | None = None) -> list[duplicates.Candidate]:
    """Open orders that may be duplicates of `row`, best first (at most duplicates.LIMIT)."""
    place = Q(pk__in=[])
    if len(row.region_code) >= duplicates.TOWNSHIP_DIGITS:
        place |= Q(region_code__startswith=row.region_code[:duplicates.TOWNSHIP_DIGITS])
    if row.address.strip():
        place |= Q(address=row.address)
    if place == Q(pk__in=[]):
        return []
    since = (now or clock.now()) - dt.timedelta(days=duplicates.days())
    same_category = (Q(category__isnull=True) if row.category_id is None
                     else Q(category_id=row.category_id))
    pool = (WorkOrder.objects.filter(place, same_category, status__in=OPEN,
                                     accepted_at__gte=since)
            .exclude(pk=row.pk).select_related("category")
            .only(*FIELDS).order_by("-accepted_at", "-id")[:POOL_MAX])
    return duplicates.candidates(as_order(row), [as_order(other) for other in pool])

"""帮代办申请 (issue 12 §4): where a 代办员 files an item for an enterprise, built in one
place. The page (cases.views.proxy_apply) reads `for` (the enterprise's USCC) and `next` (the
page to return to, a path on this site) back; 帮代办 projects (zhengwu.assistance) link to it.
Whether the 代办员 may file is accounts.mandates.filing_basis's alone."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.http import urlencode

from zhengwu.accounts.models import User
from zhengwu.catalog.models import ItemImplementation
from zhengwu.catalog.selectors import published_implementations
from zhengwu.regions.models import Region

FOR = "for"
NEXT = "next"


def apply_url(implementation: ItemImplementation, enterprise: User, back: str = "") -> str:
    """The 帮代办申请 page of `implementation` for `enterprise`, returning to `back`."""
    query = {FOR: enterprise.uscc, **({NEXT: back} if back else {})}
    return f"{reverse('cases:proxy_apply', args=[implementation.code])}?{urlencode(query)}"


def implementation_for(basic_code: str, region: Region) -> ItemImplementation | None:
    """The published implementation of an item (by 基本编码) a 代办员 files in `region`: the
    region's own, else one above or below it in the same city, else any."""
    return published_implementations().filter(item__basic_code=basic_code).annotate(
        nearness=models.Case(
            models.When(region=region, then=models.Value(0)),
            models.When(region__code__startswith=region.code[:4], then=models.Value(1)),
            default=models.Value(2), output_field=models.IntegerField())
    ).order_by("nearness", "pk").first()

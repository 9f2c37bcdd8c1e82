"""The person's view of who read their data (quality.md #8), shared by cases and bundle cases.

Staff reads are logged one row per case per read (core.models.AccessRecord: cases.CaseAccess,
bundles.BundleAccess); a work list that shows fifty cases writes fifty rows each time it is
opened. The person does not want a thousand identical lines: they see one line per staff
member, department, purpose and day, with how many times and the first and last moment —
grouped by the database, so a busy case costs one query per page, not one per look.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Count, Max, Min, QuerySet, Value
from django.db.models.functions import TruncDate

from zhengwu.core.models import AccessRecord

ACCESS_PAGE_SIZE = 20


@dataclass(frozen=True)
class AccessGroup:
    """Who (staff member and department) read the data, why, on which day, how often."""

    day: dt.date
    who: str
    department: str
    purpose: str
    unmasked: bool
    times: int
    first_at: dt.datetime
    last_at: dt.datetime


def access_groups(accesses: QuerySet[AccessRecord]) -> QuerySet[Any]:
    """The log rows grouped by day (local time), staff member, department, purpose and
    whether the full identity was shown; the most recent first. Rows are dicts: turn them
    into AccessGroup with `access_group`."""
    fields = {f.name for f in accesses.model._meta.get_fields()}
    if "unmasked" not in fields:
        accesses = accesses.annotate(unmasked=Value(False, output_field=BooleanField()))
    day = TruncDate("at", tzinfo=ZoneInfo(settings.TIME_ZONE))
    groups: QuerySet[Any] = (
        accesses.order_by().annotate(day=day)
        .values("day", "user_id", "user__display_name", "user__username", "department_label",
                "purpose", "unmasked")
        .annotate(times=Count("id"), first_at=Min("at"), last_at=Max("at"))
        .order_by("-last_at", "purpose", "user_id"))
    return groups


def access_group(row: dict[str, Any]) -> AccessGroup:
    return AccessGroup(day=row["day"], who=row["user__display_name"] or row["user__username"],
                       department=row["department_label"], purpose=row["purpose"],
                       unmasked=bool(row["unmasked"]), times=row["times"],
                       first_at=row["first_at"], last_at=row["last_at"])

"""Reads of 好差评: the facts of each service event for the indicators (evaluations.indicators
does the arithmetic), the staff worklist, one's own ratings, the suspicious-rating flags.

Nothing here hands staff the person who rated: staff rows carry the level, the reasons, the
text, the item and the department, never the rater or the service's number (quality.md
scorecard row 20); the rectification officer reads the contact through services.contact_read,
which is logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from django.db.models import Q, QuerySet

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.core import clock
from zhengwu.core.access_log import AccessGroup, access_group, access_groups
from zhengwu.evaluations import indicators, rules
from zhengwu.evaluations.models import ContactRead, Rating, Rectification, ServiceEvent
from zhengwu.evaluations.models import RectificationStatus as S

INVALID_STATES = frozenset({S.INVALID, S.INVALID_FINAL, S.APPEALED})


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of month "YYYY-MM" (Beijing time) and of the next."""
    year, number = (int(part) for part in month.split("-"))
    start = dt.datetime(year, number, 1, tzinfo=clock.SHANGHAI)
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=clock.SHANGHAI)
    return start, end


def facts(start: dt.datetime, end: dt.datetime) -> list[indicators.Facts]:
    """One Facts per service event closed in [start, end), from the stored events only."""
    events = (ServiceEvent.objects.filter(closed_at__gte=start, closed_at__lt=end)
              .select_related("department", "staff", "rating__rectification")
              .order_by("pk"))
    rows = []
    for event in events:
        rating: Rating | None = getattr(event, "rating", None)
        base = indicators.Facts(
            department=event.department.short_name if event.department else "",
            item=event.item_name,
            staff=(event.staff.display_name or event.staff.username) if event.staff else "",
            window=event.window,
            month=f"{event.closed_at.astimezone(clock.SHANGHAI):%Y-%m}")
        if rating is None:
            rows.append(base)
            continue
        row: Rectification | None = getattr(rating, "rectification", None)
        if row is None:
            rows.append(replace(base, level=rating.level, real_name=rating.real_name))
            continue
        rows.append(replace(
            base, level=rating.level, real_name=rating.real_name,
            invalid=row.status in INVALID_STATES,
            rectified=row.rectified_at is not None,
            rectified_on_time=row.rectified_at is not None and (
                row.rectify_due_at is None or row.rectified_at <= row.rectify_due_at),
            called_back=row.callback_at is not None, appealed=row.appealed_at is not None,
            appeal_upheld=row.appeal_outcome == "upheld",
            appeal_dismissed=row.appeal_outcome == "dismissed"))
    return rows


def public_months(*, months: int = 12) -> list[tuple[str, indicators.Indicators]]:
    """The monthly figures of the public disclosure page: the last `months` months, the
    current one first, each from its events (no personal data in them)."""
    today = clock.today()
    year, month = today.year, today.month
    found = []
    for _ in range(months):
        label = f"{year:04d}-{month:02d}"
        start, end = month_bounds(label)
        found.append((label, indicators.compute(facts(start, end))))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found


def rectification_visible_q(user: User) -> Q:
    """Who may see a rectification: the rater, the responsible department's 首席代表,
    电子监察; nobody else (absent, 404)."""
    if not user.is_staff:
        return Q(rating__rater=user)
    assigned = RoleAssignment.objects.filter(user=user)
    if assigned.filter(role=AccountRole.SUPERVISOR).exists():
        return Q()
    departments = assigned.filter(role=AccountRole.CHIEF_REPRESENTATIVE).values(
        "department_id")
    return Q(department_id__in=departments)


def worklist(user: User) -> QuerySet[Rectification]:
    return (Rectification.objects.filter(rectification_visible_q(user))
            .select_related("rating__event", "department").order_by("status", "created_at"))


def rectification_for(user: User, pk: int) -> Rectification:
    return worklist(user).get(pk=pk)


def my_ratings(user: User) -> QuerySet[Rating]:
    return (Rating.objects.filter(rater=user).select_related("event", "rectification")
            .order_by("-rated_at"))


def rateable_events(user: User) -> list[ServiceEvent]:
    """The person's service events still to rate (within the window)."""
    since = clock.now() - dt.timedelta(days=rules.window_days())
    return list(ServiceEvent.objects.filter(person=user, closed_at__gte=since,
                                            rating__isnull=True).order_by("-closed_at"))


def flagged(start: dt.datetime, end: dt.datetime) -> list[tuple[Rating, set[str]]]:
    """Ratings of the period with their flags (staff accounts, bursts from one address,
    identical texts), the flagged ones only."""
    ratings = list(Rating.objects.filter(rated_at__gte=start, rated_at__lt=end)
                   .select_related("event", "event__department"))
    count, seconds = rules.burst()
    found = indicators.flags(_traces(ratings), burst_count=count, burst_seconds=seconds)
    return [(rating, found[rating.pk]) for rating in ratings if rating.pk in found]


def _traces(ratings: Iterable[Rating]) -> list[indicators.RatingTrace]:
    return [indicators.RatingTrace(r.pk, r.by_staff, r.address or "", r.rated_at.timestamp(),
                                   r.text) for r in ratings]


def contact_reads_of(user: User) -> list[AccessGroup]:
    """Who read the person's contact for a 差评's callback (quality.md #8), grouped by day,
    staff member and purpose as the case page's reads are (core.access_log)."""
    rows = ContactRead.objects.filter(rectification__rating__rater=user)
    return [access_group(row) for row in access_groups(rows)]

"""What people search for and do not find (issue 16: tune the synonyms from what people type).

The portal's search page counts, per day and normalized query, the searches, those that found
nothing and the clicks on a result (the result links' `ping`, catalog.views.search_click). It
keeps no personal data: no account, session, address or time of day, and a query that looks
like personal data — a run of six or more digits (an ID, phone or case number), an e-mail
address, an 18-character ID with its check letter — is not counted at all. The staff page
lists only queries typed on at least MIN_SHOWN searches, so a name typed once never shows.
Counting is telemetry, not a state change of a record: no audit row per search. Adding a
synonym from the page goes through catalog.services.synonym_save (audited)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum

from zhengwu.catalog.models import SearchTermDay, Synonym
from zhengwu.catalog.search import MAX_QUERY_LENGTH, normalize_query
from zhengwu.core import clock

PERSONAL = re.compile(r"\d{6,}|@|\d{17}[\dxX]|[A-Za-z]\d{5,}")
MIN_SHOWN = 2
WINDOW_DAYS = 30
# How long a day's counts are kept: a year and a month, so an editor can compare a query with
# the same season last year; older rows are deleted by the `catalog.search_terms` sweep (a
# day's distinct queries add up to a table without end otherwise).
KEPT_DAYS = 400


def term_of(query: str) -> str | None:
    """The query as counted (normalized as search does), or None when it is not kept."""
    try:
        term = normalize_query(query)[:MAX_QUERY_LENGTH]
    except ValueError:
        return None
    if not term or PERSONAL.search(term.replace(" ", "")):
        return None
    return term


def _bump(term: str, **counts: int) -> None:
    today = clock.today()
    changes = {name: F(name) + value for name, value in counts.items()}
    with transaction.atomic():
        if SearchTermDay.objects.filter(day=today, term=term).update(**changes):
            return
        try:
            with transaction.atomic():
                SearchTermDay.objects.create(day=today, term=term, **counts)
        except IntegrityError:  # created by a concurrent request since the update
            SearchTermDay.objects.filter(day=today, term=term).update(**changes)


def record_search(query: str, found: int) -> None:
    term = term_of(query)
    if term is not None:
        _bump(term, searches=1, empty=int(found == 0))


def record_click(query: str) -> bool:
    """Count a click on a result of `query`, if that query was searched today (a ping for a
    query never searched adds nothing, so the endpoint cannot be used to plant terms)."""
    term = term_of(query)
    if term is None:
        return False
    today = clock.today()
    return bool(SearchTermDay.objects.filter(day=today, term=term).update(clicks=F("clicks") + 1))


@dataclass(frozen=True)
class TermRow:
    term: str
    searches: int
    empty: int
    clicks: int
    synonym: Synonym | None

    @property
    def no_result(self) -> bool:
        return self.empty >= self.searches

    @property
    def no_click(self) -> bool:
        return self.clicks == 0


def terms_to_tune(*, days: int = WINDOW_DAYS, only: str = "") -> list[TermRow]:
    """Queries of the last `days` days searched at least MIN_SHOWN times that found nothing
    (`only="empty"`), led to no click (`only="unclicked"`), or either (default), most searched
    first, each with the synonym already defined for it."""
    since = clock.today() - dt.timedelta(days=days)
    rows = (SearchTermDay.objects.filter(day__gte=since).values("term")
            .annotate(s=Sum("searches"), e=Sum("empty"), c=Sum("clicks"))
            .filter(s__gte=MIN_SHOWN).order_by("-s", "term"))
    if only == "empty":
        rows = rows.filter(e__gte=F("s"))
    elif only == "unclicked":
        rows = rows.filter(c=0)
    else:
        rows = rows.filter(Q(c=0) | Q(e__gte=F("s")))
    listed = list(rows[:500])
    synonyms = {s.term: s for s in Synonym.objects.filter(term__in=[r["term"] for r in listed])}
    return [TermRow(term=r["term"], searches=r["s"], empty=r["e"], clicks=r["c"],
                    synonym=synonyms.get(r["term"])) for r in listed]


def sweep(now: dt.datetime) -> str:
    """Delete the day counts older than KEPT_DAYS (Beijing days); idempotent."""
    cutoff = now.astimezone(clock.SHANGHAI).date() - dt.timedelta(days=KEPT_DAYS)
    deleted, _ = SearchTermDay.objects.filter(day__lt=cutoff).delete()
    return f"删除 {cutoff} 以前的搜索词日计数 {deleted} 条"

"""The public progress lookup (办件进度查询) behind the page and the API: one limit for both.

At most PROGRESS_RULE.limit misses per client address in its window, counted atomically
across processes by accounts.throttle (ADR 0011): a lookup reserves a slot before it runs and
gives it back when it finds the case, so N concurrent misses evaluate exactly `limit` of them.
The ID number arrives in a POST body only and is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.accounts import throttle
from zhengwu.cases import selectors
from zhengwu.cases.models import Case

PROGRESS_RULE = throttle.Rule("cases.progress", limit=20, window=600)


@dataclass(frozen=True)
class Lookup:
    """The case found (None for a miss); retry_after > 0 when the address must wait."""

    case: Case | None
    retry_after: int = 0


def progress_query(*, number: str, id_number: str, address: str) -> Lookup:
    verdict = throttle.attempt((PROGRESS_RULE, address))
    if not verdict.allowed:
        return Lookup(case=None, retry_after=verdict.retry_after)
    case = selectors.progress_lookup(number=number, id_number=id_number)
    if case is not None:
        throttle.release(PROGRESS_RULE, address)  # only misses count
    return Lookup(case=case)

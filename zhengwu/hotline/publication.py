"""Reads of 互动交流 (measure [24]): the published questions and answers of closed 12345
orders, as the public page and the public API show them, and the prefilled public texts of an
order about to be published.

Only what the 12345 centre published from a closed order whose caller still consents
(services: publish, consent_withdraw) — the condition is repeated here, not trusted to the
publication flag alone, so that a row written wrongly still stays off the page. The public sees
the edited texts, the kind, the department that answered and the dates; never the caller's
name, phone, e-mail, address, account or the order's own text (PUBLIC_FIELDS).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet

from zhengwu.hotline.models import OrderKind, Publication, Status, WorkOrder
from zhengwu.hotline.redact import redact

# What the public page and the API may read of an order, and nothing else.
PUBLIC_FIELDS = ("pk", "kind", "department__short_name", "public_title",
                 "public_question", "public_answer", "published_at", "closed_at")
PAGE_SIZE = 20
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
QUERY_MOST = 50


def published(*, kind: str = "", department_id: int | None = None,
              q: str = "") -> QuerySet[WorkOrder]:
    """The published orders, newest first: by kind, by the department that answered, and by
    a keyword in the public title, question or answer."""
    rows = WorkOrder.objects.filter(publication=Publication.PUBLISHED, publish_consent=True,
                                    status=Status.CLOSED, confidential=False)
    if kind in OrderKind.values:
        rows = rows.filter(kind=kind)
    if department_id:
        rows = rows.filter(department_id=department_id)
    # Control characters (a NUL, which PostgreSQL refuses in a literal) are no search words.
    words = CONTROL.sub(" ", (q or "")[:QUERY_MOST]).split()
    for word in words:
        rows = rows.filter(Q(public_title__icontains=word) | Q(public_question__icontains=word)
                           | Q(public_answer__icontains=word))
    return rows.order_by("-published_at", "-pk")


def public_values(rows: QuerySet[WorkOrder]) -> QuerySet[WorkOrder, dict[str, Any]]:
    """Only PUBLIC_FIELDS of the rows: what leaves the database for the public."""
    found: QuerySet[WorkOrder, dict[str, Any]] = rows.values(*PUBLIC_FIELDS)
    return found


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """One published order as the public reads it."""
    return {"id": row["pk"], "kind": row["kind"],
            "kind_label": str(OrderKind(row["kind"]).label),
            "department": row["department__short_name"] or "12345热线",
            "title": row["public_title"], "question": row["public_question"],
            "answer": row["public_answer"], "published_at": row["published_at"],
            "closed_at": row["closed_at"]}


def departments() -> list[tuple[int, str]]:
    """The departments with at least one published answer (the page's filter)."""
    found = (published().exclude(department__isnull=True)
             .values_list("department_id", "department__short_name").distinct()
             .order_by("department__short_name"))
    return list(found)


def awaiting(rows: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Closed orders whose caller consents and that nobody has decided on yet: the centre's
    queue of 待公开."""
    return rows.filter(status=Status.CLOSED, publish_consent=True, confidential=False,
                       publication=Publication.NONE)


def draft(row: WorkOrder) -> dict[str, str]:
    """The public texts prefilled for the publisher: the published ones when editing, else
    the order's title, content and reply with personal data masked (hotline.redact)."""
    if row.publication == Publication.PUBLISHED:
        return {"public_title": row.public_title, "public_question": row.public_question,
                "public_answer": row.public_answer}
    names = [row.caller_name]
    return {"public_title": redact(row.title, names=names),
            "public_question": redact(row.content, names=names),
            "public_answer": redact(row.reply, names=names)}

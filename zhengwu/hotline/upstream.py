"""反馈 to the upstream (provincial) 12345 platform (issue 13 §1 and §3): orders come down by
the idempotent import (channel upstream, the platform's own id as external id); what the
county does with them goes back up through this queue.

The province needs, for each order it sent: the department's reply (答复), an extension asked
and the county centre's decision on it (延期), and the closing with the callback's result (办结,
直办 included, and a merged duplicate closed with its main order). Each is a row of
UpstreamFeedback written by a listener of the order process (engine.listen) in the move's own
transaction — a move without its feedback, or a feedback of a move rolled back, cannot happen.

The exchange pulls (`GET /api/v1/hotline/upstream/feedback?after=<id>`, or the command
`zhengwu hotline_feedback` writing the same JSON for a file-based 前置机) and acknowledges
everything up to an id it has delivered (`POST …/ack {"through": id}`, `--ack`); what it has
not acknowledged it is given again. Pulling is ordered by id, so a consumer that restarts
resumes from the last id it saw. The payload holds no caller data: the province has its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record
from zhengwu.hotline.models import Channel, Status, UpstreamFeedback, WorkOrder
from zhengwu.process.spec import FollowUp, Outcome

# The moves the province is told of, with the word its exchange file uses for each.
FED_BACK = {
    "answer": "答复", "extend_request": "延期申请", "extend_approve": "延期批准",
    "extend_deny": "不予延期", "close": "办结", "direct": "办结（直办）",
}
PAGE_MAX = 500


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def payload(row: WorkOrder, action: str) -> dict[str, Any]:
    """What the province is told of `action` on `row` (no caller data)."""
    last = row.events.filter(action=action).order_by("-id").first()
    data = dict(last.data) if last is not None else {}
    told: dict[str, Any] = {
        "external_id": row.external_id, "number": row.number, "action": action,
        "label": FED_BACK.get(action, action), "status": row.status,
        "department": row.department.name if row.department else "",
        "at": _iso(last.at if last is not None else None)}
    if action in ("answer", "direct"):
        told |= {"reply": row.reply, "answered_at": _iso(row.answered_at)}
    elif action == "extend_request":
        told |= {"days": data.get("days"), "reason": data.get("reason", "")}
    elif action in ("extend_approve", "extend_deny"):
        told |= {"days": data.get("days"), "due_at": _iso(row.due_at),
                 "reason": last.reason if last is not None else ""}
    if action in ("close", "direct"):
        told |= {"reply": row.reply, "closed_at": _iso(row.closed_at),
                 "resolved": row.resolved, "satisfaction": row.satisfaction,
                 "direct": row.direct}
    return told


def _record(row: WorkOrder, action: str, now: dt.datetime) -> None:
    UpstreamFeedback.objects.create(order=row, action=action, payload=payload(row, action),
                                    created_at=now)


def _feed_back(pk: int, action: str, *, itself: bool) -> None:
    now = clock.now()
    row = WorkOrder.objects.select_related("department").get(pk=pk)
    if itself:
        _record(row, action, now)
    if action == "close":  # merged duplicates from upstream are closed with it
        for merged in WorkOrder.objects.select_related("department").filter(
                merged_into=row, status=Status.MERGED, channel=Channel.UPSTREAM):
            _record(merged, "close", now)


def order_moved(outcome: Outcome[WorkOrder]) -> Iterable[FollowUp]:
    """engine.listen on the order process: a move the province is told of → its feedback
    (an order of another channel is told only for the upstream duplicates merged into it)."""
    row, action = outcome.row, outcome.action
    upstream = row.channel == Channel.UPSTREAM
    if action not in FED_BACK or (not upstream and action != "close"):
        return []
    pk = row.pk
    return [lambda: _feed_back(pk, action, itself=upstream)]


def pending(*, after: int = 0, limit: int = 100) -> list[UpstreamFeedback]:
    """The feedback not yet acknowledged, after id `after`, oldest first."""
    return list(UpstreamFeedback.objects.filter(delivered_at__isnull=True, id__gt=after)
                .order_by("id")[:max(1, min(limit, PAGE_MAX))])


def item(feedback: UpstreamFeedback) -> dict[str, Any]:
    return {"id": feedback.pk, "created_at": feedback.created_at, **feedback.payload}


@transaction.atomic
def acknowledge(*, through: int, actor: Actor, now: dt.datetime | None = None) -> int:
    """The exchange delivered everything up to id `through`: marked, audited; the count."""
    now = now or clock.now()
    count = UpstreamFeedback.objects.filter(delivered_at__isnull=True, id__lte=through).update(
        delivered_at=now)
    audit_record(actor=actor, action="hotline.upstream.ack",
                 object_type="hotline.UpstreamFeedback", object_id=str(through),
                 after={"through": through, "count": count})
    return count

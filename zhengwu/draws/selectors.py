"""Reading a draw as the public may: nothing hidden before its time (the platform's secret
until it is revealed, a party's secret until that party reveals it)."""

from __future__ import annotations

from typing import Any

from zhengwu.draws.models import Draw
from zhengwu.ledger.models import LedgerEntry
from zhengwu.ledger.services import rfc3339


def draw_public(row: Draw) -> dict[str, Any]:
    return {
        "number": row.number, "purpose": row.purpose, "status": row.status,
        "status_label": row.get_status_display(),
        "candidates": [{"id": i, "name": row.labels.get(i, "")} for i in row.candidates],
        "root": row.root, "count": row.count, "commit_due": rfc3339(row.commit_due),
        "reveal_due": rfc3339(row.reveal_due),
        "parties": [{"position": p.position, "role": p.role, "label": p.label,
                     "commitment": p.commitment,
                     "committed_at": rfc3339(p.committed_at) if p.committed_at else None,
                     "secret": p.secret,
                     "revealed_at": rfc3339(p.revealed_at) if p.revealed_at else None}
                    for p in row.parties.order_by("position")],
        "seed": row.seed, "order": row.order, "drawn": row.drawn, "withheld": row.withheld,
        "excluded": row.excluded,
        "ledger": [{"index": index, "kind": kind} for index, kind in LedgerEntry.objects.filter(
            ref=f"draws.Draw:{row.pk}").order_by("index").values_list("index", "kind")]}

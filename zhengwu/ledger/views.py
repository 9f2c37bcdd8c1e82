"""透明日志's public page: the latest signed checkpoint and its witnesses, the newest entries
(kind, time, what they record) each linked to its proof, the log's public key, and how to
check all of it without trusting this server."""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengwu.core.checkpoints import key_id
from zhengwu.ledger import services
from zhengwu.ledger.models import LedgerCheckpoint, LedgerEntry

PAGE_SIZE = 50
KIND_LABELS = {"credit.record": "失信记录", "credit.repair": "信用修复", "draw.open": "抽取：公布候选",
               "draw.commit": "抽取：承诺", "draw.reveal": "抽取：揭示",
               "draw.result": "抽取：结果", "draw.abort": "抽取：中止",
               "market.evaluation": "中介服务评价", "market.sanction": "中介机构处罚"}


def _summary(entry: LedgerEntry) -> dict[str, Any]:
    content = json.loads(bytes(entry.entry))
    data = content.get("data", {})
    what = (data.get("draw") or data.get("case") or data.get("project") or data.get("agency")
            or data.get("subject") or "")
    return {"index": entry.index, "kind": entry.kind,
            "label": KIND_LABELS.get(entry.kind, entry.kind), "time": content.get("time", ""),
            "what": what}


def page(request: HttpRequest) -> HttpResponse:
    latest = LedgerCheckpoint.objects.order_by("-size", "-pk").prefetch_related(
        "cosignatures").first()
    entries = Paginator(LedgerEntry.objects.order_by("-index").only(
        "index", "kind", "entry"), PAGE_SIZE).get_page(request.GET.get("page"))
    signer = services.signer_get()
    existing = getattr(signer, "existing_public_key", None)
    public = existing() if callable(existing) else signer.public_key()
    return render(request, "ledger/page.html", {
        "latest": latest, "size": services.size(), "page": entries,
        "rows": [_summary(e) for e in entries.object_list],
        "key_id": key_id(public) if public else "", "public_key": public.hex() if public else "",
        "origin": services.origin()})

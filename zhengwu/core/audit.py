"""Writing and verifying the audit trail (审计日志).

Every service that changes state calls `audit_record` inside its own transaction, so a change
and its audit row commit or roll back together. Rows of one stream form an SM3 hash chain:
hash = SM3(prev_hash ‖ canonical JSON of the row). SM3 is GB/T 32905-2016; Python's hashlib
provides it through OpenSSL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from zhengwu.core import clock
from zhengwu.core.context import current_request_id
from zhengwu.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (None for the system), the role they act in, and their department."""

    user: Any = None
    label: str = "系统"
    role: str = "system"
    department_id: int | None = None
    department_label: str = ""


SYSTEM = Actor()


def sm3_hex(data: bytes) -> str:
    digest = hashlib.new("sm3")
    digest.update(data)
    return digest.hexdigest()


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "stream": event.stream, "seq": event.seq, "at": event.at.astimezone(dt.UTC).isoformat(),
        "actor": event.actor_id, "actor_label": event.actor_label, "role": event.role,
        "department_id": event.department_id, "department_label": event.department_label,
        "action": event.action, "object_type": event.object_type, "object_id": event.object_id,
        "object_repr": event.object_repr, "before": event.before, "after": event.after,
        "reason": event.reason, "request_id": event.request_id,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")


def audit_record(*, actor: Actor, action: str, obj: models.Model | None = None,
                 object_type: str = "", object_id: str = "", object_repr: str = "",
                 before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                 reason: str = "", stream: str = "main") -> AuditEvent:
    """Append one audit row; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    head = head_lock(stream)
    event = AuditEvent(
        stream=stream, seq=head.seq + 1, at=clock.now(),
        actor=actor.user, actor_label=actor.label[:150], role=actor.role,
        department_id=actor.department_id, department_label=actor.department_label[:200],
        action=action, object_type=object_type, object_id=object_id,
        object_repr=object_repr[:300], before=_jsonable(before), after=_jsonable(after),
        reason=reason, request_id=current_request_id(), prev_hash=head.hash,
    )
    event.hash = sm3_hex(head.hash.encode() + _canonical(event))
    event.save()
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


def head_lock(stream: str) -> AuditChainHead:
    """The stream's head, locked until the caller's transaction ends (created when new)."""
    head = AuditChainHead.objects.select_for_update().filter(stream=stream).first()
    if head is None:
        AuditChainHead.objects.get_or_create(stream=stream)
        head = AuditChainHead.objects.select_for_update().get(stream=stream)
    return head


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    loaded: dict[str, Any] = json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return loaded


@dataclass(frozen=True)
class ChainProblem:
    stream: str
    seq: int
    reason: str


def audit_verify(*, stream: str | None = None, checkpoints: str | None = None,
                 public_keys: list[str] | None = None) -> list[ChainProblem]:
    """Walk each chain from the start and report every row whose link or hash does not hold;
    for the whole trail (no `stream`) also check the sealed journals (timelines, staff reads)
    against their seals and the chain against the signed checkpoints (core.checkpoints):
    `checkpoints` is the JSON-lines file (default: the data dir's), `public_keys` the trusted
    SM2 public keys in hex (default: ZHENGWU_AUDIT_PUBLIC_KEYS, else the key folder's)."""
    streams = [stream] if stream else list(
        AuditChainHead.objects.values_list("stream", flat=True))
    problems: list[ChainProblem] = []
    for name in streams:
        expected_seq, prev = 1, GENESIS
        for event in AuditEvent.objects.filter(stream=name).order_by("seq").iterator():
            if event.seq != expected_seq:
                problems.append(ChainProblem(name, expected_seq, f"缺少序号 {expected_seq}（被删除或重排）"))
            if event.prev_hash != prev:
                problems.append(ChainProblem(name, event.seq, "前一哈希不符（记录被删除或重排）"))
            if sm3_hex(event.prev_hash.encode() + _canonical(event)) != event.hash:
                problems.append(ChainProblem(name, event.seq, "内容哈希不符（记录被篡改）"))
            expected_seq, prev = event.seq + 1, event.hash
        head = AuditChainHead.objects.filter(stream=name).first()
        if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
            problems.append(ChainProblem(name, head.seq, "链头与最后一条记录不符（末尾记录被删除）"))
    if stream is None:
        from zhengwu.core import checkpoints as signed

        problems += signed.seals_verify()
        problems += signed.checkpoints_verify(path=checkpoints, public_keys=public_keys)
    return problems

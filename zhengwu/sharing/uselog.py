"""The data-use log (“谁用了我的证照/数据”): appending a row and verifying the chain.

Every use of a holder's licence or shared data — a preview, its use in a case, a verification,
a QR scan, a download, an ex-officio check (依职能核查), a shared-data query — is one `DataUse`
row, written by `use_record` inside the caller's transaction (the use and its row commit or
roll back together). Rows form one SM3 chain with the audit trail's helpers (core.audit):
hash = SM3(prev_hash ‖ canonical JSON of the row), the head in `DataUseHead`, locked while a row
is appended. `uselog_verify` walks the chain and reports a changed, deleted or reordered row
and a truncated tail.

A chain alone does not stop someone with database access from re-hashing it from the changed
row on. So the sweep `sharing.anchor` (`zhengwu sweep`) writes the head (seq, hash) into the
audit trail whenever it moved (`sharing.uselog_anchor` rows), which the SM2-signed audit
checkpoints cover (core.checkpoints); `uselog_verify` then checks that every anchored row still
has its anchored hash. What was written since the last anchor is protected by the chain only.

Rules a use must satisfy live here, once: an ex-officio check names its legal basis; a use
names the licence or the data item; a use in a case and a shared-data query name the case.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Final

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.audit import GENESIS, SYSTEM, Actor, ChainProblem, audit_record, sm3_hex
from zhengwu.core.context import current_request_id
from zhengwu.core.errors import InvalidInput
from zhengwu.core.models import AuditEvent
from zhengwu.sharing.models import DataUse, DataUseHead, UseBasis, UseKind

STREAM: Final = "sharing.uses"  # the name verification reports use
ANCHOR_ACTION: Final = "sharing.uselog_anchor"
NEEDS_CASE: Final = frozenset({UseKind.USE_IN_CASE, UseKind.SHARED_DATA_QUERY})


class UseRefused(InvalidInput):
    code = "sharing.use_refused"


def _canonical(use: DataUse) -> bytes:
    body = {
        "seq": use.seq, "at": use.at.astimezone(dt.UTC).isoformat(), "kind": use.kind,
        "holder_ref": use.holder_ref, "actor": use.actor_id, "actor_label": use.actor_label,
        "role": use.role, "department_id": use.department_id,
        "department_label": use.department_label, "case_number": use.case_number,
        "basis": use.basis, "basis_text": use.basis_text, "purpose": use.purpose,
        "licence_id": use.licence_id, "item_code": use.item_code,
        "request_id": use.request_id,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _head() -> DataUseHead:
    """The chain's head, locked until the caller's transaction ends (created when new)."""
    head = DataUseHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        DataUseHead.objects.get_or_create(pk=1)
        head = DataUseHead.objects.select_for_update().get(pk=1)
    return head


def use_check(*, kind: str, basis: str, basis_text: str, case_number: str, licence_id: str,
              item_code: str) -> None:
    """Raise UseRefused when a use breaks a rule (before anything is read or written)."""
    if kind not in UseKind.values:
        raise UseRefused(f"未知的使用类型：{kind}")
    if basis not in UseBasis.values:
        raise UseRefused(f"未知的使用依据：{basis}")
    if kind == UseKind.EX_OFFICIO_CHECK and (basis != UseBasis.LEGAL_BASIS
                                             or not basis_text.strip()):
        raise UseRefused("依职能核查须记录法定依据（法律法规名称及条款）")
    if basis == UseBasis.LEGAL_BASIS and not basis_text.strip():
        raise UseRefused("以法定依据使用数据时须写明依据")
    if kind in NEEDS_CASE and not case_number.strip():
        raise UseRefused("在办件中使用证照或共享数据须写明办件编号")
    if not licence_id and not item_code:
        raise UseRefused("须写明所用证照的标识或共享数据项编码")
    if len(case_number) > 40 or len(licence_id) > 200 or len(item_code) > 40:
        raise UseRefused("办件编号、证照标识或数据项编码过长")


def use_record(*, kind: str, holder_ref: str, actor: Actor, basis: str, basis_text: str = "",
               case_number: str = "", purpose: str = "", licence_id: str = "",
               item_code: str = "") -> DataUse:
    """Append one use; must run inside the caller's transaction. `actor` is who used the data
    (a staff member with role and department; the holder themselves; core.audit.SYSTEM with a
    label such as “公众扫码” for an anonymous scan)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("use_record must run inside the service's transaction")
    use_check(kind=kind, basis=basis, basis_text=basis_text, case_number=case_number,
              licence_id=licence_id, item_code=item_code)
    if len(holder_ref) != 64:
        raise UseRefused("持有人标识应为 core.holder_ref 的结果")
    head = _head()
    use = DataUse(
        seq=head.seq + 1, at=clock.now(), kind=kind, holder_ref=holder_ref,
        actor=actor.user, actor_label=actor.label[:150], role=actor.role,
        department_id=actor.department_id, department_label=actor.department_label[:200],
        case_number=case_number, basis=basis, basis_text=basis_text, purpose=purpose[:200],
        licence_id=licence_id, item_code=item_code, request_id=current_request_id(),
        prev_hash=head.hash)
    use.hash = sm3_hex(head.hash.encode() + _canonical(use))
    use.save()
    DataUseHead.objects.filter(pk=1).update(seq=use.seq, hash=use.hash)
    return use


def uselog_anchor(now: dt.datetime | None = None) -> str:
    """Write the chain's head into the audit trail when it moved since the last anchor (the
    sweep `sharing.anchor`; idempotent)."""
    with transaction.atomic():
        head = _head()
        if head.seq == 0:
            return "无数据使用记录"
        last = (AuditEvent.objects.filter(action=ANCHOR_ACTION).order_by("-at", "-seq")
                .values_list("after", flat=True).first())
        if last and last.get("seq") == head.seq and last.get("hash") == head.hash:
            return f"数据使用记录 #{head.seq} 已锚定"
        audit_record(actor=SYSTEM, action=ANCHOR_ACTION, object_type="sharing.DataUseLog",
                     object_id=str(head.seq), object_repr=f"数据使用记录链头 #{head.seq}",
                     after={"seq": head.seq, "hash": head.hash})
    return f"锚定数据使用记录 #{head.seq}"


def _anchors_verify(hashes: dict[int, str]) -> list[ChainProblem]:
    problems = []
    for after in AuditEvent.objects.filter(action=ANCHOR_ACTION).values_list("after", flat=True):
        seq, anchored = int((after or {}).get("seq", 0)), str((after or {}).get("hash", ""))
        if hashes.get(seq) != anchored:
            problems.append(ChainProblem(STREAM, seq, "与审计链中的锚点不符（记录链被重算或截断）"))
    return problems


def uselog_verify() -> list[ChainProblem]:
    """Walk the chain from the start: every gap, broken link, changed row and a head that is
    not the last row (a deleted tail) is one problem; then every anchor in the audit trail must
    still match its row (a chain re-hashed from a changed row on)."""
    problems: list[ChainProblem] = []
    hashes: dict[int, str] = {}
    expected_seq, prev = 1, GENESIS
    for use in DataUse.objects.order_by("seq").iterator():
        hashes[use.seq] = use.hash
        if use.seq != expected_seq:
            problems.append(ChainProblem(STREAM, expected_seq,
                                         f"缺少序号 {expected_seq}（被删除或重排）"))
        if use.prev_hash != prev:
            problems.append(ChainProblem(STREAM, use.seq, "前一哈希不符（记录被删除或重排）"))
        if sm3_hex(use.prev_hash.encode() + _canonical(use)) != use.hash:
            problems.append(ChainProblem(STREAM, use.seq, "内容哈希不符（记录被篡改）"))
        expected_seq, prev = use.seq + 1, use.hash
    head = DataUseHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append(ChainProblem(STREAM, head.seq, "链头与最后一条记录不符（末尾记录被删除）"))
    return problems + _anchors_verify(hashes)

"""`zhengwu ledger verify`: the whole log checked from its entries up (issue 15 §2).

Every entry's leaf hash is recomputed from its bytes, in index order with no gap; the tree is
rebuilt in memory (ledger.merkle.MerkleLog) and every stored node compared with it; every
checkpoint's root is compared with the rebuilt tree's at its size, and its SM2 signature and
its witnesses' co-signatures verified over `checkpoint_text`. The database is not trusted for
any of it: an edited entry, a removed or reordered row, a recomputed node or a checkpoint
signed by another key is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.core import sm2
from zhengwu.core.checkpoints import key_id
from zhengwu.ledger import merkle
from zhengwu.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerNode
from zhengwu.ledger.services import checkpoint_text, rfc3339


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str


@dataclass(frozen=True)
class Report:
    size: int
    checkpoints: int
    latest: LedgerCheckpoint | None
    problems: list[Problem]


def ledger_verify(public_keys: list[bytes]) -> Report:
    """Check the log against the trusted log keys `public_keys`."""
    trusted = {key_id(key): key for key in public_keys}
    problems: list[Problem] = []
    log = merkle.MerkleLog()
    for row in LedgerEntry.objects.order_by("index").iterator(chunk_size=5000):
        content = bytes(row.entry)
        if row.index != log.size:
            problems.append(Problem(f"条目#{row.index}", f"序号不连续（应为 {log.size}）"))
            break
        if merkle.leaf_hash(content).hex() != row.leaf_hash:
            problems.append(Problem(f"条目#{row.index}", "叶子哈希与条目内容不符（条目被修改）"))
        log.append(content)
    head = LedgerHead.objects.filter(pk=1).first()
    if head is not None and head.size != log.size:
        problems.append(Problem("日志头", f"记录的条目数 {head.size} 与实有 {log.size} 不符"))
    stored = 0
    for node in LedgerNode.objects.order_by("level", "position").iterator(chunk_size=5000):
        stored += 1
        expected = log.nodes.get((node.level, node.position))
        if expected is None or expected.hex() != node.hash:
            problems.append(Problem(f"节点({node.level},{node.position})",
                                    "与由条目重算的值不符"))
    if stored != len(log.nodes):
        problems.append(Problem("树节点", f"存有 {stored} 个，应为 {len(log.nodes)} 个"))
    checkpoints = list(LedgerCheckpoint.objects.order_by("size", "pk")
                       .prefetch_related("cosignatures"))
    for checkpoint in checkpoints:
        where = f"检查点（{checkpoint.size} 条，{rfc3339(checkpoint.time)}）"
        if checkpoint.size > log.size:
            problems.append(Problem(where, f"检查点条目数超过日志实有的 {log.size} 条（日志被截断）"))
            continue
        if log.root(checkpoint.size).hex() != checkpoint.root:
            problems.append(Problem(where, "树根与由条目重算的不符"))
        text = checkpoint_text(checkpoint.size, checkpoint.root, rfc3339(checkpoint.time))
        key = trusted.get(checkpoint.key_id)
        if key is None:
            problems.append(Problem(where, f"签名密钥 {checkpoint.key_id} 不在受信任的公钥中"))
        elif not sm2.verify(key, text, bytes.fromhex(checkpoint.signature)):
            problems.append(Problem(where, "SM2 签名验证不通过"))
        for cosignature in checkpoint.cosignatures.all():
            if not sm2.verify(bytes.fromhex(cosignature.public_key), text,
                              bytes.fromhex(cosignature.signature)):
                problems.append(Problem(where, f"见证方“{cosignature.witness}”的签名验证不通过"))
    return Report(log.size, len(checkpoints), checkpoints[-1] if checkpoints else None, problems)

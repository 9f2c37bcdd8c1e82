"""The transparency log's rows (issue 15 §2, ADR 0025): entries in order, the perfect subtree
nodes of their Merkle tree (ledger.merkle), and signed checkpoints (tree heads).

An entry's bytes are exactly the leaf the tree hashes; they are public (GET
/api/v1/ledger/entries/{index}), so nothing personal is ever written into one (a person is
named by a salted commitment, whose salt is kept here in `private` and never published). Rows
are only ever added: the log is append-only, and `zhengwu ledger verify` recomputes every
hash from the entries, so an edited, removed or reordered row is found.
"""

from __future__ import annotations

from django.db import models


class LedgerHead(models.Model):
    """The one row appends lock (UPDATE … RETURNING) to take the next index in order."""

    size = models.PositiveBigIntegerField("条目数", default=0)

    class Meta:
        verbose_name = "透明日志头"
        verbose_name_plural = "透明日志头"

    def __str__(self) -> str:
        return str(self.size)


class LedgerEntry(models.Model):
    index = models.PositiveBigIntegerField("序号", unique=True)
    kind = models.CharField("类型", max_length=40)
    entry = models.BinaryField("条目（叶子原文）")
    leaf_hash = models.CharField("叶子哈希（SM3）", max_length=64)
    # What the entry records ("cases.CreditRecord:12"), for the platform's own lookups.
    ref = models.CharField("对应记录", max_length=80, blank=True, db_index=True)
    # What must not be published but lets a person check their own entry (the salt of a
    # commitment to their ID number). Never in the API.
    private = models.JSONField("不公开的附加信息", default=dict, blank=True)
    appended_at = models.DateTimeField("写入时间")

    class Meta:
        verbose_name = "透明日志条目"
        verbose_name_plural = "透明日志条目"
        ordering = ["index"]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class LedgerNode(models.Model):
    """The hash of the perfect subtree of leaves [position·2^level, (position+1)·2^level)."""

    level = models.PositiveSmallIntegerField("层")
    position = models.PositiveBigIntegerField("位置")
    hash = models.CharField("哈希（SM3）", max_length=64)

    class Meta:
        verbose_name = "透明日志树节点"
        verbose_name_plural = "透明日志树节点"
        constraints = [models.UniqueConstraint(fields=["level", "position"],
                                               name="ledger_node_once")]

    def __str__(self) -> str:
        return f"({self.level},{self.position})"


class LedgerCheckpoint(models.Model):
    """A signed tree head: the tree of `size` entries has root `root`, said at `time` and
    signed with SM2 by the log key (outside the database) over `checkpoint_text`."""

    size = models.PositiveBigIntegerField("条目数")
    root = models.CharField("树根（SM3）", max_length=64)
    time = models.DateTimeField("时间")
    key_id = models.CharField("密钥标识", max_length=16)
    signature = models.CharField("签名（SM2，DER，十六进制）", max_length=200)

    class Meta:
        verbose_name = "透明日志检查点"
        verbose_name_plural = "透明日志检查点"
        ordering = ["-size", "-pk"]

    def __str__(self) -> str:
        return f"{self.size} {self.root[:12]}"


class LedgerCosignature(models.Model):
    """A witness's signature on a checkpoint (another county's log, the 电子监察): that it saw
    this tree head and checked it consistent with the last one it saw."""

    checkpoint = models.ForeignKey(LedgerCheckpoint, on_delete=models.PROTECT,
                                   related_name="cosignatures")
    witness = models.CharField("见证方", max_length=100)
    key_id = models.CharField("密钥标识", max_length=16)
    public_key = models.CharField("公钥（十六进制）", max_length=128)
    signature = models.CharField("签名（SM2，DER，十六进制）", max_length=200)
    added_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "透明日志见证签名"
        verbose_name_plural = "透明日志见证签名"
        constraints = [models.UniqueConstraint(fields=["checkpoint", "key_id"],
                                               name="ledger_cosignature_once")]

    def __str__(self) -> str:
        return f"{self.witness} {self.key_id}"

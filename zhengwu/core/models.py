"""Base model and the audit trail (审计日志) that every service writes in its own transaction."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models

from zhengwu.core.stored_files import stored, stored_file_path
from zhengwu.core.upload_check import CheckedFile


class BaseModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class StoredFile(models.Model):
    """An uploaded file the platform keeps (core.stored_files): what it was called, what its
    content is (core.upload_check's verdict, never the name's), its size and SHA-256, who added
    it and when. A concrete file names its folder (`UPLOAD_DIR`) and what it belongs to; `keep`
    writes the checked content under a generated name and notes it for discarded_on_failure."""

    UPLOAD_DIR: ClassVar[str]

    file = models.FileField("文件", upload_to=stored_file_path)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=60)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    added_at = models.DateTimeField("上传时间")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def keep(self, checked: CheckedFile) -> None:
        """Take the checked content: its type, size and digest, written to storage under a
        generated name (the row itself is saved by the caller, in its transaction)."""
        self.content_type, self.size, self.sha256 = (checked.content_type, len(checked.content),
                                                     checked.sha256)
        self.file.save(f"{secrets.token_hex(16)}.{checked.extension}",
                       ContentFile(checked.content), save=False)
        stored(self.file.storage, self.file.name)


class SealedRecord(models.Model):
    """A journal row that people rely on but that is written outside the audit chain for speed
    (timeline events, staff-read logs): the next audit checkpoint seals it, i.e. hashes it into
    an `audit.seal` row of the chain (core.checkpoints, ADR 0010). Every concrete subclass is
    sealed; `audit_seal` is the seal's sequence number, NULL until then (a partial index finds
    those rows), and is not itself trusted: verification goes by the seal rows' contents.
    Subclasses that declare Meta must inherit it (SealedRecord.Meta) to keep the index."""

    audit_seal = models.PositiveBigIntegerField("封存序号", null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="%(app_label)s_%(class)s_unsealed")]


class AccessRecord(SealedRecord):
    """A member of staff opened a person's data (quality.md #8): who, for which department,
    why and when, one row per read. Concrete logs (cases.CaseAccess, bundles.BundleAccess) add
    the FK to what was read; core.access_log groups them for the person to read, and the
    next audit checkpoint seals them (SealedRecord)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department_label = models.CharField("部门", max_length=200, blank=True)
    purpose = models.CharField("用途", max_length=40)
    at = models.DateTimeField("时间")

    class Meta(SealedRecord.Meta):
        abstract = True


class AuditEvent(models.Model):
    """One state change: who (actor, role, department), what (object, before → after), when
    (UTC), from which request, chained with SM3 so that an edited, deleted or reordered row is
    detected by `zhengwu audit-verify` (quality.md #6, #7).
    """

    stream = models.CharField("链", max_length=32, default="main")
    seq = models.PositiveBigIntegerField("序号")
    at = models.DateTimeField("时间(UTC)")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField("操作人名称", max_length=150)
    role = models.CharField("角色", max_length=40, blank=True)
    department_id = models.BigIntegerField("部门ID", null=True, blank=True)
    department_label = models.CharField("部门", max_length=200, blank=True)
    action = models.CharField("动作", max_length=80)
    object_type = models.CharField("对象类型", max_length=80)
    object_id = models.CharField("对象ID", max_length=64)
    object_repr = models.CharField("对象", max_length=300)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    request_id = models.CharField("请求ID", max_length=64)
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希(SM3)", max_length=64)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_stream_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The last sequence number and hash of each audit stream; locked while a row is appended."""

    stream = models.CharField(max_length=32, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"{self.stream}@{self.seq}"


class Counter(models.Model):
    """One sequence of printed numbers (case, bundle and joint-review numbers, 文号 per printed
    prefix), one row per scope; core.numbering is its only writer."""

    scope = models.CharField(max_length=80, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "序号"
        verbose_name_plural = "序号"

    def __str__(self) -> str:
        return f"{self.scope}={self.value}"

"""Shared data items (共享数据目录), the demo provider's records, and the data-use log.

The use log (`DataUse`) is append-only: the manager refuses update and delete, a saved row
refuses to be saved again or deleted, and each row is chained to the one before with SM3
(sharing.uselog) so that a row changed or removed behind the ORM's back is found by
`zhengwu sharing verify-log`. Rows name the holder by `core.holder_ref` only, never by number.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from zhengwu.core.models import BaseModel

# A data item's code: letters, digits and hyphens (GA-HJ-001); paths are checked against it
# before any query, so a stray byte never reaches the database.
ITEM_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$"


class SubjectKind(models.TextChoices):
    PERSON = "person", "个人"
    ENTERPRISE = "enterprise", "企业"


class SharedDataItem(BaseModel):
    """One item of the sharing catalogue: what a department provides, under which law, to whom
    for what (共享条件)."""

    code = models.CharField("数据项编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    provider = models.ForeignKey("departments.Department", verbose_name="提供部门",
                                 on_delete=models.PROTECT, related_name="+")
    subject_kind = models.CharField("主体类型", max_length=12, choices=SubjectKind.choices)
    # [{"key": "name", "label": "姓名", "mask": "name"}]: the order the preview shows them in;
    # `mask` (name, citizen_id, address, phone, or empty) says how a list may show the value.
    fields = models.JSONField("字段", default=list)
    legal_basis = models.TextField("共享依据")
    requesters = models.TextField("共享条件（可申请部门与用途）", blank=True)
    description = models.TextField("说明", blank=True)
    illustrative = models.BooleanField("示例数据", default=True)

    class Meta:
        verbose_name = "共享数据项"
        verbose_name_plural = "共享数据目录"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LocalRecord(BaseModel):
    """What the local (demo) provider answers for one holder and one item."""

    item = models.ForeignKey(SharedDataItem, on_delete=models.CASCADE, related_name="records")
    holder_ref = models.CharField("持有人标识", max_length=64)
    data = models.JSONField("数据", default=dict)
    illustrative = models.BooleanField("示例数据", default=True)

    class Meta:
        verbose_name = "本地共享数据"
        verbose_name_plural = "本地共享数据"
        constraints = [models.UniqueConstraint(fields=["item", "holder_ref"],
                                               name="sharing_record_item_holder_unique")]

    def __str__(self) -> str:
        return f"{self.item.code}@{self.holder_ref[:8]}"


class UseKind(models.TextChoices):
    PREVIEW = "preview", "本人预览"
    USE_IN_CASE = "use_in_case", "办件中使用"
    VERIFICATION = "verification", "核验"
    QR_SCAN = "qr_scan", "扫码核验"
    DOWNLOAD = "download", "下载"
    EX_OFFICIO_CHECK = "ex_officio_check", "依职能核查"
    SHARED_DATA_QUERY = "shared_data_query", "共享数据查询"


class UseBasis(models.TextChoices):
    CONSENT = "consent", "本人同意"
    LEGAL_BASIS = "legal_basis", "法定依据（依职能）"
    HOLDER = "holder", "本人操作"
    PRESENTED = "presented", "持证人出示"


class AppendOnlyError(Exception):
    """A data-use row may be neither changed nor deleted."""


class AppendOnlyQuerySet(models.QuerySet["DataUse"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("数据使用记录只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("数据使用记录只能追加，不能删除")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError("数据使用记录只能追加，不能修改")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("数据使用记录只能追加，不能修改")


class DataUse(models.Model):
    """One use of a holder's licence or shared data: what (kind, licence identifier or data
    item), who (the staff member, their role and department; or the public, or the holder),
    when, for which case, on what basis — chained with SM3 (seq, prev_hash, hash)."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间(UTC)")
    kind = models.CharField("用途类型", max_length=24, choices=UseKind.choices)
    holder_ref = models.CharField("持有人标识", max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="使用人", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField("使用人名称", max_length=150)
    role = models.CharField("角色", max_length=40, blank=True)
    department_id = models.BigIntegerField("部门ID", null=True, blank=True)
    department_label = models.CharField("部门", max_length=200, blank=True)
    case_number = models.CharField("办件编号", max_length=40, blank=True)
    basis = models.CharField("依据类型", max_length=16, choices=UseBasis.choices)
    basis_text = models.TextField("依据", blank=True)
    purpose = models.CharField("用途", max_length=200, blank=True)
    licence_id = models.CharField("证照标识", max_length=200, blank=True)
    item_code = models.CharField("共享数据项", max_length=40, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希(SM3)", max_length=64)

    objects: ClassVar[models.Manager[DataUse]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "数据使用记录"
        verbose_name_plural = "数据使用记录"
        indexes = [models.Index(fields=["holder_ref", "-seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("数据使用记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("数据使用记录只能追加，不能删除")


class DataUseHead(models.Model):
    """The last sequence number and hash of the use log; locked while a row is appended."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "数据使用记录链头"
        verbose_name_plural = "数据使用记录链头"

    def __str__(self) -> str:
        return f"uses@{self.seq}"


class SharingRequest(BaseModel):
    """A shared data item fetched for a case's applicant: what came back (kept with the case as
    the material it replaces), for which purpose and on what basis, and its log row."""

    case_number = models.CharField("办件编号", max_length=40, db_index=True)
    item = models.ForeignKey(SharedDataItem, on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人",
                                  on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField("用途", max_length=200)
    basis = models.CharField("依据类型", max_length=16, choices=UseBasis.choices)
    basis_text = models.TextField("依据", blank=True)
    data = models.JSONField("返回数据", default=dict)
    data_sm3 = models.CharField("数据SM3", max_length=64)
    use = models.OneToOneField(DataUse, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "共享数据调用"
        verbose_name_plural = "共享数据调用"

    def __str__(self) -> str:
        return f"{self.case_number} {self.item.code}"

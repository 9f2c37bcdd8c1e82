"""Licence types (GB/T 36903 证照类型元数据) and the licences issued under them.

A `Licence` keeps the signed bytes verbatim (`signed_data`: the RFC 8785 canonical JSON of the
credential, licences.credential) with the SM2 signature and the key id; every other column is
an index into it or the licence's life since (status, superseding). The holder is kept as a
reference (HMAC-SM3 of the ID number or USCC with a server key, licences.holder) plus the
masked display fields — a licence table dumped or leaked names nobody by ID number.
"""

from __future__ import annotations

import secrets
import string
from typing import Final

from django.db import models

from zhengwu.core.models import BaseModel

# The verification token of the short QR address (`/V/<token>`): 12 characters of RFC 4648
# base32 (A–Z, 2–7; 60 random bits), upper case so that the whole address fits the QR
# alphanumeric mode (licences.presentation).
VERIFY_TOKEN_LENGTH: Final = 12
VERIFY_TOKEN_ALPHABET: Final = string.ascii_uppercase + "234567"


def verify_token_new() -> str:
    return "".join(secrets.choice(VERIFY_TOKEN_ALPHABET) for _ in range(VERIFY_TOKEN_LENGTH))


class HolderKind(models.TextChoices):
    PERSON = "person", "个人"
    ENTERPRISE = "enterprise", "企业"


class RegistrationCategory(models.TextChoices):
    """GB 32100 机构类别码 of the subjects 市场监督管理 registers (登记管理部门码 9)."""

    ENTERPRISE = "1", "企业"
    INDIVIDUAL_BUSINESS = "2", "个体工商户"
    FARMERS_COOPERATIVE = "3", "农民专业合作社"


class LicenceType(BaseModel):
    """证照类型: what a licence of this type says, who issues it, for how long."""

    code = models.CharField("证照类型代码", max_length=21, unique=True,
                            help_text="定义机构的统一社会信用代码（18 位）+ 3 位顺序号")
    name = models.CharField("证照类型名称", max_length=100)
    authority_name = models.CharField("证照定义机构", max_length=200)
    # The pack marks codes it could not check against a published one (docs/pack-format.md).
    authority_illustrative = models.BooleanField("定义机构代码为示例", default=False)
    holder_kind = models.CharField("持证主体类别", max_length=12, choices=HolderKind.choices)
    issuing_department = models.ForeignKey("departments.Department", verbose_name="颁证部门",
                                           on_delete=models.PROTECT,
                                           related_name="licence_types")
    # [{"key", "label", "source"}] (licences.fields): what the licence says, in order.
    fields = models.JSONField("照面信息项", default=list)
    # None: 长期有效; else valid for this many years from the day of issue.
    validity_years = models.PositiveSmallIntegerField("有效期（年）", null=True, blank=True)
    pdf_template = models.CharField("版式模板", max_length=100,
                                    default="licences/licence_pdf.html")
    # A registration certificate (营业执照): issued to a person's application, it brings its
    # enterprise holder into being — the grant assigns the 统一社会信用代码 and opens the
    # enterprise's account (cases.registration). Issued to an enterprise, it is a change.
    establishes_holder = models.BooleanField("设立登记证照（颁发时为新设主体赋码）", default=False)
    # What a registration establishes: its GB 32100 机构类别码 under 登记管理部门码 9 (市场监管).
    registration_category = models.CharField(
        "设立主体类别", max_length=1, choices=RegistrationCategory.choices,
        default=RegistrationCategory.ENTERPRISE)
    source = models.TextField("来源", blank=True)

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def validity_label(self) -> str:
        return "长期有效" if self.validity_years is None else f"自颁发之日起 {self.validity_years} 年"


class LicenceStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已撤销"
    SUPERSEDED = "superseded", "已被新版本替代"
    EXPIRED = "expired", "已过期"


class Licence(BaseModel):
    """One version of one licence, as signed."""

    identifier = models.CharField("证照标识", max_length=120, unique=True)
    licence_type = models.ForeignKey(LicenceType, verbose_name="证照类型",
                                     on_delete=models.PROTECT, related_name="licences")
    issuer_department = models.ForeignKey("departments.Department", verbose_name="颁证部门",
                                          on_delete=models.PROTECT, related_name="licences")
    serial = models.CharField("流水号", max_length=40)
    version = models.PositiveSmallIntegerField("版本号", default=1)
    holder_kind = models.CharField("持证主体类别", max_length=12, choices=HolderKind.choices)
    # HMAC-SM3 (hex) of the holder's normalised ID number or USCC (licences.holder).
    holder_ref = models.CharField("持证主体标识", max_length=64, db_index=True)
    holder_name = models.CharField("持证主体（脱敏）", max_length=200)
    holder_id_display = models.CharField("证件号码（脱敏）", max_length=40)
    payload = models.JSONField("照面信息", default=dict)
    signed_data = models.BinaryField("签名原文")
    signature = models.BinaryField("签名值")
    kid = models.CharField("密钥标识", max_length=16)
    valid_from = models.DateTimeField("有效期起")
    valid_until = models.DateTimeField("有效期至", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=LicenceStatus.choices,
                              default=LicenceStatus.VALID)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    status_reason = models.CharField("状态变更原因", max_length=500, blank=True)
    # Random positions in the revocation and suspension status lists, as signed; the lists
    # and the positions' uniqueness (per list) are StatusEntry's (licences.status).
    revocation_index = models.PositiveIntegerField("撤销状态位")
    suspension_index = models.PositiveIntegerField("暂停状态位")
    supersedes = models.OneToOneField("self", verbose_name="替代的版本", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    # The case whose decision issued it (a number: licences sit below cases, and a licence
    # may come from elsewhere).
    source_case = models.CharField("来源办件", max_length=32, blank=True, db_index=True)
    issued_at = models.DateTimeField("颁发时间")
    pdf = models.FileField("PDF", upload_to="licences/%Y/", blank=True)
    # The short, unguessable key of the QR address (VERIFY_TOKEN_LENGTH above); the long
    # identifier address keeps working. Null only for rows the migration had not reached.
    verify_token = models.CharField("核验码", max_length=16, unique=True, null=True,
                                    default=verify_token_new, editable=False)
    # The offline compact QR (licences.compact), signed by the issuer's key the first time it
    # is shown and kept: it carries no status, so it never goes stale.
    compact_code = models.TextField("离线核验码", blank=True, editable=False)

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=LicenceStatus.values),
                                   name="licence_status_known"),
            models.UniqueConstraint(fields=["licence_type", "issuer_department", "serial",
                                            "version"], name="licence_one_serial_version"),
        ]
        indexes = [
            models.Index(fields=["holder_ref", "status"]),
            # The status lists' rebuild reads the few licences whose bit is set (revoked,
            # suspended, …): a partial index keeps it off the table (docs/benchmarks.md,
            # "Electronic licences": the query was 87 % of a rebuild).
            models.Index(fields=["status"], condition=~models.Q(status=LicenceStatus.VALID),
                         name="licence_status_not_valid"),
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def data(self) -> bytes:
        return bytes(self.signed_data)


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", "撤销"
    SUSPENSION = "suspension", "暂停"


class StatusList(BaseModel):
    """One published Bitstring Status List (licences.status_list) of an issuer and purpose:
    its current signed bytes, re-signed when a bit changes and at least daily (the sweep
    `licences.status_lists`). The bits are derived from the licences' statuses, never kept
    apart from the signed bytes."""

    issuer_department = models.ForeignKey("departments.Department", verbose_name="颁证部门",
                                          on_delete=models.PROTECT,
                                          related_name="status_lists")
    issuer = models.CharField("颁证机构代码", max_length=18)
    purpose = models.CharField("用途", max_length=12, choices=StatusPurpose.choices)
    number = models.PositiveIntegerField("编号")
    length = models.PositiveIntegerField("位数", default=131_072)
    # Signed into every licence whose entry is in this list: never changes.
    url = models.CharField("地址", max_length=300)
    signed_data = models.BinaryField("签名原文", default=bytes)
    signature = models.BinaryField("签名值", default=bytes)
    kid = models.CharField("密钥标识", max_length=16, blank=True)
    valid_from = models.DateTimeField("有效期起", null=True, blank=True)
    valid_until = models.DateTimeField("有效期至", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "证照状态列表"
        verbose_name_plural = "证照状态列表"
        ordering = ["issuer", "purpose", "number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "purpose", "number"],
                                    name="status_list_one_number"),
            models.CheckConstraint(condition=models.Q(length__gte=131_072),
                                   name="status_list_min_length"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer}/{self.purpose}/{self.number}"


class StatusEntry(BaseModel):
    """A licence's position in one status list (one per purpose); never freed."""

    licence = models.ForeignKey(Licence, verbose_name="证照", on_delete=models.PROTECT,
                                related_name="status_entries")
    status_list = models.ForeignKey(StatusList, verbose_name="状态列表",
                                    on_delete=models.PROTECT, related_name="entries")
    purpose = models.CharField("用途", max_length=12, choices=StatusPurpose.choices)
    index = models.PositiveIntegerField("状态位")

    class Meta:
        verbose_name = "证照状态位"
        verbose_name_plural = "证照状态位"
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"],
                                    name="status_entry_one_position"),
            models.UniqueConstraint(fields=["licence", "purpose"],
                                    name="status_entry_one_per_purpose"),
        ]


class AcceptedTrustList(BaseModel):
    """The trust list in force (licences.trust_list): one row, replaced by a newer edition."""

    sequence = models.PositiveBigIntegerField("序号")
    signed_data = models.BinaryField("签名原文")
    signature = models.BinaryField("签名值")
    kid = models.CharField("密钥标识", max_length=16)
    accepted_at = models.DateTimeField("接受时间")

    class Meta:
        verbose_name = "信任列表"
        verbose_name_plural = "信任列表"
        ordering = ["-sequence"]


class LicencePresentation(BaseModel):
    """亮证: a short-lived code the holder shows so that a clerk (or anyone) sees the licence
    as presented — the holder's full name, the licence's fields — for two minutes at most.
    Only the code's SM3 is kept; a newer code of the same licence ends the older one."""

    licence = models.ForeignKey(Licence, verbose_name="电子证照", on_delete=models.CASCADE,
                                related_name="presentations")
    code_hash = models.CharField("出示码摘要", max_length=64, unique=True)
    # The name as the verified account has it (the licence row keeps it masked).
    holder_name = models.CharField("持证人姓名", max_length=200)
    expires_at = models.DateTimeField("失效时间", db_index=True)
    ended = models.BooleanField("已作废", default=False)

    class Meta:
        verbose_name = "亮证码"
        verbose_name_plural = "亮证码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.licence_id} 亮证码"

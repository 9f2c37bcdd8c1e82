"""What every process holds alike, as abstract models: its timeline events, its numbered
notices (文书), the materials the applicant provided and its supplement requests (补正).

A concrete model (cases.CaseEvent, bundles.BundleNotice, …) adds only the foreign key to its
own row, the choices of its own kinds, its Meta (table, ordering, indexes) and what is truly its
own (a case notice's cached PDF, a bundle material's members). Abstract models make no table
and no migration of their own: the process package is not a Django app, and each app's tables
stay as they were (ADR 0013).

They live in the process layer, not in `core`: a 文号, a material or a 补正 is a notion of a
deadline-bound process, and core (audit, seal, numbering) stays below every process. What core
must find generically stays in core: `SealedRecord`, which the audit seal (core.checkpoints)
looks for, is the base of `ProcessEvent`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any, Self

from django.conf import settings
from django.db import models

from zhengwu.core import clock, numbering
from zhengwu.core.audit import Actor
from zhengwu.core.context import current_request_id
from zhengwu.core.models import SealedRecord


class ProcessEvent(SealedRecord):
    """One move on a timeline a person reads (a case's, a bundle's, a joint review's): who, in
    which role and department, from which state to which, when and why. Concrete timelines add
    the FK to what moved; the audit chain (AuditEvent) records the same move for supervision,
    and the next checkpoint seals the event itself (SealedRecord, ADR 0010)."""

    action = models.CharField("动作", max_length=40)
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作账号", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField("操作人", max_length=150)
    role = models.CharField("角色", max_length=40)
    department_label = models.CharField("部门", max_length=200, blank=True)
    reason = models.TextField("理由", blank=True)
    data = models.JSONField("详情", default=dict)
    at = models.DateTimeField("时间")
    request_id = models.CharField("请求ID", max_length=64)

    class Meta(SealedRecord.Meta):
        abstract = True

    @classmethod
    def of_move(cls, *, action: str, before: str, after: str, actor: Actor, reason: str = "",
                data: dict[str, Any] | None = None, at: dt.datetime | None = None,
                **owner: Any) -> Self:
        """The event of a move, not yet saved (`owner`: the concrete model's FK to what moved,
        e.g. case=…): who from the audit actor, the request from the request context."""
        return cls(action=action, from_status=before, to_status=after, actor=actor.user,
                   actor_label=actor.label, role=actor.role,
                   department_label=actor.department_label, reason=reason, data=data or {},
                   at=at or clock.now(), request_id=current_request_id(), **owner)


# The right to a remedy printed on every decision (行政复议法 art. 20: sixty days; 行政诉讼法
# art. 46: six months).
REMEDY = ("如不服本决定，可以自收到本文书之日起六十日内依法申请行政复议，"
          "或者自收到本文书之日起六个月内依法向人民法院提起行政诉讼。")


class ProcessNotice(models.Model):
    """文书: numbered when issued, inside the move's transaction (文号 such as
    耒政服受〔2026〕123号, one sequence per printed prefix, core.numbering), with a code for the
    public verification page. Concrete notices redeclare `kind` with their own choices."""

    kind = models.CharField("文书种类", max_length=16)
    number = models.CharField("文号", max_length=60, unique=True)
    issued_at = models.DateTimeField("签发时间")
    content = models.JSONField("内容", default=dict)
    verify_code = models.CharField("核验码", max_length=32, unique=True)
    # The department's SM2 signature (issue 11 item 9): the canonical bytes of what the notice
    # says, stored verbatim, the DER signature and the key id. Empty on notices issued before
    # notices were signed (the verification page says so).
    signed_data = models.BinaryField("签名内容", default=b"", blank=True)
    signature = models.BinaryField("签名", default=b"", blank=True)
    kid = models.CharField("密钥标识", max_length=16, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def new_verify_code() -> str:
        """The code printed (as a QR code) on the notice: unguessable, 20 hex characters."""
        return secrets.token_hex(10)

    @classmethod
    def issue(cls, *, kind: str, prefix: str, mark: str, at: dt.datetime,
              content: dict[str, Any] | None = None,
              seal: Callable[[Self], None] | None = None, **owner: Any) -> Self:
        """Number and save one notice: `prefix` is the issuing department's document prefix,
        `mark` the kind's character (受, 一件事结 …), the year the local one of `at`. `seal`
        signs the numbered notice before its row is inserted (it sets `signed_data`,
        `signature` and `kid`): the process layer knows no keys, the owning app does."""
        number = numbering.document_number(prefix, mark, at.astimezone(clock.SHANGHAI).year)
        notice = cls(kind=kind, number=number, issued_at=at, content=content or {},
                     verify_code=cls.new_verify_code(), **owner)
        if seal is not None:
            seal(notice)
        notice.save(force_insert=True)
        return notice


class ProcessMaterial(models.Model):
    """A material the applicant provided: an uploaded file (stored under a generated name,
    with its original name, checked type, size and SHA-256), or a commitment, an e-license or
    shared data named by `reference`. Concrete materials add their name (a case's material
    name, a bundle's material identity) and redeclare `kind` with choices where they check
    them."""

    kind = models.CharField("提供方式", max_length=12)
    file = models.FileField("文件", upload_to="cases/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=60, blank=True)
    size = models.PositiveIntegerField("大小", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    reference = models.CharField("证照/数据引用", max_length=200, blank=True)
    added_at = models.DateTimeField("提交时间")
    supplement = models.BooleanField("补正提交", default=False)

    class Meta:
        abstract = True


class ProcessSupplement(models.Model):
    """A supplement request (补正): the list of what is missing or defective, each with why
    ([{"material": …, "reason": …}]), and when it was made. The one notice to the applicant
    (cases.Supplement) or a department's finding gathered into it (bundles.SupplementRequest)."""

    items = models.JSONField("补正清单")
    requested_at = models.DateTimeField("提出时间")

    class Meta:
        abstract = True

"""Attachments of 12345 work orders (issue 13 §1): a letter's scan or a photo of the place
given with the order, and the department's photos or documents given with its handling.

Rules held here, once (docs/hotline.md, "附件"):
- every file passes core.upload_check (PDF, JPEG or PNG judged by content, at most 10 MB, no
  polyglots), is stored under a generated name and served only as an attachment;
- at most MAX_PER_ORDER files an order; none once it is closed or merged;
- what a person attaches is the part their role on the order gives: the caller and the
  12345 centre add 诉求附件, the department handling it adds 答复附件;
- a confidential order's 诉求附件 (a 举报 letter names its writer) are shown to the centre and
  the caller only, never to the department (the 举报人 protection of the caller's name);
- adding files is a change of the order: one transaction with its event and audit row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile

from zhengwu.accounts.models import User
from zhengwu.cases import uploads
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.hotline.models import (
    AttachmentPart,
    Status,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderEvent,
)
from zhengwu.hotline.selectors import sees_all
from zhengwu.hotline.workflow import department_ids

MAX_PER_ORDER = 10
ENDED = frozenset({Status.CLOSED, Status.MERGED})

Files = Sequence[tuple[str, bytes]]  # (the name the person gave, the content)


def read_uploads(uploaded: Sequence[UploadedFile]) -> list[tuple[str, bytes]]:
    """The files of a request, read only once their count and declared sizes are within the
    limits (a request of 50 files of 10 MB is refused before any is read into memory)."""
    if len(uploaded) > MAX_PER_ORDER:
        raise InvalidInput(f"每张工单最多 {MAX_PER_ORDER} 个附件，本次选择了 {len(uploaded)} 个。",
                           code="order.attachment_count")
    for upload in uploaded:
        if (upload.size or 0) > uploads.MAX_BYTES:
            raise InvalidInput(f"附件“{(upload.name or '')[-60:]}”超过 10MB。",
                               code="case.upload_too_large", http_status=413)
    return [((upload.name or "附件")[-200:], upload.read()) for upload in uploaded]


def part_for(row: WorkOrder, user: User | None) -> str | None:
    """Which part `user` adds to `row`, or None when they may not add any."""
    if user is None:  # the platform itself (an import, Open311): the caller's own files
        return AttachmentPart.REQUEST
    if row.caller_id is not None and row.caller_id == user.pk:
        return AttachmentPart.REQUEST
    if sees_all(user):
        return AttachmentPart.REQUEST
    if row.department_id is not None and row.department_id in department_ids(user):
        return AttachmentPart.REPLY
    return None


def shown_to(row: WorkOrder, user: User | None) -> list[WorkOrderAttachment]:
    """The attachments of `row` that `user` (who may see the order) may open."""
    rows = list(row.attachments.all())
    if not row.confidential or user is None:
        return rows
    if (row.caller_id is not None and row.caller_id == user.pk) or sees_all(user):
        return rows
    return [a for a in rows if a.part != AttachmentPart.REQUEST]


def hidden_count(row: WorkOrder, user: User | None) -> int:
    return row.attachments.count() - len(shown_to(row, user))


def add(row: WorkOrder, files: Files, *, part: str, user: User | None, actor: Actor,
        now: dt.datetime) -> list[WorkOrderAttachment]:
    """Check and store `files` on `row` (the caller's transaction, inside
    uploads.discarded_on_failure so a refused write leaves no file behind); InvalidInput
    naming the file that is refused, and nothing stored."""
    if not files:
        return []
    if row.status in ENDED:
        raise Conflict(f"工单 {row.number} 已{Status(row.status).label}，不能再上传附件。",
                       code="order.attachment_closed")
    count = row.attachments.count() if row.pk else 0
    if count + len(files) > MAX_PER_ORDER:
        raise InvalidInput(f"每张工单最多 {MAX_PER_ORDER} 个附件（已有 {count} 个）。",
                           code="order.attachment_count")
    checked = [(name, uploads.check_upload(name, content, what="附件")) for name, content in files]
    made = []
    for name, item in checked:
        attachment = WorkOrderAttachment(order=row, part=part,
                                         original_name=(name or "附件")[-200:], added_at=now,
                                         added_by=user)
        attachment.keep(item)
        attachment.save()
        made.append(attachment)
    data = {"part": part, "files": [a.original_name for a in made]}
    WorkOrderEvent.of_move(order=row, action="attach", before=row.status, after=row.status,
                           actor=actor, data=data, at=now).save()
    audit_record(actor=actor, action="hotline.order.attach", obj=row, after=data)
    return made

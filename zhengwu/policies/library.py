"""The policy library kept by the departments (issue 14 §1): a department enters a 政策文件,
adds 解读 with Q&A to it, and records its 立改废 — 失效 on a date, or 已修订 naming the
document that replaces it. Until now the pack alone loaded them (pack.py).

Who: whoever may publish a benefit (services.publisher_department — the one guard); a
document belongs to the department that entered it (its 牵头部门), and only that department's
staff add its 解读 or change its status. Each change is one transaction with its audit row,
and bumps the catalogue generation: the library is in search as a service (search_source
indexes documents in force with their 解读 titles), so the index is rebuilt.

Refusals are `LibraryInvalid`, carrying one Chinese message per form field, so the page shows
each next to its field (a duplicate 文号 or a missing successor is a field error, never an
IntegrityError). Files (`file_add`): a document's 附件, or a 解读's 图解 (an image with its
text description), checked by core.upload_check (PDF, JPEG, PNG by content), kept with their
SHA-256 and published with the document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.cases import staging
from zhengwu.catalog.services import catalog_generation_bump
from zhengwu.core import clock
from zhengwu.core.audit import audit_record
from zhengwu.core.errors import FieldsInvalid, InvalidInput, NotAllowed
from zhengwu.core.stored_files import discarded_on_failure
from zhengwu.core.upload_check import check_upload
from zhengwu.policies.models import DocumentStatus, Interpretation, PolicyDocument, PolicyFile
from zhengwu.policies.services import officer_actor, officer_department_ids, publisher_department

MAX_QUESTIONS = 30
MAX_FILES = 20  # per document, 附件 and 图解 together


class LibraryInvalid(FieldsInvalid):
    """Bad input, one message per field ("" = the whole form; core.errors.FieldsInvalid)."""

    code = "policies.library_invalid"


@dataclass
class DocumentIn:
    title: str
    doc_number: str
    issuer: str
    issued_on: dt.date
    effective_on: dt.date
    full_text: str
    expires_on: dt.date | None = None


@dataclass
class InterpretationIn:
    title: str
    body: str
    published_on: dt.date
    questions: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class StatusIn:
    status: str  # DocumentStatus.EXPIRED or REVISED
    on: dt.date | None = None  # 失效: the day it ceased to be in force
    successor_id: int | None = None  # 已修订: the document that replaces it
    reason: str = ""


def _document_problems(data: DocumentIn) -> dict[str, str]:
    problems = {}
    for name, label in (("title", "标题"), ("doc_number", "文号"), ("issuer", "发文机关"),
                        ("full_text", "全文")):
        if not str(getattr(data, name)).strip():
            problems[name] = f"请填写{label}。"
    number = data.doc_number.strip()
    if number and PolicyDocument.objects.filter(doc_number=number).exists():
        problems["doc_number"] = f"文号“{number}”已有文件，同一文号只能登记一次。"
    if data.effective_on < data.issued_on:
        problems["effective_on"] = "施行日期不能早于成文日期。"
    if data.expires_on is not None and data.expires_on < data.effective_on:
        problems["expires_on"] = "有效期至不能早于施行日期。"
    return problems


@transaction.atomic
def document_create(*, user: User, data: DocumentIn) -> PolicyDocument:
    """A department enters a policy document in force (its 牵头部门: the department)."""
    department, actor = publisher_department(user)
    problems = _document_problems(data)
    if problems:
        raise LibraryInvalid(problems)
    document = PolicyDocument.objects.create(
        title=data.title.strip(), doc_number=data.doc_number.strip(),
        issuer=data.issuer.strip(), department=department, issued_on=data.issued_on,
        effective_on=data.effective_on, expires_on=data.expires_on,
        full_text=data.full_text.strip())
    catalog_generation_bump()
    audit_record(actor=actor, action="policies.document_create", obj=document,
                 after={"doc_number": document.doc_number, "title": document.title,
                        "issued_on": data.issued_on, "effective_on": data.effective_on,
                        "expires_on": data.expires_on})
    return document


def _own_document(user: User, document_id: int, *, lock: bool = False) -> PolicyDocument:
    """The document, if `user` may act for it: staff of its 牵头部门 (the one guard's rule)."""
    rows = PolicyDocument.objects.select_related("department")
    # Lock the document's row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # department's outer join.
    document = (rows.select_for_update(of=("self",)) if lock else rows).filter(
        pk=document_id).first()
    if document is None:
        raise PolicyDocument.DoesNotExist("没有这个政策文件。")
    if document.department is None or document.department_id not in officer_department_ids(
            user):
        raise NotAllowed("只有文件牵头部门的后台审批人员或首席代表可以办理。",
                         code="policies.forbidden")
    return document


def may_edit(user: User, document: PolicyDocument) -> bool:
    return document.department_id is not None and document.department_id in \
        officer_department_ids(user)


@transaction.atomic
def interpretation_add(*, user: User, document_id: int,
                       data: InterpretationIn) -> Interpretation:
    """A 解读 (text and Q&A) of one of the department's documents (measure [30])."""
    document = _own_document(user, document_id)
    assert document.department is not None  # _own_document
    problems = {}
    if not data.title.strip():
        problems["title"] = "请填写解读标题。"
    if not data.body.strip():
        problems["body"] = "请填写解读内容。"
    if len(data.questions) > MAX_QUESTIONS:
        problems["questions"] = f"问答至多{MAX_QUESTIONS}条。"
    if data.published_on < document.issued_on:
        problems["published_on"] = "发布日期不能早于文件成文日期。"
    if problems:
        raise LibraryInvalid(problems)
    row = Interpretation.objects.create(
        document=document, title=data.title.strip(), body=data.body.strip(),
        questions=[{"q": q, "a": a} for q, a in data.questions], published_on=data.published_on)
    catalog_generation_bump()  # 解读 titles are searched with the document
    audit_record(actor=officer_actor(user, document.department), action="policies.interpretation_add",
                 obj=row, after={"document": document.doc_number, "title": row.title,
                                 "questions": len(row.questions)})
    return row


def questions_parse(text: str) -> tuple[list[tuple[str, str]], str]:
    """Q&A typed as lines "问：…" then "答：…" (a blank line between pairs is allowed);
    (pairs, "" or the Chinese problem naming the line)."""
    pairs: list[tuple[str, str]] = []
    question: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head, rest = line[:2], line[2:].strip()
        if head in ("问：", "问:"):
            if question is not None:
                return pairs, f"第{number}行：上一个问题还没有答案（答：…）。"
            if not rest:
                return pairs, f"第{number}行：问题是空的。"
            question = rest
        elif head in ("答：", "答:"):
            if question is None:
                return pairs, f"第{number}行：答案前应先有问题（问：…）。"
            if not rest:
                return pairs, f"第{number}行：答案是空的。"
            pairs.append((question, rest))
            question = None
        else:
            return pairs, f"第{number}行：每行以“问：”或“答：”开头。"
    if question is not None:
        return pairs, "最后一个问题还没有答案（答：…）。"
    return pairs, ""


@transaction.atomic
def document_status_change(*, user: User, document_id: int, data: StatusIn) -> PolicyDocument:
    """立改废: a document in force becomes 失效 from a day, or 已修订 by a successor. One way:
    a document no longer in force is not brought back (a new document is entered)."""
    document = _own_document(user, document_id, lock=True)
    assert document.department is not None  # _own_document
    if document.status != DocumentStatus.VALID:
        raise LibraryInvalid({"status": f"该文件已{document.get_status_display()}，不能再变更状态。"})
    problems = {}
    successor = None
    ends_on = data.on
    if data.status == DocumentStatus.EXPIRED:
        if data.on is None:
            problems["on"] = "请填写失效日期。"
        elif data.on < document.effective_on:
            problems["on"] = "失效日期不能早于施行日期。"
        elif data.on > clock.today():
            problems["on"] = "失效日期还未到：请到当日再登记失效。"
    elif data.status == DocumentStatus.REVISED:
        successor = PolicyDocument.objects.filter(pk=data.successor_id).first() \
            if data.successor_id else None
        if successor is None:
            problems["successor"] = "已修订须选择修订后的文件。"
        elif successor.pk == document.pk:
            problems["successor"] = "修订后的文件不能是本文件。"
        elif successor.status != DocumentStatus.VALID:
            problems["successor"] = "修订后的文件应为有效文件。"
        else:
            # The day before the new one takes effect, not before this one took effect.
            ends_on = data.on or max(document.effective_on,
                                     successor.effective_on - dt.timedelta(days=1))
            if ends_on < document.effective_on:
                problems["on"] = "失效日期不能早于施行日期。"
    else:
        problems["status"] = "请选择“失效”或“已修订”。"
    if problems:
        raise LibraryInvalid(problems)
    before = {"status": document.status, "expires_on": document.expires_on}
    document.status = data.status
    document.superseded_by = successor
    document.expires_on = ends_on
    document.save(update_fields=["status", "superseded_by", "expires_on", "updated_at"])
    catalog_generation_bump()  # search lists documents in force only
    audit_record(actor=officer_actor(user, document.department), action="policies.document_status",
                 obj=document, before=before,
                 after={"status": data.status, "expires_on": ends_on,
                        "superseded_by": successor.doc_number if successor else None},
                 reason=data.reason.strip())
    return document


@discarded_on_failure()
@transaction.atomic
def file_add(*, user: User, document_id: int, name: str, content: bytes, description: str = "",
             interpretation_id: int | None = None, staged: str = "") -> PolicyFile:
    """Publish a file with one of the department's documents: its 附件, or the 图解 of one of
    its 解读 (`interpretation_id`: an image, with the description a screen reader reads)."""
    document = _own_document(user, document_id, lock=True)
    assert document.department is not None  # _own_document
    interpretation = None
    problems = {}
    if interpretation_id is not None:
        interpretation = document.interpretations.filter(pk=interpretation_id).first()
        if interpretation is None:
            problems["interpretation"] = "请选择本文件的一篇解读。"
    text = description.strip()
    if len(text) > 300:
        problems["description"] = f"说明最多 300 字，当前 {len(text)} 字。"
    elif interpretation_id is not None and not text:
        problems["description"] = "请用文字说明图解的内容（读屏软件读给看不到图片的人）。"
    try:
        checked = check_upload(name, content, what="附件")
    except InvalidInput as error:
        problems["file"] = error.message
        checked = None
    if checked is not None and interpretation_id is not None \
            and not checked.content_type.startswith("image/"):
        problems["file"] = "图解应为 JPG 或 PNG 图片；PDF 请作为文件附件上传。"
    if document.files.count() >= MAX_FILES:
        problems[""] = f"每个文件至多 {MAX_FILES} 个附件和图解。"
    if problems:
        raise LibraryInvalid(problems)
    assert checked is not None
    row = PolicyFile(document=document, interpretation=interpretation,
                     original_name=name[:200] or f"附件.{checked.extension}",
                     description=text or name[:300], added_at=clock.now(), added_by=user)
    row.keep(checked)
    row.save()
    if staged:  # the page's file kept from a refused attempt is used up (cases.staging)
        staging.consume(owner=user, form=staged)
    audit_record(actor=officer_actor(user, document.department), action="policies.file_add",
                 obj=row, after={"document": document.doc_number, "name": row.original_name,
                                 "graphic_of": interpretation.title if interpretation else "",
                                 "sha256": row.sha256})
    return row

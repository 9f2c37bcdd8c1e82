"""Writes of case handling: one function per use case, one transaction each, with the case's
event row, the audit row, any notice numbered in the same transaction, and notifications
queued in the outbox in the same transaction (quality.md #3, #6).

Only `case_transition` (and the sweeps in cases.sweeps, set-based) change `Case.status`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from zhengwu.accounts.mandates import (
    LETTER_UNCHECKED_MESSAGE,
    FilingBasis,
    agent_actor,
    filing_actor,
    filing_basis,
    letter_unchecked,
)
from zhengwu.accounts.models import IdentityBasis, User
from zhengwu.accounts.services import actor_for, applicant_identity_confirm
from zhengwu.cases import answers as item_answers
from zhengwu.cases import commitment, deadlines, material_licences, staging, uploads, workflow
from zhengwu.cases.access import (
    CASE_TABLE,
    acting_assignment,
    case_queryset_for,
    files_for_others,
)
from zhengwu.cases.credit import commitment_refusal
from zhengwu.cases.formdef import validate_form
from zhengwu.cases.models import (
    NOTICE_MARK,
    ApplicantKind,
    ApplicationDraft,
    Case,
    CaseAccess,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    Channel,
    Decision,
    DeliveryMethod,
    Extension,
    MaterialKind,
    Notice,
    NoticeKind,
    ProcedureKind,
    SpecialProcedure,
    Supplement,
    Verification,
)
from zhengwu.cases.notices import notice_render_task, notice_sealer
from zhengwu.cases.results import collection_text
from zhengwu.cases.uploads import MAX_FILES, CheckedFile, check_upload
from zhengwu.catalog.application_form import FormDefinition
from zhengwu.catalog.models import ItemImplementation, Material, PublicationStatus
from zhengwu.core import clock, idempotency, numbering
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import Conflict, InvalidInput, NotAllowed
from zhengwu.core.text import TextError, check_text
from zhengwu.notifications.services import Note, notify_many
from zhengwu.notifications.tasks import deliver_outbox
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Process, Step
from zhengwu.regions.models import Region
from zhengwu.workdays.calendar import WorkdayCalendar
from zhengwu.workdays.selectors import calendar_get


@dataclass
class MaterialIn:
    """One material as the applicant provides it."""

    name: str
    kind: str  # MaterialKind
    file_name: str = ""
    content: bytes = b""
    reference: str = ""


@dataclass
class SubmitResult:
    case: Case
    created: bool


def case_event(case: Case, *, action: str, before: str, actor: Actor, reason: str = "",
               data: dict[str, Any] | None = None) -> CaseEvent:
    """The case's timeline event and its audit row, in the caller's transaction."""
    event = CaseEvent.of_move(case=case, action=action, before=before, after=case.status,
                              actor=actor, reason=reason, data=data)
    event.save(force_insert=True)
    audit_record(actor=actor, action=f"cases.{action}", obj=case,
                 before={"status": before}, after={"status": case.status, **(data or {})},
                 reason=reason, stream="cases")
    return event


def notice_issue(case: Case, kind: str, content: dict[str, Any] | None = None,
                 at: dt.datetime | None = None) -> Notice:
    """Number a notice (文号 such as 耒政服受〔2026〕123号) inside the move's transaction, and
    have its PDF rendered after the move commits."""
    # Numbered per printed prefix: departments sharing a prefix (the pack's 耒政服) share
    # one sequence, so no two notices can carry the same 文号.
    # Signed by the department's key before the row is inserted (issue 11 item 9): a notice
    # without its signature is never stored, and a failed signature rolls the move back.
    notice = Notice.issue(case=case, kind=kind, prefix=case.department.document_prefix,
                          mark=NOTICE_MARK[NoticeKind(kind)], at=at or clock.now(),
                          content=content, seal=notice_sealer(case, case.department))
    # Rendered in the background once the move commits, so the first download is instant.
    transaction.on_commit(partial(notice_render_task.enqueue, notice.pk))
    return notice


def _tell_applicant(case: Case, title: str, body: str, key: str) -> None:
    if case.bundle_number:
        # A bundle tells its applicant once, for all its member cases (bundles app).
        return
    notify_many(notes=[Note(recipient=case.applicant, title=title, body=body,
                            link=case.get_absolute_url(), dedupe_key=f"case:{case.pk}:{key}")],
                category="case", channels=("inapp", "sms"))
    # Deliver promptly after commit; the periodic sweep retries whatever this misses.
    transaction.on_commit(deliver_outbox.enqueue)


# --- submission -----------------------------------------------------------------------------


@uploads.discarded_on_failure()
@transaction.atomic
def case_submit(*, implementation_id: int, submitted_by: User, form_data: dict[str, Any],
                materials: list[MaterialIn], channel: str = Channel.ONLINE,
                applicant: User | None = None, accepting_region: str | None = None,
                idempotency_key: str | None = None, staged: str = "",
                answers: dict[str, Any] | None = None) -> SubmitResult:
    """Apply for one item. Validates the form, the item's own form (`answers`, when the item
    has one: cases.answers), the materials and the applicant's ID; pins the catalogue
    version; numbers the case. With an Idempotency-Key the same request returns the same case,
    and the same key with a different request is refused (422). `staged`: the page form whose
    files kept from refused attempts (cases.staging) the submitter used up, deleted in this
    transaction; the item form's file answers name their staged files by token."""
    payload = {"implementation": implementation_id, "form": form_data, "channel": channel,
               "materials": [(m.name, m.kind, hashlib.sha256(m.content).hexdigest(), m.reference)
                             for m in materials], "applicant": applicant.pk if applicant else None,
               "accepting_region": accepting_region}
    if answers is not None:  # absent keeps the digest of requests made before item forms
        payload["answers"] = answers
    digest = idempotency.request_digest(payload)
    existing = idempotency.replay(Case.objects, submitted_by=submitted_by, key=idempotency_key,
                                  digest=digest, prefix="case")
    if existing is not None:
        staging.consume(owner=submitted_by, form=staged)  # filed by the first attempt
        return SubmitResult(existing, created=False)
    if channel not in Channel.values:
        raise InvalidInput(f"申报渠道“{channel}”无效。", code="case.channel")
    filing_for_other = applicant is not None and applicant.pk != submitted_by.pk
    at_window = channel in (Channel.WINDOW, Channel.PROXY, Channel.CROSS_REGION)
    staff_files = files_for_others(submitted_by)
    if at_window and not staff_files:
        # At a window or through 帮代办 required materials may follow on paper; only staff
        # who serve there may file that way. Others file for someone only through an
        # authorization (accounts.mandates.filing_basis, below).
        raise NotAllowed("只有窗口人员和帮代办员可以代他人申请，或以窗口、帮代办渠道申请。",
                         code="case.filing_forbidden")
    if accepting_region and not Region.objects.filter(code=accepting_region).exists():
        raise InvalidInput("受理地区划代码不存在。", code="case.accepting_region")
    implementation = ItemImplementation.objects.select_related("item", "department").filter(
        pk=implementation_id, status=PublicationStatus.PUBLISHED).first()
    if implementation is None:
        raise InvalidInput("事项不存在或未发布。", code="case.unknown_item", http_status=404)
    owner = applicant or submitted_by
    if channel == Channel.PROXY and applicant is None:
        raise InvalidInput("帮代办需指定申请人账号。", code="case.proxy_applicant")
    in_person = at_window or (filing_for_other and staff_files)
    basis = filing_basis(submitted_by=submitted_by, owner=owner, in_person=in_person,
                         item_codes=[implementation.item.basic_code])
    kind = ApplicantKind.ENTERPRISE if owner.kind == "enterprise" else ApplicantKind.PERSON
    cleaned, errors = validate_form(form_data, kind=kind, today=clock.today())
    if errors:
        detail = "；".join(f"{k}：{v}" for k, v in errors.items())
        raise InvalidInput(f"申请表有误：{detail}", code="case.form_invalid")
    applicant_identity_confirm(owner=owner, id_number=cleaned["id_number"],
                               name=cleaned.get("applicant_name", ""),
                               verified_by=(submitted_by if basis.basis == IdentityBasis.IN_PERSON
                                            else None))
    if len(materials) > MAX_FILES:
        raise InvalidInput(f"材料过多：最多 {MAX_FILES} 份。", code="case.too_many_files")
    catalogue = list(implementation.materials.all())
    given = {m.name for m in materials}
    # Required: the applicant's own materials and those a commitment may replace (uploaded
    # or committed); a commitment stands only for the latter (cases.commitment).
    missing = [name for name in commitment.required_names(catalogue) if name not in given]
    by_commitment = any(m.kind == MaterialKind.COMMITMENT for m in materials)
    if channel in (Channel.ONLINE, Channel.MOBILE) and implementation.online_depth < 2:
        raise InvalidInput("本事项暂不支持网上申请，请到窗口办理。", code="case.not_online")
    refused = commitment_refusal(implementation, cleaned["id_number"]) if by_commitment \
        else None
    if refused:
        raise InvalidInput(refused, code="case.no_commitment")
    _commitments_check(catalogue, materials)
    if missing and channel in (Channel.ONLINE, Channel.MOBILE):
        # Online, every required material must come with the application; at a window the
        # clerk checks paper materials and may ask once for what is missing.
        raise InvalidInput("缺少必要材料：" + "、".join(missing), code="case.materials_missing")
    checked: list[tuple[MaterialIn, CheckedFile | None]] = []
    for material in materials:
        if material.kind not in MaterialKind.values:
            raise InvalidInput(f"材料“{material.name}”的提供方式无效。", code="case.material_kind")
    # A licence or shared data named instead of a file: the owner's own, valid, of the
    # material's type (cases.material_licences), checked before anything is stored.
    uses = material_licences.uses_check(implementation, owner, [
        (m.name, m.kind, m.reference) for m in materials
        if m.kind in (MaterialKind.E_LICENSE, MaterialKind.SHARED_DATA)])
    for material in materials:
        if material.kind == MaterialKind.UPLOAD:
            checked.append((material, check_upload(material.file_name or material.name,
                                                   material.content)))
        else:
            checked.append((material, None))
    # The item's own form after the materials: a missing or refused material is said first.
    item_form = _item_answers(implementation, submitted_by, answers)
    if len(materials) + len(item_form.files) > MAX_FILES:
        raise InvalidInput(f"材料过多：最多 {MAX_FILES} 份。", code="case.too_many_files")
    checked += item_form.files
    if item_form.form is not None:
        stored: dict[str, Any] = {**cleaned, "answers": item_form.answers,
                                  "form_title": item_form.form.title}
    else:
        stored = dict(cleaned)
    region = Region.objects.get(code=accepting_region) if accepting_region else \
        implementation.region
    now = clock.now()
    case = Case(
        number=numbering.case_number(implementation.region_id,
                                     now.astimezone(deadlines.SHANGHAI).date()),
        implementation=implementation, item_version=implementation.version,
        department=implementation.department, region=implementation.region,
        accepting_region=region, applicant=owner, submitted_by=submitted_by,
        applicant_kind=kind, applicant_name=cleaned.get("applicant_name", ""),
        applicant_id_number=cleaned["id_number"], applicant_phone=cleaned["phone"],
        channel=channel if not (accepting_region and accepting_region[:6] !=
                                implementation.region_id[:6]) else Channel.CROSS_REGION,
        form_data=stored, by_commitment=by_commitment,
        deemed_eligible=implementation.deemed_approval,
        promised_workdays=implementation.promised_limit_workdays,
        legal_workdays=implementation.legal_limit_workdays, submitted_at=now,
        idempotency_key=idempotency_key or None, request_hash=digest,
        identity_basis=basis.basis, authorization=basis.authorization)
    with idempotency.first_insert(prefix="case"):
        case.save()
    actor = filing_actor(submitted_by, owner, basis)
    # Logged in the holder's use log with their consent, in this transaction.
    used = material_licences.uses_record(case_number=case.number, implementation=implementation,
                                         owner=owner, uses=uses, actor=actor)
    for material, upload in checked:
        _material_save(case, material, upload, now, used=used.get(material.name)
                       if material.kind in (MaterialKind.E_LICENSE, MaterialKind.SHARED_DATA)
                       else None)
    case_event(case, action="submit", before="", actor=actor,
           data={"channel": case.channel, "materials": len(materials),
                 "missing": missing, "by_commitment": by_commitment, **basis.facts(owner)})
    _tell_applicant(case, "申请已提交", f"您的申请“{implementation.item.name}”已提交，办件编号"
                    f"{case.number}。", "submit")
    staging.consume(owner=submitted_by, form=staged)
    staging.discard(owner=submitted_by, tokens=item_form.tokens)
    # The draft it was filed from is done with (read first: most filings have none): the
    # applicant's own, or the filer's draft of the page form filed (a window clerk's).
    filed_from = Q(owner=owner, implementation=implementation)
    if staged:
        filed_from |= Q(owner=submitted_by, form=staged)
    drafts = ApplicationDraft.objects.filter(filed_from)
    if drafts.exists():
        drafts.delete()
    return SubmitResult(case, created=True)


def _commitments_check(catalogue: list[Material], materials: list[MaterialIn]) -> None:
    """A commitment only for a material the catalogue marks 告知承诺替代 (cases.commitment)."""
    wrong = commitment.misplaced(catalogue, [m.name for m in materials
                                             if m.kind == MaterialKind.COMMITMENT])
    if wrong:
        raise InvalidInput(commitment.misplaced_message(wrong),
                           code="case.commitment_not_allowed")


@dataclass
class _ItemAnswers:
    form: FormDefinition | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    files: list[tuple[MaterialIn, CheckedFile | None]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)


def _item_answers(implementation: ItemImplementation, submitted_by: User,
                  answers: dict[str, Any] | None) -> _ItemAnswers:
    """The item's own form checked (cases.answers.FormInvalid with every field's error): its
    cleaned answers, each file answer turned into a case material named after its field (the
    answer keeps the file's name and the material's), read from the submitter's staged file."""
    form = item_answers.definition(implementation)
    if form is None:
        if answers:
            raise InvalidInput("本事项没有专门的申请表，请不要提交 answers。", code="form.none")
        return _ItemAnswers()
    cleaned = item_answers.check(implementation, form, answers or {}, today=clock.today())
    found = _ItemAnswers(form, cleaned)
    gone: dict[str, str] = {}
    for path, label, answer in item_answers.file_answers(form, cleaned):
        row = staging.owned(owner=submitted_by, token=str(answer.get("token", "")))
        content = staging.content(row) if row is not None else None
        if row is None or content is None:
            gone[path] = f"{label}的文件已失效，请重新上传"
            continue
        name = f"申请表附件：{label}"[:200]
        material = MaterialIn(name=name, kind=MaterialKind.UPLOAD,
                              file_name=answer.get("name") or row.original_name,
                              content=content)
        found.files.append((material, check_upload(material.file_name or name, content)))
        found.tokens.append(row.token)
        answer.pop("token", None)
        answer.update(name=material.file_name, material=name)
    if gone:
        raise item_answers.FormInvalid(gone)
    return found


@dataclass(frozen=True)
class StoredMaterial:
    """A material already checked and stored once (一次采集), shared by several cases."""

    name: str
    kind: str  # MaterialKind
    file_name: str = ""  # storage name; "" for a commitment, e-license or shared-data slot
    original_name: str = ""
    content_type: str = ""
    size: int = 0
    sha256: str = ""
    reference: str = ""


def member_case_create(*, implementation: ItemImplementation, applicant: User,
                       submitted_by: User, applicant_kind: str, form_data: dict[str, Any],
                       materials: list[StoredMaterial], channel: str, bundle_number: str,
                       region: Region, accepting_region: Region, now: dt.datetime,
                       promised_workdays: Any = None, basis: FilingBasis | None = None) -> Case:
    """One member case of a bundle (一件事), inside the bundle's submission transaction: the
    bundle has validated the form and stored the materials once; this pins the item version,
    numbers the case, refers to the shared files and writes the submit event. The applicant
    is told once, by the bundle. `promised_workdays` is the member's promise inside the
    bundle (企业开办: 0.5 day for every member), never longer than the item's own."""
    promise = implementation.promised_limit_workdays
    if promised_workdays is not None and (not promise or promised_workdays < promise):
        promise = promised_workdays
    case = Case.objects.create(
        number=numbering.case_number(implementation.region_id,
                           now.astimezone(deadlines.SHANGHAI).date()),
        implementation=implementation, item_version=implementation.version,
        department=implementation.department, region=region, accepting_region=accepting_region,
        applicant=applicant, submitted_by=submitted_by, applicant_kind=applicant_kind,
        applicant_name=form_data["applicant_name"], applicant_id_number=form_data["id_number"],
        applicant_phone=form_data.get("phone", ""), channel=channel, form_data=form_data,
        by_commitment=any(m.kind == MaterialKind.COMMITMENT for m in materials),
        deemed_eligible=implementation.deemed_approval, promised_workdays=promise,
        legal_workdays=implementation.legal_limit_workdays, submitted_at=now,
        bundle_number=bundle_number, identity_basis=basis.basis if basis else "",
        authorization=basis.authorization if basis else None)
    CaseMaterial.objects.bulk_create(CaseMaterial(
        case=case, name=m.name[:200], kind=m.kind, file=m.file_name,
        original_name=m.original_name[-200:], content_type=m.content_type, size=m.size,
        sha256=m.sha256, reference=m.reference[:200], added_at=now) for m in materials)
    case_event(case, action="submit", before="",
               actor=filing_actor(submitted_by, applicant, basis) if basis
               else actor_for(submitted_by),
               data={"channel": channel, "materials": len(materials), "bundle": bundle_number,
                     **(basis.facts(applicant) if basis else {})})
    return case


def member_materials_add(case: Case, materials: list[StoredMaterial], now: dt.datetime) -> None:
    """Shared supplement materials of a bundle, attached to one member case."""
    CaseMaterial.objects.bulk_create(CaseMaterial(
        case=case, name=m.name[:200], kind=m.kind, file=m.file_name,
        original_name=m.original_name[-200:], content_type=m.content_type, size=m.size,
        sha256=m.sha256, reference=m.reference[:200], added_at=now, supplement=True)
        for m in materials)


def _material_save(case: Case, material: MaterialIn, upload: CheckedFile | None,
                   now: dt.datetime, *, supplement: bool = False,
                   used: tuple[str, int | None, str] | None = None) -> CaseMaterial:
    """Store one material; an upload goes to storage under a generated name; a licence or
    shared data used keeps (identifier or item code, version, SM3) and no file."""
    row = CaseMaterial(case=case, name=material.name[:200], kind=material.kind,
                       reference=material.reference[:200], added_at=now, supplement=supplement)
    if used is not None:
        row.reference, row.reference_version, row.reference_sm3 = used
    if upload is not None:
        row.original_name = (material.file_name or material.name)[-200:]
        row.content_type, row.size, row.sha256 = (upload.content_type, len(upload.content),
                                                  upload.sha256)
        row.file.save(f"{case.number}-{secrets.token_hex(8)}.{upload.extension}",
                      ContentFile(upload.content), save=False)
        uploads.stored(row.file.storage, row.file.name)
    row.save()
    return row


# --- moves ----------------------------------------------------------------------------------


@dataclass
class MoveIn:
    action: str
    reason: str = ""
    supplement_items: list[dict[str, str]] = field(default_factory=list)
    procedure_kind: str = ""
    extra_workdays: int = 0
    approver: str = ""
    delivery_method: str = ""
    tracking_number: str = ""
    materials: list[MaterialIn] = field(default_factory=list)
    staged: str = ""  # the page form whose kept files it uses up (cases.staging)


def case_actor(user: User | None, case: Case, role: str, subject: Any = None) -> Actor:
    """The audit actor of `user` acting on `case` in workflow `role` (None: the platform)."""
    if user is None:
        return SYSTEM
    if role == workflow.Role.APPLICANT:
        if user.pk == case.submitted_by_id and (
                case.authorization_id is not None
                or case.identity_basis == IdentityBasis.LEGAL_REPRESENTATIVE):
            return agent_actor(user, case.applicant)  # both the agent and the principal
        return actor_for(user, role="applicant")
    assignment = acting_assignment(user, case, workflow.Role(role))
    if assignment is None:  # the platform's own moves (workflow.Role.SYSTEM) by a person
        return actor_for(user, role="system")
    department = case.department if role == workflow.Role.REVIEWER else assignment.department
    return actor_for(user, role=assignment.role, department=department)


def _lock(case_id: int, user: User | None) -> Case:
    cases = Case.objects if user is None else case_queryset_for(user)
    return cases.select_for_update(of=("self",)).select_related(
        "department", "applicant", "implementation__item").get(pk=case_id)


def _record(case: Case, step: Step) -> None:
    case_event(case, action=step.action, before=step.before, actor=step.actor, reason=step.reason,
           data=step.data)


@uploads.discarded_on_failure()
@transaction.atomic
def case_transition(*, case_id: int, user: User | None, move: MoveIn,
                    now: dt.datetime | None = None) -> Case:
    """Apply one move of the workflow table to one case, as `user` (None = the platform),
    through the process engine (ADR 0013).

    The case row is locked, so of concurrent attempts exactly one succeeds and the others get
    MoveNotAllowed (409). Every move writes its event and audit rows; notices are numbered and
    the applicant is notified in the same transaction; the files kept from a refused
    attempt at the move's form (move.staged) are used up in it too.
    """
    case = engine.transition(CASE_PROCESS, case_id, user, move, now=now)
    staging.consume(owner=user, form=move.staged)
    return case


@uploads.discarded_on_failure()
@transaction.atomic
def member_case_move(*, case_id: int, user: User | None, move: MoveIn,
                     now: dt.datetime | None = None) -> Case:
    """The narrow interface through which a bundle moves one of its member cases: the moves
    made once for a whole 一件事 (accept, ask_supplement, supplement, refuse, deliver,
    withdraw, cancel), whose one notice and one message are the bundle's."""
    return engine.transition(CASE_PROCESS, case_id, user, move, now=now,
                             driver=workflow.BUNDLE)


def staff_text_check(texts: Iterable[tuple[str, str]]) -> None:
    """Reasons, supplement items and the like that staff type and the applicant reads (on the
    case page, in notices, in 谁查看过我的办件): the same character rule as the application
    form (core.text) — no control, bidi or invisible characters; line breaks are fine."""
    for label, value in texts:
        try:
            check_text(value, label=label, multiline=True)
        except TextError as error:
            raise InvalidInput(error.message + "。", code="case.text_forbidden") from error


def _move_texts(move: MoveIn) -> Iterator[tuple[str, str]]:
    yield "理由", move.reason
    yield "批准人", move.approver
    yield "快递单号", move.tracking_number
    for item in move.supplement_items:
        yield "补正材料名称", str(item.get("material", ""))
        yield "补正原因", str(item.get("reason", ""))


def _require_reason(move: MoveIn, what: str) -> None:
    if not move.reason.strip():
        raise InvalidInput(f"{what}必须写明理由。", code="case.reason_required")


def _ask_supplement(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    items = [{"material": str(i.get("material", "")).strip()[:200],
              "reason": str(i.get("reason", "")).strip()[:500]} for i in move.supplement_items]
    items = [i for i in items if i["material"]]
    if not items:
        raise InvalidInput("一次性补正告知必须逐项列明需补正的材料及原因。", code="case.supplement_items")
    Supplement.objects.create(case=case, items=items, requested_at=now)
    if attempt.driver == workflow.BUNDLE:
        return {"items": items, "bundle": case.bundle_number}
    notice = notice_issue(case, NoticeKind.SUPPLEMENT, {"items": items}, now)
    _tell_applicant(case, "请一次性补正材料", "需补正：" + "；".join(
        f"{i['material']}（{i['reason']}）" for i in items), "supplement")
    return {"items": items, "notice": notice.number}


def _supplement(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    if attempt.driver == workflow.BUNDLE:
        # The bundle collected the supplement once and attached it (member_materials_add).
        Supplement.objects.filter(case=case).update(answered_at=now)
        return {"bundle": case.bundle_number}
    if not move.materials:
        raise InvalidInput("请提交补正材料。", code="case.supplement_empty")
    if len(move.materials) > MAX_FILES:
        raise InvalidInput(f"材料过多：最多 {MAX_FILES} 份。", code="case.too_many_files")
    for material in move.materials:
        if material.kind not in MaterialKind.values:
            raise InvalidInput(f"材料“{material.name}”的提供方式无效。", code="case.material_kind")
        refused = commitment_refusal(case.implementation, case.applicant_id_number) \
            if material.kind == MaterialKind.COMMITMENT else None
        if refused:
            raise InvalidInput(refused, code="case.no_commitment")
    _commitments_check(list(case.implementation.materials.all()), move.materials)
    for material in move.materials:
        upload = check_upload(material.file_name or material.name, material.content) \
            if material.kind == MaterialKind.UPLOAD else None
        _material_save(case, material, upload, now, supplement=True)
    Supplement.objects.filter(case=case).update(answered_at=now)
    return {"materials": [m.name for m in move.materials]}


def _accept(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    if actor is not SYSTEM and letter_unchecked(case.authorization_id):
        raise Conflict(LETTER_UNCHECKED_MESSAGE, code="case.letter_unchecked")
    calendar = calendar_get()
    # 行政许可法 art. 32: unanswered for 5 days, the application counts as accepted from receipt.
    by_law = actor is SYSTEM and attempt.driver != workflow.BUNDLE
    started = case.submitted_at if by_law else now
    due = deadlines.due_at_acceptance(calendar, started, case.promised_workdays)
    case.accepted_at, case.due_at, case.due_provisional = started, due.due, due.provisional
    case.approval_step, case.last_pass_by_id = 0, None
    if attempt.driver == workflow.BUNDLE:
        return {"due_at": due.due.isoformat(), "provisional": due.provisional,
                "bundle": case.bundle_number}
    notice = notice_issue(case, NoticeKind.ACCEPTANCE, {"due": due.due.isoformat(),
                                                       "provisional": due.provisional}, now)
    _tell_applicant(case, "申请已受理", f"办件{case.number}已受理，承诺办结期限："
                    f"{due.due.astimezone(deadlines.SHANGHAI):%Y年%m月%d日}"
                    + ("（临时期限）" if due.provisional else ""), "accept")
    return {"due_at": due.due.isoformat(), "provisional": due.provisional,
            "notice": notice.number, "by_law": by_law}


def _refuse(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    _require_reason(move, "不予受理")
    notice = notice_issue(case, NoticeKind.REFUSAL, {"reason": move.reason}, now)
    case.closed_at = now
    _tell_applicant(case, "申请不予受理", f"办件{case.number}不予受理：{move.reason}", "refuse")
    return {"notice": notice.number}


def _review_pass(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    chain = workflow.approval_chain(case)
    step = chain[case.approval_step]
    case.approval_step += 1
    case.last_pass_by_id = attempt.user_id
    return {"step": step, "next": chain[case.approval_step]}


def _review_return(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    _require_reason(move, "退回")
    case.approval_step -= 1
    return {"step": workflow.approval_chain(case)[case.approval_step]}


def _suspend(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    _require_reason(move, "启动特别程序")
    if move.procedure_kind not in ProcedureKind.values:
        raise InvalidInput("特别程序种类无效：应为听证、检验、检测、检疫、鉴定、专家评审或招标拍卖。",
                           code="case.procedure_kind")
    SpecialProcedure.objects.create(case=case, kind=move.procedure_kind, reason=move.reason,
                                    started_at=now)
    case.suspended_at = now
    notice = notice_issue(case, NoticeKind.SUSPENSION, {"kind": move.procedure_kind,
                                                       "reason": move.reason}, now)
    _tell_applicant(case, "办件进入特别程序", f"办件{case.number}进入"
                    f"{ProcedureKind(move.procedure_kind).label}程序，期间不计入办理时限。",
                    f"suspend:{now.timestamp()}")
    return {"kind": move.procedure_kind, "notice": notice.number}


def _resume(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    procedure = case.procedures.filter(ended_at__isnull=True).order_by("-id").first()
    if procedure is None or case.suspended_at is None or case.due_at is None:
        raise Conflict("没有进行中的特别程序。", code="case.no_procedure")
    calendar = calendar_get()
    paused = deadlines.paused_workdays(calendar, procedure.started_at, now)
    procedure.ended_at, procedure.result, procedure.paused_workdays = now, move.reason, paused
    procedure.save()
    due = deadlines.shift(calendar, case.due_at, paused)
    case.due_at, case.suspended_at = due.due, None
    case.due_provisional = case.due_provisional or due.provisional
    return {"paused_workdays": paused, "due_at": due.due.isoformat()}


def _extend(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    _require_reason(move, "延期")
    if not move.approver.strip():
        raise InvalidInput("延期须经本行政机关负责人批准，请填写批准人。", code="case.approver_required")
    if move.extra_workdays < 1 or case.due_at is None or case.accepted_at is None:
        raise InvalidInput("延长的工作日数应为正整数。", code="case.extra_workdays")
    calendar = calendar_get()
    paused = sum(p.paused_workdays for p in case.procedures.all())
    cap = deadlines.extension_cap(calendar, accepted_at=case.accepted_at,
                                  legal=case.legal_workdays, paused=paused,
                                  promised_due=case.due_at)
    new = deadlines.extended_due(calendar, case.due_at, move.extra_workdays)
    if new.due > cap:
        raise InvalidInput(f"延期后的期限不得超过法定期限"
                           f"（{cap.astimezone(deadlines.SHANGHAI):%Y年%m月%d日}）。",
                           code="case.beyond_legal_limit")
    Extension.objects.create(case=case, reason=move.reason, approver=move.approver.strip(),
                             old_due_at=case.due_at, new_due_at=new.due,
                             extra_workdays=move.extra_workdays, granted_at=now)
    old = case.due_at
    case.extended = True
    case.due_at, case.due_provisional = new.due, case.due_provisional or new.provisional
    notice = notice_issue(case, NoticeKind.EXTENSION, {"reason": move.reason,
                                                       "new_due": new.due.isoformat()}, now)
    _tell_applicant(case, "办件延期", f"办件{case.number}经{move.approver}批准延期至"
                    f"{new.due.astimezone(deadlines.SHANGHAI):%Y年%m月%d日}：{move.reason}",
                    "extend")
    return {"old_due_at": old.isoformat(), "due_at": new.due.isoformat(),
            "approver": move.approver, "notice": notice.number}


def _decide(case: Case, decision: str, now: dt.datetime) -> None:
    case.decision, case.decided_at, case.card = decision, now, ""


def verification_due(calendar: WorkdayCalendar, case: Case, granted_at: dt.datetime) -> deadlines.Deadline:
    """When the 事后核查 of a grant on commitment is due: the item's verification working
    days after the grant, provisional where they reach an unpublished year."""
    return calendar.deadline(granted_at, case.implementation.verification_workdays)


def _grant(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    _decide(case, Decision.GRANTED, now)
    notice = notice_issue(case, case.result_document.grant, {"reason": move.reason}, now)
    data: dict[str, Any] = {"decision": Decision.GRANTED, "notice": notice.number}
    if case.by_commitment:
        due = verification_due(calendar_get(), case, now)
        Verification.objects.create(case=case, due_at=due.due, due_provisional=due.provisional)
        data["verification_due"] = due.due.isoformat()
    result = case.result_document
    _tell_applicant(case, f"申请已{result.granted}", f"办件{case.number}已{result.granted}。"
                    + collection_text(bundle_number=case.bundle_number, delivery_label="",
                                      department=case.department.name), "grant")
    return data


def _deny(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    result = case.result_document
    _require_reason(move, result.deny_label)
    _decide(case, Decision.DENIED, now)
    notice = notice_issue(case, result.denial, {"reason": move.reason}, now)
    _tell_applicant(case, f"申请{result.deny_label}", f"办件{case.number}{result.deny_label}："
                    f"{move.reason}。如不服，可依法申请行政复议或提起行政诉讼。", "deny")
    return {"decision": Decision.DENIED, "notice": notice.number}


def _deem(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    from zhengwu.cases.sweeps import record_deemed

    _decide(case, Decision.DEEMED_APPROVED, now)
    return record_deemed(case, now)


def _close(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    case.closed_at = now
    return {}


def _deliver(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    if move.delivery_method not in DeliveryMethod.values:
        raise InvalidInput("送达方式无效：窗口领取、邮寄送达或电子送达。", code="case.delivery_method")
    if move.delivery_method == DeliveryMethod.POSTAL and not move.tracking_number.strip():
        raise InvalidInput("邮寄送达须填写邮寄单号。", code="case.tracking_number")
    case.delivered_at, case.delivery_method = now, move.delivery_method
    case.tracking_number = move.tracking_number.strip()[:40]
    _tell_applicant(case, "办理结果已送达", f"办件{case.number}的结果已"
                    f"{DeliveryMethod(move.delivery_method).label}"
                    + (f"，单号{case.tracking_number}" if case.tracking_number else ""), "deliver")
    return {"method": move.delivery_method, "tracking_number": case.tracking_number}


def _withdraw(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    case.closed_at = now
    return {}


def _cancel(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    case.closed_at = now
    return {"bundle": case.bundle_number}


def _revoke(case: Case, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    now = attempt.now
    _require_reason(move, "撤销")
    notice = notice_issue(case, NoticeKind.REVOCATION, {"reason": move.reason}, now)
    reason = move.reason.rstrip("。")
    _tell_applicant(case, "准予决定已撤销", f"办件{case.number}的准予决定已撤销：{reason}。"
                    "撤销决定书可在办件详情中下载；如不服，可依法申请行政复议或提起行政诉讼。",
                    "revoke")
    return {"notice": notice.number}


HANDLERS = {
    "ask_supplement": _ask_supplement, "supplement": _supplement, "accept": _accept,
    "refuse": _refuse, "review_pass": _review_pass, "review_return": _review_return,
    "suspend": _suspend, "resume": _resume, "extend": _extend, "grant": _grant, "deny": _deny,
    "deem_approved": _deem, "close": _close, "deliver": _deliver, "withdraw": _withdraw,
    "cancel": _cancel, "revoke": _revoke,
}


CASE_PROCESS: Process[Case, MoveIn] = Process(
    table=CASE_TABLE, handlers=HANDLERS, lock=_lock, actor=case_actor, record=_record,
    reason_of=lambda move: move.reason, action_of=lambda move: move.action,
    text_check=lambda move: staff_text_check(_move_texts(move)),
    # The role a person holding several is recorded in (the back office before the window).
    role_order=(workflow.Role.APPLICANT, workflow.Role.REVIEWER, workflow.Role.SYSTEM,
                workflow.Role.WINDOW))


# --- access to personal data ------------------------------------------------------------


# Why a member of staff read a case, as the applicant reads it in their access log.
PURPOSE_WINDOW = "查看受理队列"
PURPOSE_TODO = "查看审批待办"
PURPOSE_LIST = "查询办件列表"
PURPOSE_MONITORING = "电子监察查看超时办件"
PURPOSE_EVENTS = "查看办理过程"
PURPOSE_NOTICES = "查看通知书列表"


def purpose_material(material: CaseMaterial) -> str:
    return f"下载材料：{material.name}"[:40]


def purpose_notice(notice: Notice) -> str:
    return f"下载通知书：{NoticeKind(notice.kind).label}"


def case_access_record(*, case: Case, user: User, purpose: str, unmasked: bool = False) -> None:
    """Log a member of staff reading a case (not the applicant reading their own). Unmasking
    the ID number or phone is also an audit event (quality.md #8, #11)."""
    case_accesses_record(cases=[case], user=user, purpose=purpose, unmasked=unmasked)


def case_accesses_record(*, cases: Iterable[Case], user: User, purpose: str,
                         unmasked: bool = False) -> int:
    """Log a member of staff reading these cases — one case page, or the page of a work list
    that showed them — in one insert; the applicant's own cases and non-staff readers are
    not logged. Returns how many rows were written."""
    if not user.is_staff:
        return 0
    read = [case for case in cases if case.applicant_id != user.pk]
    if not read:
        return 0
    actor = actor_for(user)
    now = clock.now()
    with transaction.atomic():
        CaseAccess.objects.bulk_create([
            CaseAccess(case=case, user=user, department_label=actor.department_label,
                       purpose=purpose[:40], unmasked=unmasked, at=now) for case in read])
        if unmasked:
            for case in read:
                audit_record(actor=actor, action="cases.unmask", obj=case,
                             reason=purpose[:500], stream="cases")
    return len(read)



# --- a year's official schedule arrives ---------------------------------------------------


def case_due_replay(case: Case, calendar: Any) -> deadlines.Deadline:
    """The case's deadline computed again from its history: acceptance + promise, plus
    every finished special procedure, plus the extension."""
    assert case.accepted_at is not None
    due = deadlines.due_at_acceptance(calendar, case.accepted_at, case.promised_workdays)
    provisional = due.provisional
    moment = due.due
    for procedure in case.procedures.exclude(ended_at=None).order_by("started_at"):
        paused = deadlines.paused_workdays(calendar, procedure.started_at,
                                           procedure.ended_at)  # type: ignore[arg-type]
        shifted = deadlines.shift(calendar, moment, paused)
        moment, provisional = shifted.due, provisional or shifted.provisional
    extension = Extension.objects.filter(case=case).first()
    if extension is not None:
        extended = deadlines.extended_due(calendar, moment, extension.extra_workdays)
        moment, provisional = extended.due, provisional or extended.provisional
    return deadlines.Deadline(moment, provisional)


def cases_recompute_provisional(year: int) -> int:
    """Recompute the provisional deadlines of open cases once `year`'s schedule is entered."""
    calendar = calendar_get()
    changed = 0
    open_cases = Case.objects.filter(due_provisional=True, status__in=[
        CaseStatus.ACCEPTED, CaseStatus.SUSPENDED], accepted_at__isnull=False)
    for pk in open_cases.values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if not case.due_provisional or case.status not in (CaseStatus.ACCEPTED,
                                                                CaseStatus.SUSPENDED):
                continue
            due = case_due_replay(case, calendar)
            before = case.due_at
            case.due_at, case.due_provisional = due.due, due.provisional
            case.save(update_fields=["due_at", "due_provisional", "updated_at"])
            case_event(case, action="recompute_due", before=case.status, actor=SYSTEM,
                   reason=f"{year}年官方放假安排已录入，重新计算办结期限",
                   data={"old_due_at": before.isoformat() if before else None,
                         "due_at": due.due.isoformat(), "provisional": due.provisional})
            changed += 1
    return changed


def case_unmask(*, user: User, number: str, reason: str) -> Case:
    """The case, for staff who may see its personal data whole (cases.unmask_personal_data),
    for a stated reason: each look is logged for the applicant and audited, never the values
    themselves (quality.md #8, #11)."""
    from zhengwu.cases.access import may_unmask

    case = case_queryset_for(user).get(number=number)
    if not may_unmask(user, case):
        raise NotAllowed("您无权查看完整的个人信息。", code="case.unmask_forbidden")
    staff_text_check([("理由", reason)])
    if not reason.strip():
        raise InvalidInput("请写明查看完整个人信息的理由。", code="case.reason_required")
    case_access_record(case=case, user=user, purpose=reason.strip(), unmasked=True)
    return case

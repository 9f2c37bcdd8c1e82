"""Writes of 一件事一次办: one function per use case, one transaction each, with the bundle's
event row and the audit row (quality.md #3, #6).

- Definitions: drafts saved and submitted by a catalogue administrator, published by a second
  one (as items are); the pack loader publishes directly. A definition is checked against the
  catalogue before it can be published (bundles.definition.problems).
- Submission: answers, one form and one set of materials are validated once; one bundle case
  and one member case per applicable item are created in the same transaction, each routed to
  its department's back office at once (并联审批).
- The 一件事 window accepts, asks once for supplements (gathering the departments'
  pre-review findings into one notice), refuses, and delivers once for all members.
- Members run with their own clocks; a member waits only for the members it depends on.
  `member_case_moved` (told of every case move by the process engine) moves the bundle on,
  by follow-ups the engine runs after the member's move: it closes decided members, starts waiting members whose prerequisites were granted, ends those whose
  prerequisites were not, finishes the bundle when every member has ended and tells the
  applicant once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects

from zhengwu.accounts.mandates import (
    LETTER_UNCHECKED_MESSAGE,
    agent_actor,
    filing_actor,
    filing_basis,
    letter_unchecked,
)
from zhengwu.accounts.models import IdentityBasis, User
from zhengwu.accounts.services import actor_for, applicant_identity_confirm
from zhengwu.bundles import definition as d
from zhengwu.bundles import drafts as wizard_drafts
from zhengwu.bundles import formdef, item_forms, material_offers, workflow
from zhengwu.bundles.models import (
    BUNDLE_NOTICE_MARK,
    Bundle,
    BundleAccess,
    BundleCase,
    BundleCaseStatus,
    BundleDraft,
    BundleDraftState,
    BundleEvent,
    BundleMaterial,
    BundleMember,
    BundleNotice,
    BundleNoticeKind,
    BundleResult,
    BundleVersion,
    HallLevel,
    MaterialIdentity,
    MemberState,
    SupplementRequest,
)
from zhengwu.bundles.notices import notice_sealer
from zhengwu.bundles.selectors import (
    bundle_cases_for,
    bundle_definition,
    facts_of,
    identity_map,
    item_facts,
    member_implementations,
)
from zhengwu.cases import commitment, deadlines, staging, uploads
from zhengwu.cases.access import files_for_others, reviewer_departments
from zhengwu.cases.answers import FormInvalid
from zhengwu.cases.credit import commitment_refusal
from zhengwu.cases.material_licences import Use
from zhengwu.cases.models import (
    GRANTED_DECISIONS,
    Case,
    CaseStatus,
    Decision,
    DeliveryMethod,
    MaterialKind,
)
from zhengwu.cases.services import (
    MoveIn,
    StoredMaterial,
    member_case_create,
    member_case_move,
    member_materials_add,
    staff_text_check,
)
from zhengwu.cases.uploads import MAX_FILES, check_upload
from zhengwu.catalog.models import ItemImplementation
from zhengwu.catalog.selectors import UnionForm
from zhengwu.catalog.services import catalog_generation_bump
from zhengwu.core import clock, idempotency, numbering
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import Conflict, InvalidInput, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.notifications.services import Note, notify_many
from zhengwu.notifications.tasks import deliver_outbox
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, FollowUp, Outcome, Process, Step
from zhengwu.regions.models import Region
from zhengwu.workdays.selectors import calendar_get


class DefinitionInvalid(InvalidInput):
    code = "bundle.definition_invalid"

    def __init__(self, reasons: list[str] | str) -> None:
        if isinstance(reasons, str):
            reasons = [reasons.removeprefix("一件事定义有误：")]
        super().__init__("一件事定义有误：" + "；".join(reasons))
        self.reasons = reasons


CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


# Path words of the pages and the API under /bundles/ that a code must not shadow.
RESERVED_CODES = frozenset({"applications", "kpis", "drafts", "member-cases", "staff", "cases",
                            "mine", "search", "notices"})


def _code(code: str) -> str:
    code = code.strip()
    if not CODE.match(code):
        raise InvalidInput("一件事编码须为1–40位字母、数字、短横线或下划线。", code="bundle.code")
    if code.lower() in RESERVED_CODES:
        raise InvalidInput(f"“{code}”是系统保留字，不能用作一件事编码。", code="bundle.code_reserved")
    return code


# --- definitions ----------------------------------------------------------------------------


def _checked(data: dict[str, Any], region: Region,
             ) -> tuple[d.Definition, dict[str, d.ItemFacts]]:
    """The definition and what the catalogue says of its members there, or DefinitionInvalid
    listing every reason it cannot be published."""
    try:
        definition = d.parse(data)
    except d.DefinitionError as error:
        raise DefinitionInvalid(error.reasons) from error
    facts = item_facts(definition, region)
    reasons = d.problems(definition, facts)
    if not Department.objects.filter(short_name=definition.lead_department).exists():
        reasons.insert(0, f"牵头部门“{definition.lead_department}”不存在")
    if reasons:
        raise DefinitionInvalid(reasons)
    return definition, facts


@transaction.atomic
def bundle_publish(*, code: str, data: dict[str, Any], region: Region, actor: Actor,
                   note: str = "") -> tuple[Bundle, bool]:
    """Publish a definition as the bundle's next version; an identical definition publishes
    nothing. Returns the bundle and whether a version was made."""
    code = _code(code)
    definition = d.fill_promises(*_checked(data, region))
    payload = d.as_json(definition)
    lead = Department.objects.get(short_name=definition.lead_department)
    bundle = Bundle.objects.select_for_update().filter(code=code).first()
    if bundle is not None and bundle.definition == payload and bundle.region_id == region.code:
        return bundle, False
    now = clock.now()
    fields = {"name": definition.name, "audience": definition.audience,
              "theme": definition.theme, "hall_level": definition.hall_level, "region": region,
              "lead_department": lead, "definition": payload,
              "illustrative": definition.illustrative, "source": definition.source,
              "published_at": now}
    if bundle is None:
        bundle = Bundle.objects.create(code=code, version=1, **fields)
        previous = 0
    else:
        previous = bundle.version
        for name, value in fields.items():
            setattr(bundle, name, value)
        bundle.version = previous + 1
        bundle.save()
    BundleVersion.objects.create(bundle=bundle, number=bundle.version, definition=payload,
                                 published_at=now, approved_by=actor.user, note=note[:300])
    audit_record(actor=actor, action="bundles.publish", obj=bundle,
                 before={"version": previous}, after={"version": bundle.version}, reason=note)
    catalog_generation_bump()  # search as a service indexes published bundles
    return bundle, True


def _require(actor: Actor, permission: str, message: str) -> None:
    if actor.user is None or not actor.user.has_perm(permission):
        raise NotAllowed(message, code="bundle.forbidden")


@transaction.atomic
def bundle_draft_save(*, code: str, data: dict[str, Any], actor: Actor,
                      region: Region | None = None) -> BundleDraft:
    """Create or update the open draft of a bundle (a new bundle when the code is new). The
    definition must already be publishable: every problem is reported now, not at review."""
    _require(actor, "catalog.edit_catalog", "只有事项管理员可以编辑一件事。")
    code = _code(code)
    bundle = Bundle.objects.filter(code=code).first()
    where = bundle.region if bundle is not None else (region or Region.objects.get(home=True))
    definition, facts = _checked(data, where)
    if bundle is not None and bundle.definition == d.as_json(d.fill_promises(definition, facts)):
        raise Conflict("与已发布的版本相同：没有需要审核的修改。", code="bundle.draft_unchanged")
    draft = BundleDraft.objects.select_for_update().filter(
        code=code, state__in=[BundleDraftState.DRAFT, BundleDraftState.SUBMITTED]).first()
    if draft is not None and draft.state == BundleDraftState.SUBMITTED:
        raise Conflict("该一件事已有待审核的修改，审核完成前不能再次修改。", code="bundle.draft_submitted")
    if draft is None:
        draft = BundleDraft(code=code, bundle=bundle, author=actor.user)
    draft.definition = d.as_json(definition)
    draft.author = actor.user  # type: ignore[assignment]
    draft.save()
    audit_record(actor=actor, action="bundles.draft_save", obj=draft,
                 after={"code": code, "definition": draft.definition})
    return draft


@transaction.atomic
def bundle_draft_submit(*, draft_id: int, actor: Actor) -> BundleDraft:
    _require(actor, "catalog.edit_catalog", "只有事项管理员可以提交一件事修改。")
    draft = BundleDraft.objects.select_for_update().get(pk=draft_id)
    if draft.state != BundleDraftState.DRAFT:
        raise Conflict(f"草稿当前状态为“{draft.get_state_display()}”，不能提交。",
                       code="bundle.draft_state")
    draft.state = BundleDraftState.SUBMITTED
    draft.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="bundles.draft_submit", obj=draft,
                 before={"state": "draft"}, after={"state": "submitted"})
    return draft


@transaction.atomic
def bundle_draft_review(*, draft_id: int, actor: Actor, approve: bool,
                        note: str = "") -> BundleDraft:
    """A second catalogue administrator publishes the draft or sends it back (双人复核)."""
    _require(actor, "catalog.publish_catalog", "只有审改办事项管理员可以审核一件事。")
    draft = BundleDraft.objects.select_for_update().get(pk=draft_id)
    if draft.state != BundleDraftState.SUBMITTED:
        raise Conflict(f"草稿当前状态为“{draft.get_state_display()}”，不能审核。",
                       code="bundle.draft_state")
    if actor.user is not None and draft.author_id == actor.user.pk:
        raise NotAllowed("提交人不能审核自己提交的修改（双人复核）。", code="bundle.four_eyes")
    if not approve and not note.strip():
        raise InvalidInput("退回时必须写明理由。", code="bundle.reason_required")
    draft.reviewer, draft.review_note = actor.user, note
    if approve:
        region = draft.bundle.region if draft.bundle else Region.objects.get(home=True)
        bundle, _ = bundle_publish(code=draft.code, data=draft.definition, region=region,
                                   actor=actor, note=note or "审核发布")
        draft.bundle, draft.state = bundle, BundleDraftState.PUBLISHED
        draft.published_version = bundle.version
    else:
        draft.state = BundleDraftState.REJECTED
        audit_record(actor=actor, action="bundles.draft_reject", obj=draft,
                     before={"state": "submitted"}, after={"state": "rejected"}, reason=note)
    draft.save()
    return draft


@transaction.atomic
def material_identities_replace(*, rows: list[tuple[str, list[str]]], actor: Actor) -> int:
    """Replace the material identity table (一次采集); returns how many rows changed."""
    names: dict[str, str] = {}
    for identity, aliases in rows:
        for name in [identity, *aliases]:
            if names.get(name, identity) != identity:
                raise InvalidInput(f"材料名称“{name}”同时属于“{names[name]}”和“{identity}”。",
                                   code="bundle.identity_conflict")
            names[name] = identity
    wanted = {identity: sorted(set(aliases)) for identity, aliases in rows}
    current = {m.identity: m for m in MaterialIdentity.objects.all()}
    changed = 0
    for identity, aliases in wanted.items():
        row = current.get(identity)
        if row is None:
            MaterialIdentity.objects.create(identity=identity, names=aliases)
            changed += 1
        elif row.names != aliases:
            row.names = aliases
            row.save(update_fields=["names"])
            changed += 1
    stale = [i for i in current if i not in wanted]
    changed += MaterialIdentity.objects.filter(identity__in=stale).delete()[0]
    if changed:
        audit_record(actor=actor, action="bundles.identities_replace",
                     object_type="bundles.MaterialIdentity", object_id="*",
                     object_repr="材料同一性", after={"rows": len(wanted)})
    return changed


# --- submission -----------------------------------------------------------------------------


@dataclass
class MaterialIn:
    """One material given once for the whole bundle, by its identity."""

    identity: str
    kind: str = MaterialKind.UPLOAD
    file_name: str = ""
    content: bytes = b""
    reference: str = ""


# A bundle whose members have forms of their own is filed with the answers to their one form.
FORM_REQUIRED = "form.required"


@dataclass
class SubmitIn:
    code: str
    answers: dict[str, Any]
    form: dict[str, Any]
    materials: list[MaterialIn] = field(default_factory=list)
    channel: str = "online"
    region: str = ""  # the township, for a township-hall bundle
    delivery_method: str = DeliveryMethod.ELECTRONIC
    applicant: User | None = None
    idempotency_key: str | None = None
    staged: str = ""  # the page form whose kept files it uses up (cases.staging)
    # Answers to the one form made of the members' own forms (bundles.item_forms); None:
    # not given, refused when the members have forms (ItemAnswersMissing, form.required).
    item_answers: dict[str, Any] | None = None


@dataclass
class SubmitResult:
    bundle_case: BundleCase
    created: bool


def _digest(submission: SubmitIn) -> str:
    payload = {"code": submission.code, "answers": submission.answers, "form": submission.form,
               "materials": [(m.identity, m.kind, hashlib.sha256(m.content).hexdigest(),
                              m.reference) for m in submission.materials],
               "channel": submission.channel, "region": submission.region,
               "delivery": submission.delivery_method,
               "applicant": submission.applicant.pk if submission.applicant else None}
    if submission.item_answers is not None:  # absent keeps the digest of earlier requests
        payload["item_answers"] = submission.item_answers
    return idempotency.request_digest(payload)


def _bundle_event(bundle_case: BundleCase, *, action: str, before: str, actor: Actor,
                  reason: str = "", data: dict[str, Any] | None = None) -> None:
    BundleEvent.of_move(bundle_case=bundle_case, action=action, before=before,
                        after=bundle_case.status, actor=actor, reason=reason,
                        data=data).save(force_insert=True)
    audit_record(actor=actor, action=f"bundles.{action}", obj=bundle_case,
                 before={"status": before}, after={"status": bundle_case.status, **(data or {})},
                 reason=reason, stream="cases")


def _tell(bundle_case: BundleCase, title: str, body: str, key: str) -> None:
    notify_many(notes=[Note(recipient=bundle_case.applicant, title=title, body=body,
                            link=bundle_case.get_absolute_url(),
                            dedupe_key=f"bundle:{bundle_case.pk}:{key}")],
                category="case", channels=("inapp", "sms"))
    transaction.on_commit(deliver_outbox.enqueue)


def _notice(bundle_case: BundleCase, kind: str, content: dict[str, Any],
            now: dt.datetime) -> BundleNotice:
    """One numbered notice for the whole bundle, e.g. 耒政服一件事受〔2026〕3号."""
    return BundleNotice.issue(bundle_case=bundle_case, kind=kind,
                              prefix=bundle_case.bundle.lead_department.document_prefix,
                              mark=BUNDLE_NOTICE_MARK[BundleNoticeKind(kind)], at=now,
                              content=content, seal=notice_sealer(bundle_case))


def _handling_region(bundle: Bundle, code: str) -> Region:
    if bundle.hall_level == HallLevel.CITY:
        return bundle.region
    if not code:
        raise InvalidInput("请选择办理的乡镇（街道）。", code="bundle.region_required")
    region = Region.objects.filter(code=code, parent=bundle.region).first()
    if region is None:
        raise InvalidInput("办理地不是本县（市）的乡镇（街道）。", code="bundle.region")
    return region


@uploads.discarded_on_failure()
@transaction.atomic
def bundle_submit(*, submitted_by: User, submission: SubmitIn) -> SubmitResult:
    """Apply for a bundle: one bundle case and one member case per applicable item, created
    together (all or nothing), each in its department's queue at once."""
    digest = _digest(submission)
    key = submission.idempotency_key
    existing = idempotency.replay(BundleCase.objects, submitted_by=submitted_by, key=key,
                                  digest=digest, prefix="bundle")
    if existing is not None:
        staging.consume(owner=submitted_by, form=submission.staged)  # filed by the first
        return SubmitResult(existing, created=False)
    bundle = Bundle.objects.select_related("region", "lead_department").filter(
        code=submission.code, version__gt=0).first()
    if bundle is None:
        raise InvalidInput("一件事不存在或未发布。", code="bundle.unknown", http_status=404)
    if submission.channel not in ("online", "mobile", "window", "proxy", "self_service"):
        raise InvalidInput(f"申报渠道“{submission.channel}”无效。", code="bundle.channel")
    at_window = submission.channel in ("window", "proxy")
    filing_for_other = submission.applicant is not None and \
        submission.applicant.pk != submitted_by.pk
    staff_files = files_for_others(submitted_by)
    if at_window and not staff_files:
        # Others file for someone only through an authorization (filing_basis, below).
        raise NotAllowed("只有窗口人员和帮代办员可以代他人申请，或以窗口、帮代办渠道申请。",
                         code="bundle.filing_forbidden")
    if submission.delivery_method not in DeliveryMethod.values:
        raise InvalidInput("送达方式无效：窗口领取、邮寄送达或电子送达。", code="bundle.delivery_method")
    owner = submission.applicant or submitted_by
    applicant_kind = "enterprise" if owner.kind == "enterprise" else "person"
    definition = bundle_definition(bundle)
    region = _handling_region(bundle, submission.region)
    answers = d.check_answers(definition, submission.answers)
    if answers.errors:
        raise InvalidInput("情形引导未完成：" + "；".join(answers.errors.values()),
                           code="bundle.answers_invalid")
    members = d.applicable(definition, answers.answers)
    in_person = at_window or (filing_for_other and staff_files)
    basis = filing_basis(submitted_by=submitted_by, owner=owner, in_person=in_person,
                         item_codes=[m.item for m in members])
    implementations = member_implementations(definition, members, region)
    # A fact the members' one form asks is taken from item_answers, not from `form`.
    answered = item_forms.meanings(item_forms.union_of(implementations.values()))
    cleaned, errors = formdef.validate(definition, submission.form, answered=answered,
                                       applicant_kind=applicant_kind, today=clock.today())
    if errors:
        raise InvalidInput("申请表有误：" + "；".join(f"{k}：{v}" for k, v in errors.items()),
                           code="bundle.form_invalid")
    applicant_identity_confirm(owner=owner, id_number=cleaned["id_number"],
                               name=cleaned.get("applicant_name", ""),
                               verified_by=(submitted_by if basis.basis == IdentityBasis.IN_PERSON
                                            else None))
    missing_items = [m.item_name or m.item for m in members if implementations[m.item] is None]
    if missing_items:
        raise InvalidInput("办理地暂无以下事项的实施清单：" + "、".join(missing_items),
                           code="bundle.item_unavailable")
    union, item_checked = _item_answers_checked(implementations.values(), submission.item_answers)
    cleaned.update(item_forms.facts(definition, union, item_checked.answers))
    identities = identity_map()
    facts = {code: facts_of(i, identities) for code, i in implementations.items() if i}
    count = d.materials_needed(members, facts)
    needed = {n.identity: n for n in count.needed}
    # A material the platform would fetch may be given as the applicant's own licence (or
    # shared data) with consent instead (bundles.material_offers), never as a file.
    fetched = {n.identity: n for n in count.fetched}
    given: dict[str, MaterialIn] = {}
    # Member item code → the licences and shared data it uses (checked before storing).
    uses: dict[str, list[Use]] = {}
    if len(submission.materials) > MAX_FILES:
        raise InvalidInput(f"材料过多：最多 {MAX_FILES} 份。", code="bundle.too_many_files")
    for material in submission.materials:
        substitute = material.kind in (MaterialKind.E_LICENSE, MaterialKind.SHARED_DATA)
        if material.identity not in needed and not (substitute and material.identity in fetched):
            raise InvalidInput(f"“{material.identity}”不是本次申请需要的材料。",
                               code="bundle.material_unknown")
        if material.identity in given:
            raise InvalidInput(f"材料“{material.identity}”重复提交：一次采集，每份材料只需提交一次。",
                               code="bundle.material_twice")
        if material.kind not in (MaterialKind.UPLOAD, MaterialKind.E_LICENSE,
                                 MaterialKind.SHARED_DATA, MaterialKind.PAPER,
                                 MaterialKind.COMMITMENT):
            raise InvalidInput(f"材料“{material.identity}”的提供方式无效。",
                               code="bundle.material_kind")
        if material.kind == MaterialKind.COMMITMENT:
            _commitment_check(needed[material.identity], implementations, cleaned["id_number"])
        if material.kind in (MaterialKind.E_LICENSE, MaterialKind.SHARED_DATA) and \
                not material.reference.strip():
            raise InvalidInput(f"材料“{material.identity}”须注明电子证照或共享数据的编号。",
                               code="bundle.material_reference")
        if material.kind == MaterialKind.PAPER and not at_window:
            raise InvalidInput("网上申请不能以纸质材料提交。", code="bundle.material_kind")
        if substitute:
            # The applicant's own valid licence of the type every member asks (or the shared
            # data item), checked against each member before anything is stored.
            one = needed.get(material.identity) or fetched[material.identity]
            for item, use in material_offers.uses_for(one, implementations, owner, material.kind,
                                                      material.reference).items():
                uses.setdefault(item, []).append(use)
        given[material.identity] = material
    absent = [n.name for n in count.needed if n.identity not in given]
    if absent and not at_window:
        raise InvalidInput("缺少必要材料：" + "、".join(absent), code="bundle.materials_missing")
    checked = {identity: check_upload(m.file_name or identity, m.content)
               for identity, m in given.items() if m.kind == MaterialKind.UPLOAD}
    now = clock.now()
    number = numbering.bundle_number(region.code, now.astimezone(deadlines.SHANGHAI).date())
    bundle_case = BundleCase(
        number=number, bundle=bundle, version=bundle.version, region=region, applicant=owner,
        submitted_by=submitted_by, applicant_kind=applicant_kind,
        applicant_name=cleaned.get("applicant_name", ""), applicant_id_number=cleaned["id_number"],
        applicant_phone=cleaned.get("phone", ""), channel=submission.channel,
        answers=answers.answers, items=[m.item for m in members], form_data=cleaned,
        promised_workdays=d.promised_workdays(definition, answers.answers),
        steps=d.steps(members), materials_before=count.before, materials_after=count.after,
        submitted_at=now, delivery_method=submission.delivery_method,
        idempotency_key=key or None, request_hash=digest,
        identity_basis=basis.basis, authorization=basis.authorization)
    with idempotency.first_insert(prefix="bundle"):
        bundle_case.save()
    stored: dict[str, StoredMaterial] = {}
    for identity, material in given.items():
        upload = checked.get(identity)
        row = BundleMaterial(bundle_case=bundle_case, identity=identity, kind=material.kind,
                             reference=material.reference[:200], added_at=now,
                             members=list((needed.get(identity) or fetched[identity]).members))
        if upload is not None:
            name = default_storage.save(
                f"cases/{now:%Y/%m}/{number}-{secrets.token_hex(8)}.{upload.extension}",
                ContentFile(upload.content))
            uploads.stored(default_storage, name)
            row.file.name = name
            row.original_name = (material.file_name or identity)[-200:]
            row.content_type, row.size, row.sha256 = (upload.content_type, len(upload.content),
                                                      upload.sha256)
        row.save()
        stored[identity] = StoredMaterial(
            name=identity, kind=material.kind, file_name=row.file.name or "",
            original_name=row.original_name, content_type=row.content_type, size=row.size,
            sha256=row.sha256, reference=row.reference)
    stage_of = {m.item: index for index, stage in enumerate(d.stages(members), start=1)
                for m in stage}
    chosen = {m.item for m in members}
    channel = "window" if at_window else submission.channel
    for member in members:
        implementation = implementations[member.item]
        assert implementation is not None
        mine = [StoredMaterial(**{**vars(stored[n.identity]), "name": n.names[member.item]})
                for n in (*count.needed, *count.fetched)
                if member.item in n.members and n.identity in stored]
        # The rest of the e-licenses and shared data are for the departments to fetch, once,
        # for every member. (A material marked 告知承诺替代 is never fetched: it is given,
        # uploaded or committed, like any other of the applicant's — definition.materials_needed.)
        mine += [StoredMaterial(name=n.names[member.item], kind=n.source,
                                reference=f"一件事{number}共享调取")
                 for n in count.fetched if member.item in n.members and n.identity not in stored
                 and n.source in (MaterialKind.E_LICENSE, MaterialKind.SHARED_DATA)]
        case = member_case_create(
            implementation=implementation, applicant=owner, submitted_by=submitted_by,
            applicant_kind=applicant_kind, form_data=item_forms.member_form_data(
                d.member_form(definition, member.item, cleaned), union, item_checked,
                implementation),
            materials=mine, channel=channel, bundle_number=number, region=implementation.region,
            accepting_region=region, promised_workdays=member.promise, now=now, basis=basis)
        if uses.get(member.item):
            material_offers.record_for_case(case, owner, uses[member.item],
                                            filing_actor(submitted_by, owner, basis))
        BundleMember.objects.create(
            bundle_case=bundle_case, item_code=member.item, item_name=implementation.item.name,
            implementation=implementation, department=implementation.department,
            position=member.position, stage=stage_of[member.item],
            depends_on=[x for x in member.depends_on if x in chosen], case=case)
    _bundle_event(bundle_case, action="submit", before="",
                  actor=filing_actor(submitted_by, owner, basis), data={
        "items": bundle_case.items, "answers": answers.answers, "materials": len(given),
        "materials_before": count.before, "materials_after": count.after,
        "missing": absent, **basis.facts(owner)})
    _tell(bundle_case, "一件事申请已提交", f"您的“{bundle.name}”申请已提交，编号{number}，"
          f"涉及 {len(members)} 个事项，将由各部门并联办理。", "submit")
    # The files kept from refused attempts at the wizard are used up with the submission,
    # and the wizard's draft is done with.
    staging.consume(owner=submitted_by, form=submission.staged)
    wizard_drafts.draft_delete(owner=submitted_by, code=bundle.code)
    return SubmitResult(bundle_case, created=True)


@dataclass(frozen=True)
class CommitmentRefused:
    """Why a written commitment may not replace a bundle material: `code` the API's error,
    `by_credit` when every member practises 告知承诺 and only the applicant's credit bars it."""

    code: str
    message: str
    by_credit: bool = False


def material_commitment_refusal(material: d.NeededMaterial,
                                implementations: Mapping[str, ItemImplementation | None],
                                id_number: str) -> CommitmentRefused | None:
    """The one rule for the wizard and the submission: a commitment for a bundle material
    stands in every member case that asks it, so each member must mark it 告知承诺替代
    (cases.commitment) and allow the applicant to commit (cases.credit.commitment_refusal: the
    item practises 告知承诺, the applicant's credit). None: it may be committed."""
    if material.source != d.COMMITMENT:
        return CommitmentRefused("bundle.commitment_not_allowed",
                                 commitment.misplaced_message([material.name]))
    found = [i for item in material.members if (i := implementations.get(item)) is not None]
    for implementation in found:
        refused = commitment_refusal(implementation, id_number)
        if refused:
            return CommitmentRefused(
                "bundle.no_commitment", f"“{material.name}”（{implementation.item.name}）：{refused}",
                by_credit=all(i.commitment_allowed for i in found))
    return None if found else CommitmentRefused("bundle.no_commitment", "办理地暂无该材料对应的事项。")


def _commitment_check(material: d.NeededMaterial,
                      implementations: Mapping[str, ItemImplementation | None],
                      id_number: str) -> None:
    refused = material_commitment_refusal(material, implementations, id_number)
    if refused is not None:
        raise InvalidInput(refused.message, code=refused.code)


class ItemAnswersMissing(FormInvalid):
    """The members have forms of their own and no answers to them were given: each required
    field of their one form is named, as a refused answer would be (form.required)."""

    code = FORM_REQUIRED

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(errors)
        self.message = ("本次办理的事项有各自的申请表，请在 item_answers 中填写它们合成的联办申请表"
                        "（格式同单个事项的 answers）" + ("。必填：" + "；".join(
                            f"{path}：{message}" for path, message in self.errors.items())
                            if self.errors else "。"))
        self.args = (self.message,)


def _item_answers_checked(implementations: Iterable[ItemImplementation | None],
                          answers: dict[str, Any] | None
                          ) -> tuple[UnionForm | None, item_forms.Checked]:
    """The members' one form and the answers checked against it (cases.answers.FormInvalid
    with every error on the union's paths). Without answers, a bundle whose members have
    forms is refused (ItemAnswersMissing); one whose members have none is filed as before."""
    union = item_forms.union_of(implementations)
    if union is None:
        if answers:
            raise InvalidInput("本次办理的事项没有专门的申请表，请不要提交 item_answers。",
                               code="form.none")
        return None, item_forms.Checked()
    if answers is None:
        raise ItemAnswersMissing(item_forms.check(union, {}).errors)
    checked = item_forms.check(union, answers)
    if checked.errors:
        raise FormInvalid(checked.errors)
    return union, checked


# --- moves on the whole bundle ---------------------------------------------------------------


@dataclass
class BundleMoveIn:
    action: str
    reason: str = ""
    supplement_items: list[dict[str, str]] = field(default_factory=list)
    materials: list[MaterialIn] = field(default_factory=list)
    delivery_method: str = ""
    tracking_number: str = ""
    staged: str = ""  # the page form whose kept files it uses up (cases.staging)


def _lock(number: str, user: User | None) -> BundleCase:
    cases = BundleCase.objects.all()
    if user is not None:
        # A subquery: PostgreSQL allows no FOR UPDATE together with the scope's DISTINCT.
        cases = cases.filter(pk__in=bundle_cases_for(user).values("pk"))
    # With its members (the 办结 guard reads them; every handler works on them).
    return cases.select_for_update(of=("self",)).select_related(
        "bundle__lead_department", "applicant").prefetch_related(_MEMBERS).get(number=number)


def _actor(user: User | None, bundle_case: BundleCase, role: str, subject: Any = None) -> Actor:
    if user is None:
        return SYSTEM
    if role == "applicant" and user.pk == bundle_case.submitted_by_id and (
            bundle_case.authorization_id is not None
            or bundle_case.identity_basis == IdentityBasis.LEGAL_REPRESENTATIVE):
        return agent_actor(user, bundle_case.applicant)  # both the agent and the principal
    return actor_for(user, role={"applicant": "applicant", "window": "window_clerk",
                                 "system": "system"}[role])


def _record(bundle_case: BundleCase, step: Step) -> None:
    _bundle_event(bundle_case, action=step.action, before=step.before, actor=step.actor,
                  reason=step.reason, data=step.data)


def _text_check(move: BundleMoveIn) -> None:
    staff_text_check([("理由", move.reason), ("快递单号", move.tracking_number),
                      *[(label, str(item.get(key, ""))) for item in move.supplement_items
                        for key, label in (("material", "补正材料名称"), ("reason", "补正原因"))]])


@uploads.discarded_on_failure()
@transaction.atomic
def bundle_move(*, number: str, user: User | None, move: BundleMoveIn,
                now: dt.datetime | None = None) -> BundleCase:
    """One move of the bundle workflow, made once for every member case, through the process
    engine (ADR 0013); the files kept from a refused attempt at the move's form
    (move.staged) are used up in the same transaction."""
    bundle_case = engine.transition(BUNDLE_PROCESS, number, user, move, now=now)
    staging.consume(owner=user, form=move.staged)
    return bundle_case


_MEMBERS = Prefetch("members", queryset=BundleMember.objects.select_related(
    "case", "department").order_by("position"))


def _open_members(bundle_case: BundleCase) -> list[BundleMember]:
    """The bundle case's members with their cases, as loaded with the locked row (_lock);
    read here when the row came without them."""
    prefetch_related_objects([bundle_case], _MEMBERS)
    return list(bundle_case.members.all())


def _accept(bundle_case: BundleCase, move: BundleMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    now = attempt.now
    user = attempt.user
    if user is not None and letter_unchecked(bundle_case.authorization_id):
        raise Conflict(LETTER_UNCHECKED_MESSAGE, code="bundle.letter_unchecked")
    calendar = calendar_get()
    # 行政许可法 art. 32, for the bundle as a whole: unanswered, it counts as accepted from
    # receipt (the sweep makes this move as the platform).
    started = bundle_case.submitted_at if user is None else now
    due = deadlines.due_at_acceptance(calendar, started, bundle_case.promised_workdays)
    bundle_case.accepted_at, bundle_case.due_at = started, due.due
    bundle_case.due_provisional = due.provisional
    members = _open_members(bundle_case)
    started_items = []
    for member in members:
        if member.depends_on:
            continue  # waits for its prerequisites (started by member_case_moved)
        _member_start(member, user, now, reason="一件事受理，并联办理")
        started_items.append(member.item_name)
    notice = _notice(bundle_case, BundleNoticeKind.ACCEPTANCE, {
        "due": due.due.isoformat(), "provisional": due.provisional,
        "items": [m.item_name for m in members]}, now)
    _tell(bundle_case, "一件事已受理", f"“{bundle_case.bundle.name}”已受理，各部门并联办理，"
          f"承诺办结期限：{due.due.astimezone(deadlines.SHANGHAI):%Y年%m月%d日 %H:%M}"
          + ("（临时期限）" if due.provisional else ""), "accept")
    return {"due_at": due.due.isoformat(), "notice": notice.number, "started": started_items,
            "by_law": user is None}


def _member_start(member: BundleMember, user: User | None, now: dt.datetime,
                  reason: str) -> None:
    """Accept the member case (its own clock starts now) on behalf of the bundle."""
    member_case_move(case_id=member.case_id, user=user,
                    move=MoveIn(action="accept", reason=reason), now=now)
    member.state, member.started_at = MemberState.RUNNING, now
    member.save(update_fields=["state", "started_at"])


def _ask_supplement(bundle_case: BundleCase, move: BundleMoveIn, attempt: Attempt,
                    actor: Actor) -> dict[str, Any]:
    now = attempt.now
    user = attempt.user
    """The one supplement notice for the whole bundle: the window's own findings plus every
    department's pre-review findings, each member case told what concerns it."""
    own = [{"material": str(i.get("material", "")).strip()[:200],
            "reason": str(i.get("reason", "")).strip()[:500],
            "item": str(i.get("item", "")).strip()[:12]} for i in move.supplement_items]
    own = [i for i in own if i["material"]]
    if any(not i["reason"] for i in own):
        raise InvalidInput("一次性补正告知须写明每项材料需补正的原因。", code="bundle.supplement_reason")
    members = {m.item_code: m for m in _open_members(bundle_case)}
    for entry in own:
        if entry["item"] and entry["item"] not in members:
            raise InvalidInput(f"补正事项“{entry['item']}”不属于本一件事。", code="bundle.supplement_item")
    requests = list(bundle_case.supplement_requests.select_related("member", "department"))
    items = own + [{"material": i["material"], "reason": i["reason"], "item": r.member.item_code,
                    "department": r.department.name} for r in requests for i in r.items]
    if not items:
        raise InvalidInput("一次性补正告知必须逐项列明需补正的材料及原因。", code="bundle.supplement_items")
    for code, member in members.items():
        mine = [i for i in items if not i["item"] or i["item"] == code]
        if not mine:
            continue
        member_case_move(case_id=member.case_id, user=user, move=MoveIn(
            action="ask_supplement", supplement_items=[
                {"material": i["material"], "reason": i["reason"]} for i in mine]), now=now)
    notice = _notice(bundle_case, BundleNoticeKind.SUPPLEMENT, {"items": items}, now)
    _tell(bundle_case, "请一次性补正材料", "需补正：" + "；".join(
        f"{i['material']}（{i['reason']}）" for i in items), "supplement")
    return {"items": items, "notice": notice.number}


def _supplement(bundle_case: BundleCase, move: BundleMoveIn, attempt: Attempt,
                actor: Actor) -> dict[str, Any]:
    now = attempt.now
    user = attempt.user
    if not move.materials:
        raise InvalidInput("请提交补正材料。", code="bundle.supplement_empty")
    if len(move.materials) > MAX_FILES:
        raise InvalidInput(f"材料过多：最多 {MAX_FILES} 份。", code="bundle.too_many_files")
    members = _open_members(bundle_case)
    saved: list[tuple[BundleMaterial, StoredMaterial]] = []
    for material in move.materials:
        if material.kind not in (MaterialKind.UPLOAD, MaterialKind.E_LICENSE,
                                 MaterialKind.SHARED_DATA):
            raise InvalidInput(f"材料“{material.identity}”的提供方式无效。",
                               code="bundle.material_kind")
        name = material.identity.strip()[:200]
        if not name:
            raise InvalidInput("补正材料须写明材料名称。", code="bundle.material_name")
        upload = check_upload(material.file_name or name, material.content) \
            if material.kind == MaterialKind.UPLOAD else None
        row = BundleMaterial(bundle_case=bundle_case, identity=name, kind=material.kind,
                             reference=material.reference[:200], added_at=now, supplement=True,
                             members=[m.item_code for m in members])
        if upload is not None:
            row.file.name = default_storage.save(
                f"cases/{now:%Y/%m}/{bundle_case.number}-{secrets.token_hex(8)}."
                f"{upload.extension}", ContentFile(upload.content))
            uploads.stored(default_storage, row.file.name)
            row.original_name = (material.file_name or name)[-200:]
            row.content_type, row.size, row.sha256 = (upload.content_type, len(upload.content),
                                                      upload.sha256)
        row.save()
        saved.append((row, StoredMaterial(name=name, kind=row.kind, file_name=row.file.name or "",
                                          original_name=row.original_name,
                                          content_type=row.content_type, size=row.size,
                                          sha256=row.sha256, reference=row.reference)))
    for member in members:
        member_materials_add(member.case, [s for _, s in saved], now)
        if member.case.status == CaseStatus.AWAITING_SUPPLEMENT:
            member_case_move(case_id=member.case_id, user=user,
                            move=MoveIn(action="supplement"), now=now)
    return {"materials": [row.identity for row, _ in saved]}


def _refuse(bundle_case: BundleCase, move: BundleMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    now = attempt.now
    user = attempt.user
    if not move.reason.strip():
        raise InvalidInput("不予受理必须写明理由。", code="bundle.reason_required")
    for member in _open_members(bundle_case):
        member_case_move(case_id=member.case_id, user=user, move=MoveIn(
            action="refuse", reason=move.reason), now=now)
        member.state = MemberState.CANCELLED
        member.save(update_fields=["state"])
    bundle_case.finished_at = now
    notice = _notice(bundle_case, BundleNoticeKind.REFUSAL, {"reason": move.reason}, now)
    _tell(bundle_case, "一件事不予受理", f"“{bundle_case.bundle.name}”不予受理：{move.reason}",
          "refuse")
    return {"notice": notice.number}


def _withdraw(bundle_case: BundleCase, move: BundleMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    now = attempt.now
    user = attempt.user
    for member in _open_members(bundle_case):
        member_case_move(case_id=member.case_id, user=user, move=MoveIn(
            action="withdraw", reason=move.reason), now=now)
        member.state = MemberState.CANCELLED
        member.save(update_fields=["state"])
    bundle_case.finished_at = now
    return {}


def _finish(bundle_case: BundleCase, move: BundleMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    now = attempt.now
    members = _open_members(bundle_case)
    # A grant revoked before the bundle finished is no grant (撤销).
    granted = [m for m in members if _granted(m.case)]
    if len(granted) == len(members):
        result = BundleResult.ALL_GRANTED
    elif granted:
        result = BundleResult.PARTLY_GRANTED
    else:
        result = BundleResult.NONE_GRANTED
    bundle_case.result, bundle_case.finished_at = result, now
    in_time = bundle_case.due_at is None or now <= bundle_case.due_at
    notice = _notice(bundle_case, BundleNoticeKind.COMPLETION, {
        "result": result, "in_time": in_time,
        "members": [{"item": m.item_name, "department": m.department.name,
                     "decision": "已撤销" if m.case.status == CaseStatus.REVOKED
                     else m.case.get_decision_display() or m.get_state_display()}
                    for m in members]}, now)
    _tell(bundle_case, "一件事已办结", f"“{bundle_case.bundle.name}”已全部办结"
          f"（{BundleResult(result).label}），" + (
              "结果将一次性电子送达。" if bundle_case.delivery_method == DeliveryMethod.ELECTRONIC
              else "请按选择的方式一次领取全部结果。"), "finish")
    return {"result": result, "notice": notice.number, "in_time": in_time}


def _deliver(bundle_case: BundleCase, move: BundleMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    now = attempt.now
    user = attempt.user
    method = move.delivery_method or bundle_case.delivery_method
    if method not in DeliveryMethod.values:
        raise InvalidInput("送达方式无效：窗口领取、邮寄送达或电子送达。", code="bundle.delivery_method")
    if method == DeliveryMethod.POSTAL and not move.tracking_number.strip():
        raise InvalidInput("邮寄送达须填写邮寄单号。", code="bundle.tracking_number")
    delivered = []
    for member in _open_members(bundle_case):
        if member.case.status == CaseStatus.CLOSED:
            member_case_move(case_id=member.case_id, user=user, move=MoveIn(
                action="deliver", delivery_method=method,
                tracking_number=move.tracking_number), now=now)
            delivered.append(member.item_name)
    bundle_case.delivered_at, bundle_case.delivery_method = now, method
    bundle_case.tracking_number = move.tracking_number.strip()[:40]
    _tell(bundle_case, "一件事结果已一次送达", f"“{bundle_case.bundle.name}”的 {len(delivered)} 项"
          f"办理结果已{DeliveryMethod(method).label}"
          + (f"，单号{bundle_case.tracking_number}" if bundle_case.tracking_number else ""),
          "deliver")
    return {"method": method, "delivered": delivered}


_HANDLERS = {"accept": _accept, "ask_supplement": _ask_supplement, "supplement": _supplement,
             "refuse": _refuse, "withdraw": _withdraw, "finish": _finish, "deliver": _deliver}

BUNDLE_PROCESS: Process[BundleCase, BundleMoveIn] = Process(
    table=workflow.BUNDLE_TABLE, handlers=_HANDLERS, lock=_lock, actor=_actor, record=_record,
    reason_of=lambda move: move.reason, action_of=lambda move: move.action,
    text_check=_text_check,
    role_order=(workflow.Role.APPLICANT, workflow.Role.SYSTEM, workflow.Role.WINDOW))


# --- access to personal data ------------------------------------------------------------------


# Why a member of staff read a bundle case, as the applicant reads it in their access log.
PURPOSE_WINDOW = "查看一件事受理队列"
PURPOSE_MEMBERS = "查看一件事成员办件"
PURPOSE_LIST = "查看一件事办件列表"


def purpose_notice(notice: BundleNotice) -> str:
    return f"下载通知书：{BundleNoticeKind(notice.kind).label}"[:40]


def bundle_access_record(*, bundle_case: BundleCase, user: User, purpose: str) -> None:
    """Log a member of staff reading a bundle case (not the applicant reading their own), so
    the applicant can see who looked (quality.md #8)."""
    bundle_accesses_record(bundle_cases=[bundle_case], user=user, purpose=purpose)


def bundle_accesses_record(*, bundle_cases: Iterable[BundleCase], user: User,
                           purpose: str) -> int:
    """Log a member of staff reading these bundle cases — one case page, or the page of a
    work list that showed them — in one insert; the applicant's own and non-staff readers
    are not logged, a bundle case listed twice on a page once. Returns the rows written."""
    if not user.is_staff:
        return 0
    read = list({bundle_case.pk: bundle_case for bundle_case in bundle_cases
                 if user.pk not in (bundle_case.applicant_id,
                                    bundle_case.submitted_by_id)}.values())
    if not read:
        return 0
    actor = actor_for(user)
    now = clock.now()
    BundleAccess.objects.bulk_create([
        BundleAccess(bundle_case=bundle_case, user=user, department_label=actor.department_label,
                     purpose=purpose[:40], at=now) for bundle_case in read])
    return len(read)


# --- departments' pre-review findings ----------------------------------------------------------


@transaction.atomic
def supplement_request(*, user: User, case_id: int, items: list[dict[str, str]]) -> None:
    """A department's reviewer notes what its member case lacks, before the bundle is accepted;
    the 一件事 window puts every department's findings into the one notice."""
    member = BundleMember.objects.select_related("bundle_case", "department").filter(
        case_id=case_id, department_id__in=reviewer_departments(user)).first()
    if member is None:
        # Not a member case of the user's departments: as good as absent (quality.md #10).
        raise InvalidInput("成员办件不存在。", code="bundle.member_not_found", http_status=404)
    bundle_case = BundleCase.objects.select_for_update().get(pk=member.bundle_case_id)
    if bundle_case.status != BundleCaseStatus.SUBMITTED:
        raise Conflict("一件事已受理或已告知补正，不能再提出补正意见（补正只告知一次）。",
                       code="bundle.supplement_closed")
    cleaned = [{"material": str(i.get("material", "")).strip()[:200],
                "reason": str(i.get("reason", "")).strip()[:500]} for i in items]
    cleaned = [i for i in cleaned if i["material"] and i["reason"]]
    if not cleaned:
        raise InvalidInput("请逐项写明需补正的材料及原因。", code="bundle.supplement_items")
    SupplementRequest.objects.update_or_create(
        bundle_case=bundle_case, member=member,
        defaults={"department": member.department, "items": cleaned, "requested_by": user,
                  "requested_at": clock.now()})
    _bundle_event(bundle_case, action="department_supplement_request",
                  before=bundle_case.status,
                  actor=actor_for(user, role="reviewer", department=member.department),
                  data={"item": member.item_name, "items": cleaned})


# --- the join: a member case moved --------------------------------------------------------------

DECIDING = frozenset({"grant", "deny", "deem_approved"})
ENDED = frozenset({CaseStatus.CLOSED, CaseStatus.DELIVERED, CaseStatus.REFUSED,
                   CaseStatus.WITHDRAWN, CaseStatus.REVOKED})
GRANTED = frozenset(GRANTED_DECISIONS)


def member_case_moved(outcome: Outcome[Case]) -> list[FollowUp]:
    """Told of every case move (engine.listen, registered in BundlesConfig.ready), inside
    the move's transaction: a bundle member moved. What the bundle does about it it returns
    as follow-ups, which the engine runs after the member's move (ADR 0013)."""
    case, action = outcome.row, outcome.action
    if not case.bundle_number:
        return []
    if action in DECIDING and case.status == CaseStatus.DECIDED:
        # In a bundle the decision ends the member's part; its result is delivered once,
        # with the others'. Closing moves the bundle on (this listener is told of "close").
        return [lambda: member_case_move(case_id=case.pk, user=None, move=MoveIn(
            action="close", reason="一件事成员事项已作出决定"))]
    # "cancel" is made by bundle_advance itself, which goes on from there.
    if action in ("close", "revoke"):
        number, revoked = case.bundle_number, case.pk if action == "revoke" else None
        return [lambda: bundle_advance(number, revoked=revoked)]
    return []


def _granted(case: Case) -> bool:
    """Granted (or deemed approved) and not revoked since."""
    return case.decision in GRANTED and case.status != CaseStatus.REVOKED


def bundle_advance(number: str, now: dt.datetime | None = None, *,
                   revoked: int | None = None) -> BundleCase:
    """Start members whose prerequisites were all granted, end members whose prerequisite
    was not, and finish the bundle once every member has ended. Idempotent."""
    moment = now or clock.now()
    bundle_case = BundleCase.objects.select_for_update().select_related(
        "bundle__lead_department", "applicant").get(number=number)
    if bundle_case.status != BundleCaseStatus.IN_PROGRESS:
        return bundle_case
    members = _open_members(bundle_case)
    by_item = {m.item_code: m for m in members}
    changed = True
    while changed:
        changed = False
        # One read of every member case per pass (a pass may start or end members).
        current = Case.objects.in_bulk([m.case_id for m in members])
        for member in members:
            case = current[member.case_id]
            member.case = case
            if member.state == MemberState.RUNNING and case.status in ENDED:
                member.state = MemberState.DONE
                member.save(update_fields=["state"])
                if case.decision == Decision.DENIED or case.status == CaseStatus.REVOKED:
                    _tell(bundle_case, "一件事中有事项未获准予",
                          f"{member.department.name}对“{member.item_name}”作出不予许可决定，"
                          "详情及救济途径见一件事办理进度。", f"denied:{member.pk}")
                changed = True
            elif member.state == MemberState.DONE and case.pk == revoked:
                # A grant revoked after its member was done: no longer granted (撤销).
                _tell(bundle_case, "一件事中有事项未获准予",
                      f"{member.department.name}撤销了“{member.item_name}”的准予决定，"
                      "详情及救济途径见一件事办理进度。", f"revoked:{member.pk}")
                revoked = None
            if member.state != MemberState.WAITING:
                continue
            prerequisites = [by_item[x] for x in member.depends_on if x in by_item]
            failed = [p for p in prerequisites if p.state in (MemberState.DONE,
                                                              MemberState.CANCELLED)
                      and not _granted(p.case)]
            if failed:
                member_case_move(case_id=member.case_id, user=None, move=MoveIn(
                    action="cancel",
                    reason=f"前置事项“{failed[0].item_name}”未获准予，本事项终止办理"), now=moment)
                member.state, member.note = MemberState.CANCELLED, \
                    f"前置事项“{failed[0].item_name}”未获准予"
                member.save(update_fields=["state", "note"])
                changed = True
            elif all(p.state == MemberState.DONE for p in prerequisites):
                _member_start(member, None, moment, reason="前置事项已办结，自动开始并联办理")
                changed = True
    if not workflow.members_running(members):
        bundle_case = bundle_move(number=number, user=None, move=BundleMoveIn(action="finish"),
                                  now=moment)
        if bundle_case.delivery_method == DeliveryMethod.ELECTRONIC:
            bundle_case = bundle_move(number=number, user=None, move=BundleMoveIn(
                action="deliver", delivery_method=DeliveryMethod.ELECTRONIC), now=moment)
    return bundle_case


def elapsed_workdays(bundle_case: BundleCase) -> Decimal | None:
    """Working time from acceptance to completion, in working days of office hours."""
    if bundle_case.accepted_at is None or bundle_case.finished_at is None:
        return None
    return calendar_get().office_workdays_between(bundle_case.accepted_at,
                                                  bundle_case.finished_at)

"""一件事一次办 API: `/api/v1/bundles/…` — guides and guided questions, one application for a
bundle, its progress, the 一件事 window's moves, departments' pre-review findings, KPIs, and
definitions edited as drafts and published by a second catalogue administrator.

Conventions are the cases API's (zhengwu/cases/api.py): session auth with CSRF; applications
and supplements are multipart (a JSON `payload` plus one part per file, or a JSON body when no
file is sent) with an optional `Idempotency-Key`; a bundle case the caller may not see answers
404 exactly like an absent one; ID numbers, phones and addresses are masked for everyone but
the applicant.
"""

# No `from __future__ import annotations` here: ninja resolves a view's annotations in the
# globals of the function it is given (see zhengwu/catalog/api.py).

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from decimal import Decimal
from typing import Annotated, Any, cast

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Path, Query, Router, Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.bundles import definition as d
from zhengwu.bundles import formdef, kpis, selectors, services, workflow
from zhengwu.bundles.models import (
    Bundle,
    BundleAccess,
    BundleCase,
    BundleDraft,
    BundleDraftState,
    BundleEvent,
    BundleMember,
    BundleNoticeKind,
    BundleResult,
    BundleVersion,
    HallLevel,
    MemberState,
    SupplementRequest,
)
from zhengwu.bundles.schemas import (
    ApplicationFilter,
    ApplicationIn,
    AskSupplementIn,
    BundleCaseOut,
    BundleCasePage,
    BundleDraftOut,
    BundleFilter,
    BundleKpiOut,
    BundlePage,
    BundlePageQuery,
    BundleReviewIn,
    BundleSupplementIn,
    DeliverIn,
    DraftFilter,
    DraftIn,
    DraftPage,
    EvaluateIn,
    EvaluateOut,
    GuideOut,
    GuideQuery,
    KpisOut,
    ReasonIn,
    SupplementRequestIn,
    SupplementRequestOut,
    VersionPage,
)
from zhengwu.cases.models import Decision
from zhengwu.cases.multipart import (
    MULTIPART_DOC,
    materials_from_specs,
    multipart_payload,
    schema_validated,
    upload_auth,
)
from zhengwu.cases.selectors import filing_applicant_get
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import idempotency
from zhengwu.core.access_log import access_group
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.masking import mask_address, mask_answer, mask_citizen_id, mask_phone
from zhengwu.core.schemas import AccessPage, PathId
from zhengwu.licences.notice_signature import printed_digest
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.regions.models import Region

router = Router(tags=["bundles"], auth=django_auth)

BundleCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", max_length=40,
                                 description="一件事编码")]
BundleNumber = Annotated[str, Path(pattern=r"^YJ\d{1,30}$", max_length=32,
                                   description="一件事编号")]
EVENT_LABELS = {"submit": "提交申请", "department_supplement_request": "部门预审补正意见"}
PUBLIC_MOVES = ("accept", "ask_supplement", "supplement", "refuse", "withdraw", "deliver")


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _page(rows: QuerySet[Any], page: Any, out: Any) -> dict[str, Any]:
    return {"items": [out(row) for row in rows[page.offset:page.offset + page.limit]],
            "count": rows.count()}


def _days(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


# --- guides -------------------------------------------------------------------------------------


def _urls(bundle: Bundle) -> dict[str, str]:
    code = {"code": bundle.code}
    return {"guide_url": bundle.get_absolute_url(),
            "api_url": reverse("api-v1:bundles_guide", kwargs=code),
            "qr_url": reverse("bundles:guide_qr", kwargs=code),
            "notice_pdf_url": reverse("bundles:guide_pdf", kwargs=code),
            "apply_url": reverse("bundles:apply", kwargs=code),
            "applications_url": reverse("api-v1:bundles_apply", kwargs=code)}


def _summary(bundle: Bundle) -> dict[str, Any]:
    data = bundle.definition or {}
    return {"code": bundle.code, "name": bundle.name, "audience": bundle.audience,
            "audience_label": bundle.get_audience_display(), "theme": bundle.theme,
            "hall_level": bundle.hall_level, "hall_level_label": bundle.get_hall_level_display(),
            "lead_department": bundle.lead_department.name, "region_code": bundle.region_id,
            "version": bundle.version, "published_at": bundle.published_at,
            "promised_workdays": Decimal(str(data.get("promised_workdays", "0"))).normalize(),
            "member_count": len(data.get("members", [])), "illustrative": bundle.illustrative,
            **{k: v for k, v in _urls(bundle).items() if k in ("guide_url", "api_url")}}


def _conditions(definition: d.Definition, condition: Mapping[str, str]) -> str:
    """A condition in words: 是否需要刻制印章：是；…"""
    parts = []
    for key, value in condition.items():
        question = definition.question(key)
        if question is None:
            parts.append(f"{key}={value}")
            continue
        label = next((a.label for a in question.answers if a.value == value), value)
        parts.append(f"{question.text}：{label}")
    return "；".join(parts)


def _question_out(definition: d.Definition, question: d.Question) -> dict[str, Any]:
    return {"key": question.key, "text": question.text, "help": question.help,
            "answers": [{"value": a.value, "label": a.label} for a in question.answers],
            "shows_if": dict(question.shows_if),
            "conditions": _conditions(definition, question.shows_if)}


def _member_out(definition: d.Definition, member: d.Member,
                implementation: ItemImplementation | None, stage: int,
                names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "item": member.item, "item_name": names.get(member.item, member.item),
        "department": implementation.department.name if implementation else member.department,
        "department_id": implementation.department_id if implementation else None,
        "implementation_code": implementation.code if implementation else None,
        "implementation_guide_url": reverse("catalog:guide", kwargs={
            "code": implementation.code}) if implementation else None,
        "promised_workdays": _days(member.promised_workdays),
        "item_promised_workdays": _days(implementation.promised_limit_workdays)
        if implementation else None,
        "depends_on": list(member.depends_on),
        "depends_on_names": [names.get(x, x) for x in member.depends_on],
        "when": dict(member.when), "conditions": _conditions(definition, member.when),
        "stage": stage}


def _materials_out(count: d.MaterialCount, names: Mapping[str, str]) -> dict[str, Any]:
    def needed(rows: Iterable[d.NeededMaterial]) -> list[dict[str, Any]]:
        return [{"identity": n.identity, "name": n.name, "source": n.source,
                 "shared_by": [{"item": item, "item_name": names.get(item, item), "name": name}
                               for item, name in n.names.items()]} for n in rows]

    return {"before": count.before, "after": count.after, "needed": needed(count.needed),
            "fetched": needed(count.fetched)}


def _guide_parts(guide: selectors.Guide) -> dict[str, Any]:
    """What a guide and an evaluation share: members by stage, materials, steps."""
    definition = guide.definition
    names = {m.item: m.item_name or (i.item.name if i else m.item) for m, i in guide.members}
    stage_of = {m.item: n for n, stage in enumerate(guide.stages, start=1) for m in stage}
    return {"members": [_member_out(definition, m, i, stage_of.get(m.item, 1), names)
                        for m, i in guide.members],
            "stages": [[m.item for m in stage] for stage in guide.stages],
            "materials": _materials_out(guide.materials, names), "steps": guide.steps,
            "critical_path_workdays": guide.critical_path.normalize()}


def _region(bundle: Bundle, code: str | None) -> Region:
    """Where the bundle is handled: its own region, or the chosen township of a township-hall
    bundle."""
    if code is None or code == bundle.region_id:
        return bundle.region
    if bundle.hall_level == HallLevel.TOWNSHIP:
        region = Region.objects.filter(code=code, parent=bundle.region).first()
        if region is not None:
            return region
    raise InvalidInput("办理地不是本一件事可以办理的乡镇（街道）。", code="bundle.region")


@router.get("", response=BundlePage, auth=None)
def list_bundles(request: HttpRequest, filters: Query[BundleFilter]) -> dict[str, Any]:
    """已发布的一件事：按名称/主题/编码、对象、办理大厅、主题筛选。"""
    bundles = selectors.bundles_search(q=(filters.q or "").strip(),
                                       audience=filters.audience or "",
                                       hall_level=filters.hall_level or "",
                                       theme=filters.theme or "")
    return _page(bundles, filters, _summary)


# --- bundle cases: the applicant's, the window's, the departments' ------------------------------


def _case_summary(bundle_case: BundleCase) -> dict[str, Any]:
    return {"number": bundle_case.number, "bundle_code": bundle_case.bundle.code,
            "bundle_name": bundle_case.bundle.name, "status": bundle_case.status,
            "status_label": bundle_case.get_status_display(), "result": bundle_case.result,
            "result_label": BundleResult(bundle_case.result).label if bundle_case.result else "",
            "applicant_name": bundle_case.applicant_name, "channel": bundle_case.channel,
            "region_code": bundle_case.region_id, "item_count": len(bundle_case.items or []),
            "promised_workdays": bundle_case.promised_workdays.normalize(),
            "submitted_at": bundle_case.submitted_at, "accepted_at": bundle_case.accepted_at,
            "due_at": bundle_case.due_at, "due_provisional": bundle_case.due_provisional,
            "finished_at": bundle_case.finished_at, "delivered_at": bundle_case.delivered_at}


def _masked_form(bundle_case: BundleCase, whole: bool) -> dict[str, str]:
    form = {str(k): str(v) for k, v in (bundle_case.form_data or {}).items()}
    if whole:
        return form
    try:
        kinds = {f.key: f.kind for f in formdef.form_fields(
            selectors.bundle_definition(bundle_case.bundle, bundle_case.version))}
    except (BundleVersion.DoesNotExist, d.DefinitionError):
        kinds = {}
    enterprise = bundle_case.applicant_kind == "enterprise"
    return {key: mask_answer(value, key=key, kind=kinds.get(key, ""), enterprise=enterprise)
            for key, value in form.items()}


def _member_case_out(member: BundleMember) -> dict[str, Any]:
    case = member.case
    return {"item": member.item_code, "item_name": member.item_name,
            "department": member.department.name, "department_id": member.department_id,
            "case_id": case.pk, "case_number": case.number, "case_status": case.status,
            "case_status_label": case.get_status_display(), "state": member.state,
            "state_label": MemberState(member.state).label, "stage": member.stage,
            "depends_on": list(member.depends_on or []),
            "promised_workdays": case.promised_workdays.normalize(),
            "decision": case.decision,
            "decision_label": Decision(case.decision).label if case.decision else "",
            "started_at": member.started_at, "due_at": case.due_at,
            "closed_at": case.closed_at, "note": member.note}


def _event_out(event: BundleEvent) -> dict[str, Any]:
    move = workflow.MOVES.get(event.action)
    return {"id": event.pk, "action": event.action,
            "label": move.label if move else EVENT_LABELS.get(event.action, event.action),
            "from_status": event.from_status, "to_status": event.to_status,
            "actor_label": event.actor_label, "role": event.role,
            "department_label": event.department_label, "reason": event.reason,
            "data": event.data or {}, "at": event.at}


def _case_out(bundle_case: BundleCase, user: User) -> dict[str, Any]:
    whole = bundle_case.applicant_id == user.pk
    form = bundle_case.form_data or {}
    address = str(form.get("address", ""))
    notices = sorted(bundle_case.notices.all(), key=lambda n: (n.issued_at, n.pk))
    supplement = [n for n in notices if n.kind == BundleNoticeKind.SUPPLEMENT]
    requests: list[SupplementRequest] = [] if whole else sorted(
        bundle_case.supplement_requests.all(), key=lambda r: r.pk)
    members = {m.item_code: m for m in bundle_case.members.all()}
    return {
        **_case_summary(bundle_case), "version": bundle_case.version,
        "applicant_kind": bundle_case.applicant_kind,
        "applicant_id_number": bundle_case.applicant_id_number if whole else mask_citizen_id(
            bundle_case.applicant_id_number),
        "applicant_phone": bundle_case.applicant_phone if whole else mask_phone(
            bundle_case.applicant_phone),
        "address": address if whole else mask_address(address), "masked": not whole,
        "answers": {str(k): str(v) for k, v in (bundle_case.answers or {}).items()},
        "form": _masked_form(bundle_case, whole), "steps": bundle_case.steps,
        "materials_before": bundle_case.materials_before,
        "materials_after": bundle_case.materials_after,
        "delivery_method": bundle_case.delivery_method,
        "tracking_number": bundle_case.tracking_number,
        "members": [_member_case_out(m) for m in sorted(members.values(),
                                                        key=lambda m: m.position)],
        "materials": [{"identity": m.identity, "kind": m.kind, "original_name": m.original_name,
                       "content_type": m.content_type, "size": m.size,
                       "reference": m.reference, "members": list(m.members or []),
                       "supplement": m.supplement, "added_at": m.added_at}
                      for m in sorted(bundle_case.materials.all(), key=lambda m: m.pk)],
        "supplement_items": [{k: str(v) for k, v in i.items()}
                             for i in supplement[-1].content.get("items", [])]
        if supplement else [],
        "department_requests": [{"item": r.member.item_code, "item_name": r.member.item_name,
                                 "department": r.department.name, "items": r.items,
                                 "requested_at": r.requested_at} for r in requests],
        "notices": [{"id": n.pk, "kind": n.kind,
                     "kind_label": BundleNoticeKind(n.kind).label, "number": n.number,
                     "issued_at": n.issued_at, "verify_code": n.verify_code,
                     "kid": n.kid, "signature_digest": printed_digest(n),
                     "pdf_url": reverse("bundles:notice_pdf", kwargs={
                         "number": bundle_case.number, "notice_id": n.pk})} for n in notices],
        "events": [_event_out(e) for e in sorted(bundle_case.events.all(), key=lambda e: e.pk)],
        "guide_url": bundle_case.bundle.get_absolute_url(),
    }


def _detail(user: User, number: str) -> dict[str, Any]:
    bundle_case = selectors.bundle_cases_for(user).prefetch_related(
        "members__case", "members__department", "materials", "notices", "events",
        "supplement_requests__department", "supplement_requests__member").select_related(
        "bundle__lead_department").get(number=number)
    services.bundle_access_record(bundle_case=bundle_case, user=user, purpose="接口查看一件事办件")
    return _case_out(bundle_case, user)


@router.get("/applications", response=BundleCasePage)
def list_applications(request: HttpRequest, filters: Query[ApplicationFilter]) -> dict[str, Any]:
    """The bundle cases the caller may see: their own, the 一件事 window's region, the member
    departments', all for supervisors."""
    user = _user(request)
    cases = selectors.bundle_cases_for(user)
    if filters.status:
        cases = cases.filter(status=filters.status)
    cases = cases.order_by("-submitted_at", "-id")
    shown = list(cases[filters.offset:filters.offset + filters.limit])
    # The bundle cases a member of staff was shown are logged for their applicants.
    services.bundle_accesses_record(bundle_cases=shown, user=user, purpose=services.PURPOSE_LIST)
    return {"items": [_case_summary(c) for c in shown], "count": cases.count()}


@router.get("/applications/{number}", response=BundleCaseOut)
def get_application(request: HttpRequest, number: BundleNumber) -> dict[str, Any]:
    """一件事办理进度: status, promise and due moment, every member case with its department,
    state and decision, the one supplement notice, notices and the timeline."""
    return _detail(_user(request), number)


@router.get("/applications/{number}/accesses", response=AccessPage)
def list_application_accesses(request: HttpRequest, number: BundleNumber,
                              page: Query[BundlePageQuery]) -> dict[str, Any]:
    """谁查看过我的一件事, for the applicant only: which staff member of which department read
    the bundle case, why and when — one line per staff member, department, purpose and day,
    with how many times. Staff are refused (403)."""
    groups = selectors.bundle_access_log(_user(request), number)
    total = BundleAccess.objects.filter(bundle_case__number=number).count()
    return {"items": [access_group(row).__dict__
                      for row in groups[page.offset:page.offset + page.limit]],
            "count": groups.count(), "total": total}


def _move(request: HttpRequest, number: str, move: services.BundleMoveIn) -> dict[str, Any]:
    user = _user(request)
    services.bundle_move(number=number, user=user, move=move)
    return _detail(user, number)


@router.post("/applications/{number}/moves/accept", response=BundleCaseOut)
def accept_application(request: HttpRequest, number: BundleNumber,
                       body: ReasonIn) -> dict[str, Any]:
    """受理 (一件事窗口): every member without prerequisites starts now, in parallel."""
    return _move(request, number, services.BundleMoveIn(action="accept", reason=body.reason))


@router.post("/applications/{number}/moves/ask_supplement", response=BundleCaseOut)
def ask_supplement(request: HttpRequest, number: BundleNumber,
                   body: AskSupplementIn) -> dict[str, Any]:
    """一次性补正告知 (一件事窗口): the window's findings and every department's pre-review
    findings in one notice."""
    return _move(request, number, services.BundleMoveIn(
        action="ask_supplement", reason=body.reason,
        supplement_items=[i.model_dump() for i in body.supplement_items]))


@router.post("/applications/{number}/moves/supplement", response=BundleCaseOut,
             auth=upload_auth, openapi_extra=MULTIPART_DOC)
def supplement_application(request: HttpRequest, number: BundleNumber) -> dict[str, Any]:
    """补正 (申请人): multipart, a JSON `payload` (BundleSupplementIn) plus the files; shared with every
    member case."""
    user = _user(request)
    selectors.bundle_cases_for(user).get(number=number)
    data, files = multipart_payload(request)
    body = schema_validated(BundleSupplementIn, data)
    return _move(request, number, services.BundleMoveIn(
        action="supplement", reason=body.reason, materials=_bundle_materials(body.materials,
                                                                             files)))


@router.post("/applications/{number}/moves/refuse", response=BundleCaseOut)
def refuse_application(request: HttpRequest, number: BundleNumber,
                       body: ReasonIn) -> dict[str, Any]:
    """不予受理 (一件事窗口), with the reason."""
    return _move(request, number, services.BundleMoveIn(action="refuse", reason=body.reason))


@router.post("/applications/{number}/moves/withdraw", response=BundleCaseOut)
def withdraw_application(request: HttpRequest, number: BundleNumber,
                         body: ReasonIn) -> dict[str, Any]:
    """撤回 (申请人), before acceptance."""
    return _move(request, number, services.BundleMoveIn(action="withdraw", reason=body.reason))


@router.post("/applications/{number}/moves/deliver", response=BundleCaseOut)
def deliver_application(request: HttpRequest, number: BundleNumber,
                        body: DeliverIn) -> dict[str, Any]:
    """一次送达 (一件事窗口): every member's result at once."""
    return _move(request, number, services.BundleMoveIn(
        action="deliver", delivery_method=body.delivery_method or "",
        tracking_number=body.tracking_number))


@router.post("/applications/{number}/moves/{action}", response=BundleCaseOut,
             include_in_schema=False)
def other_move(request: HttpRequest, number: BundleNumber,
               action: Annotated[str, Path(max_length=40)]) -> dict[str, Any]:
    """Any other action (the platform's own `finish` included): 404 for a case the caller may
    not see, else 409 `bundle.unknown_action`."""
    selectors.bundle_cases_for(_user(request)).get(number=number)
    raise MoveNotAllowed(
        f"未知的一件事操作“{action}”：可用的操作为 {', '.join(PUBLIC_MOVES)}。",
        code="bundle.unknown_action")


@router.post("/member-cases/{case_id}/supplement-requests", response={201: SupplementRequestOut})
def request_supplement(request: HttpRequest, case_id: PathId,
                       body: SupplementRequestIn) -> Status[dict[str, Any]]:
    """部门预审: the member case's department notes what is missing; the 一件事 window sends
    every department's findings in one notice."""
    user = _user(request)
    services.supplement_request(user=user, case_id=case_id,
                                items=[i.model_dump() for i in body.items])
    found = SupplementRequest.objects.select_related(
        "bundle_case", "member__case", "department").get(member__case_id=case_id)
    return Status(201, {"bundle_number": found.bundle_case.number, "case_id": case_id,
                        "case_number": found.member.case.number,
                        "item": found.member.item_code, "item_name": found.member.item_name,
                        "department": found.department.name, "items": found.items,
                        "requested_at": found.requested_at})


# --- KPIs ---------------------------------------------------------------------------------------


def _result(passed: bool | None) -> str:
    return "none" if passed is None else ("pass" if passed else "fail")


def _kpi_out(kpi: kpis.BundleKpi) -> dict[str, Any]:
    return {"code": kpi.code, "name": kpi.name, "steps": kpi.steps,
            "steps_limit": kpi.steps_limit, "materials_before": kpi.materials_before,
            "materials_after": kpi.materials_after, "materials_limit": kpi.materials_limit,
            "promised_workdays": kpi.promised.normalize(), "submitted": kpi.submitted,
            "open": kpi.open, "finished": kpi.finished, "in_time": kpi.in_time,
            "in_time_share": kpi.in_time_share,
            "average_elapsed_workdays": kpi.average_elapsed,
            "longest_elapsed_workdays": _days(kpi.longest_elapsed),
            "checks": [{"label": c.label, "limit": c.limit, "actual": c.actual,
                        "passed": c.passed, "result": _result(c.passed)} for c in kpi.checks],
            "result": _result(kpi.all_passed)}


def _need_kpis(request: HttpRequest) -> None:
    if not selectors.may_view_kpis(_user(request)):
        raise NotAllowed("仅电子监察和事项管理员可以查看一件事指标。", code="bundle.forbidden")


@router.get("/kpis", response=KpisOut)
def get_kpis(request: HttpRequest, page: Query[BundlePageQuery]) -> dict[str, Any]:
    """一件事 KPIs overall, and per bundle that has cases or plan limits (企业开办: ≤ 3 steps,
    ≤ 6 materials, ≤ 1 working day…), each limit checked: pass, fail or none (no data yet).
    For supervisors and catalogue administrators, as the page /bundles/staff/kpis/."""
    _need_kpis(request)
    overall = selectors.overall_kpi()
    with_cases = Exists(BundleCase.objects.filter(bundle=OuterRef("pk")))
    chosen = [b for b in selectors.published_bundles().annotate(has_cases=with_cases)
              if b.has_cases or b.definition.get("steps_limit")  # type: ignore[attr-defined]
              or b.definition.get("materials_limit")]
    return {"overall": {
        "bundles": overall.bundles, "submitted": overall.submitted,
        "finished": overall.finished, "in_time": overall.in_time,
        "in_time_share": overall.in_time_share, "materials_before": overall.materials_before,
        "materials_after": overall.materials_after,
        "materials_saved_share": overall.materials_saved_share},
        "items": [_kpi_out(selectors.bundle_kpi(b))
                  for b in chosen[page.offset:page.offset + page.limit]],
        "count": len(chosen)}


# --- definitions (catalogue administrators) -----------------------------------------------------


def _draft_out(draft: BundleDraft) -> dict[str, Any]:
    return {"id": draft.pk, "code": draft.code,
            "bundle_code": draft.bundle.code if draft.bundle else None, "state": draft.state,
            "state_label": BundleDraftState(draft.state).label,
            "definition": draft.definition, "author": str(draft.author),
            "reviewer": str(draft.reviewer) if draft.reviewer else None,
            "review_note": draft.review_note, "published_version": draft.published_version,
            "created_at": draft.created_at, "updated_at": draft.updated_at}


@router.get("/drafts", response=DraftPage)
def list_drafts(request: HttpRequest, filters: Query[DraftFilter]) -> dict[str, Any]:
    """Drafts of bundle definitions, newest first (catalogue administrators)."""
    user = _user(request)
    if not (user.has_perm("catalog.edit_catalog") or user.has_perm("catalog.publish_catalog")):
        raise NotAllowed("只有事项管理员可以查看一件事草稿。", code="bundle.forbidden")
    drafts = BundleDraft.objects.select_related("bundle", "author", "reviewer").order_by("-id")
    if filters.state:
        drafts = drafts.filter(state=filters.state)
    return _page(drafts, filters, _draft_out)


@router.post("/drafts", response={201: BundleDraftOut})
def save_draft(request: HttpRequest, body: DraftIn) -> Status[dict[str, Any]]:
    """Create or update the open draft of a bundle's definition. A definition that could not be
    published answers 422 `bundle.definition_invalid` listing every problem."""
    region = None
    if body.region is not None:
        region = Region.objects.filter(code=body.region).first()
        if region is None:
            raise InvalidInput("行政区划代码不存在。", code="bundle.region")
    try:
        draft = services.bundle_draft_save(code=body.code, data=body.definition,
                                           actor=actor_for(_user(request)), region=region)
    except d.DefinitionError as error:  # a definition the checks could not even read
        raise services.DefinitionInvalid(error.reasons) from error
    return Status(201, _draft_out(draft))


@router.post("/drafts/{draft_id}/submit", response=BundleDraftOut)
def submit_draft(request: HttpRequest, draft_id: PathId) -> dict[str, Any]:
    return _draft_out(services.bundle_draft_submit(draft_id=draft_id,
                                                   actor=actor_for(_user(request))))


@router.post("/drafts/{draft_id}/approve", response=BundleDraftOut)
def approve_draft(request: HttpRequest, draft_id: PathId, body: BundleReviewIn) -> dict[str, Any]:
    """Publish the draft as the bundle's next version: a second administrator only (双人复核)."""
    return _draft_out(services.bundle_draft_review(draft_id=draft_id, approve=True,
                                                   note=body.note,
                                                   actor=actor_for(_user(request))))


@router.post("/drafts/{draft_id}/reject", response=BundleDraftOut)
def reject_draft(request: HttpRequest, draft_id: PathId, body: BundleReviewIn) -> dict[str, Any]:
    """Send the draft back, with the reason."""
    return _draft_out(services.bundle_draft_review(draft_id=draft_id, approve=False,
                                                   note=body.note,
                                                   actor=actor_for(_user(request))))


# --- one bundle: guide, evaluation, application, versions, KPIs -----------------------------------


@router.get("/{code}", response=GuideOut, auth=None, url_name="bundles_guide")
def get_guide(request: HttpRequest, code: BundleCode, query: Query[GuideQuery]) -> dict[str, Any]:
    """一件事办事指南: every member item with its department, in-bundle promise, prerequisites and
    conditions; the guided questions; the one form; the materials before and after
    de-duplication and who shares each; steps and promise rules."""
    bundle = selectors.bundle_get(code)
    region = _region(bundle, query.region)
    guide = selectors.bundle_guide(bundle, region=region)
    definition = guide.definition
    return {**_summary(bundle), **_urls(bundle), **_guide_parts(guide),
            "description": definition.description, "source": bundle.source,
            "steps_limit": definition.steps_limit, "materials_limit": definition.materials_limit,
            "promises": [{"when": dict(p.when), "conditions": _conditions(definition, p.when),
                          "workdays": p.workdays.normalize()} for p in definition.promises],
            "questions": [_question_out(definition, q) for q in definition.questions],
            "form_fields": [asdict(f) for f in formdef.form_fields(definition)],
            "townships": [{"code": r.code, "name": r.name} for r in selectors.townships(bundle)]
            if bundle.hall_level == HallLevel.TOWNSHIP else []}


@router.post("/{code}/evaluate", response=EvaluateOut, auth=None)
def evaluate(request: HttpRequest, code: BundleCode, body: EvaluateIn) -> dict[str, Any]:
    """情形引导 without applying: the questions shown for these answers, what is still missing or
    invalid, the member items that apply, the materials before and after de-duplication, the
    steps and the one promise."""
    bundle = selectors.bundle_get(code)
    region = _region(bundle, body.region)
    definition = selectors.bundle_definition(bundle)
    check = d.check_answers(definition, body.answers)
    guide = selectors.bundle_guide(bundle, answers=check.answers, region=region)
    return {"complete": check.complete, "answers": check.answers, "errors": check.errors,
            "questions": [_question_out(definition, q)
                          for q in d.visible_questions(definition, check.answers)],
            "promised_workdays": d.promised_workdays(definition, check.answers).normalize(),
            **_guide_parts(guide)}


def _bundle_materials(specs: Any, files: Any) -> list[services.MaterialIn]:
    """The cases API's pairing of declared materials with file parts, by material identity."""
    return [services.MaterialIn(identity=m.name, kind=m.kind, file_name=m.file_name,
                                content=m.content, reference=m.reference)
            for m in materials_from_specs(specs, files)]


@router.post("/{code}/applications", response={200: BundleCaseOut, 201: BundleCaseOut},
             auth=upload_auth, openapi_extra=MULTIPART_DOC, url_name="bundles_apply")
def apply(request: HttpRequest, code: BundleCode) -> Status[dict[str, Any]]:
    """Apply for a bundle (一件事申报): multipart, a JSON `payload` (ApplicationIn) plus one part
    per uploaded file, or a JSON body. With an `Idempotency-Key` a repeat answers 200 with the
    same bundle case, the same key with a different body 422. One member case per applicable
    item is created at once in each department's queue.

    When the applicable items have application forms of their own, `item_answers` (the
    answers to their one form, as `answers` of a single item) is required: without it 422
    `form.required`, naming the one form's required fields; wrong answers 422 `form.invalid`
    on the one form's paths."""
    user = _user(request)
    # The header's shape is checked as the cases API checks it, with its code (the contract).
    key = idempotency.key_from_header(request.headers.get("Idempotency-Key"), prefix="case")
    data, files = multipart_payload(request)
    body = schema_validated(ApplicationIn, data)
    materials = _bundle_materials(body.materials, files)
    applicant = filing_applicant_get(user=user, channel=body.channel,
                                     applicant_id=body.applicant_id, accepting_region=None,
                                     on_behalf_of=body.on_behalf_of)
    submission = services.SubmitIn(
        code=code, answers=dict(body.answers),
        form={k: str(v) for k, v in body.form.items()}, materials=materials,
        channel=body.channel, region=body.region or "", delivery_method=body.delivery_method,
        applicant=applicant, idempotency_key=key,
        item_answers=dict(body.item_answers) if body.item_answers is not None else None)
    # A request that lost the race for its key asks again and answers the winner's case.
    result = idempotency.retried_on_race(lambda: services.bundle_submit(
        submitted_by=user, submission=submission), prefix="bundle")
    return Status(201 if result.created else 200, _detail(user, result.bundle_case.number))


@router.get("/{code}/versions", response=VersionPage, auth=None)
def list_versions(request: HttpRequest, code: BundleCode, page: Query[BundlePageQuery]) -> dict[str, Any]:
    """Every published version of the bundle's definition, newest first."""
    bundle = selectors.bundle_get(code)
    versions = BundleVersion.objects.filter(bundle=bundle).select_related(
        "approved_by").order_by("-number")
    return _page(versions, page, lambda v: {
        "number": v.number, "published_at": v.published_at, "note": v.note,
        "approved_by": str(v.approved_by) if v.approved_by else None})


@router.get("/{code}/kpis", response=BundleKpiOut)
def get_bundle_kpis(request: HttpRequest, code: BundleCode) -> dict[str, Any]:
    """One bundle's KPIs, for supervisors and catalogue administrators (as /bundles/staff/kpis/)."""
    _need_kpis(request)
    return _kpi_out(selectors.bundle_kpi(selectors.bundle_get(code)))

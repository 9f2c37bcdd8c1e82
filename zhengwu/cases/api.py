"""Case handling API: `/api/v1/cases/…` — apply, follow, act on and monitor cases.

Who sees a case is decided by cases.access (through the selectors): a case the caller may not
see answers 404 exactly like an absent one (quality.md #10). ID and phone numbers are masked for
everyone but the applicant; staff holding `cases.unmask_personal_data` see them whole only
through the unmask operation, which is audited (quality.md #8, #11).
"""

# No `from __future__ import annotations` here: ninja resolves a view's annotations in the
# globals of the function it is given (see zhengwu/catalog/api.py).

import copy
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, cast
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Path, Query, Router, Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.cases import answers as item_answers
from zhengwu.cases import item_form, licence_kpis, selectors, services, staging
from zhengwu.cases.access import reviewer_departments, serves_window
from zhengwu.cases.caseclock import CaseClock
from zhengwu.cases.models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    Notice,
    Supplement,
)
from zhengwu.cases.multipart import (
    MULTIPART_DOC,
    materials_from_specs,
    multipart_payload,
    schema_validated,
    upload_auth,
)
from zhengwu.cases.notices import notice_pdf
from zhengwu.cases.progress import progress_query
from zhengwu.cases.schemas import (
    CaseFilter,
    CaseOut,
    CasePage,
    EventPage,
    LicenceKpiOut,
    LicenceKpiQuery,
    MonitoringOut,
    MonitoringQuery,
    MoveBody,
    NoticePage,
    PageQuery,
    ProgressOut,
    ProgressQuery,
    SubmitIn,
    SupplementIn,
    UnmaskIn,
    UnmaskOut,
    VerificationIn,
)
from zhengwu.cases.uploads import check_upload
from zhengwu.cases.verification import verification_record
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock, idempotency
from zhengwu.core.access_log import access_group
from zhengwu.core.http import client_ip
from zhengwu.core.masking import mask_address, mask_citizen_id, mask_name, mask_phone
from zhengwu.core.schemas import AccessPage, PathId
from zhengwu.licences.notice_signature import printed_digest

router = Router(tags=["cases"], auth=django_auth)

CaseNumber = Annotated[str, Path(pattern=r"^\d{1,32}$", max_length=32, description="办件编号")]
def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- shaping responses ----------------------------------------------------------------------


def _page(rows: QuerySet[Any], page: PageQuery | CaseFilter,
          out: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    return {"items": [out(row) for row in rows[page.offset:page.offset + page.limit]],
            "count": rows.count()}


def _logged_page(request: HttpRequest, rows: QuerySet[Case], page: PageQuery | CaseFilter,
                 out: Callable[[Any], dict[str, Any]], purpose: str) -> dict[str, Any]:
    """A page of a staff work list; the cases it shows are logged for their applicants, in
    one insert (quality.md #8)."""
    shown = list(rows[page.offset:page.offset + page.limit])
    services.case_accesses_record(cases=shown, user=_user(request), purpose=purpose)
    return {"items": [out(case) for case in shown], "count": rows.count()}


def _summary(case: Case, reading: CaseClock) -> dict[str, Any]:
    return {"number": case.number, "status": case.status,
            "status_label": case.get_status_display(),
            "item_name": case.implementation.item.name,
            "implementation_id": case.implementation_id, "department_id": case.department_id,
            "department": case.department.name, "applicant_name": case.applicant_name,
            "channel": case.channel, "submitted_at": case.submitted_at, "due_at": case.due_at,
            "due_provisional": case.due_provisional, "card": reading.card,
            "remaining_workdays": reading.remaining}


def _summaries() -> Callable[[Case], dict[str, Any]]:
    """Summaries of a page of cases, their clocks read at one moment on one calendar."""
    read = selectors.case_clock_reader(clock.now())
    return lambda case: _summary(case, read(case))


def _case_out(case: Case, user: User) -> dict[str, Any]:
    whole = case.applicant_id == user.pk
    form = case.form_data or {}
    address = str(form.get("address", ""))
    supplement = Supplement.objects.filter(case=case).first()
    materials = CaseMaterial.objects.filter(case=case).order_by("id")
    return {
        **_summary(case, selectors.case_clock(case, clock.now())),
        "item_version": case.item_version, "region_code": case.region_id,
        "accepting_region_code": case.accepting_region_id,
        "applicant_kind": case.applicant_kind,
        "applicant_id_number": case.applicant_id_number if whole else mask_citizen_id(
            case.applicant_id_number),
        "applicant_phone": case.applicant_phone if whole else mask_phone(case.applicant_phone),
        "address": address if whole else mask_address(address),
        "description": str(form.get("description", "")), "masked": not whole,
        # Whose identity it was filed under (accounts.mandates.filing_basis).
        "identity_basis": case.identity_basis, "submitted_by": str(case.submitted_by),
        "authorization_id": case.authorization_id,
        "decision": case.decision, "by_commitment": case.by_commitment,
        "promised_workdays": case.promised_workdays, "approval_step": case.approval_step,
        "accepted_at": case.accepted_at, "suspended_at": case.suspended_at,
        "decided_at": case.decided_at, "closed_at": case.closed_at,
        "delivered_at": case.delivered_at, "delivery_method": case.delivery_method,
        "tracking_number": case.tracking_number,
        "supplement_items": supplement.items if supplement is not None else [],
        "answers": _answers_out(case, whole),
        "materials": [{"name": m.name, "kind": m.kind, "original_name": m.original_name,
                       "content_type": m.content_type, "size": m.size,
                       "reference": m.reference, "reference_version": m.reference_version,
                       "reference_sm3": m.reference_sm3, "supplement": m.supplement,
                       "added_at": m.added_at} for m in materials],
    }


def _answers_out(case: Case, whole: bool) -> dict[str, Any] | None:
    stored = (case.form_data or {}).get("answers")
    if not stored:
        return None
    definition = item_answers.case_definition(case)
    return dict(stored) if whole or definition is None else \
        item_answers.masked_answers(definition, stored)


def _answer_files(user: User, implementation_id: int, answers: dict[str, Any] | None,
                  files: dict[str, UploadedFile]) -> dict[str, Any] | None:
    """A file answer posted as {"file_field": part}: the part is checked and staged
    (cases.staging) and the answer names it by token, as the pages' answers do."""
    if not answers:
        return answers
    implementation = ItemImplementation.objects.filter(pk=implementation_id).first()
    definition = item_answers.definition(implementation) if implementation else None
    if definition is None:
        return answers
    result = copy.deepcopy(answers)
    for path, spec in item_form.file_paths(definition, result):
        holder, key = item_form.answer_slot(result, path)
        value = holder.get(key) if holder is not None else None
        if holder is None or not isinstance(value, dict) or "file_field" not in value:
            continue
        upload = files.get(str(value["file_field"]))
        if upload is None:
            raise item_answers.FormInvalid({path: f"{spec.label}：未找到 multipart 字段"
                                                  f"“{value['file_field']}”"})
        name = (upload.name or spec.label)[-200:]
        checked = check_upload(spec.label, upload.read())
        row = staging.keep(owner=user, form="cases.api", slot=path, file_name=name,
                           checked=checked)
        holder[key] = {"name": name, "token": row.token}
    return result


def _event_out(event: CaseEvent) -> dict[str, Any]:
    return {"id": event.pk, "action": event.action, "label": selectors.event_label(event.action, event.data),
            "from_status": event.from_status, "to_status": event.to_status,
            "actor_label": event.actor_label, "role": event.role,
            "department_label": event.department_label, "reason": event.reason,
            "data": event.data, "at": event.at}


def _notice_out(notice: Notice, number: str) -> dict[str, Any]:
    return {"id": notice.pk, "kind": notice.kind, "kind_label": notice.get_kind_display(),
            "number": notice.number, "issued_at": notice.issued_at,
            "verify_code": notice.verify_code, "kid": notice.kid,
            "signature_digest": printed_digest(notice),
            "pdf_url": reverse("api-v1:cases_notice_pdf",
                               kwargs={"number": number, "notice_id": notice.pk})}


# --- apply and follow (applicants) ----------------------------------------------------------


@router.post("", response={200: CaseOut, 201: CaseOut}, auth=upload_auth,
             openapi_extra=MULTIPART_DOC)
def submit_case(request: HttpRequest) -> Status[dict[str, Any]]:
    """Apply (申报). Multipart: a JSON `payload` (SubmitIn) plus one part per uploaded file.
    With an `Idempotency-Key` header a repeat answers 200 with the same case, and the same key
    with a different body 422. Window staff and proxy agents may file for an applicant."""
    user = _user(request)
    key = idempotency.key_from_header(request.headers.get("Idempotency-Key"), prefix="case")
    data, files = multipart_payload(request)
    body = schema_validated(SubmitIn, data)
    materials = materials_from_specs(body.materials, files,
                                     answered=item_form.file_fields_named(body.answers))
    answers = _answer_files(user, body.implementation_id, body.answers, files)
    applicant = selectors.filing_applicant_get(
        user=user, channel=body.channel, applicant_id=body.applicant_id,
        accepting_region=body.accepting_region, on_behalf_of=body.on_behalf_of)
    # A request that lost the race for its key asks again and answers the winner's case.
    result = idempotency.retried_on_race(lambda: services.case_submit(
        implementation_id=body.implementation_id, submitted_by=user,
        form_data=body.form.model_dump(exclude_defaults=True), materials=materials,
        channel=body.channel, applicant=applicant, accepting_region=body.accepting_region,
        idempotency_key=key, answers=answers), prefix="case")
    case = selectors.case_get(user=user, number=result.case.number)
    return Status(201 if result.created else 200, _case_out(case, user))


@router.get("", response=CasePage)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> dict[str, Any]:
    """Every case the caller may see (own, window region, department; all for supervisors)."""
    cases = selectors.case_list(user=_user(request), status=filters.status, card=filters.card,
                                department=filters.department, q=filters.q)
    return _logged_page(request, cases, filters, _summaries(), services.PURPOSE_LIST)


@router.get("/mine", response=CasePage)
def list_my_cases(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """我的办件: cases the caller applied for or filed."""
    return _page(selectors.applicant_cases(user=_user(request)), page, _summaries())


@router.post("/progress", response=ProgressOut, auth=None, openapi_extra={"responses": {
    429: {"description": "查询次数过多：`Retry-After` 秒后再试（与查询页面共用限额）。"}}})
def get_progress(request: HttpRequest, body: ProgressQuery) -> Any:
    """办件进度查询 without signing in: the case number and the applicant's ID number, in a
    JSON body (never in the URL, which lands in access logs), must both match; a wrong number
    and a wrong ID answer the same 404. Masked data, no staff names. Limited per client address
    together with the page (cases.progress): 429 with Retry-After."""
    lookup = progress_query(number=body.number, id_number=body.id_number,
                            address=client_ip(request))
    if lookup.retry_after:
        response = JsonResponse({"code": "too_many_requests",
                                 "detail": "查询次数过多，请稍后再试。"}, status=429)
        response["Retry-After"] = str(lookup.retry_after)
        return response
    case = lookup.case
    if case is None:
        raise Case.DoesNotExist
    return {"number": case.number, "item_name": case.implementation.item.name,
            "department": case.department.name, "status": case.status,
            "status_label": case.get_status_display(),
            "applicant_name": mask_name(case.applicant_name),
            "applicant_id_number": mask_citizen_id(case.applicant_id_number),
            "submitted_at": case.submitted_at, "due_at": case.due_at,
            "decision": case.decision,
            "steps": [{"action": e.action, "label": selectors.event_label(e.action, e.data),
                       "status": e.to_status, "status_label": CaseStatus(e.to_status).label,
                       "at": e.at} for e in selectors.case_timeline(case)]}


# --- work lists (staff) ---------------------------------------------------------------------


@router.get("/queue", response=CasePage)
def list_window_queue(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """综合窗口: applications to accept or refuse, accepted 告知承诺 cases it may decide on the
    spot, and decided cases to close and deliver."""
    user = _user(request)
    if not serves_window(user):
        raise PermissionDenied("仅综合窗口人员有受理队列。")
    return _logged_page(request, selectors.window_queue(user=user), page, _summaries(),
                        services.PURPOSE_WINDOW)


@router.get("/todo", response=CasePage)
def list_reviewer_todo(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """后台待办: the department's open cases, the least time left first, with the working days
    remaining (frozen while a special procedure runs)."""
    user = _user(request)
    if not reviewer_departments(user):
        raise PermissionDenied("仅后台审批人员有待办列表。")
    return _logged_page(request, selectors.reviewer_todo(user=user), page, _summaries(),
                        services.PURPOSE_TODO)


@router.get("/monitoring", response=MonitoringOut)
def get_monitoring(request: HttpRequest, query: Query[MonitoringQuery]) -> dict[str, Any]:
    """电子监察: open cases, yellow and red cards per department and item, a weekly trend."""
    if not request.user.has_perm("cases.view_all_cases"):
        raise PermissionDenied("仅电子监察人员可查看监察数据。")
    since = query.since or clock.today() - dt.timedelta(days=90)
    report = selectors.monitoring(since=since, department=query.department)
    user = _user(request)
    deemed = selectors.monitoring_deemed(user=user, since=since, department=query.department)
    services.case_accesses_record(cases=deemed, user=user, purpose=services.PURPOSE_MONITORING)
    return {"since": since, "open_cases": report.open_cases, "yellow": report.yellow,
            "red": report.red,
            "by_department": [{"department_id": row["department_id"],
                               "department": row["department__name"], "open": row["open"],
                               "yellow": row["yellow"], "red": row["red"]}
                              for row in report.by_department],
            "by_item": [{"item": row["implementation__item__name"], "cases": row["n"]}
                        for row in report.by_item],
            "by_person": [{"handler": row["handler"], "department": row["department__name"],
                           "yellow": row["yellow"], "red": row["red"]}
                          for row in report.by_person],
            "failures": [{"department_id": row["department_id"],
                          "department": row["department__name"], "overdue": row["overdue"],
                          "deemed": row["deemed"]} for row in report.failures],
            "weekly": [{"week": week, "red": red, "deemed": n}
                       for week, red, n in report.weekly],
            "deemed_cases": [{"number": case.number, "department": case.department.name,
                              "item_name": case.implementation.item.name,
                              "due_at": case.due_at, "decided_at": case.decided_at,
                              "url": case.get_absolute_url()} for case in deemed]}


# --- one case -------------------------------------------------------------------------------


@router.get("/{number}", response=CaseOut)
def get_case(request: HttpRequest, number: CaseNumber) -> dict[str, Any]:
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    services.case_access_record(case=case, user=user, purpose="查看办件")
    return _case_out(case, user)


@router.get("/{number}/events", response=EventPage)
def list_case_events(request: HttpRequest, number: CaseNumber,
                     page: Query[PageQuery]) -> dict[str, Any]:
    """The timeline: every move, who made it, in which role and department, when and why."""
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    services.case_access_record(case=case, user=user, purpose=services.PURPOSE_EVENTS)
    return _page(selectors.case_timeline(case), page, _event_out)


@router.get("/{number}/accesses", response=AccessPage)
def list_case_accesses(request: HttpRequest, number: CaseNumber,
                       page: Query[PageQuery]) -> dict[str, Any]:
    """谁查看过我的办件, for the applicant only: which staff member of which department read the
    case, why and when — one line per staff member, department, purpose and day, with how
    many times (a work list logs every case it shows). Staff are refused (403)."""
    user = _user(request)
    groups = selectors.case_access_log(user=user, number=number)
    total = CaseAccess.objects.filter(case__number=number).count()
    return {"items": [access_group(row).__dict__
                      for row in groups[page.offset:page.offset + page.limit]],
            "count": groups.count(), "total": total}


@router.get("/{number}/notices", response=NoticePage)
def list_case_notices(request: HttpRequest, number: CaseNumber,
                      page: Query[PageQuery]) -> dict[str, Any]:
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    services.case_access_record(case=case, user=user, purpose=services.PURPOSE_NOTICES)
    return _page(case.notices.order_by("issued_at", "id"), page,
                 lambda notice: _notice_out(notice, case.number))


@router.get("/{number}/notices/{notice_id}.pdf", response={200: None},
            url_name="cases_notice_pdf")
def get_notice_pdf(request: HttpRequest, number: CaseNumber, notice_id: PathId) -> HttpResponse:
    """The notice as PDF, always as a download (never shown inline)."""
    user = _user(request)
    notice = selectors.notice_get(user=user, number=number, notice_id=notice_id)
    services.case_access_record(case=notice.case, user=user,
                                purpose=services.purpose_notice(notice))
    response = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(notice.number)}.pdf"
    return response


@router.post("/{number}/moves", response=CaseOut)
def move_case(request: HttpRequest, number: CaseNumber, body: MoveBody) -> dict[str, Any]:
    """One move of the case workflow (受理、补正告知、审查、特别程序、延期、决定、办结、送达、撤回…).
    A move the case's state does not allow answers 409 `case.move_not_allowed`."""
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    move = services.MoveIn(
        action=body.action, reason=body.reason,
        supplement_items=[item.model_dump() for item in body.supplement_items],
        procedure_kind=body.procedure_kind, extra_workdays=body.extra_workdays,
        approver=body.approver, delivery_method=body.delivery_method,
        tracking_number=body.tracking_number)
    case = services.case_transition(case_id=case.pk, user=user, move=move)
    return _case_out(selectors.case_get(user=user, number=case.number), user)


@router.post("/{number}/supplement", response=CaseOut, auth=upload_auth,
             openapi_extra=MULTIPART_DOC)
def supplement_case(request: HttpRequest, number: CaseNumber) -> dict[str, Any]:
    """补正: the applicant's materials answering the one-time supplement notice (multipart,
    like a submission: a JSON `payload` (SupplementIn) plus the files)."""
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    data, files = multipart_payload(request)
    body = schema_validated(SupplementIn, data)
    move = services.MoveIn(action="supplement", reason=body.reason,
                           materials=materials_from_specs(body.materials, files))
    services.case_transition(case_id=case.pk, user=user, move=move)
    return _case_out(selectors.case_get(user=user, number=number), user)


@router.post("/{number}/unmask", response=UnmaskOut)
def unmask_case(request: HttpRequest, number: CaseNumber, body: UnmaskIn) -> dict[str, Any]:
    """The applicant's full ID number, phone and address, for staff holding
    `cases.unmask_personal_data`; each look is written to the audit trail with its reason."""
    case = services.case_unmask(user=_user(request), number=number, reason=body.reason)
    return {"number": case.number, "applicant_name": case.applicant_name,
            "applicant_id_number": case.applicant_id_number,
            "applicant_phone": case.applicant_phone,
            "address": str((case.form_data or {}).get("address", ""))}


@router.post("/{number}/verification", response=CaseOut)
def verify_case(request: HttpRequest, number: CaseNumber, body: VerificationIn) -> dict[str, Any]:
    """事后核查 of a commitment case; a false commitment revokes the decision."""
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    verification_record(case_id=case.pk, user=user, truthful=body.truthful,
                        finding=body.finding)
    return _case_out(selectors.case_get(user=user, number=number), user)


# --- electronic-licence KPIs: mounted at /api/v1/licences (config/api.py) ---------------------

licence_kpi_router = Router(tags=["licences"], auth=django_auth)


def _share_out(share: licence_kpis.Share) -> dict[str, Any]:
    return {"key": share.key, "label": share.label, "numerator": share.numerator,
            "denominator": share.denominator, "value": share.value, "target": share.target,
            "met": share.met}


def _item_out(impl: licence_kpis.ImplRef) -> dict[str, Any]:
    return {"code": impl.code, "item": impl.item, "department": impl.department,
            "url": reverse("catalog:guide", args=[impl.code])}


def _licence_kpis_out(report: selectors.LicenceKpiReport) -> dict[str, Any]:
    period, electronic, materials, uses = (report.period, report.electronic, report.materials,
                                           report.uses)
    return {
        "period": {"start": period.start_text, "end": period.end_text, "label": period.label},
        "electronic_results": _share_out(electronic.share),
        "electronic_items": _share_out(electronic.items),
        "electronic_by_item": [
            {**_item_out(r.implementation), "names_licence_type": r.names_licence_type,
             "granted": r.granted, "electronic": r.electronic, "value": r.share,
             "missed": r.missed} for r in electronic.rows],
        "materials_replaced": {"total": materials.total, "replaced": materials.share.numerator,
                               "by_licence": materials.by_licence,
                               "by_shared_data": materials.by_shared_data,
                               "value": materials.share.value},
        "materials_by_item": [
            {**_item_out(r.implementation), "total": r.total, "replaced": r.replaced,
             "by_licence": r.by_licence, "by_shared_data": r.by_shared_data, "value": r.share}
            for r in materials.rows],
        "uses": {"total": uses.total, "licences": uses.licences, "shared_data": uses.shared_data,
                 "by_kind": [{"kind": kind, "label": selectors.USE_KIND_LABELS.get(kind, kind),
                              "count": n} for kind, n in zip(uses.kinds, uses.totals,
                                                             strict=True)]},
        "uses_by_month": [
            {"month": m.month.strftime("%Y-%m"), "total": m.total, "licences": m.licences,
             "shared_data": m.shared_data,
             "by_kind": dict(zip(uses.kinds, m.counts, strict=True))} for m in uses.months],
    }


@licence_kpi_router.get("/kpis", response=LicenceKpiOut)
def get_licence_kpis(request: HttpRequest, query: Query[LicenceKpiQuery]) -> dict[str, Any]:
    """电子证照指标 (issue 11 item 10; docs/licences.md, KPIs): results issued electronically
    (target ≥ 50%) with the items that miss it, materials replaced by licences or shared data
    per item and overall, and the data-use log per month and kind. For 电子监察 and catalogue
    administrators; the period is whole months (YYYY-MM), at most 36."""
    if not selectors.may_view_licence_kpis(_user(request)):
        raise PermissionDenied(selectors.LICENCE_KPIS_REFUSED)
    period = licence_kpis.period_parse(query.start, query.end, today=clock.today())
    return _licence_kpis_out(selectors.licence_kpi_report(period))

"""Case pages: applying online and at the window, the applicant's cases, the case page with
its timeline, notices and the moves the viewer may make, the public progress query and notice
verification, and the staff pages (综合窗口, 审批待办, 电子监察).

Every page reads through cases.selectors (scoped to the user: someone else's case is a 404)
and every action is a POST that calls cases.services; a DomainError is shown next to the form
that caused it, and a successful one is confirmed by a message on the next page (a status
region). Pages work without JavaScript; with htmx a move swaps the case section only.
ID numbers and phone numbers are masked for staff without cases.unmask_personal_data.

A 一件事 member case is served by its bundle: it is not in the 综合窗口 queue, its page offers
none of the moves only the bundle makes, and it links to the bundle and shows the part of the
one form its department receives (cases.parents).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlencode,
)
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts.levels import FILE, LevelRefusal, level_refusal
from zhengwu.accounts.mandates import filing_basis, on_behalf_choice
from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.selectors import IdentityRefusal, identity_missing
from zhengwu.cases import answers as item_answers
from zhengwu.cases import (
    deadlines,
    drafts,
    item_form,
    material_licences,
    notices,
    parents,
    proxy_filing,
    selectors,
    services,
    steps,
    workflow,
)
from zhengwu.cases.access import (
    files_as_proxy,
    may_unmask,
    reviewer_departments,
    roles_on,
    serves_window,
)
from zhengwu.cases.caseclock import yellow_threshold
from zhengwu.cases.formdef import COMMON_FIELDS
from zhengwu.cases.forms import (
    ApplyForm,
    FilingSearchForm,
    MoveForm,
    ProgressForm,
    SupplementUploadForm,
    supplement_choices,
    supplement_items_from,
)
from zhengwu.cases.models import (
    ApplicationDraft,
    Card,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    Channel,
    DeliveryMethod,
    FailureKind,
    NoticeKind,
    ProcedureKind,
    Supplement,
)
from zhengwu.cases.progress import progress_query
from zhengwu.catalog.application_form import FormDefinition
from zhengwu.catalog.models import ItemImplementation, OnlineDepth
from zhengwu.catalog.selectors import implementation_get
from zhengwu.core import charts, clock, numbers, service_actions
from zhengwu.core.access_log import ACCESS_PAGE_SIZE, AccessGroup, access_group
from zhengwu.core.errors import DomainError, NotAllowed
from zhengwu.core.http import client_ip, is_htmx, private_attachment
from zhengwu.core.masking import mask_citizen_id, mask_name, mask_phone
from zhengwu.process.timeline import TimelineRow, timeline_rows

PAGE_SIZE = 50
MONITORING_WEEKS = 12

ACTION_LABELS: dict[str, str] = {action: move.label for action, move in workflow.MOVES.items()}
ROLE_LABELS = {
    "applicant": "申请人", "applicant_person": "申请人", "applicant_enterprise": "申请人",
    "window_clerk": "综合窗口", "chief_representative": "首席代表", "reviewer": "审批部门",
    "proxy_agent": "帮代办员", "system": "系统",
}
# Where a move from a staff list returns to (a name, never a URL: no open redirect).
RETURN_TO = {"window": "cases:window", "todo": "cases:todo"}
# What the step a case under review stands at is for: passing it on, or deciding — shown first
# and unfolded on the case page (at 承办 a reviewer saw only 不予许可 there before).
DECISIONS = ("review_pass", "grant", "deny")


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require_staff(user: User) -> None:
    if not user.is_staff:
        raise PermissionDenied("此页面仅供工作人员使用。")


def _moved_message(case: Case, action: str) -> str:
    """What a successful move tells the person who made it, on the next page."""
    done = {"resume": "结束特别程序，恢复计时", "supplement": "提交补正材料"}.get(
        action, ACTION_LABELS[action])
    text = f"办件 {case.number}（{case.implementation.item.name}）已{done}"
    if action == "accept" and case.due_at is not None:
        due = case.due_at.astimezone(deadlines.SHANGHAI)
        text += f"，承诺办结期限 {due:%Y-%m-%d}" + ("（临时期限）" if case.due_provisional else "")
    return text + "。"


def _personal(case: Case, user: User, *, unmasked: bool = False) -> tuple[str, str]:
    """The applicant's ID number and phone as this viewer may see them: whole for the
    applicant, and for staff only after an audited unmask (services.case_unmask)."""
    if case.applicant_id == user.pk or unmasked:
        return case.applicant_id_number, case.applicant_phone
    return mask_citizen_id(case.applicant_id_number), mask_phone(case.applicant_phone)


def _published(code: str) -> ItemImplementation:
    try:
        return implementation_get(code=code)
    except ItemImplementation.DoesNotExist as error:
        raise Http404("事项不存在") from error


def _timeline(case: Case, *, with_staff: bool,
              events: list[CaseEvent] | None = None) -> list[TimelineRow]:
    return timeline_rows(selectors.case_timeline(case) if events is None else events,
                         label=lambda event: selectors.event_label(event.action, event.data),
                         status=_status_label, roles=ROLE_LABELS, with_staff=with_staff)


def _status_label(value: str) -> str:
    return str(CaseStatus(value).label) if value in CaseStatus.values else value


# --- applicant -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """在线申请: the application form of one published implementation, with the item's own
    form when it has one (cases.item_form) and a draft that resumes on any device
    (cases.drafts)."""
    user = _user(request)
    if user.kind == UserKind.STAFF:
        raise PermissionDenied("工作人员请使用“窗口代为申请”。")
    implementation = _published(code)
    online = implementation.online_depth >= OnlineDepth.RECEIVE
    on_behalf = on_behalf_choice(user, [implementation.item.basic_code],
                                 request.GET.get("as", ""))
    definition = item_answers.definition(implementation)
    keep_as = f"cases.apply:{implementation.code}"
    posted = request.method == "POST" and online
    discard = drafts.discard_asked(request.POST) if posted else None
    if discard is not None:
        if discard:
            drafts.draft_delete(owner=user, implementation=implementation)
            messages.success(request, "草稿已删除。")
        else:
            messages.error(request, drafts.DISCARD_UNCONFIRMED)
        return redirect(_apply_action(implementation, on_behalf.chosen))
    draft = None if posted else drafts.draft_get(owner=user, implementation=implementation)
    # Prefilled from whom the case is for: the enterprise (or principal) when filing for it.
    form = ApplyForm(request.POST if posted else None, request.FILES if posted else None,
                     implementation=implementation, applicant=on_behalf.chosen or user,
                     owner=user, keep_as=keep_as, definition=definition,
                     **_resumed(draft, definition, on_behalf.chosen or user))
    if posted and _page_step(request):
        return _draft_from_page(request, form, user=user, implementation=implementation,
                                principal=on_behalf.chosen)
    if posted:
        response = _submit(request, form, user=user, implementation=implementation,
                           channel=Channel.ONLINE, applicant=on_behalf.chosen)
        if response is not None:
            return response
    return render(request, "cases/apply.html", {
        "impl": implementation, "item": implementation.item, "form": form, "online": online,
        "window": False, "action": _apply_action(implementation, on_behalf.chosen),
        "on_behalf": on_behalf, "identity_notice": _identity_notice(user, on_behalf.chosen),
        "show_errors": posted, "draft": draft,
        "draft_keep": f"保存后 {drafts.KEEP_FOR.days} 天内有效",
        "draft_url": reverse("cases:apply_draft", args=[implementation.code]),
        "item_form_title": definition.title if definition else ""})


def _apply_action(implementation: ItemImplementation, principal: User | None) -> str:
    """The apply form's address; filing for a principal keeps `as` in it."""
    url = reverse("cases:apply", args=[implementation.code])
    return f"{url}?{urlencode({'as': principal.pk})}" if principal is not None else url


def _identity_notice(user: User, principal: User | None) -> LevelRefusal | IdentityRefusal | None:
    """Said before the form is filled, not after (the form and the service refuse it): the
    real-name level the filer lacks (with a link to verify), or the identity missing on the
    account filed for."""
    return level_refusal(user, FILE) or identity_missing(principal or user)


# --- the item's own form and drafts (issue 10 §3), apart from the rest of applying ---------


def _page_step(request: HttpRequest) -> str:
    """A post that only moves the page along (保存草稿, 增加一行, 更新下级选项), not a filing."""
    for name in ("save_draft", item_form.ADD_ROW, item_form.REFRESH):
        if request.POST.get(name) or request.GET.get(name):
            return name
    return ""


def _resumed(draft: ApplicationDraft | None, definition: FormDefinition | None,
             user: User) -> dict[str, Any]:
    """What an empty apply form starts from: the person's draft, else the item's form
    prefilled from the account (and its enterprise)."""
    if draft is not None:
        data = draft.data
        return {"initial": dict(data.get("common") or {}), "answers": data.get("answers") or {},
                "rows": data.get("rows") or {}, "kept": list(data.get("kept") or [])}
    if definition is not None:
        return {"answers": item_answers.prefilled(definition, user)}
    return {}


def _draft_state(request: HttpRequest, form: ApplyForm) -> dict[str, Any]:
    common = {field.key: request.POST.get(field.key, "")[:field.max_length]
              for field in COMMON_FIELDS}
    rows = dict(form.item_rows) if form.definition is not None else {}
    added = request.POST.get(item_form.ADD_ROW, "")
    if added in rows:
        rows[added] += 1
    return {"common": common, "answers": form.item_answers if form.definition else {},
            "rows": rows}


def _draft_from_page(request: HttpRequest, form: ApplyForm, *, user: User,
                     implementation: ItemImplementation,
                     principal: User | None = None) -> HttpResponse:
    """保存草稿 / 增加一行 / 更新下级选项 without JavaScript: the files chosen are kept, the
    draft saved, and the page shown again from it (at the group or region concerned)."""
    form.is_valid()  # reads and checks the files; the errors are not shown for a draft
    form.keep_uploads()
    state = _draft_state(request, form)
    drafts.draft_save(owner=user, implementation=implementation,
                      kept=[k.token for k in form.kept_files] + form.carried_tokens, **state)
    step = _page_step(request)
    if step == "save_draft":
        messages.success(request, f"草稿已保存。{drafts.KEEP_FOR.days} 天内在任何设备上登录本账号、"
                         "再次打开本页即可继续填写。")
    target = request.POST.get(step) or request.GET.get(step) or ""
    anchor = f"#{item_form.input_id(target)}-field" if step != "save_draft" and target else ""
    return redirect(_apply_action(implementation, principal) + anchor)


@login_required
@require_POST
def apply_draft(request: HttpRequest, code: str) -> HttpResponse:
    """The draft saved automatically (htmx, a moment after each change): the answers and the
    kept files' tokens, never the files themselves (保存草稿 uploads them)."""
    user = _user(request)
    if user.kind == UserKind.STAFF:
        raise PermissionDenied("工作人员请使用“窗口代为申请”。")
    implementation = _published(code)
    if drafts.filed_with(owner=user, idempotency_key=request.POST.get("idempotency_key", "")):
        return HttpResponse("申请已提交，无需保存草稿。", content_type="text/plain")
    form = ApplyForm(request.POST, None, implementation=implementation, applicant=user,
                     owner=user, keep_as=f"cases.apply:{implementation.code}",
                     definition=item_answers.definition(implementation))
    draft = drafts.draft_save(owner=user, implementation=implementation,
                              kept=request.POST.getlist("kept"),
                              **_draft_state(request, form))
    saved = draft.updated_at.astimezone(deadlines.SHANGHAI)
    return HttpResponse(f"草稿已自动保存（{saved:%H:%M}）。", content_type="text/plain")


def _filed_message(case: Case, *, channel: str, for_other: bool) -> str:
    """What the person who filed is told: the number and what happens next."""
    if channel == Channel.PROXY:
        return (f"申请已提交，办件编号 {case.number}。已经授权以“{case.applicant_name}”的名义代为申请，"
                f"由{case.department.name}审查受理；企业可在其“我的办件”中查看。")
    if for_other and channel != Channel.ONLINE:
        return f"申请已提交，办件编号 {case.number}。已为{case.applicant_name}代为提交，请按规定受理。"
    limit = "即办（受理后当场办结）" if case.promised_workdays == 0 else \
        f"受理后 {numbers.plain(case.promised_workdays)} 个工作日内办结"
    return (f"申请已提交，办件编号 {case.number}。接下来：{case.department.name}审查申请，"
            f"决定受理或不予受理（都会以短信和站内消息通知您）；承诺时限为{limit}。"
            "办理进度可在本页和“我的办件”中随时查看。"
            + (f"已以{case.applicant_name}的名义提交，对方也可在其“我的办件”中查看。"
               if for_other else ""))


def _submit(request: HttpRequest, form: ApplyForm, *, user: User,
            implementation: ItemImplementation, channel: str, applicant: User | None = None,
            accepting_region: str | None = None) -> HttpResponse | None:
    """Submit a valid application form; a refusal becomes a form error (None is returned),
    and the files that passed their check are kept for the next attempt (cases.staging).
    The case page it opens says that it was filed (a message, shown once)."""
    if not form.is_valid():
        form.keep_uploads()
        return None
    try:
        result = services.case_submit(
            implementation_id=implementation.pk, submitted_by=user, applicant=applicant,
            form_data=form.cleaned_form, materials=form.materials_in, channel=channel,
            accepting_region=accepting_region,
            idempotency_key=form.cleaned_data.get("idempotency_key") or None,
            staged=form.staged_form,
            answers=form.item_answers if form.definition is not None else None)
    except item_answers.FormInvalid as error:
        form.item_errors = error.errors
        form.keep_uploads()
        return None
    except DomainError as error:
        form.add_error(None, error.message)
        form.keep_uploads()
        return None
    case = result.case
    messages.success(request, _filed_message(case, channel=channel,
                                             for_other=applicant is not None))
    return redirect(case)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的办件: the cases the user applied for or filed."""
    user = _user(request)
    page = Paginator(selectors.applicant_cases(user=user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "cases/mine.html", {"page": page, "drafts": drafts.drafts_for(user)})


def _detail_context(request: HttpRequest, case: Case, *, failed: str = "", error: str = "",
                    values: dict[str, Any] | None = None,
                    supplement_form: SupplementUploadForm | None = None,
                    unmasked: bool = False,
                    ex_officio_result: material_licences.ExOfficioResult | None = None,
                    ) -> dict[str, Any]:
    user = _user(request)
    id_number, phone = _personal(case, user, unmasked=unmasked)
    actions = selectors.case_actions(user=user, case=case)
    supplement = Supplement.objects.filter(case=case).first()
    if supplement_form is None and "supplement" in actions and supplement is not None:
        supplement_form = SupplementUploadForm(items=list(supplement.items))
    staff_view = user.is_staff
    reading = selectors.case_clock(case, clock.now())
    chain = steps.chain_of(case.implementation.approval_chain)
    events = list(selectors.case_timeline(case))
    materials = list(case.materials.all())
    states = selectors.reference_states(materials)  # a licence used: its status, its SM3
    for m in materials:
        if m.pk in states:
            setattr(m, "reference_state", states[m.pk])  # noqa: B010
    return {
        "case": case, "timeline": _timeline(case, with_staff=True, events=events),
        "notices": list(case.notices.all()), "materials": materials,
        # The item's own form as filed, every field (masked as the ID number and phone are).
        "item_form": _item_form_shown(case, materials, masked=not (
            case.applicant_id == user.pk or unmasked)),
        "id_number": id_number, "phone": phone, "actions": actions,
        "supplement": supplement, "supplement_form": supplement_form,
        "supplement_rows": supplement_choices(
            case, answered=values if failed == "ask_supplement" else None,
        ) if "ask_supplement" in actions else [],
        "procedures": list(case.procedures.all()),
        "extension": getattr(case, "extension", None) if case.accepted_at else None,
        "clock": reading,
        "chain": chain, "step": steps.current_step(chain, case.approval_step),
        "next_step": chain[case.approval_step + 1] if case.approval_step + 1 < len(chain) else "",
        # Only the steps a person did are marked done; a deemed approval is the platform's.
        "steps": steps.approval_steps(chain, events, running=case.status in (
            CaseStatus.ACCEPTED, CaseStatus.SUSPENDED), by_commitment=case.by_commitment),
        # The decision first, in view; the other moves after it.
        "decisions": [a for a in actions if a in DECISIONS],
        "other_actions": [a for a in actions if a not in DECISIONS],
        # A 一件事 member: its bundle and the part of the one form this department receives,
        # masked as the case's own personal data is (the page's read is logged as ever).
        "parent": parents.parent_of(case, masked=not (case.applicant_id == user.pk
                                                      or unmasked)),
        "procedure_kinds": ProcedureKind.choices, "delivery_methods": DeliveryMethod.choices,
        "failed": failed, "error": error, "values": values or {}, "staff_view": staff_view,
        "open": case.status in workflow.OPEN, "unmasked": unmasked,
        "can_unmask": case.applicant_id != user.pk and may_unmask(user, case),
        # 依职能核查: for staff with a role on the case, the targets the item's materials name.
        "ex_officio_targets": material_licences.ex_officio_targets(case.implementation)
        if user.kind == UserKind.STAFF and roles_on(user, case) - {workflow.Role.APPLICANT} else [],
        "ex_officio_result": ex_officio_result,
        # The applicant sees who opened the case, from which department, when and why
        # (quality.md #8): grouped by day and purpose, a page at a time.
        "accesses": _access_page(request, case) if case.applicant_id == user.pk else None,
        "access_total": case.accesses.count() if case.applicant_id == user.pk else 0,
        # 评价 and the like, offered by apps above cases to the applicant (core.service_actions).
        "service_actions": service_actions.actions_for("case", case.number, user)
        if case.applicant_id == user.pk else [],
    }


def _item_form_shown(case: Case, materials: list[CaseMaterial], *, masked: bool
                     ) -> tuple[str, list[item_answers.Row]] | None:
    """The title and rows of the item's own form as the case was filed under it, or None."""
    definition = item_answers.case_definition(case)
    if definition is None:
        return None
    links = {m.name: reverse("cases:material", args=[case.number, m.pk])
             for m in materials if m.file}
    return case.form_data.get("form_title") or definition.title, item_answers.display_rows(
        definition, case.form_data.get("answers") or {}, masked=masked,
        code_sets=item_answers.code_sets(case.implementation), links=links)


def _access_page(request: HttpRequest, case: Case) -> Page[AccessGroup]:
    rows = selectors.case_access_log(user=_user(request), number=case.number)
    page = Paginator(rows, ACCESS_PAGE_SIZE).get_page(request.GET.get("access_page"))
    page.object_list = [access_group(row) for row in page.object_list]
    return page


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    services.case_access_record(case=case, user=user, purpose="查看办件")
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_unmask(request: HttpRequest, number: str) -> HttpResponse:
    """Show the applicant's ID number and phone whole, to staff holding
    cases.unmask_personal_data, for a stated reason; each look is audited (quality.md #8)."""
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    reason = request.POST.get("reason", "")[:500]
    try:
        case = services.case_unmask(user=user, number=number, reason=reason)
    except DomainError as exc:
        context = _detail_context(request, case, failed="unmask", error=exc.message,
                                  values={"reason": reason})
    else:
        context = _detail_context(request, case, unmasked=True)
    response = render(request, "cases/detail.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def case_ex_officio(request: HttpRequest, number: str) -> HttpResponse:
    """依职能核查: staff with a role on the case check the applicant's licence (or fetch a
    shared data item) the item's materials name, without consent, on the legal basis they
    write down; shown here once, logged for the holder (cases.material_licences)."""
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    target, basis = request.POST.get("target", "")[:80], request.POST.get("basis", "")[:500]
    roles = sorted(r for r in roles_on(user, case) if r != workflow.Role.APPLICANT)
    status = 200
    try:
        if user.kind != UserKind.STAFF or not roles:
            raise NotAllowed("只有办件所属部门的工作人员可以依职能核查。",
                             code="case.ex_officio_forbidden")
        result = material_licences.ex_officio_lookup(
            case=case, actor=services.case_actor(user, case, roles[0]),
            staff=user, basis_text=basis, target=target)
    except DomainError as exc:
        # A refused check is shown next to its form (200); someone without a role on the
        # case is refused outright (403).
        status = 403 if isinstance(exc, NotAllowed) else 200
        context = _detail_context(request, case, failed="ex_officio", error=exc.message,
                                  values={"target": target, "basis": basis})
    else:
        context = _detail_context(request, case, ex_officio_result=result)
    response = render(request, "cases/detail.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _move_in(request: HttpRequest, case: Case, action: str
             ) -> tuple[services.MoveIn | None, str, SupplementUploadForm | None]:
    """The service input for a posted move, or the message to show next to its form."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return None, form.message(), None
    data = form.cleaned_data
    move = services.MoveIn(
        action=action, reason=data["reason"] or "", procedure_kind=data["procedure_kind"] or "",
        extra_workdays=data["extra_workdays"] or 0, approver=data["approver"] or "",
        delivery_method=data["delivery_method"] or "",
        tracking_number=data["tracking_number"] or "")
    if action == "withdraw" and not data["confirm"]:
        return None, "请勾选“我确认撤回本申请”。", None
    if action == "ask_supplement":
        items, errors = supplement_items_from(request.POST)
        if errors:
            return None, "；".join(errors), None
        move.supplement_items = items
    if action == "supplement":
        supplement = Supplement.objects.filter(case=case).first()
        upload = SupplementUploadForm(request.POST, request.FILES,
                                      items=list(supplement.items) if supplement else [],
                                      owner=_user(request),
                                      keep_as=f"cases.supplement:{case.number}")
        if not upload.is_valid():
            upload.keep_uploads()
            return None, "请按要求上传全部补正材料。", upload
        move.materials, move.staged = upload.materials_in, upload.staged_form
        return move, "", upload
    return move, "", None


@login_required
@require_POST
def case_move(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One move on a case (受理, 补正告知, 准予 …) from the case page or a staff list."""
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    if action not in selectors.PAGE_ACTIONS:
        raise Http404("未知的办件操作")
    move, error, upload = _move_in(request, case, action)
    if move is not None:
        try:
            case = services.case_transition(case_id=case.pk, user=user, move=move)
        except DomainError as exc:
            error = exc.message
            if upload is not None:  # the chosen files wait for the next attempt
                upload.keep_uploads()
        else:
            case = selectors.case_get(user=user, number=number)
            messages.success(request, _moved_message(case, action))
            if is_htmx(request):
                return render(request, "cases/_case.html", _detail_context(request, case))
            back = RETURN_TO.get(request.POST.get("next", ""))
            return redirect(reverse(back) if back else case.get_absolute_url())
    values = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    context = _detail_context(request, case, failed=action, error=error, values=values,
                              supplement_form=upload)
    template = "cases/_case.html" if is_htmx(request) else "cases/detail.html"
    return render(request, template, context)


@login_required
def notice_download(request: HttpRequest, number: str, notice_id: int) -> HttpResponse:
    """A notice as a PDF attachment, for whoever may see the case (rendered once, cached)."""
    user = _user(request)
    notice = selectors.notice_get(user=user, number=number, notice_id=notice_id)
    services.case_access_record(case=notice.case, user=user,
                                purpose=services.purpose_notice(notice))
    return private_attachment(notices.notice_pdf(notice), "application/pdf",
                              f"{NoticeKind(notice.kind).label}-{notice.case.number}.pdf")


@login_required
def material_download(request: HttpRequest, number: str, material_id: int) -> FileResponse:
    """An uploaded material, always as an attachment (uploads.py), for who may see the case."""
    user = _user(request)
    case = selectors.case_get(user=user, number=number)
    material = case.materials.get(pk=material_id)
    if not material.file:
        raise Http404("该材料没有文件")
    services.case_access_record(case=case, user=user,
                                purpose=services.purpose_material(material))
    response = FileResponse(material.file.open("rb"), as_attachment=True,
                            filename=material.original_name or f"material-{material.pk}",
                            content_type=material.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response


# --- public ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """办件进度查询 without login: the case number and the applicant's ID number must both
    match; the answer is the same for a wrong number and a wrong ID, and shows masked data
    and a timeline without staff names. Posted, so the ID number stays out of URLs and logs;
    limited together with the API (cases.progress, 429 with Retry-After)."""
    form = ProgressForm(request.POST if request.method == "POST" else None)
    case: Case | None = None
    error = ""
    retry_after = 0
    if request.method == "POST" and form.is_valid():
        number, id_number = form.cleaned_data["number"], form.cleaned_data["id_number"]
        # The ID number is not echoed back into the page.
        form = ProgressForm(initial={"number": number})
        lookup = progress_query(number=number, id_number=id_number, address=client_ip(request))
        case, retry_after = lookup.case, lookup.retry_after
        if retry_after:
            error = "查询次数过多，请稍后再试。"
        elif case is None:
            error = "未找到办件：请核对办件编号和证件号码。"
    context: dict[str, Any] = {"form": form, "case": case, "error": error}
    if case is not None:
        context.update({
            "name": mask_name(case.applicant_name),
            "id_number": mask_citizen_id(case.applicant_id_number),
            "timeline": _timeline(case, with_staff=False),
        })
    response = render(request, "cases/progress.html", context, status=429 if retry_after else 200)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def notice_verify(request: HttpRequest, code: str) -> HttpResponse:
    """文书核验: the notice behind a printed QR code, without any personal data."""
    if len(code) > 32 or not code.isalnum():
        raise Http404("文书不存在")
    notice = selectors.notice_by_code(code=code)
    # The signature over the stored bytes, not only the row (issue 11 item 9).
    return render(request, "cases/verify.html", {
        "notice": notice, "case": notice.case, "department": notice.case.department,
        "item": notice.case.implementation.item, "signature": notices.signature_of(notice)})


# --- window clerk ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    case: Case
    id_number: str
    phone: str
    actions: list[str]
    supplement_rows: list[dict[str, Any]]
    missing: list[str]


@login_required
def window(request: HttpRequest) -> HttpResponse:
    """综合窗口: applications to accept, refuse or ask once for supplements, and decided
    cases to close and deliver (一窗受理、统一出件)."""
    user = _user(request)
    if not serves_window(user):
        raise PermissionDenied("仅综合窗口人员可以使用此页面。")
    part = request.GET.get("part", "")
    part = part if part in selectors.WINDOW_PARTS else ""
    page = Paginator(selectors.window_part(user=user, part=part), PAGE_SIZE).get_page(
        request.GET.get("page"))
    services.case_accesses_record(cases=page.object_list, user=user,
                                  purpose=services.PURPOSE_WINDOW)
    rows = []
    for case in page.object_list:
        id_number, phone = _personal(case, user)
        actions = selectors.case_actions(user=user, case=case)
        submitted = case.events.filter(action="submit").first()
        rows.append(QueueRow(
            case, id_number, phone, actions,
            supplement_choices(case) if "ask_supplement" in actions else [],
            list(submitted.data.get("missing") or []) if submitted else []))
    return render(request, "cases/window.html", {
        "page": page, "rows": rows, "delivery_methods": DeliveryMethod.choices, "part": part,
        "params": f"part={part}" if part else "",
        "parts": [(key, label) for key, (label, _) in selectors.WINDOW_PARTS.items()]})


@login_required
def window_filing(request: HttpRequest) -> HttpResponse:
    """窗口代为申请, step one: choose the item."""
    user = _user(request)
    region = selectors.window_region(user=user)
    if region is None:
        raise PermissionDenied("仅综合窗口人员可以代为申请。")
    form = FilingSearchForm(request.GET or None)
    found = selectors.implementations_for_filing(q=form.cleaned_data["q"] or "",
                                                 region=region) if form.is_valid() else []
    return render(request, "cases/window_filing.html", {"form": form, "found": found})


@login_required
@require_http_methods(["GET", "POST"])
def window_apply(request: HttpRequest, code: str) -> HttpResponse:
    """窗口代为申请: the clerk files for an applicant found by phone; the case belongs to the
    applicant's account, its channel is the window and it is accepted in the clerk's region.
    Missing materials are allowed here: the clerk may ask once for supplements."""
    user = _user(request)
    region = selectors.window_region(user=user)
    if region is None:
        raise PermissionDenied("仅综合窗口人员可以代为申请。")
    implementation = _published(code)
    definition = item_answers.definition(implementation)
    keep_as = drafts.window_form(implementation)
    url = reverse("cases:window_apply", args=[implementation.code])
    posted = request.method == "POST"
    discard = drafts.discard_asked(request.POST) if posted else None
    if discard is not None:
        if discard:
            drafts.form_draft_delete(owner=user, form=keep_as)
            messages.success(request, "草稿已删除。")
        else:
            messages.error(request, drafts.DISCARD_UNCONFIRMED)
        return redirect(url)
    # The clerk's own draft of this item, until the day ends (cases.drafts): never prefilled
    # from the clerk's account otherwise.
    draft = None if posted else drafts.form_draft_get(owner=user, form=keep_as)
    resumed = _resumed(draft, definition, user) if draft is not None else {}
    form = ApplyForm(request.POST if posted else None, request.FILES if posted else None,
                     implementation=implementation, window=True, owner=user,
                     keep_as=keep_as, definition=definition,
                     **{"rows": _added_row(request), **resumed})
    step = _page_step(request) if posted else ""
    if posted and step:
        form.is_valid()  # 增加一行 / 更新下级选项 / 保存草稿: the files are kept, no errors shown
        form.keep_uploads()
        _window_draft_save(request, form, user=user)
        if step == "save_draft":
            messages.success(request, "草稿已保存，仅您本人可见，当天 24:00 前再次打开本页即可继续填写。")
            return redirect(url)
    elif posted:
        if form.is_valid():  # form.applicant is known once valid
            response = _submit(request, form, user=user, implementation=implementation,
                               channel=Channel.WINDOW, applicant=form.applicant,
                               accepting_region=region)
            if response is not None:
                return response
        else:
            form.keep_uploads()
        _window_draft_save(request, form, user=user)  # refused: kept for the clerk today
    return render(request, "cases/apply.html", {
        "impl": implementation, "item": implementation.item, "form": form, "online": True,
        "window": True, "action": url, "show_errors": posted and not step,
        "draft": draft, "draft_keep": WINDOW_DRAFT_KEEP,
        "draft_url": reverse("cases:window_apply_draft", args=[implementation.code]),
        "item_form_title": definition.title if definition else ""})


# --- 帮代办 (issue 12 §4): a 代办员 files for an enterprise that authorized them ---------------


def _back(request: HttpRequest) -> str:
    """Where the 代办员 returns after filing (their 代办项目's page): a path on this site only,
    never another host (no open redirect)."""
    back = request.GET.get(proxy_filing.NEXT, "")
    return back if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}) else ""


@login_required
@require_http_methods(["GET", "POST"])
def proxy_apply(request: HttpRequest, code: str) -> HttpResponse:
    """帮代办申请: a 代办员 files one item for an enterprise (`?for=` its USCC), on the form an
    applicant gets, prefilled with the enterprise's name and code (not typed). The case
    belongs to the enterprise, its channel is 帮代办 and the 代办员 submitted it; whether
    they may is accounts.mandates.filing_basis's alone (the enterprise's confirmed, valid,
    in-scope authorization), said on the page before filling and refused on submission."""
    user = _user(request)
    if not files_as_proxy(user):
        raise PermissionDenied("仅帮代办员可以代企业申请。")
    enterprise = selectors.enterprise_by_uscc(uscc=request.GET.get(proxy_filing.FOR, ""))
    if enterprise is None:
        raise Http404("未找到该企业。")
    implementation = _published(code)
    definition = item_answers.definition(implementation)
    back = _back(request)
    url = proxy_filing.apply_url(implementation, enterprise, back)
    keep_as = drafts.proxy_form(implementation, enterprise)
    posted = request.method == "POST"
    discard = drafts.discard_asked(request.POST) if posted else None
    if discard is not None:
        if discard:
            drafts.form_draft_delete(owner=user, form=keep_as)
            messages.success(request, "草稿已删除。")
        else:
            messages.error(request, drafts.DISCARD_UNCONFIRMED)
        return redirect(url)
    draft = None if posted else drafts.form_draft_get(owner=user, form=keep_as)
    refusal = _proxy_refusal(user, enterprise, implementation)
    # Until the rule lets the 代办员 file, nothing of the enterprise's account is shown but
    # its name and code (no phone, no answers known of it, no licences).
    start = _resumed(draft, definition, enterprise) if draft is not None or refusal is None \
        else {"initial": {"phone": ""}}
    form = ApplyForm(request.POST if posted else None, request.FILES if posted else None,
                     implementation=implementation, applicant=enterprise, owner=user,
                     keep_as=keep_as, definition=definition, offer_licences=refusal is None,
                     **{"rows": _added_row(request), **start})
    step = _page_step(request) if posted else ""
    if posted and step:
        form.is_valid()  # 增加一行 / 更新下级选项 / 保存草稿: the files are kept, no errors shown
        form.keep_uploads()
        drafts.form_draft_save(owner=user, form=keep_as, data=_draft_state(request, form),
                               kept=[k.token for k in form.kept_files] + form.carried_tokens)
        if step == "save_draft":
            messages.success(request, f"草稿已保存，仅您本人可见，{drafts.KEEP_FOR.days} 天内"
                             "再次打开本页即可继续填写。")
            return redirect(url)
    elif posted:
        response = _submit(request, form, user=user, implementation=implementation,
                           channel=Channel.PROXY, applicant=enterprise)
        if response is not None:
            drafts.form_draft_delete(owner=user, form=keep_as)
            return redirect(back) if back else response
    return render(request, "cases/apply.html", {
        "impl": implementation, "item": implementation.item, "form": form, "online": True,
        "window": False, "proxy": enterprise, "back": back, "action": url,
        "identity_notice": None if posted else refusal,
        "show_errors": posted and not step, "draft": draft,
        "draft_keep": f"仅您本人可见，{drafts.KEEP_FOR.days} 天内有效", "draft_url": "",
        "item_form_title": definition.title if definition else ""})


def _proxy_refusal(user: User, enterprise: User,
                   implementation: ItemImplementation) -> NotAllowed | None:
    """What the filing rule would refuse, said before the form is filled (the one rule:
    accounts.mandates.filing_basis, as case_submit calls it for the 帮代办 channel)."""
    try:
        filing_basis(submitted_by=user, owner=enterprise, in_person=True,
                     item_codes=[implementation.item.basic_code])
    except NotAllowed as refusal:
        return refusal
    return None


# What the window form says of its drafts (cases.drafts.window_until).
WINDOW_DRAFT_KEEP = "草稿仅您本人可见，当天 24:00 前有效"


def _window_draft_save(request: HttpRequest, form: ApplyForm, *, user: User,
                       kept: list[str] | None = None) -> ApplicationDraft:
    """The clerk's draft of the walk-in's form: the applicant's account phone too."""
    state = _draft_state(request, form)
    state["common"]["account_phone"] = request.POST.get("account_phone", "")[:20]
    return drafts.form_draft_save(
        owner=user, form=form.keep_as, data=state,
        kept=kept if kept is not None
        else [k.token for k in form.kept_files] + form.carried_tokens)


@login_required
@require_POST
def window_apply_draft(request: HttpRequest, code: str) -> HttpResponse:
    """The window form saved a moment after each change (htmx) as the clerk's draft."""
    user = _user(request)
    if selectors.window_region(user=user) is None:
        raise PermissionDenied("仅综合窗口人员可以代为申请。")
    implementation = _published(code)
    if drafts.filed_with(owner=user, idempotency_key=request.POST.get("idempotency_key", "")):
        return HttpResponse("申请已提交，无需保存草稿。", content_type="text/plain")
    form = ApplyForm(request.POST, None, implementation=implementation, window=True,
                     owner=user, keep_as=drafts.window_form(implementation),
                     definition=item_answers.definition(implementation))
    draft = _window_draft_save(request, form, user=user, kept=request.POST.getlist("kept"))
    saved = draft.updated_at.astimezone(deadlines.SHANGHAI)
    return HttpResponse(f"草稿已自动保存（{saved:%H:%M}）。", content_type="text/plain")


def _added_row(request: HttpRequest) -> dict[str, int]:
    """增加一行 at the window (the page shown again, not from its draft): one row more than
    the group showed."""
    path = request.POST.get(item_form.ADD_ROW, "") if request.method == "POST" else ""
    if not path:
        return {}
    return {path: item_form.posted_row_count(request.POST, path) + 1}


# --- reviewer --------------------------------------------------------------------------------


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    """审批待办: the department's cases under review, the fewest working days left first,
    each with the step it is at and whose turn it is; 待我办理 (?mine=1) keeps those that
    wait for the signed-in person (selectors.may_act_now)."""
    user = _user(request)
    if not reviewer_departments(user):
        raise PermissionDenied("仅审批部门人员可以使用此页面。")
    mine = request.GET.get("mine") == "1"
    # 即将超期 / 已超期 from the workbench's counts: the cases under that card.
    card = selectors.monitoring_filter(request.GET.get("card"))
    truncated = False
    if mine:
        cases, truncated = selectors.reviewer_todo_mine(user=user, card=card)
    else:
        cases = selectors.reviewer_todo(user=user, card=card)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    services.case_accesses_record(cases=page.object_list, user=user,
                                  purpose=services.PURPOSE_TODO)
    rows = selectors.reviewer_todo_rows(cases=page, now=clock.now(), user=user)
    return render(request, "cases/todo.html", {
        "rows": rows, "page": page, "mine": mine, "truncated": truncated, "card": card,
        "scan": selectors.MINE_SCAN,
        "params": "&".join(p for p in ("mine=1" if mine else "",
                                         f"card={card}" if card else "") if p),
        "yellow_threshold": yellow_threshold()})


# --- supervisor ------------------------------------------------------------------------------


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


# The weekly trend's colours: red cards in the red of the cards, deemed approvals in a dark
# amber (the former #d4a72c kept 2.2:1 against the page; core.charts.check_colour).
RED_CARD_COLOUR, DEEMED_COLOUR = "#b3261e", "#9a6700"


def _failure_week_url(kind: str, week: dt.date, department: int | None) -> str:
    """办件查询 for one bar of the weekly trend (`selectors.failure_week`): the chart's bars
    and the table's figures link alike."""
    scope = f"&department={department}" if department else ""
    return f"{reverse('cases:staff_list')}?failure={kind}&week={week.isoformat()}{scope}"


def _weekly_rows(weekly: list[tuple[dt.date, int, int]], department: int | None,
                 ) -> list[tuple[dt.date, int, str, int, str]]:
    """The weekly table: each week's red cards and deemed approvals with their links."""
    return [(week, red, _failure_week_url(FailureKind.OVERDUE, week, department), deemed,
             _failure_week_url(FailureKind.DEEMED, week, department))
            for week, red, deemed in weekly]


def _weekly_chart(weekly: list[tuple[dt.date, int, int]], department: int | None) -> str:
    """The weekly trend: red cards and deemed approvals side by side (they do not add up),
    each bar a link to its cases (办件查询, `selectors.failure_week`)."""

    def links(kind: str) -> list[str]:
        return [_failure_week_url(kind, week, department) for week, _, _ in weekly]

    return charts.bar_chart(
        "每周红牌超时与超时默认准予", [week.isoformat() for week, _, _ in weekly], [
            charts.Series("红牌超时", [float(red) for _, red, _ in weekly], RED_CARD_COLOUR,
                          links=links(FailureKind.OVERDUE)),
            charts.Series("超时默认准予", [float(deemed) for _, _, deemed in weekly],
                          DEEMED_COLOUR, links=links(FailureKind.DEEMED))],
        unit="件", ticks=[week.strftime("%m-%d") for week, _, _ in weekly],
        category_name="周（起）", stacked=False)


@login_required
@permission_required("cases.view_all_cases", raise_exception=True)
def monitoring(request: HttpRequest) -> HttpResponse:
    """电子监察: open cases, yellow and red cards per department and item, the weekly trend of
    red cards and deemed approvals, the cases under warning (every alert unless narrowed to
    one colour) and the cases deemed approved."""
    user = _user(request)
    department = _int_param(request, "department")
    card = selectors.monitoring_filter(request.GET.get("card"))
    since = clock.today() - dt.timedelta(weeks=MONITORING_WEEKS)
    data = selectors.monitoring(since=since, department=department)
    flagged = selectors.monitoring_flagged(user=user, card=card, department=department)
    deemed = selectors.monitoring_deemed(user=user, since=since, department=department)
    services.case_accesses_record(cases=[*flagged, *deemed], user=user,
                                  purpose=services.PURPOSE_MONITORING)
    return render(request, "cases/monitoring.html", {
        "m": data, "department": department, "card": card,
        "flagged": selectors.clock_rows(cases=flagged, now=clock.now()),
        "deemed": deemed, "failures": data.failures, "by_person": data.by_person,
        "departments": selectors.departments_with_open_cases(), "since": since,
        "weekly": _weekly_rows(data.weekly, department),
        "any_weekly": any(r or d for _, r, d in data.weekly),
        "chart": _weekly_chart(data.weekly, department), "cards": selectors.MONITORING_FILTERS,
        "ranked": _monitoring_charts(data, department)})


# The charts rank the departments and items with most warnings first: the ten worst, each bar
# a link to the cases behind it; the tables keep every row.
RANKED_ROWS = 10


def _monitoring_charts(data: selectors.Monitoring, department: int | None) -> list[str]:
    cases = reverse("cases:staff_list")
    departments = [(str(r["department__name"]), int(str(r["red"])), r["department_id"])
                   for r in data.by_department]
    items = [(str(r["implementation__item__name"]), int(str(r["n"]))) for r in data.by_item]
    worst = sorted((d for d in departments if d[1]), key=lambda d: (-d[1], d[0]))[:RANKED_ROWS]
    scope = f"&department={department}" if department else ""
    return [
        charts.ranked_bars("红牌超时最多的部门", [
            charts.Bar(name, red, f"{cases}?department={pk}&card=red")
            for name, red, pk in worst], unit="件", category_name="部门"),
        charts.ranked_bars("预警最多的事项（黄牌和红牌）", [
            charts.Bar(name, n, f"{cases}?{urlencode({'q': name})}&card={selectors.WARNED}{scope}")
            for name, n in sorted(items, key=lambda i: (-i[1], i[0]))[:RANKED_ROWS]],
            unit="件", category_name="事项")]


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """办件查询 for staff: the cases the user may see, filtered (the monitoring links)."""
    user = _user(request)
    _require_staff(user)
    status = request.GET.get("status", "")
    card = request.GET.get("card", "")
    q = request.GET.get("q", "").strip()[:50]
    department = _int_param(request, "department")
    failed = selectors.failure_week(request.GET.get("failure"), request.GET.get("week"))
    cases = selectors.case_list(user=user, status=status if status in CaseStatus.values else None,
                                card=card if card in (Card.RED, Card.YELLOW, selectors.WARNED)
                                else None,
                                department=department, q=q or None, failed=failed)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    services.case_accesses_record(cases=page.object_list, user=user,
                                  purpose=services.PURPOSE_LIST)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "cases/list.html", {
        "page": page, "rows": selectors.clock_rows(cases=page, now=clock.now()), "status": status, "card": card, "q": q, "department": department,
        "failed": failed,
        # The filters a link named, in words; one it got wrong is said to be left out.
        "department_name": selectors.department_name(department) if department else None,
        "ignored_week": failed is None and bool(request.GET.get("failure") or
                                                request.GET.get("week")),
        "statuses": CaseStatus.choices, "params": params.urlencode()})

"""一件事 staff pages: the 一件事 window (综合窗口) of a region, departments' member cases,
supervisors' and catalogue admins' KPIs, and catalogue admins' definitions (drafts published
by a second administrator).

Reads go through bundles.selectors, scoped to the user ("not yours" and "absent" are the same
404); every action is a POST that calls bundles.services, and a DomainError is shown next to
the form that caused it, with what was typed kept. Pages work without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.bundles import selectors, services, workflow
from zhengwu.bundles.models import (
    Bundle,
    BundleCase,
    BundleCaseStatus,
    BundleDraft,
    BundleDraftState,
    BundleEvent,
    BundleMember,
    BundleVersion,
    MemberState,
    SupplementRequest,
)
from zhengwu.bundles.staff_forms import (
    BundleMoveForm,
    DefinitionForm,
    ReviewForm,
    blank_rows,
    posted_rows,
    supplement_rows_from,
)
from zhengwu.cases import deadlines
from zhengwu.cases.access import reviewer_departments, window_prefixes
from zhengwu.cases.models import DeliveryMethod
from zhengwu.core import charts
from zhengwu.core.errors import DomainError
from zhengwu.core.masking import mask_citizen_id, mask_name, mask_phone
from zhengwu.core.schemas import MAX_ID
from zhengwu.process import engine
from zhengwu.workdays.selectors import calendar_get

PAGE_SIZE = 50
S = BundleCaseStatus
WINDOW_TABS = [(S.SUBMITTED, "待受理"), (S.AWAITING_SUPPLEMENT, "待补正"),
               (S.SUPPLEMENTED, "已补正"), (S.IN_PROGRESS, "并联办理中"),
               (S.FINISHED, "已办结待送达")]
WINDOW_ACTIONS = ("accept", "ask_supplement", "refuse", "deliver")
# Short forms side by side; the supplement form (a table) on a row of its own.
MOVE_GROUPS = (("accept", "refuse", "deliver"), ("ask_supplement",))
DRAFT_ACTIONS = {"submit": "提交审核", "approve": "审核发布", "reject": "退回"}
DEFINITION_PREFIX = "一件事定义有误："
OPEN_DRAFT = (BundleDraftState.DRAFT, BundleDraftState.SUBMITTED)
NEW_DEFINITION: dict[str, Any] = {
    "name": "", "audience": "person", "theme": "", "hall_level": "city",
    "lead_department": "", "promised_workdays": "1", "promises": [], "questions": [],
    "members": [{"item": "", "department": "", "promised_workdays": None, "depends_on": [],
                 "when": {}, "position": 1}],
    "fields": [], "description": "", "source": "", "illustrative": False,
}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- the 一件事 window -------------------------------------------------------------------------


@dataclass(frozen=True)
class Failed:
    """A refused attempt, shown again next to its form with what was typed."""

    key: int  # the bundle case (window) or member case (departments)
    action: str
    error: str
    values: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class WindowRow:
    case: BundleCase
    id_number: str
    phone: str
    company: str
    members: list[BundleMember]
    requests: list[SupplementRequest]
    actions: list[str]
    groups: list[list[str]]
    rows: list[dict[str, Any]]
    deadline_label: str
    deadline: dt.datetime | None
    failed: str = ""
    error: str = ""
    values: dict[str, str] = field(default_factory=dict)


def _actions(user: User, bundle_case: BundleCase) -> list[str]:
    """The window's moves this person may make on this bundle case now: the process engine's
    one predicate, the same that bundles.services.bundle_move checks (ADR 0013)."""
    return engine.moves_open(workflow.BUNDLE_TABLE, bundle_case, user, actions=WINDOW_ACTIONS)


def _window_cases(user: User) -> Any:
    return selectors.window_queue(user).select_related("bundle__lead_department").prefetch_related(
        Prefetch("members", queryset=BundleMember.objects.select_related(
            "department", "case").order_by("position")),
        Prefetch("supplement_requests", queryset=SupplementRequest.objects.select_related(
            "department", "member", "requested_by").order_by("member__position")),
        Prefetch("events", queryset=BundleEvent.objects.filter(action="submit"),
                 to_attr="submit_events"))


def _window_row(user: User, bundle_case: BundleCase, failed: Failed | None,
                calendar: Any) -> WindowRow:
    members = list(bundle_case.members.all())
    actions = _actions(user, bundle_case)
    submitted = getattr(bundle_case, "submit_events", [])
    missing = list(submitted[0].data.get("missing") or []) if submitted else []
    mine = failed if failed is not None and failed.key == bundle_case.pk else None
    if mine is not None and mine.action == "ask_supplement":
        rows = mine.rows
    else:
        rows = blank_rows([{"material": m, "reason": "申请时未提交"} for m in missing])
    deadline: dt.datetime | None
    if bundle_case.status == S.SUBMITTED:
        label, deadline = "受理期限", deadlines.acceptance_by_law_due(calendar,
                                                                    bundle_case.submitted_at)
    else:
        label, deadline = "承诺办结期限", bundle_case.due_at
    return WindowRow(
        case=bundle_case, id_number=mask_citizen_id(bundle_case.applicant_id_number),
        phone=mask_phone(bundle_case.applicant_phone),
        company=str(bundle_case.form_data.get("company_name", "")), members=members,
        requests=list(bundle_case.supplement_requests.all()), actions=actions,
        groups=[g for g in ([a for a in group if a in actions] for group in MOVE_GROUPS) if g],
        rows=rows, deadline_label=label, deadline=deadline,
        failed=mine.action if mine else "", error=mine.error if mine else "",
        values=mine.values if mine else {})


def _require_window(user: User) -> None:
    if not window_prefixes(user):
        raise PermissionDenied("仅综合窗口人员可以使用此页面。")


def _window_page(request: HttpRequest, status: str, failed: Failed | None = None
                 ) -> HttpResponse:
    user = _user(request)
    counts = dict(selectors.window_queue(user).order_by().values_list("status").annotate(
        n=Count("id")))
    cases = _window_cases(user).filter(status=status)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    if failed is not None and failed.key not in {c.pk for c in items}:
        items.insert(0, _window_cases(user).get(pk=failed.key))
    services.bundle_accesses_record(bundle_cases=items, user=user,
                                    purpose=services.PURPOSE_WINDOW)
    calendar = calendar_get()
    return render(request, "bundles/staff_window.html", {
        "page": page, "rows": [_window_row(user, c, failed, calendar) for c in items],
        "status": status, "params": f"status={status}",
        "tabs": [(value, label, counts.get(value, 0)) for value, label in WINDOW_TABS],
        "tab_label": dict(WINDOW_TABS)[S(status)],
        "delivery_methods": DeliveryMethod.choices})


def _tab(value: str) -> str:
    return value if value in {v for v, _ in WINDOW_TABS} else S.SUBMITTED


@login_required
def window(request: HttpRequest) -> HttpResponse:
    """一件事综合窗口: bundle cases of the clerk's regions by status — accept, ask once for
    supplements (with every department's pre-review findings), refuse, deliver once."""
    _require_window(_user(request))
    return _window_page(request, _tab(request.GET.get("status", "")))


@login_required
@require_POST
def window_move(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One move of the window on a whole bundle case (受理, 一次性告知补正, 不予受理, 送达)."""
    user = _user(request)
    _require_window(user)
    if action not in WINDOW_ACTIONS:
        raise Http404("未知的一件事操作")
    bundle_case = selectors.window_queue(user).filter(number=number).prefetch_related(
        "members").first()
    if bundle_case is None:
        raise Http404("一件事办件不存在")
    before = bundle_case.status
    form = BundleMoveForm(request.POST)
    error = ""
    move: services.BundleMoveIn | None = None
    if not form.is_valid():
        error = form.message()
    else:
        data = form.cleaned_data
        move = services.BundleMoveIn(action=action, reason=data["reason"] or "",
                                     delivery_method=data["delivery_method"] or "",
                                     tracking_number=data["tracking_number"] or "")
        if action == "ask_supplement":
            items, errors = supplement_rows_from(request.POST, items={
                m.item_code: m.item_name for m in bundle_case.members.all()})
            if errors:
                error, move = "；".join(errors), None
            else:
                move.supplement_items = items
    if move is not None:
        try:
            moved = services.bundle_move(number=number, user=user, move=move)
        except BundleCase.DoesNotExist as exc:
            raise Http404("一件事办件不存在") from exc
        except DomainError as exc:
            error = exc.message
        else:
            label = workflow.MOVES[action].label
            messages.success(request, f"{moved.number}（{moved.bundle.name}）：已{label}，"
                                      f"当前状态“{moved.get_status_display()}”。")
            return redirect(f"{reverse('bundles:window')}?status={_tab(before)}")
    values = {k: str(v)[:2000] for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    failed = Failed(bundle_case.pk, action, error, values, posted_rows(request.POST))
    return _window_page(request, _tab(before), failed)


# --- departments ------------------------------------------------------------------------------


MEMBER_FILTERS = [("", "全部"), *MemberState.choices]


@dataclass
class MemberRow:
    member: BundleMember
    request: SupplementRequest | None
    may_request: bool
    rows: list[dict[str, Any]]
    error: str = ""


def _member_row(member: BundleMember, failed: Failed | None) -> MemberRow:
    found = [r for r in member.bundle_case.supplement_requests.all()
             if r.member_id == member.pk]
    existing = found[0] if found else None
    if failed is not None and failed.key == member.case_id:
        rows, error = failed.rows, failed.error
    else:
        rows = blank_rows(list(existing.items) if existing else [])
        error = ""
    return MemberRow(member, existing, member.bundle_case.status == S.SUBMITTED, rows, error)


def _department_page(request: HttpRequest, failed: Failed | None = None) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "")
    members = selectors.department_members(user).prefetch_related(
        "bundle_case__supplement_requests")
    if state in MemberState.values:
        members = members.filter(state=state)
    else:
        state = ""
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    if failed is not None and failed.key not in {m.case_id for m in items}:
        items.insert(0, selectors.department_members(user).prefetch_related(
            "bundle_case__supplement_requests").get(case_id=failed.key))
    services.bundle_accesses_record(bundle_cases=[m.bundle_case for m in items], user=user,
                                    purpose=services.PURPOSE_MEMBERS)
    return render(request, "bundles/staff_departments.html", {
        "page": page, "rows": [_member_row(m, failed) for m in items], "state": state,
        "filters": MEMBER_FILTERS, "params": f"state={state}" if state else ""})


def _require_reviewer(user: User) -> None:
    if not reviewer_departments(user):
        raise PermissionDenied("仅审批部门人员可以使用此页面。")


@login_required
def department_members(request: HttpRequest) -> HttpResponse:
    """一件事成员办件: the member cases of the reviewer's departments, each with its bundle;
    before the bundle is accepted, the department's pre-review supplement findings."""
    _require_reviewer(_user(request))
    return _department_page(request)


@login_required
@require_POST
def supplement_request(request: HttpRequest, case_id: int) -> HttpResponse:
    """A department's pre-review finding, gathered into the bundle's one supplement notice."""
    user = _user(request)
    _require_reviewer(user)
    # The URL takes any digits; beyond a row id it is as absent as any other (not a 500).
    member = selectors.department_members(user).filter(case_id=case_id).first() \
        if case_id <= MAX_ID else None
    if member is None:
        raise Http404("成员办件不存在")
    items, errors = supplement_rows_from(request.POST)
    error = "；".join(errors)
    if not errors:
        try:
            services.supplement_request(user=user, case_id=case_id, items=items)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"已将“{member.item_name}”的补正意见送一件事窗口"
                                      f"（{member.bundle_case.number}），由窗口一次性告知申请人。")
            return redirect(f"{reverse('bundles:department_members')}#m-{case_id}")
    return _department_page(request, Failed(case_id, "request", error, {},
                                            posted_rows(request.POST)))


# --- KPIs -------------------------------------------------------------------------------------


@login_required
def kpis(request: HttpRequest) -> HttpResponse:
    """一件事指标 [11][12]: overall and per bundle, with the plan's limits checked."""
    user = _user(request)
    if not selectors.may_view_kpis(user):
        raise PermissionDenied("仅电子监察和事项管理员可以查看一件事指标。")
    show_all = request.GET.get("all") == "1"
    rows = selectors.bundle_kpis(with_cases_or_limits=not show_all)
    return render(request, "bundles/staff_kpis.html", {
        "overall": selectors.overall_kpi(), "rows": rows, "show_all": show_all,
        "charts": _kpi_charts(rows)})


def _kpi_charts(rows: list[Any]) -> list[str]:
    """一件事指标 as charts, each bar a link to the bundle's cases behind it: the share finished
    within the promised time (the plan's aim: all of them), and the applications."""
    def cases_of(code: str, state: str) -> str:
        return f"{reverse('bundles:kpi_cases', args=[code])}?state={state}"

    finished = sorted((k for k in rows if k.finished), key=lambda k: (k.in_time_share, k.name))
    busiest = sorted((k for k in rows if k.submitted), key=lambda k: (-k.submitted, k.name))
    return [
        charts.ranked_bars("承诺时限内办结率（按一件事，低的在前）", [
            charts.Bar(k.name, float(k.in_time_share or 0), cases_of(k.code, "late"))
            for k in finished[:KPI_CHART_ROWS]], unit="%", top=100, target=100,
            category_name="一件事"),
        charts.ranked_bars("申请数（按一件事）", [
            charts.Bar(k.name, float(k.submitted), cases_of(k.code, ""))
            for k in busiest[:KPI_CHART_ROWS]], unit="件", category_name="一件事")]


KPI_CHART_ROWS = 10  # the charts show the ten lowest / busiest; the table below keeps all


@login_required
def kpi_cases(request: HttpRequest, code: str) -> HttpResponse:
    """The cases of one 一件事 behind its figures on the KPI page, by how they stand; the
    applicant's name masked, each read logged for the applicant to see."""
    user = _user(request)
    if not selectors.may_view_kpis(user):
        raise PermissionDenied("仅电子监察和事项管理员可以查看一件事指标。")
    bundle = get_object_or_404(selectors.published_bundles(), code=code)
    state = request.GET.get("state", "")
    state = state if state in selectors.KPI_CASE_STATES else ""
    page = Paginator(selectors.bundle_kpi_cases(bundle, state), PAGE_SIZE).get_page(
        request.GET.get("page"))
    services.bundle_accesses_record(bundle_cases=page.object_list, user=user,
                                    purpose=services.PURPOSE_LIST)
    return render(request, "bundles/staff_kpi_cases.html", {
        "bundle": bundle, "state": state, "states": selectors.KPI_CASE_STATES.items(),
        "state_label": selectors.KPI_CASE_STATES[state], "page": page,
        "rows": [(c, mask_name(c.applicant_name)) for c in page.object_list],
        "params": f"state={state}"})


# --- definitions ------------------------------------------------------------------------------


def _pretty(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "hunk", "add", "del", "same"
    old: int | None
    new: int | None
    text: str

    @property
    def shown(self) -> str:
        """The line with its indentation kept in HTML (non-breaking spaces)."""
        stripped = self.text.lstrip(" ")
        return "\u00a0" * (len(self.text) - len(stripped)) + stripped


def definition_diff(old: Any, new: Any) -> list[DiffLine]:
    """A line diff of two definitions as pretty-printed JSON, with 3 lines of context."""
    a, b = _pretty(old).splitlines(), _pretty(new).splitlines()
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(3):
        first_old, first_new = group[0][1] + 1, group[0][3] + 1
        lines.append(DiffLine("hunk", first_old, first_new, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", i + 1, j + 1, a[i]) for i, j in
                          zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            if tag in ("replace", "delete"):
                lines += [DiffLine("del", i + 1, None, a[i]) for i in range(i1, i2)]
            if tag in ("replace", "insert"):
                lines += [DiffLine("add", None, j + 1, b[j]) for j in range(j1, j2)]
    return lines


def _reasons(message: str) -> list[str]:
    """DefinitionInvalid lists its reasons separated by "；"."""
    text = message.removeprefix(DEFINITION_PREFIX)
    return [r.strip() for r in text.split("；") if r.strip()]


@login_required
@permission_required("catalog.edit_catalog", raise_exception=True)
def definitions(request: HttpRequest) -> HttpResponse:
    """一件事定义: every bundle, the open drafts and the recent reviews."""
    q = request.GET.get("q", "").strip()[:50]
    bundles = Bundle.objects.select_related("lead_department", "region").order_by("code")
    if q:
        bundles = bundles.filter(Q(code__icontains=q) | Q(name__icontains=q))
    page = Paginator(bundles, PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = BundleDraft.objects.select_related("author", "reviewer", "bundle")
    return render(request, "bundles/staff_definitions.html", {
        "page": page, "q": q, "params": f"q={q}" if q else "",
        "open_drafts": list(drafts.filter(state__in=OPEN_DRAFT).order_by("-updated_at")[:100]),
        "reviewed": list(drafts.exclude(state__in=OPEN_DRAFT).order_by("-updated_at")[:20])})


def _edit_context(request: HttpRequest, code: str | None, *, form: DefinitionForm | None = None,
                  problems: list[str] | None = None, review_error: str = "",
                  review_problems: list[str] | None = None, review_note: str = "",
                  ) -> dict[str, Any]:
    user = _user(request)
    bundle = Bundle.objects.filter(code=code).select_related(
        "lead_department", "region").first() if code else None
    drafts = BundleDraft.objects.filter(code=code).select_related("author", "reviewer") \
        if code else BundleDraft.objects.none()
    draft = drafts.filter(state__in=OPEN_DRAFT).first()
    last = drafts.order_by("-id").first()
    if code and bundle is None and last is None:
        raise Http404("一件事不存在")
    if form is None:
        shown = (draft.definition if draft else bundle.definition if bundle
                 else last.definition if last else NEW_DEFINITION)
        form = DefinitionForm(new=code is None, initial={"definition": _pretty(shown)})
    versions = list(BundleVersion.objects.filter(bundle=bundle).select_related("approved_by")
                    .order_by("-number")) if bundle else []
    compare: list[DiffLine] = []
    old, new = request.GET.get("old", ""), request.GET.get("new", "")
    by_number = {str(v.number): v for v in versions}
    if old in by_number and new in by_number:
        compare = definition_diff(by_number[old].definition, by_number[new].definition)
    return {
        "code": code, "bundle": bundle, "draft": draft, "last": last, "form": form,
        "problems": problems or [], "versions": versions, "old": old, "new": new,
        "compare": compare, "compared": old in by_number and new in by_number,
        "diff": definition_diff(bundle.definition, draft.definition)
        if bundle and draft else [],
        "editable": draft is None or draft.state == BundleDraftState.DRAFT,
        "can_review": draft is not None and draft.state == BundleDraftState.SUBMITTED
        and user.has_perm("catalog.publish_catalog") and draft.author_id != user.pk,
        "review_error": review_error, "review_problems": review_problems or [],
        "review_note": review_note,
    }


@login_required
@permission_required("catalog.edit_catalog", raise_exception=True)
@require_http_methods(["GET", "POST"])
def definition_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Edit a bundle's definition as JSON: saved as a draft (every problem listed), then
    submitted, then published by a second administrator."""
    if request.method != "POST":
        return render(request, "bundles/staff_definition_edit.html",
                      _edit_context(request, code))
    if code is not None and not (Bundle.objects.filter(code=code).exists()
                                 or BundleDraft.objects.filter(code=code).exists()):
        raise Http404("一件事不存在")
    form = DefinitionForm(request.POST, new=code is None)
    problems: list[str] = []
    if form.is_valid():
        target = code or form.cleaned_data["code"]
        if code is None and (Bundle.objects.filter(code=target).exists() or BundleDraft.objects
                             .filter(code=target, state__in=OPEN_DRAFT).exists()):
            form.add_error("code", "该编码的一件事已存在或已有草稿，请在列表中打开它修改。")
        else:
            actor = actor_for(_user(request))
            try:
                draft = services.bundle_draft_save(code=target, data=form.data_object,
                                                   actor=actor)
                if "submit" in request.POST:
                    services.bundle_draft_submit(draft_id=draft.pk, actor=actor)
            except services.DefinitionInvalid as exc:
                problems = _reasons(exc.message)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存并提交审核，待另一位事项管理员审核发布。"
                                 if "submit" in request.POST else "草稿已保存。")
                return redirect("bundles:definition_edit", code=target)
    return render(request, "bundles/staff_definition_edit.html",
                  _edit_context(request, code, form=form, problems=problems))


@login_required
@permission_required("catalog.edit_catalog", raise_exception=True)
@require_POST
def draft_move(request: HttpRequest, draft_id: int, action: str) -> HttpResponse:
    """提交审核, 审核发布 or 退回 a bundle draft (双人复核: never by its author)."""
    if action not in DRAFT_ACTIONS:
        raise Http404("未知的草稿操作")
    draft = get_object_or_404(BundleDraft, pk=draft_id)
    review = ReviewForm(request.POST)
    note = review.cleaned_data["note"] if review.is_valid() else ""
    actor = actor_for(_user(request))
    error, problems = "", []
    if not review.is_valid():
        error = "审核意见不能超过2000字。"
    else:
        try:
            if action == "submit":
                services.bundle_draft_submit(draft_id=draft.pk, actor=actor)
            else:
                services.bundle_draft_review(draft_id=draft.pk, actor=actor,
                                             approve=action == "approve", note=note)
        except services.DefinitionInvalid as exc:
            problems = _reasons(exc.message)
            error = "定义不能发布："
        except DomainError as exc:
            error = exc.message
        else:
            draft.refresh_from_db()
            messages.success(request, {
                "submit": "已提交审核，待另一位事项管理员审核发布。",
                "approve": f"已审核发布为第 {draft.published_version} 版。",
                "reject": "已退回修改。"}[action])
            return redirect("bundles:definition_edit", code=draft.code)
    return render(request, "bundles/staff_definition_edit.html", _edit_context(
        request, draft.code, review_error=error, review_problems=problems,
        review_note=request.POST.get("note", "")[:2000]))

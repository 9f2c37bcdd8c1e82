"""Joint review pages for staff, mounted at /staff/joint-reviews/ (config/urls.py): my sessions,
the schedule form of the lead department, the session page where each invited department
signs in and records its opinion, the combined result (联合审查意见), and the 缺席默认 records
for supervision.

Every page reads through jointreviews.selectors (scoped to the user: a session of other
departments is a 404) and every action is a POST that calls jointreviews.services; a
DomainError is shown next to the form that caused it. Pages work without JavaScript; with htmx
an action swaps the session section only.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.http import is_htmx
from zhengwu.core.schemas import MAX_ID
from zhengwu.departments.models import Department
from zhengwu.jointreviews import selectors, services
from zhengwu.jointreviews.access import is_supervisor, represented_departments
from zhengwu.jointreviews.forms import AnswerForm, NoteForm, ScheduleForm
from zhengwu.jointreviews.models import (
    JointReview,
    Opinion,
    ReviewKind,
    ReviewStatus,
)

PAGE_SIZE = 50
ROLE_LABELS = {"lead": "牵头部门", "participant": "受邀部门", "system": "系统"}


def _user(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_staff:
        raise PermissionDenied("此页面仅供工作人员使用。")
    return user


def _department_id(value: int) -> int:
    """A department in the URL: any digits match it, but beyond a row id it is as absent as
    any other department (404, never a database overflow)."""
    if value > MAX_ID:
        raise Http404("部门不存在")
    return value


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


# --- lists ----------------------------------------------------------------------------------


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """我的联合审查: the sessions of the user's departments, open ones by deadline first."""
    user = _user(request)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()[:50]
    reviews = selectors.review_list(
        user=user, status=status if status in ReviewStatus.values else None,
        kind=kind if kind in ReviewKind.values else None, q=q or None)
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "jointreviews/list.html", {
        "page": page, "status": status, "kind": kind, "q": q,
        "statuses": ReviewStatus.choices, "kinds": ReviewKind.choices,
        "params": params.urlencode(), "now": clock.now(),
        "can_schedule": bool(selectors.lead_choices(user=user)),
        "supervisor": is_supervisor(user)})


@login_required
@require_http_methods(["GET", "POST"])
def review_schedule(request: HttpRequest) -> HttpResponse:
    """安排联合审查: the lead department picks the departments, place, time and deadline."""
    user = _user(request)
    leads = selectors.lead_choices(user=user)
    if not leads:
        raise PermissionDenied("只有部门审批人员或首席代表可以安排联合审查。")
    form = ScheduleForm(request.POST if request.method == "POST" else None, leads=leads,
                        departments=selectors.department_choices(user=user),
                        initial={"lead_department": leads[0].pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        due_at = data["answer_due_at"]
        try:
            review = services.joint_review_schedule(user=user, data=services.ScheduleIn(
                kind=data["kind"], title=data["title"], description=data["description"],
                lead_department_id=data["lead_department"],
                required_department_ids=data["required_departments"],
                optional_department_ids=data["optional_departments"] or [],
                place=data["place"], starts_at=data["starts_at"], answer_due_at=due_at,
                answer_workdays=None if due_at else data["answer_workdays"],
                case_number=data["case_number"], bundle_number=data["bundle_number"]))
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(review)
    return render(request, "jointreviews/schedule.html", {"form": form})


# --- one session ----------------------------------------------------------------------------


def _context(request: HttpRequest, review: JointReview, *, failed: str = "", error: str = "",
             values: dict[str, Any] | None = None) -> dict[str, Any]:
    user = _user(request)
    participants = selectors.review_participants(review)
    now = clock.now()
    abilities = selectors.review_abilities(user=user, review=review,
                                           participants=participants, now=now)
    rows = [{"p": p, "state": selectors.participant_state(p, review),
             "mine": p.department_id in abilities.departments,
             # The engine's one predicate (selectors.review_abilities), as the services.
             "can_attend": "attend" in abilities.moves.get(p.department_id, ()),
             "can_answer": "answer" in abilities.moves.get(p.department_id, ()),
             "attend_key": f"attend-{p.department_id}", "answer_key": f"answer-{p.department_id}"}
            for p in participants]
    timeline = [{"e": e, "label": selectors.action_label(e.action),
                 "role": ROLE_LABELS.get(e.role, e.role)}
                for e in selectors.review_timeline(review)]
    return {
        "review": review, "rows": rows, "abilities": abilities, "timeline": timeline,
        "progress": selectors.review_progress(participants),
        "result": selectors.result_rows(participants), "now": now,
        "overdue": review.status == ReviewStatus.SCHEDULED and now > review.answer_due_at,
        "opinions": [(o.value, o.label) for o in (Opinion.AGREE, Opinion.CONDITIONAL,
                                                   Opinion.DISAGREE)],
        "failed": failed, "error": error, "values": values or {},
    }


def _after(request: HttpRequest, review_id: int) -> HttpResponse:
    """The answer to a successful action: the session section (htmx) or the page again."""
    review = selectors.review_get(user=_user(request), review_id=review_id)
    if is_htmx(request):
        return render(request, "jointreviews/_session.html", _context(request, review))
    return redirect(review)


def _refused(request: HttpRequest, review_id: int, failed: str, error: str) -> HttpResponse:
    review = selectors.review_get(user=_user(request), review_id=review_id)
    values = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    context = _context(request, review, failed=failed, error=error, values=values)
    template = "jointreviews/_session.html" if is_htmx(request) else "jointreviews/detail.html"
    return render(request, template, context)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(user=_user(request), review_id=pk)
    return render(request, "jointreviews/detail.html", _context(request, review))


@login_required
@require_POST
def review_attend(request: HttpRequest, pk: int, department_id: int) -> HttpResponse:
    user = _user(request)
    selectors.review_get(user=user, review_id=pk)  # someone else's session: 404
    department_id = _department_id(department_id)
    try:
        services.participant_attend(user=user, review_id=pk, department_id=department_id)
    except DomainError as error:
        return _refused(request, pk, f"attend-{department_id}", error.message)
    return _after(request, pk)


@login_required
@require_POST
def review_answer(request: HttpRequest, pk: int, department_id: int) -> HttpResponse:
    user = _user(request)
    selectors.review_get(user=user, review_id=pk)
    department_id = _department_id(department_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, f"answer-{department_id}", form.message())
    data = form.cleaned_data
    try:
        services.participant_answer(user=user, review_id=pk, department_id=department_id,
                                    opinion=data["opinion"], conditions=data["conditions"],
                                    reasons=data["reasons"], attended=form.attended_value())
    except DomainError as error:
        return _refused(request, pk, f"answer-{department_id}", error.message)
    return _after(request, pk)


@login_required
@require_POST
def review_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    selectors.review_get(user=user, review_id=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "close", "说明过长（最多5000字）。")
    try:
        services.joint_review_close(user=user, review_id=pk, note=form.cleaned_data["text"])
    except DomainError as error:
        return _refused(request, pk, "close", error.message)
    return _after(request, pk)


@login_required
@require_POST
def review_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    selectors.review_get(user=user, review_id=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "cancel", "取消理由过长（最多5000字）。")
    try:
        services.joint_review_cancel(user=user, review_id=pk, reason=form.cleaned_data["text"])
    except DomainError as error:
        return _refused(request, pk, "cancel", error.message)
    return _after(request, pk)


@login_required
def review_result(request: HttpRequest, pk: int) -> HttpResponse:
    """联合审查意见: the combined result with every department's opinion, printable."""
    review = selectors.review_get(user=_user(request), review_id=pk)
    participants = selectors.review_participants(review)
    return render(request, "jointreviews/result.html", {
        "review": review, "result": selectors.result_rows(participants),
        "progress": selectors.review_progress(participants)})


# --- supervision ----------------------------------------------------------------------------


@login_required
def absences(request: HttpRequest) -> HttpResponse:
    """缺席默认记录 (电子监察): per department, and every record with its session."""
    user = _user(request)
    supervisor = is_supervisor(user)
    if not supervisor and not represented_departments(user):
        raise PermissionDenied("仅电子监察人员和部门审批人员可以查看缺席默认记录。")
    department = _int_param(request, "department")
    rows = selectors.absence_list(user=user, department=department)
    counts = selectors.absence_counts(selectors.absence_list(user=user))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    chosen = Department.objects.filter(pk=department).first() if department else None
    return render(request, "jointreviews/absences.html", {
        "page": page, "counts": counts, "department": chosen, "supervisor": supervisor,
        "params": params.urlencode()})

"""好差评 pages, server-rendered in Chinese, working without JavaScript.

- 评价 (the person served, signed in) and the SMS link's page (no sign-in, token once);
- 我的评价 (one's ratings, the outcome of a 差评, the appeal);
- 差评整改 for staff (the department's 首席代表, 电子监察): the rating without the rater, the
  moves the engine offers, the logged contact read;
- 好差评指标 for 电子监察 (per department, item and staff member, with suspicious ratings);
- the public disclosure page (monthly figures, no personal data).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.http import client_ip
from zhengwu.evaluations import indicators, rules, selectors, services
from zhengwu.evaluations.events import KINDS
from zhengwu.evaluations.indicators import FLAG_LABELS
from zhengwu.evaluations.models import Channel, Complexity, InvalidKind, ServiceEvent
from zhengwu.evaluations.workflow import ACTION_LABELS, RECTIFICATION_TABLE, STAFF_ACTIONS
from zhengwu.process import engine


def _form_data(request: HttpRequest) -> services.RatingIn:
    try:
        level = int(request.POST.get("level", "0"))
    except ValueError:
        level = 0
    return services.RatingIn(kind="", key="", level=level,
                             reasons=request.POST.getlist("reasons"),
                             text=request.POST.get("text", ""))


def _rate_context(event: ServiceEvent, data: services.RatingIn | None) -> dict[str, Any]:
    return {"event": event, "kind_label": KINDS.get(event.kind, event.kind),
            "levels": rules.LEVELS.items(), "reasons": rules.reasons().items(),
            "reasons_source": rules.reasons_data().get("source", ""),
            "until": rules.rate_until(event.closed_at),
            "typed": data or services.RatingIn(kind="", key="", level=0)}


@login_required
def rate(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    user = cast(User, request.user)
    event = services.event_for_rater(kind=kind, key=key, user=user)  # others: 404
    if request.method != "POST":
        try:
            services.rateable_check(event, clock.now())
        except DomainError as problem:
            return render(request, "evaluations/token_done.html",
                          {"message": problem.message}, status=409)
    data = None
    error = ""
    if request.method == "POST":
        data = _form_data(request)
        data.kind, data.key = kind, key
        try:
            services.rating_submit(user=user, data=data, channel=Channel.WEB,
                                   address=client_ip(request) or None)
        except DomainError as problem:
            error = problem.message
        else:
            messages.success(request, "感谢您的评价。")
            return redirect("evaluations:mine")
    context = _rate_context(event, data) | {"error": error}
    return render(request, "evaluations/rate.html", context, status=422 if error else 200)


def rate_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The SMS link: no sign-in; the token is accepted once."""
    try:
        invitation = services.invitation_get(token)
    except DomainError as problem:
        return render(request, "evaluations/token_done.html", {"message": problem.message},
                      status=409)
    data = None
    error = ""
    if request.method == "POST":
        data = _form_data(request)
        try:
            services.rating_by_token(token=token, data=data, address=client_ip(request) or None)
        except DomainError as problem:
            error = problem.message
        else:
            return render(request, "evaluations/token_done.html",
                          {"message": "感谢您的评价。", "done": True})
    context = _rate_context(invitation.event, data) | {"error": error, "by_token": True}
    return render(request, "evaluations/rate.html", context, status=422 if error else 200)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    ratings = list(selectors.my_ratings(user))
    # The appeal form where the engine's predicate allows it (state, rater, time limit).
    appealable = {rating.rectification.pk for rating in ratings
                  if getattr(rating, "rectification", None) is not None
                  and engine.moves_open(RECTIFICATION_TABLE, rating.rectification, user,
                                        actions=("appeal",))}
    return render(request, "evaluations/mine.html", {
        "ratings": ratings, "appealable": appealable,
        "contact_reads": selectors.contact_reads_of(user),
        "pending": selectors.rateable_events(user),
        "levels": rules.LEVELS, "kinds": KINDS, "reasons": rules.reasons()})


@login_required
@require_POST
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    try:
        services.rectification_move(pk=pk, user=user, move=services.MoveIn(
            action="appeal", note=request.POST.get("note", "")))
    except DomainError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, "申诉已提交，将由复核人处理。")
    return redirect("evaluations:mine")


def _staff(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_staff:
        raise PermissionDenied("差评整改仅供工作人员使用。")
    return user


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    return render(request, "evaluations/staff_list.html", {
        "rows": selectors.worklist(user), "levels": rules.LEVELS, "now": clock.now()})


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    row = selectors.rectification_for(user, pk)
    contact = None
    failed, typed = "", {}
    if request.method == "POST":
        if request.POST.get("action") == "contact_read":
            try:
                contact = services.contact_read(pk=pk, user=user)
            except DomainError as problem:
                messages.error(request, problem.message)
        else:
            try:
                workdays = int(request.POST.get("workdays") or 0)
                level = int(request.POST.get("level") or 0)
            except ValueError:
                workdays = level = 0
            try:
                services.rectification_move(pk=pk, user=user, move=services.MoveIn(
                    action=request.POST.get("action", ""), note=request.POST.get("note", ""),
                    complexity=request.POST.get("complexity", ""),
                    invalid_kind=request.POST.get("invalid_kind", ""), workdays=workdays,
                    level=level))
            except DomainError as problem:
                messages.error(request, problem.message)
                # The form that failed keeps what was typed.
                failed, typed = request.POST.get("action", ""), request.POST.dict()
            else:
                messages.success(request, "已办理。")
                return redirect("evaluations:staff_detail", pk=pk)
            row = selectors.rectification_for(user, pk)
    moves = engine.moves_open(RECTIFICATION_TABLE, row, user, actions=STAFF_ACTIONS)
    can_contact = services.contact_refusal(user, row) is None
    return render(request, "evaluations/staff_detail.html", {
        "row": row, "rating": row.rating, "levels": rules.LEVELS, "reasons": rules.reasons(),
        "moves": [(action, RECTIFICATION_TABLE.moves[action].label) for action in moves],
        "can_contact": can_contact, "failed": failed, "typed": typed,
        "events": [(event, ACTION_LABELS.get(event.action, event.action))
                   for event in row.events.all()], "contact": contact,
        "complexities": Complexity.choices, "invalid_kinds": InvalidKind.choices,
        "kind_label": KINDS.get(row.rating.event.kind, ""),
        "reason_labels": [rules.reasons().get(code, code) for code in row.rating.reasons],
        "callback_label": rules.LEVELS.get(row.callback_level or 0, "")})


def _supervisor(user: User) -> bool:
    return RoleAssignment.objects.filter(user=user, role=AccountRole.SUPERVISOR).exists()


@login_required
def staff_indicators(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not _supervisor(user):
        raise PermissionDenied("好差评指标由电子监察查看。")
    month = request.GET.get("month") or f"{clock.today():%Y-%m}"
    try:
        start, end = selectors.month_bounds(month)
    except ValueError:
        month = f"{clock.today():%Y-%m}"
        start, end = selectors.month_bounds(month)
    rows = selectors.facts(start, end)
    return render(request, "evaluations/indicators.html", {
        "month": month, "overall": indicators.compute(rows),
        "groups": [("部门", indicators.grouped(rows, lambda f: f.department or "—")),
                   ("事项", indicators.grouped(rows, lambda f: f.item or "—")),
                   ("窗口", indicators.grouped(rows, lambda f: f.window or "（网上或未记录）")),
                   ("经办人", indicators.grouped(rows, lambda f: f.staff or "（未记录）"))],
        "flagged": [(rating, [FLAG_LABELS[f] for f in sorted(found)])
                    for rating, found in selectors.flagged(start, end)],
        "levels": rules.LEVELS})


def public(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluations/public.html", {"months": selectors.public_months()})

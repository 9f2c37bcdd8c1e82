"""The portal home, the elder-friendly switch, 我的空间, the staff workbench and the audit
browser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhengwu.accounts.models import User
from zhengwu.accounts.selectors import user_roles
from zhengwu.accounts.space import space_choose, space_owner, spaces_for
from zhengwu.catalog.models import Theme
from zhengwu.catalog.search_form import SearchForm
from zhengwu.core import clock, personal_space
from zhengwu.core.errors import NotAllowed
from zhengwu.core.models import AuditEvent
from zhengwu.portal import audit_labels
from zhengwu.portal import workbench as workbench_counts
from zhengwu.portal.audit_filters import AuditFilterForm
from zhengwu.workdays.selectors import missing_years


def home(request: HttpRequest) -> HttpResponse:
    themes = list(Theme.objects.all())
    return render(request, "portal/home.html", {
        "form": SearchForm(),
        "person_themes": [t for t in themes if t.audience == "person"],
        "enterprise_themes": [t for t in themes if t.audience == "enterprise"],
        "examples": ["开饭店", "营业执照", "yyzz", "生孩子", "社保卡", "退休"],
    })


def elder_mode(request: HttpRequest) -> HttpResponse:
    """适老化: large text and high contrast, remembered in a cookie, no JavaScript needed."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.GET.get("on") == "1":
        response.set_cookie("elder", "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie("elder")
    return response


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied("工作台仅供工作人员使用。")
    roles = user_roles(request.user)  # type: ignore[arg-type]
    figures = workbench_counts.tallies(request.user, clock.now())  # type: ignore[arg-type]
    return render(request, "portal/workbench.html", {
        "roles": roles, "role_names": {r.role for r in roles},
        "tally_groups": _grouped(figures),
        # Only those who can enter a schedule are asked to (issue 16): to everyone else the
        # banner was noise; their deadlines still say 临时期限 where a year is missing.
        "missing_years": missing_years(today=clock.today())
        if request.user.has_perm("workdays.add_scheduleyear") else [],
    })


def _grouped(figures: list[workbench_counts.Tally]) -> list[tuple[str, list[workbench_counts.Tally]]]:
    groups: dict[str, list[workbench_counts.Tally]] = {}
    for figure in figures:
        groups.setdefault(figure.group, []).append(figure)
    return list(groups.items())


@login_required
@permission_required("core.view_auditevent", raise_exception=True)
def audit_page(request: HttpRequest) -> HttpResponse:
    """审计日志 for supervisors: filtered by who, role, action, object and dates, 50 a page,
    each action, role and before → after in plain Chinese (portal.audit_labels)."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # the errors show next to their fields; valid filters still apply
    events = form.apply(AuditEvent.objects.order_by("-at", "-seq"))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [AuditRow(e, audit_labels.action_label(e.action), audit_labels.role_label(e.role),
                     audit_labels.object_type_label(e.object_type),
                     audit_labels.changes(e.object_type, e.before, e.after))
            for e in page.object_list]
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(request, "portal/audit.html", {
        "page": page, "rows": rows, "form": form,
        "extra": (kept.urlencode() + "&") if kept else ""})


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    action: str
    role: str
    object_type: str
    changes: list[audit_labels.Change]


# --- 我的空间 ---------------------------------------------------------------------------------

MY_PAGE_SIZE = 20


def _applicant(request: HttpRequest) -> User:
    """Whose space the page shows: the person's own, or an enterprise's they represent
    (accounts.space)."""
    return space_owner(request)


@login_required
def my_space(request: HttpRequest) -> HttpResponse:
    """我的空间: every registered section (core.personal_space) with its first rows, for the
    person or for an enterprise they represent (切换空间)."""
    owner = _applicant(request)
    user = request.user
    assert isinstance(user, User)
    shown = []
    for section in personal_space.sections():
        if section.personal and owner.pk != user.pk:
            continue
        data = section.provide(owner, personal_space.OVERVIEW_ROWS, 0)
        if data is not None:
            # The registered links (实名认证, …) act on the signed-in person's own account.
            shown.append({"s": section, "data": data,
                          "links": personal_space.links_for(section.key, owner)
                          if owner.pk == user.pk else []})
    return render(request, "portal/my_space.html", {
        "sections": shown, "owner": owner, "own": owner.pk == user.pk,
        "spaces": spaces_for(user)})


@login_required
@require_POST
def my_space_switch(request: HttpRequest) -> HttpResponse:
    """切换空间: open the space of an account the person speaks for (or their own again)."""
    try:
        owner = space_choose(request, request.POST.get("account", "")[:20])
    except NotAllowed as refused:
        raise PermissionDenied(refused.message) from None
    messages.success(request, f"已进入“{owner}”的空间。")
    return redirect("portal:my_space")


def _section_page(request: HttpRequest, key: str) -> tuple[Any, list[dict[str, Any]]]:
    """One page of a section's rows: the paginator's page and its rows."""
    user = _applicant(request)
    section = personal_space.section(key)
    assert section is not None
    number = request.GET.get("page")
    first = section.provide(user, 1, 0)
    count = first.count if first is not None else 0
    page = Paginator(range(count), MY_PAGE_SIZE).get_page(number)
    data = section.provide(user, MY_PAGE_SIZE, page.start_index() - 1 if count else 0)
    return page, data.items if data is not None else []


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """我的办件, 一件事 included: each 一件事 one row with its member cases under it."""
    page, rows = _section_page(request, "cases")
    return render(request, "portal/my_cases.html", {"page": page, "rows": rows})


@login_required
def my_accesses(request: HttpRequest) -> HttpResponse:
    """谁查看过我的办件: every staff read of the person's cases and 一件事, newest first."""
    page, rows = _section_page(request, "accesses")
    return render(request, "portal/my_accesses.html", {"page": page, "rows": rows})

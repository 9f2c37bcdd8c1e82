"""The portal home, the elder-friendly switch, the staff workbench and the audit browser."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from zhengwu.accounts.selectors import user_roles
from zhengwu.catalog.models import Theme
from zhengwu.catalog.search_form import SearchForm
from zhengwu.core import clock
from zhengwu.core.models import AuditEvent
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
    return render(request, "portal/workbench.html", {
        "roles": user_roles(request.user),  # type: ignore[arg-type]
        "missing_years": missing_years(today=clock.today()),
    })


@login_required
@permission_required("core.view_auditevent", raise_exception=True)
def audit_page(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.order_by("-at", "-seq")
    action = request.GET.get("action", "")[:80]
    if action:
        events = events.filter(action=action)
    obj = request.GET.get("object", "")[:80]
    if obj:
        events = events.filter(object_repr__contains=obj)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    actions = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return render(request, "portal/audit.html", {"page": page, "action": action, "object": obj,
                                                 "actions": sorted(set(actions))})

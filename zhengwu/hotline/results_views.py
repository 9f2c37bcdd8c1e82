"""The 12345 results pages (issue 13 §4): the staff 三率 page with its charts and hot topics,
the monthly ledger (台账) as xlsx, and the public statistics page (counts and 三率 only, no
personal data). The figures come from results_report, the same that the JSON API answers.

Who: 12345 operators, 电子监察 and system admins see every department; department staff see
their own departments (results_selectors.scope_for); anyone else is refused (403).
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.hotline import ledger, results, results_report, results_selectors
from zhengwu.hotline.results_report import BadMonth
from zhengwu.hotline.results_selectors import Scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request: HttpRequest) -> Scope:
    scope = results_selectors.scope_for(cast(User, request.user))
    if scope is None:
        raise PermissionDenied("12345 三率统计仅供 12345 话务员、电子监察、系统管理员和承办部门工作人员查看。")
    return scope


def _page(request: HttpRequest, template: str, scope: Scope) -> HttpResponse:
    today = clock.today()
    try:
        month = results_report.month_parse(request.GET.get("month"), today=today)
    except BadMonth as error:
        return render(request, template, {"error": str(error), "month": f"{today:%Y-%m}"},
                      status=400)
    found = results_report.report(scope, month=month, now=clock.now())
    return render(request, template, {"month": month, "report": found,
                                      "charts": found.charts()})


@require_GET
@login_required
def results_page(request: HttpRequest) -> HttpResponse:
    """三率 per department, category and month, with the trend's charts and hot topics."""
    return _page(request, "hotline/results/results.html", _scope(request))


@require_GET
@login_required
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    """The month's ledger (台账), one row per order accepted in it; no caller data."""
    scope = _scope(request)
    today = clock.today()
    try:
        month = results_report.month_parse(request.GET.get("month"), today=today)
    except BadMonth as error:
        return render(request, "hotline/results/results.html",
                      {"error": str(error), "month": f"{today:%Y-%m}"}, status=400)
    start, end = results.month_bounds(month)
    orders = results_selectors.ledger_orders(scope, start=start, end=end)
    body = ledger.to_xlsx(orders.iterator(), month=month, now=clock.now())
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="12345-ledger-{month}.xlsx"'
    return response


@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    """The public statistics: counts and 三率 per department and category (no one's data)."""
    return _page(request, "hotline/results/stats.html", Scope(None))

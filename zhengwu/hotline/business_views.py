"""/hotline/results/business/?week=YYYY-Www — the 营商环境 weekly report (business_report), for
the 营商环境 office's staff, 12345 operators, 电子监察 and system admins (others 403)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhengwu.core import clock
from zhengwu.hotline import business_report, business_selectors
from zhengwu.hotline.business_report import BadWeek

TEMPLATE = "hotline/business_report.html"


@require_GET
@login_required
def business_page(request: HttpRequest) -> HttpResponse:
    if not business_selectors.may_read(request.user):
        raise PermissionDenied("营商环境诉求周报仅供营商环境办公室、12345 话务员和电子监察查看。")
    now = clock.now()
    try:
        week = business_report.week_parse(request.GET.get("week"), now=now)
    except BadWeek as error:
        return render(request, TEMPLATE, {"error": str(error),
                                          "week": business_report.last_week(now)}, status=400)
    office = business_selectors.office()
    return render(request, TEMPLATE, {
        "week": week, "report": business_selectors.report(week, now=now),
        "office": office.name if office else ""})

"""Staff pages of cases that report on many cases rather than act on one: the
electronic-licence KPIs (issue 11 item 10; docs/licences.md, KPIs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengwu.accounts.models import User
from zhengwu.cases import licence_kpis, selectors
from zhengwu.cases.staff_forms import LicenceKpiPeriodForm
from zhengwu.core import clock


@login_required
def licence_kpis_page(request: HttpRequest) -> HttpResponse:
    """电子证照指标: results issued electronically with the items that miss the target,
    materials replaced per item, and the use log per month and kind, over a period of months
    (default the last twelve). The same figures as `GET /api/v1/licences/kpis`."""
    user = request.user
    assert isinstance(user, User)
    if not selectors.may_view_licence_kpis(user):
        raise PermissionDenied(selectors.LICENCE_KPIS_REFUSED)
    form = LicenceKpiPeriodForm(request.GET)
    period = form.cleaned_data["period"] if form.is_valid() else \
        licence_kpis.period_parse(None, None, today=clock.today())
    report = selectors.licence_kpi_report(period)
    uses = report.uses
    kind_labels = [selectors.USE_KIND_LABELS.get(kind, kind) for kind in uses.kinds]
    return render(request, "cases/licence_kpis.html", {
        "form": form, "r": report, "percent": licence_kpis.percent,
        "electronic": [(row, licence_kpis.percent(row.share)) for row in report.electronic.rows],
        "materials": [(row, licence_kpis.percent(row.share)) for row in report.materials.rows],
        "kind_labels": kind_labels,
        "months": [(m, list(zip(kind_labels, m.counts, strict=True))) for m in uses.months],
        "shares": {key: licence_kpis.percent(share.value) for key, share in (
            ("electronic", report.electronic.share), ("items", report.electronic.items),
            ("materials", report.materials.share))},
        "target": licence_kpis.percent(licence_kpis.TARGET_ELECTRONIC),
        "max_months": licence_kpis.MAX_MONTHS})

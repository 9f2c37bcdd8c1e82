"""录入放假安排: the page where an administrator enters a year's official holiday schedule
(国务院办公厅关于部分节假日安排的通知) — the workbench's banner about a missing year links here.

It goes through `workdays.services.schedule_year_enter`, as `zhengwu workdays import` does:
audited, refused whole on any bad line (each named), and the provisional deadlines of that
year recomputed once it commits. The Django admin shows the entered years read-only: an admin
form would have stored the days without the audit row and without the recomputation.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.forms import ErrorsDescribed, refuse
from zhengwu.workdays.models import ScheduleYear
from zhengwu.workdays.selectors import missing_years
from zhengwu.workdays.services import parse_schedule, schedule_year_enter

EXAMPLE = "2027-01-01,放假,元旦\n2027-02-06,放假,春节\n2027-02-14,上班,春节调休"


class ScheduleYearForm(ErrorsDescribed):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    document = forms.CharField(label="依据文件", max_length=200, help_text=(
        "国务院办公厅通知的名称和文号，如：国务院办公厅关于2027年部分节假日安排的通知"
        "（国办发明电〔2026〕X号）"))
    days = forms.CharField(label="放假和调休上班的日期", widget=forms.Textarea(attrs={"rows": 12}),
                           help_text="每行一天：日期,类型,节日（类型为“放假”或“上班”），"
                                     "周末照常休息的日子不必写。", max_length=20000)


@login_required
@permission_required("workdays.add_scheduleyear", raise_exception=True)
def schedule_year_page(request: HttpRequest) -> HttpResponse:
    missing = missing_years(today=clock.today())
    form = ScheduleYearForm(initial={"year": missing[0] if missing else clock.today().year + 1})
    if request.method == "POST":
        form = ScheduleYearForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rows = parse_schedule(data["days"])
                schedule_year_enter(year=data["year"], rows=rows, document=data["document"],
                                    actor=actor_for(request.user))  # type: ignore[arg-type]
            except DomainError as exc:
                field = {"workdays.document_required": "document",
                         "workdays.year_exists": "year"}.get(exc.code, "days")
                refuse(form, {field: exc.message})
            else:
                messages.success(request, f"已录入{data['year']}年放假安排（{len(rows)}天）；"
                                          "该年的临时期限将按官方安排重新计算。")
                return redirect(reverse("staff:schedule_year"))
    context: dict[str, Any] = {"form": form, "missing": missing, "example": EXAMPLE,
                               "entered": ScheduleYear.objects.order_by("-year")[:10]}
    return render(request, "portal/schedule_year.html", context)

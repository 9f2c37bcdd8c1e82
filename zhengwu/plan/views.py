"""督查督办 pages, mounted at /plan/ (config/urls.py, docs/plan.md): the public 营商环境
dashboard, a task's page (public: its status, targets and reports without names; its
departments' staff report progress there, 电子监察 comment), and a report's evidence file
(staff only)."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.upload_check import sniff
from zhengwu.departments.models import Department
from zhengwu.documents.pdf import render_pdf
from zhengwu.plan import dashboard as plan_dashboard
from zhengwu.plan import selectors, services
from zhengwu.plan.forms import CommentForm, ReportForm
from zhengwu.plan.models import ProgressReport, Task
from zhengwu.regions.models import Region


def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "plan/dashboard.html", plan_dashboard.dashboard())


def report_pdf(request: HttpRequest) -> HttpResponse:
    """The monthly report: the dashboard's figures, charts and statuses as a PDF with the
    Chinese font embedded (documents.pdf; rendered only when asked for)."""
    context = plan_dashboard.dashboard()
    month = f"{clock.today():%Y-%m}"
    # The home region's name (the portal's Site sits above this app).
    context.update(month=month, site_name=Region.objects.filter(home=True).values_list(
        "name", flat=True).first() or "")
    response = HttpResponse(render_pdf("plan/report_pdf.html", context),
                            content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''plan-report-{month}.pdf"
    return response


def _task(pk: int) -> Task:
    try:
        return selectors.task_get(pk)
    except Task.DoesNotExist:
        raise Http404("没有这项任务。") from None


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(pk)
    user = cast(User, request.user)
    reporters = selectors.reporting_departments(user, task)
    names = dict(Department.objects.filter(pk__in=reporters).values_list("pk", "short_name"))
    supervisor = user.is_authenticated and services.is_supervisor(user)
    report_form = ReportForm(departments=[(pk, names[pk]) for pk in reporters]) \
        if reporters else None
    comment_form = CommentForm() if supervisor else None
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "report" and report_form is not None:
                report_form = ReportForm(request.POST, request.FILES,
                                         departments=[(pk, names[pk]) for pk in reporters])
                if report_form.is_valid():
                    data = report_form.cleaned_data
                    upload = data.get("evidence")
                    services.report_submit(
                        task=task, user=user, month=data["month"], text=data["text"],
                        completed=data["completed"], department_id=data["department"],
                        evidence_name=upload.name if upload else "",
                        evidence=upload.read() if upload else None)
                    return redirect("plan:task", pk=task.pk)
            elif request.POST.get("form") == "comment" and comment_form is not None:
                comment_form = CommentForm(request.POST)
                if comment_form.is_valid():
                    services.comment_add(task=task, user=user,
                                         text=comment_form.cleaned_data["text"])
                    return redirect("plan:task", pk=task.pk)
            else:
                raise PermissionDenied("您不能在此报送进展或填写督办意见。")
        except DomainError as refused:
            form = report_form if request.POST.get("form") == "report" else comment_form
            if form is not None:
                form.add_error(None, refused.message)
        status = 422
    view = next(m for m in selectors.overview().measures if m.measure.pk == task.measure_id)
    return render(request, "plan/task.html", {
        "measure": view, "task_view": next(t for t in view.tasks if t.task.pk == task.pk),
        "reports": selectors.reports_of(task), "staff": user.is_authenticated and user.is_staff,
        "comments": task.comments.select_related("author") if user.is_authenticated
        and user.is_staff else [],
        "report_form": report_form, "comment_form": comment_form}, status=status)


def evidence(request: HttpRequest, pk: int) -> FileResponse:
    user = cast(User, request.user)
    if not user.is_authenticated or not user.is_staff:
        raise PermissionDenied("佐证材料仅供工作人员查看。")
    report = ProgressReport.objects.filter(pk=pk).exclude(evidence="").first()
    if report is None:
        raise Http404("没有这份佐证材料。")
    content = report.evidence.read()
    kind = sniff(content)
    return FileResponse(iter([content]), content_type=kind[0] if kind else
                        "application/octet-stream", as_attachment=True,
                        filename=report.evidence_name or report.evidence.name)

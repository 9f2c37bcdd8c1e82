"""政务新媒体 pages (measure 31): the public register at /openness/new-media/, and the owner
department's staff pages to register an account, record an inspection and change its status.

Staff rights are the openness officers' (workflow.officer_department_ids: a department's
reviewer and 首席代表); another department's staff are refused (403), not shown a 404, since
the register is public anyway.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.forms import refuse
from zhengwu.departments.models import Department
from zhengwu.openness import new_media
from zhengwu.openness.forms import AccountForm, InspectionForm, StatusForm
from zhengwu.openness.models import AccountStatus, NewMediaAccount, Platform
from zhengwu.openness.workflow import officer_department_ids


def _rows(accounts: list[NewMediaAccount]) -> list[tuple[NewMediaAccount, new_media.Flags]]:
    today = clock.today()
    return [(account, new_media.flags_of(account, today)) for account in accounts]


def public_list(request: HttpRequest) -> HttpResponse:
    """政务新媒体名录: every account by department, with its platform, status, last
    inspection and flags; closed accounts as 已关停 with the date."""
    platform = request.GET.get("platform", "")
    accounts = new_media.accounts_public()
    if platform in Platform.values:
        accounts = accounts.filter(platform=platform)
    else:
        platform = ""
    rows = _rows(list(accounts))
    groups: dict[int, tuple[Department, list[tuple[NewMediaAccount, new_media.Flags]]]] = {}
    for account, flags in rows:
        groups.setdefault(account.department_id, (account.department, []))[1].append(
            (account, flags))
    return render(request, "openness/media_list.html", {
        "groups": list(groups.values()), "platform": platform, "platforms": Platform.choices,
        "illustrative": any(a.illustrative for a, _ in rows), "stale_days": new_media.STALE_DAYS})


def _staff(request: HttpRequest) -> tuple[User, list[tuple[str, str]]]:
    user = cast(User, request.user)
    departments = [(str(d.pk), d.short_name) for d in Department.objects.filter(
        pk__in=officer_department_ids(user)).order_by("pk")] if user.is_staff else []
    if not departments:
        raise PermissionDenied("政务新媒体由主办单位的政务公开工作人员备案和检查。")
    return user, departments


def _int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """The department's accounts, overdue inspections first, and the form to register one."""
    user, departments = _staff(request)
    form = AccountForm(request.POST or None, departments=departments)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            account = new_media.account_register(data=new_media.AccountIn(
                platform=request.POST.get("platform", ""), name=request.POST.get("name", ""),
                handle=request.POST.get("handle", ""),
                department_id=_int(request.POST.get("department")),
                responsible=request.POST.get("responsible", ""),
                office_phone=request.POST.get("office_phone", ""),
                registered_on=form.cleaned_data.get("registered_on"),
                inspection_interval_days=form.cleaned_data.get("inspection_interval_days")),
                user=user)
        except new_media.MediaInvalid as problem:
            refuse(form, problem.fields)
            status = 422
        else:
            messages.success(request, f"已备案：{account.name}")
            return redirect("openness:media_staff")
    elif request.method == "POST":
        status = 422
    rows = _rows(list(new_media.accounts_of(user)))
    rows.sort(key=lambda row: (not row[1].inspection_overdue, row[0].status == "closed"))
    return render(request, "openness/media_staff.html", {
        "form": form, "rows": rows,
        "overdue": sum(1 for _, flags in rows if flags.inspection_overdue)}, status=status)


@login_required
def staff_account(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: its inspections, the form to record one, the form to change its status."""
    user, _departments = _staff(request)
    account = NewMediaAccount.objects.select_related("department").filter(pk=pk).first()
    if account is None:
        raise Http404("没有该账号。")
    if not new_media.may_manage(user, account):
        raise PermissionDenied("只能检查和管理本部门的政务新媒体账号。")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    inspection = InspectionForm(request.POST if action == "inspect" else None)
    change = StatusForm(request.POST if action == "status" else None)
    form = inspection if action == "inspect" else change if action == "status" else None
    status = 200
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "inspect":
                new_media.inspection_record(pk=pk, user=user, data=new_media.InspectionIn(
                    inspected_on=data.get("inspected_on"),
                    last_update_seen=data.get("last_update_seen"),
                    broken_links=data.get("broken_links") or 0,
                    broken_links_text=request.POST.get("broken_links_text", ""),
                    notes=request.POST.get("notes", "")))
            else:
                new_media.status_change(pk=pk, user=user, status=request.POST.get("status", ""),
                                        reason=request.POST.get("reason", ""),
                                        on=data.get("on"))
        except new_media.MediaInvalid as problem:
            refuse(form, problem.fields)
            status = 422
        else:
            messages.success(request, "已登记检查。" if action == "inspect" else "状态已更新。")
            return redirect("openness:media_account", pk=pk)
    elif form is not None:
        status = 422
    account.refresh_from_db()
    return render(request, "openness/media_account.html", {
        "account": account, "flags": new_media.flags_of(account, clock.today()),
        "inspections": account.inspections.select_related("inspector"),
        "inspection_form": inspection, "status_form": change,
        "moves": new_media.STATUS_MOVES[AccountStatus(account.status)]}, status=status)

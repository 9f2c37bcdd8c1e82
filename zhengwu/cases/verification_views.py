"""事后核查 pages for the back office (cases.verification): the worklist of the departments a
person answers for, one verification with the form that records its outcome, and the credit
list (失信记录) the false commitments wrote. Supervisors (cases.view_all_cases) read all of
them and record none. Every list logs which cases it showed (quality.md #11)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhengwu.accounts.models import User
from zhengwu.cases import services
from zhengwu.cases.access import (
    CASE_TABLE,
    SUPERVISE,
    case_queryset_for,
    reviewer_departments,
    visible_q,
)
from zhengwu.cases.models import CreditRecord, MaterialKind, Verification
from zhengwu.cases.verification import (
    VERIFICATION_TABLE,
    verification_record,
    verification_worklist,
    worklist_rows,
)
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.forms import TextField
from zhengwu.core.masking import mask_citizen_id, mask_name
from zhengwu.process import engine

PAGE_SIZE = 50
PURPOSE_WORKLIST = "查看事后核查清单"
PURPOSE_CREDIT = "查看失信记录"
FINDING_ERRORS = ("case.finding_required", "case.text_forbidden")
OUTCOMES = [("true", "承诺属实"), ("false", "承诺不实（撤销决定并记入失信记录）")]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="核查结论", choices=OUTCOMES, widget=forms.RadioSelect,
                                error_messages={"required": "请选择核查结论。"})
    finding = TextField(label="核查结果", max_length=2000,
                        widget=forms.Textarea(attrs={"rows": 4}),
                        error_messages={"required": "请填写核查结果：核查了什么、发现了什么。"})


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _reader(user: User) -> bool:
    return bool(reviewer_departments(user)) or user.has_perm(SUPERVISE)


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """事后核查清单: pending first, the earliest due first."""
    user = _user(request)
    if not _reader(user):
        raise PermissionDenied("仅审批部门人员和监察人员可以使用此页面。")
    page = Paginator(verification_worklist(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    services.case_accesses_record(cases=[v.case for v in page.object_list], user=user,
                                  purpose=PURPOSE_WORKLIST)
    return render(request, "cases/verifications.html", {
        "rows": worklist_rows(page.object_list, clock.now()), "page": page})


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """One 事后核查: the commitment case, and the form that records the outcome."""
    user = _user(request)
    case = case_queryset_for(user).filter(number=number).select_related(
        "implementation__item", "department").first()
    verification = Verification.objects.filter(case=case).first() if case else None
    if case is None or verification is None:
        raise Http404("没有这项事后核查。")
    form = OutcomeForm(request.POST or None)
    may_record = bool(engine.moves_open(VERIFICATION_TABLE, verification, user))
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied("只有承办部门可以登记核查结果。")
        if form.is_valid():
            try:
                truthful = form.cleaned_data["outcome"] == "true"
                verification_record(case_id=case.pk, user=user, truthful=truthful,
                                    finding=form.cleaned_data["finding"])
            except DomainError as error:
                # What was typed stays in the form; the message goes next to the finding
                # when it is about the finding.
                form.add_error("finding" if error.code in FINDING_ERRORS else None,
                               error.message)
            else:
                messages.success(request, "核查结果已登记：承诺属实。" if truthful else
                                 "已认定承诺不实：准予决定已撤销，申请人已记入失信记录。")
                return redirect("cases:verification", number=case.number)
    services.case_access_record(case=case, user=user, purpose=PURPOSE_WORKLIST)
    return render(request, "cases/verification.html", {
        "case": case, "v": verification, "form": form, "may_record": may_record,
        # What is to be verified: the materials the applicant replaced by a written commitment.
        "committed": list(case.materials.filter(kind=MaterialKind.COMMITMENT)
                          .values_list("name", flat=True)),
        "row": worklist_rows([verification], clock.now())[0],
        "id_number": mask_citizen_id(case.applicant_id_number),
        "revocable": "revoke" in engine.moves_open(CASE_TABLE, case, user)})


@login_required
def credit_records(request: HttpRequest) -> HttpResponse:
    """失信记录 of every source (事后核查, 双随机, 中介超市), newest first — the departments' own for
    their back office, all of them for supervisors."""
    user = _user(request)
    if not _reader(user):
        raise PermissionDenied("仅审批部门人员和监察人员可以使用此页面。")
    records = CreditRecord.objects.select_related(
        "case__implementation__item", "department").order_by("-recorded_at", "-pk")
    condition = visible_q(user, department="department_id")
    records = records.none() if condition is None else records.filter(condition)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    # A case-linked record is read through its case (logged); the others name enterprises.
    services.case_accesses_record(cases=[r.case for r in page.object_list if r.case is not None],
                                  user=user, purpose=PURPOSE_CREDIT)
    rows = [(r, mask_name(r.subject_name) if r.is_person else r.subject_name,
             mask_citizen_id(r.subject_id_number) if r.is_person else r.subject_id_number)
            for r in page.object_list]
    return render(request, "cases/credit_records.html", {"rows": rows, "page": page})

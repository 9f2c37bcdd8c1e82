"""信用 pages (cases.credit): a subject's own 失信记录 with 信用修复 (我的信用记录), the recording
department's decision on a repair, and an enterprise's public credit page (persons have none:
their records are shown only to themselves and to the staff who may read them)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhengwu.accounts.models import User, UserKind
from zhengwu.cases import credit, credit_grades
from zhengwu.cases.credit_grades import takes_away
from zhengwu.cases.models import RepairStatus
from zhengwu.core import clock
from zhengwu.core.codes import CodeError, validate_uscc
from zhengwu.core.errors import DomainError, FieldsInvalid
from zhengwu.core.forms import ErrorsDescribed, TextField, refuse
from zhengwu.process import engine


class RepairForm(ErrorsDescribed):
    correction = TextField(label="纠正失信行为的情况", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    pledged = forms.BooleanField(
        label="本人（本单位）承诺：已纠正失信行为，所述情况真实；如再有不实承诺，愿承担相应责任。",
        required=False)


class DecisionForm(ErrorsDescribed):
    reason = TextField(label="理由（不予修复时必填）", max_length=1000, required=False,
                       widget=forms.Textarea(attrs={"rows": 3}))


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的信用记录: the signed-in subject's 失信记录, their repairs, and the form to ask."""
    user = _user(request)
    if user.is_staff or not credit.subject_of(user):
        return render(request, "cases/credit_mine.html", {"no_subject": True}, status=403)
    forms_by_record: dict[int, RepairForm] = {}
    status = 200
    if request.method == "POST":
        record_id = int(request.POST.get("record") or 0)
        form = RepairForm(request.POST)
        if form.is_valid():
            try:
                row = credit.repair_submit(user=user, record_id=record_id,
                                           correction=form.cleaned_data["correction"],
                                           pledged=form.cleaned_data["pledged"])
            except FieldsInvalid as problem:
                refuse(form, problem.fields)
                status = 422
            except DomainError as problem:
                form.add_error(None, problem.message)
                status = problem.http_status if problem.http_status < 500 else 409
            else:
                messages.success(request, f"已提交信用修复申请 {row.number}，办理期限 "
                                          f"{row.due_on:%Y-%m-%d}。")
                return redirect("cases:credit_mine")
        else:
            status = 422
        forms_by_record[record_id] = form
    rows = []
    for record in credit.records_of(user):
        pending = any(r.status == RepairStatus.SUBMITTED for r in record.repairs.all())
        rows.append({"record": record, "repairs": list(record.repairs.all()),
                     "opens_on": credit.repair_opens_on(record),
                     "may_ask": record.repaired_at is None and not pending,
                     "form": forms_by_record.get(record.pk) or RepairForm()})
    return render(request, "cases/credit_mine.html", {
        "rows": rows, "today": clock.today(), **_grade(credit.subject_of(user)),
        # An enterprise's records are public (its page); a person's never are.
        "public_uscc": user.uscc if user.kind == UserKind.ENTERPRISE else ""}, status=status)


def _grade(code: str, *, public: bool = False) -> dict[str, object]:
    """The subject's grade and what it takes away (the one table, cases.credit_grades); on
    the public page, as the public may read it (credit_grades.public)."""
    of = credit.grade_of(code)
    if public:
        of = credit_grades.public(of)
    return {"grade": of, "takes_away": [c.label for c in sorted(takes_away(of))]}


@login_required
def repairs_staff(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.is_staff:
        raise PermissionDenied
    return render(request, "cases/credit_repairs.html",
                  {"repairs": credit.repairs_for_staff(user)})


@login_required
def repair_staff(request: HttpRequest, number: str) -> HttpResponse:
    """One repair as the recording department decides it."""
    user = _user(request)
    row = credit.repairs_for_staff(user).filter(number=number).first()
    if row is None:
        raise Http404("没有这个信用修复申请。")
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in credit.REPAIR_TABLE.moves:
            raise PermissionDenied
        if form.is_valid():
            try:
                credit.repair_decide(number=number, user=user, move=credit.RepairMoveIn(
                    action=action, reason=form.cleaned_data["reason"]))
            except FieldsInvalid as problem:
                refuse(form, problem.fields)
                status = 422
            except DomainError as problem:
                form.add_error(None, problem.message)
                status = problem.http_status if problem.http_status < 500 else 409
            else:
                messages.success(request, "已办理。")
                return redirect("cases:credit_repair", number=number)
        else:
            status = 422
    moves = [(a, credit.REPAIR_TABLE.moves[a].label)
             for a in engine.moves_open(credit.REPAIR_TABLE, row, user)]
    return render(request, "cases/credit_repair.html", {
        "row": row, "form": form, "moves": moves,
        "events": row.events.order_by("id")}, status=status)


def enterprise_public(request: HttpRequest, uscc: str) -> HttpResponse:
    """An enterprise's public credit page: its grade and what it takes away, its unrepaired
    失信记录 (type, basis, date, department, the public number — never the finding's text),
    each with its transparency-log entry to check."""
    try:
        code = validate_uscc(uscc)
    except CodeError:
        raise Http404("统一社会信用代码有误。") from None
    records = list(credit.public_records(code))
    return render(request, "cases/credit_public.html", {
        "uscc": code, "name": records[0].subject_name if records else "",
        "rows": [(r, r.ledger_index) for r in records], **_grade(code, public=True)})

"""惠企政策 pages (issue 14 §1), server-rendered in Chinese, working without JavaScript.

- the public policy library: documents with their 解读 and Q&A, and the benefits from them;
- 我能享受的政策 (an enterprise, or a person with a verified identity, signed in): every
  published benefit for its kind with its answer, each condition explained, the grants
  received without applying, and — for a person — who among staff was shown them;
- the department's benefit page: the rules in force, the enterprises eligible today with
  their reasons, 拟定 a 免申即享 list, the second member of staff confirms it (four-eyes),
  and each grant's payment recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhengwu.accounts.models import User, UserKind
from zhengwu.core.errors import DomainError, FieldsInvalid, InvalidInput
from zhengwu.core.forms import mark_errors, refuse
from zhengwu.departments.models import Department
from zhengwu.policies import fact_files as fact_files_mod
from zhengwu.policies import grants, person_reads, services
from zhengwu.policies import library as shelf
from zhengwu.policies.eligibility import FACT_SPECS, SUBJECT_LABELS
from zhengwu.policies.fact_files import fact_file_import
from zhengwu.policies.forms import (
    BenefitForm,
    DocumentForm,
    DocumentStatusForm,
    FactFileForm,
    InterpretationForm,
    PolicyFileForm,
    RuleForm,
)
from zhengwu.policies.kpis import application_share, benefit_figures
from zhengwu.policies.models import (
    COUNTED,
    Benefit,
    FactBatch,
    Grant,
    GrantList,
    PolicyDocument,
    PolicyFile,
    SubjectKind,
)
from zhengwu.policies.rules import OP_LABELS, conditions_text
from zhengwu.policies.selectors import bundles_offering, grants_received
from zhengwu.process import engine
from zhengwu.workdays.selectors import calendar_get


def library(request: HttpRequest) -> HttpResponse:
    documents = PolicyDocument.objects.prefetch_related("benefits").select_related("department")
    return render(request, "policies/library.html", {
        "documents": documents, "figures": benefit_figures(calendar_get()),
        "share": application_share()})


def document(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(PolicyDocument.objects.select_related("superseded_by"), pk=pk)
    user = cast(User, request.user)
    benefits = list(found.benefits.filter(published=True).select_related(
        "department", "implementation__item"))
    offering = bundles_offering({b.implementation.item.name for b in benefits
                                 if b.implementation is not None})
    return render(request, "policies/document.html", {
        "document": found,
        "interpretations": found.interpretations.prefetch_related("graphics"),
        "files": found.files.filter(interpretation__isnull=True),
        "supersedes": found.supersedes.all(),
        "may_edit": user.is_authenticated and shelf.may_edit(user, found),
        "benefits": [(b, offering.get(b.implementation.item.name, []) if b.implementation
                      else []) for b in benefits]})


def _subject_of(user: User) -> tuple[str, str] | None:
    """(number, kind) of the signed-in enterprise or verified person, or None (staff, or a
    person whose identity is not yet verified: nothing is known of them)."""
    if user.kind == UserKind.ENTERPRISE and user.uscc:
        return user.uscc, SubjectKind.ENTERPRISE
    if user.kind == UserKind.PERSON and user.citizen_id:
        return user.citizen_id, SubjectKind.PERSON
    return None


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    subject = _subject_of(user)
    if subject is None:
        # The page of an enterprise's or a person's own facts: 403 to others, as the API
        # answers them.
        return render(request, "policies/mine.html", {"not_subject": True}, status=403)
    code, kind = subject
    benefits = Benefit.objects.filter(published=True, subject_kind=kind)
    if request.GET.get("benefit"):
        # One benefit's answer (linked from its document's page); a benefit that is not for
        # the reader's kind (an enterprise's, asked by a person) is not theirs to read: 404.
        benefits = benefits.filter(code=request.GET["benefit"].strip().upper()[:40])
        if not benefits.exists():
            raise Http404("没有适用于您的这个政策事项。")
    answers = services.eligibilities(benefits=list(
        benefits.select_related("department", "document", "implementation__item")
        .prefetch_related("rules")), code=code, kind=kind)
    return render(request, "policies/mine.html", {
        "answers": answers, "grants": grants_received(code, kind), "person": kind == SubjectKind.PERSON,
        "reads": person_reads.reads_of(code) if kind == SubjectKind.PERSON else []})


UNMASK = "unmask"


def _staff_benefit(request: HttpRequest, code: str) -> Benefit:
    user = cast(User, request.user)
    benefit = services.benefits_managed(user).filter(code=code.upper()).first()
    if benefit is None:
        raise Http404("没有这个惠企政策事项。")
    return benefit


@login_required
def benefits_staff(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_staff:
        raise PermissionDenied
    mine = services.officer_department_ids(user)
    return render(request, "policies/staff_list.html", {
        "benefits": services.benefits_managed(user), "share": application_share(),
        "documents": PolicyDocument.objects.filter(department_id__in=mine).prefetch_related(
            "interpretations"),
        "may_publish": services.may_publish(user)})


@login_required
def benefit_staff(request: HttpRequest, code: str) -> HttpResponse:
    """A benefit as its department works it. A person's ID number is masked until an officer
    of the department asks for it whole (POST action `unmask`); every person shown is a
    logged read (person_reads)."""
    benefit = _staff_benefit(request, code)
    user = cast(User, request.user)
    unmasked = request.method == "POST" and request.POST.get("action") == UNMASK
    if request.method == "POST" and not (unmasked and person_reads.may_unmask(user, benefit)):
        raise PermissionDenied
    lists = []
    shown_codes: list[str] = []
    for row in benefit.grant_lists.select_related("prepared_by", "confirmed_by", "rule"):
        moves = [(action, GRANT_LABELS[action]) for action in
                 engine.moves_open(grants.GRANT_LIST_TABLE, row, user)]
        rows = list(row.grants.all())
        shown_codes += [grant.subject for grant in rows]
        lists.append({"row": row, "moves": moves, "grants": [
            (grant, person_reads.shown(benefit, grant.subject, unmasked=unmasked))
            for grant in rows]})
    answers = services.eligible_answers(benefit=benefit)
    person_reads.log(
        user=user, benefit=benefit, unmasked=unmasked,
        purpose=person_reads.UNMASK_PURPOSE if unmasked else person_reads.LIST_PURPOSE,
        codes=[a.subject.code for a in answers] + shown_codes)
    return render(request, "policies/staff_benefit.html", {
        "benefit": benefit, "rules": benefit.rules.all(),
        "answers": [(a, person_reads.shown(benefit, a.subject.code, unmasked=unmasked))
                    for a in answers],
        "lists": lists, "unmasked": unmasked,
        "may_unmask": person_reads.may_unmask(user, benefit) and not unmasked,
        "may_act": benefit.department_id in services.officer_department_ids(user)})


def _rule_in(data: dict[str, Any]) -> services.RuleIn:
    return services.RuleIn(lines=data["lines"], effective_from=data["effective_from"],
                           effective_to=data.get("effective_to"), amount=data.get("amount") or "",
                           max_fact_age_days=data.get("max_fact_age_days"))


def _refused(form: RuleForm, problem: DomainError) -> None:
    """The service's refusal on the field it concerns, one error per refused rule line."""
    field = form.FIELD_OF_CODE.get(problem.code)
    for line in problem.message.split("\n"):
        form.add_error(field if field in form.fields else None, line)
    mark_errors(form)


@login_required
def benefit_new(request: HttpRequest) -> HttpResponse:
    """A department publishes a benefit with its first rule version."""
    user = cast(User, request.user)
    if not services.may_publish(user):
        raise PermissionDenied
    form = BenefitForm(request.POST or None, department_ids=services.officer_department_ids(user))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                benefit = services.benefit_publish(user=user, data=services.BenefitIn(
                    code=data["code"], name=data["name"], kind=data["kind"], mode=data["mode"],
                    subject_kind=data["subject_kind"], document_id=data["document"].pk, description=data["description"],
                    implementation_id=data["implementation"].pk
                    if data.get("implementation") else None, rule=_rule_in(data)))
            except DomainError as problem:
                _refused(form, problem)
            else:
                messages.success(request, f"已发布“{benefit.name}”。")
                return redirect("policies:benefit_staff", code=benefit.code)
        else:
            mark_errors(form)
    return render(request, "policies/benefit_new.html", {"form": form, "facts": FACT_ROWS,
                                                         "ops": OP_ROWS},
                  status=422 if form.errors else 200)


@login_required
def rule_new(request: HttpRequest, code: str) -> HttpResponse:
    """A new dated version of a benefit's rules (the page starts from the latest)."""
    benefit = _staff_benefit(request, code)
    user = cast(User, request.user)
    if benefit.department_id not in services.officer_department_ids(user):
        raise PermissionDenied
    latest = benefit.rules.order_by("-version").first()
    form = RuleForm(request.POST or None, initial={
        "lines": conditions_text(latest.conditions) if latest else "",
        "amount": latest.amount if latest else ""})
    if request.method == "POST":
        if form.is_valid():
            try:
                rule = services.rule_version_add(user=user, benefit_id=benefit.pk,
                                                 rule=_rule_in(form.cleaned_data))
            except DomainError as problem:
                _refused(form, problem)
            else:
                messages.success(request, f"已添加第{rule.version}版享受条件。")
                return redirect("policies:benefit_staff", code=benefit.code)
        else:
            mark_errors(form)
    return render(request, "policies/rule_new.html", {"form": form, "benefit": benefit,
                                                      "facts": FACT_ROWS, "ops": OP_ROWS},
                  status=422 if form.errors else 200)


@login_required
def fact_files(request: HttpRequest) -> HttpResponse:
    """A department imports a data file of enterprise facts, whole or not at all; the files
    its departments imported before, newest first."""
    user = cast(User, request.user)
    mine = services.officer_department_ids(user)
    if not mine:
        raise PermissionDenied
    departments = Department.objects.filter(pk__in=mine).order_by("pk")
    form = FactFileForm(request.POST or None, request.FILES or None, departments=departments)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            department = form.cleaned_data["department"]
            try:
                batch = fact_file_import(
                    actor=services.officer_actor(user, department), user=user,
                    department=department, source=form.cleaned_data["source"],
                    file_name=upload.name, content=upload.read(fact_files_mod.MAX_BYTES + 1))
            except DomainError as problem:
                form.add_error("file" if problem.code.startswith("policies.file") else "source",
                               problem.message)
                mark_errors(form)
            else:
                messages.success(request, f"已导入“{batch.source}”：{batch.rows} "
                                          f"{COUNTED[batch.subject_kind]}的数据。")
                return redirect("policies:fact_files")
        else:
            mark_errors(form)
    batches = FactBatch.objects.filter(department_id__in=mine).select_related(
        "department", "imported_by")[:50]
    return render(request, "policies/fact_files.html", {
        "form": form, "batches": batches, "facts": FACT_ROWS},
        status=422 if form.errors else 200)


FACT_ROWS = [(key, spec.label, spec.unit,
              "、".join(SUBJECT_LABELS[s] for s in sorted(spec.subjects)))
             for key, spec in FACT_SPECS.items()]
OP_ROWS = list(OP_LABELS.items())
GRANT_LABELS = {name: move.label for name, move in grants.GRANT_LIST_TABLE.moves.items()}


def _done(request: HttpRequest, code: str, action: Any, said: Any) -> HttpResponse:
    """Do `action`; say `said(result)` or why it was refused, on the benefit's page."""
    try:
        result = action()
    except (DomainError, Benefit.DoesNotExist, GrantList.DoesNotExist,
            Grant.DoesNotExist) as error:
        messages.error(request, getattr(error, "message", None) or str(error))
    else:
        messages.success(request, said(result))
    return redirect("policies:benefit_staff", code=code)


@login_required
@require_POST
def grant_list_prepare(request: HttpRequest, code: str) -> HttpResponse:
    benefit = _staff_benefit(request, code)
    return _done(request, benefit.code, lambda: grants.grant_list_prepare(
        user=cast(User, request.user), benefit_id=benefit.pk),
        lambda row: f"已拟定名单 {row.number}（{row.grants.count()} "
                    f"{COUNTED[benefit.subject_kind]}），须由本部门其他工作人员复核确认。")


@login_required
@require_POST
def grant_list_move(request: HttpRequest, code: str, number: str) -> HttpResponse:
    benefit = _staff_benefit(request, code)
    action = request.POST.get("action", "")
    if action not in GRANT_LABELS:
        messages.error(request, "未知的操作。")
        return redirect("policies:benefit_staff", code=benefit.code)
    return _done(request, benefit.code, lambda: grants.grant_list_move(
        number=number, user=cast(User, request.user),
        move=grants.ListMoveIn(action=action, note=request.POST.get("note", ""))),
        lambda row: f"名单 {row.number} {row.get_status_display()}。" + (
            f"已通知名单上有账号的{benefit.get_subject_kind_display()}。" if action == "confirm"
            else ""))


@login_required
@require_POST
def grant_payment(request: HttpRequest, code: str, grant_id: int) -> HttpResponse:
    benefit = _staff_benefit(request, code)

    def pay() -> Grant:
        try:
            paid_on = dt.date.fromisoformat(request.POST.get("paid_on", ""))
        except ValueError:
            raise InvalidInput("拨付日期应写作 2026-12-01。", code="grant.payment_invalid") \
                from None
        return grants.grant_paid(user=cast(User, request.user), grant_id=grant_id,
                                 reference=request.POST.get("reference", ""), paid_on=paid_on)
    return _done(request, benefit.code, pay,
                 lambda grant: f"已登记{grant.subject_name}的拨付（凭证 {grant.payment_reference}）。")


# --- the policy library, kept by the departments (library.py) ------------------------------


def _library_refused(form: Any, problem: DomainError) -> None:
    """Each of the service's problems next to its field (FieldsInvalid), else on the form."""
    refuse(form, problem.fields if isinstance(problem, FieldsInvalid) else {"": problem.message})


@login_required
def document_new(request: HttpRequest) -> HttpResponse:
    """A department enters a 政策文件 (the same who-may-publish rule as a benefit)."""
    user = cast(User, request.user)
    if not services.may_publish(user):
        raise PermissionDenied
    form = DocumentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = shelf.document_create(user=user, data=shelf.DocumentIn(
                    title=data["title"], doc_number=data["doc_number"], issuer=data["issuer"],
                    issued_on=data["issued_on"], effective_on=data["effective_on"],
                    expires_on=data.get("expires_on"), full_text=data["full_text"]))
            except DomainError as problem:
                _library_refused(form, problem)
            else:
                messages.success(request, f"已登记《{created.title}》。")
                return redirect("policies:document", pk=created.pk)
        else:
            mark_errors(form)
    return render(request, "policies/document_new.html", {"form": form},
                  status=422 if form.errors else 200)


def _editable(request: HttpRequest, pk: int) -> PolicyDocument:
    found = get_object_or_404(PolicyDocument, pk=pk)
    if not shelf.may_edit(cast(User, request.user), found):
        raise PermissionDenied
    return found


@login_required
def file_new(request: HttpRequest, pk: int) -> HttpResponse:
    """上传附件 or a 图解 for one of the department's documents; a refused attempt keeps the
    chosen file (cases.staging) and everything typed."""
    found = _editable(request, pk)
    user = cast(User, request.user)
    form = PolicyFileForm(request.POST or None, request.FILES or None, document=found,
                          owner=user, keep_as=f"policies.file.{found.pk}")
    if request.method == "POST":
        form.is_valid()
        given = form.file_given("file", "文件")
        if given is None and "file" not in form.errors:
            form.add_error("file", "请选择要上传的文件。")
        if not form.errors and given is not None:
            target = form.cleaned_data.get("target") or ""
            try:
                shelf.file_add(user=user, document_id=found.pk, name=given[0], content=given[1],
                               description=form.cleaned_data.get("description") or "",
                               interpretation_id=int(target) if target.isdigit() else None,
                               staged=form.staged_form)
            except DomainError as problem:
                _library_refused(form, problem)
            else:
                messages.success(request, f"已上传：{given[0]}")
                return redirect("policies:document", pk=found.pk)
        mark_errors(form)
        form.keep_uploads()
    return render(request, "policies/file_new.html", {"form": form, "document": found},
                  status=422 if form.errors else 200)


def file_get(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    """A document's 附件 or 图解, public as the document is: images shown in the page, other
    files downloaded; served with the type their content has (core.upload_check)."""
    found = get_object_or_404(PolicyFile, pk=file_id, document_id=pk)
    response = FileResponse(found.file.open("rb"), as_attachment=not found.is_image,
                            filename=found.original_name, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def interpretation_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = _editable(request, pk)
    form = InterpretationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            pairs, problem = shelf.questions_parse(data.get("questions") or "")
            if problem:
                form.add_error("questions", problem)
                mark_errors(form)
            else:
                try:
                    shelf.interpretation_add(
                        user=cast(User, request.user), document_id=found.pk,
                        data=shelf.InterpretationIn(
                            title=data["title"], body=data["body"],
                            published_on=data["published_on"], questions=pairs))
                except DomainError as refused:
                    _library_refused(form, refused)
                else:
                    messages.success(request, "已发布解读。")
                    return redirect("policies:document", pk=found.pk)
        else:
            mark_errors(form)
    return render(request, "policies/interpretation_new.html", {"form": form, "document": found},
                  status=422 if form.errors else 200)


@login_required
def document_status(request: HttpRequest, pk: int) -> HttpResponse:
    """立改废: 失效 on a day, or 已修订 naming the successor."""
    found = _editable(request, pk)
    form = DocumentStatusForm(request.POST or None, document=found)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                shelf.document_status_change(
                    user=cast(User, request.user), document_id=found.pk,
                    data=shelf.StatusIn(status=data["status"], on=data.get("on"),
                                          successor_id=data["successor"].pk
                                          if data.get("successor") else None,
                                          reason=data.get("reason") or ""))
            except DomainError as problem:
                _library_refused(form, problem)
            else:
                found.refresh_from_db()
                messages.success(request, f"已登记为{found.get_status_display()}。")
                return redirect("policies:document", pk=found.pk)
        else:
            mark_errors(form)
    return render(request, "policies/document_status.html", {"form": form, "document": found},
                  status=422 if form.errors else 200)

"""一件事 public and applicant pages: the list of bundles, a bundle's guide with its QR code and
printable 一次性告知单, the guided application in three steps (情形引导 → 一张表单 → 提交材料并确认),
the applicant's bundle cases, and the one progress view of a bundle case with its supplement
upload, withdrawal, notices and timeline.

Every page reads through bundles.selectors (a bundle case someone may not see is a 404) and
every action is a POST that calls bundles.services; a DomainError is shown next to the form
that caused it. Pages work without JavaScript: the wizard carries its state in hidden fields,
one POST per step, and each step it shows after a POST is saved as the person's draft
(bundles.drafts: resumed at that step from any browser of the account; 保存草稿 saves without
moving, and with htmx a moment after each change). With htmx, answering a question swaps the question block and the summary
"将为您办理：…", and each step swaps the wizard only. ID numbers and phone numbers are masked for
staff, as on the case page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from zhengwu.accounts.levels import FILE, LevelRefusal, level_refusal
from zhengwu.accounts.mandates import OnBehalf, on_behalf_choice
from zhengwu.accounts.models import IdentityBasis, User, UserKind
from zhengwu.accounts.selectors import (
    IDENTITY_REFUSAL_FIELDS,
    IdentityRefusal,
    identity_missing,
)
from zhengwu.bundles import definition as d
from zhengwu.bundles import drafts as wizard_drafts
from zhengwu.bundles import (
    formdef,
    item_forms,
    material_offers,
    notices,
    selectors,
    services,
    workflow,
)
from zhengwu.bundles.forms import (
    FIELD_PREFIX,
    QUESTION_PREFIX,
    BundleForm,
    BundleSearchForm,
    MaterialsForm,
    QuestionsForm,
    SupplementForm,
    WithdrawForm,
    answers_from,
    values_from,
)
from zhengwu.bundles.models import (
    Bundle,
    BundleAudience,
    BundleCase,
    BundleCaseStatus,
    BundleMember,
    BundleNotice,
    BundleNoticeKind,
    BundleResult,
    HallLevel,
    MemberState,
)
from zhengwu.cases import credit, drafts, item_form
from zhengwu.cases.access import case_queryset_for
from zhengwu.cases.answers import FormInvalid, display_rows, prefilled
from zhengwu.cases.kept_uploads import KEPT_FIELD
from zhengwu.cases.models import (
    ApplicantKind,
    ApplicationDraft,
    CaseStatus,
    Decision,
    DeliveryMethod,
    MaterialKind,
)
from zhengwu.cases.selectors import case_timeline
from zhengwu.cases.uploads import MAX_FILES
from zhengwu.catalog.models import ItemImplementation, MaterialSource
from zhengwu.core import idempotency, service_actions
from zhengwu.core.access_log import ACCESS_PAGE_SIZE, AccessGroup, access_group
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import DomainError
from zhengwu.core.http import is_htmx, private_attachment
from zhengwu.core.masking import mask_citizen_id, mask_phone
from zhengwu.documents.qr import qr_data_uri, qr_svg
from zhengwu.process import engine
from zhengwu.process.timeline import timeline_rows
from zhengwu.regions.models import Region

PAGE_SIZE = 20
STEPS = ("情形引导", "填写一张表单", "提交材料并确认")
ACTION_LABELS: dict[str, str] = {**{action: move.label for action, move in workflow.MOVES.items()},
                 "submit": "提交申请", "department_supplement_request": "部门提出补正意见"}
ROLE_LABELS: dict[str, str] = {"applicant": "申请人", "applicant_person": "申请人",
               "applicant_enterprise": "申请人", "window_clerk": "综合窗口",
               "chief_representative": "首席代表", "reviewer": "审批部门",
               "proxy_agent": "帮代办员", "system": "系统"}
SOURCE_LABELS: dict[str, str] = {MaterialSource.E_LICENSE: "电子证照",
                                  MaterialSource.SHARED_DATA: "共享数据"}
# Answers the service refuses for a step the applicant has already passed: go back there.
# Where a refusal sends the applicant back to; an identity refusal is shown next to its field.
STEP_OF_ERROR = {"bundle.answers_invalid": 1, "bundle.form_invalid": 2,
                 FormInvalid.code: 2, services.FORM_REQUIRED: 2,
                 **dict.fromkeys(IDENTITY_REFUSAL_FIELDS, 2)}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _bundle(code: str) -> Bundle:
    try:
        return selectors.bundle_get(code)
    except Bundle.DoesNotExist as error:
        raise Http404("一件事不存在") from error


def _case(user: User, number: str) -> BundleCase:
    try:
        return selectors.bundle_case_detail(user, number)
    except BundleCase.DoesNotExist as error:
        raise Http404("一件事办件不存在") from error


def _workdays(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# --- the list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    bundle: Bundle
    members: int
    promise: Decimal


def bundle_list(request: HttpRequest) -> HttpResponse:
    """一件事一次办: every published bundle, searchable and filtered, each linking its guide."""
    themes = sorted(set(selectors.published_bundles().exclude(theme="").values_list(
        "theme", flat=True)))
    form = BundleSearchForm(request.GET or None, themes=themes)
    filters: dict[str, str] = {}
    if form.is_valid():
        filters = {k: form.cleaned_data[k] or "" for k in ("q", "audience", "hall_level",
                                                            "theme")}
    found = selectors.bundles_search(**filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [ListRow(b, len(b.definition.get("members") or []),
                    _workdays(b.definition.get("promised_workdays", 0)))
            for b in page.object_list]
    params = request.GET.copy()
    params.pop("page", None)
    template = "bundles/_results.html" if is_htmx(request) else "bundles/list.html"
    return render(request, template, {
        "form": form, "page": page, "rows": rows, "params": params.urlencode(),
        "filtered": any(filters.values())})


# --- the guide ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    item: str
    name: str
    department: str
    implementation: ItemImplementation | None
    promise: Decimal
    own_promise: Decimal | None
    depends_on: list[str]
    condition: str
    stage: int


@dataclass(frozen=True)
class MaterialRow:
    name: str
    departments: list[str]
    other_names: list[str]
    source: str


@dataclass(frozen=True)
class Fact:
    """One of the 八个一, as a fact of this bundle."""

    short: str
    title: str
    text: str


def condition_text(definition: d.Definition, condition: dict[str, str]) -> str:
    """"是否需要刻制印章：是" for {"need_seal": "yes"}."""
    parts = []
    for key, value in condition.items():
        question = definition.question(key)
        if question is None:
            parts.append(f"{key}：{value}")
            continue
        label = next((a.label for a in question.answers if a.value == value), value)
        parts.append(f"{question.text}：{label}")
    return "；".join(parts)


def hall_place(bundle: Bundle) -> str:
    """耒阳市政务服务大厅, or 耒阳市的乡镇（街道）便民服务中心."""
    if bundle.hall_level == HallLevel.CITY:
        return f"{bundle.region.name}政务服务大厅"
    return f"{bundle.region.name}的{HallLevel.TOWNSHIP.label}"


def _asked(guide: selectors.Guide) -> int:
    """How many fields the wizard's one form asks when every member applies: the bundle's own
    fields that stand for no fact of the members' forms, plus their union (each fact once)."""
    union = item_forms.union_of(i for _member, i in guide.members)
    own = formdef.form_fields(guide.definition, item_forms.meanings(union))
    return len(own) + (len(union.definition.fields) if union is not None else 0)


def _guide_context(bundle: Bundle, guide: selectors.Guide | None = None) -> dict[str, Any]:
    """What the guide page shows and its 一次性告知单 prints."""
    guide = guide or selectors.bundle_guide(bundle)
    definition = guide.definition
    names = {m.item: (i.item.name if i else m.item_name or m.item) for m, i in guide.members}
    departments = {m.item: (i.department.name if i else m.department or "（按办理地确定）")
                   for m, i in guide.members}
    stage_of = {m.item: n for n, stage in enumerate(guide.stages, start=1) for m in stage}
    members = [MemberRow(
        item=m.item, name=names[m.item], department=departments[m.item], implementation=i,
        promise=m.promise, own_promise=i.promised_limit_workdays if i else None,
        depends_on=[names.get(x, x) for x in m.depends_on if x in names],
        condition=condition_text(definition, m.when), stage=stage_of[m.item])
        for m, i in guide.members]
    needed = [MaterialRow(n.name, _unique(departments[c] for c in n.members),
                          _unique(v for v in n.names.values() if v != n.name),
                          "告知承诺替代" if n.source == d.COMMITMENT else "")
              for n in guide.materials.needed]
    fetched = [MaterialRow(n.name, _unique(departments[c] for c in n.members), [],
                           SOURCE_LABELS.get(n.source, "共享获取"))
               for n in guide.materials.fetched]
    steps = [("提交申请", "回答情形引导问题，填写一张表单，一次提交材料；综合窗口一窗受理")]
    for number, stage in enumerate(guide.stages, start=1):
        label = "并联办理" if len(stage) > 1 else "办理"
        what = "、".join(names[m.item] for m in stage)
        last = number == len(guide.stages)
        steps.append((f"第{number}阶段{label}", what + ("；全部办结后一次送达" if last else "")))
    promise = definition.promised_workdays
    department_count = len(set(departments.values()))
    url = notices.absolute(bundle.get_absolute_url())
    hall = HallLevel(bundle.hall_level).label
    place = hall_place(bundle)
    eight = [
        Fact("一门", "一个大厅", f"在{place}一个大厅办理全部 {len(members)} 个事项，"
             f"不用分别到 {department_count} 个部门。"),
        Fact("一次告知", "一次告知", f"一次性告知单列明全部事项、{guide.materials.after} 份材料和办理时限，"
             "可下载打印，扫码查看在线指南。"),
        Fact("一窗", "一个窗口", f"综合窗口（一件事窗口）一窗受理、统一出件；牵头部门："
             f"{bundle.lead_department.name}。"),
        Fact("一表", "一张表单", f"一张申请表共 {_asked(guide)} 项（各事项申请表合并，同一信息只填一次），"
             f"填写一次，自动分送 {len(members)} 个事项。"),
        Fact("一次采集", "材料一次采集", f"同一份材料只交一次：一次采集 {guide.materials.after} 份"
             f"（各事项分别办理需 {guide.materials.before} 份），{len(fetched)} 份电子证照或共享数据免提交。"),
        Fact("一网", "一网申报", f"网上一次申报：回答 {len(definition.questions)} 个问题、填一张表、"
             "上传一次材料，全程网上可查进度。"),
        Fact("一次办结", "一次办结", f"承诺 {promise.normalize():f} 个工作日内全部办结，"
             f"各部门并联办理（{len(guide.stages)} 个阶段）。"),
        Fact("一次送达", "一次送达", "全部办理结果一次送达：电子送达、窗口领取或邮寄。"),
    ]
    return {
        "bundle": bundle, "definition": definition, "guide": guide, "members": members,
        "needed": needed, "fetched": fetched, "steps": steps, "eight": eight,
        "promise": promise,
        "promises": [(condition_text(definition, p.when), p.workdays)
                     for p in definition.promises],
        "questions": [(q, condition_text(definition, q.shows_if)) for q in definition.questions],
        "audience": BundleAudience(bundle.audience).label, "hall": hall, "place": place,
        "guide_url": url,
        "department_count": department_count,
    }


def guide(request: HttpRequest, code: str) -> HttpResponse:
    """A bundle's guide: members, promise, steps, materials once, the 八个一, QR and PDF."""
    bundle = _bundle(code)
    return render(request, "bundles/guide.html", _guide_context(bundle))


def guide_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """一次性告知单 as PDF, with a QR code to the online guide (cached per version and day)."""
    bundle = _bundle(code)

    def context() -> dict[str, Any]:
        values = _guide_context(bundle)
        values["qr_inline"] = qr_data_uri(values["guide_url"], scale=3)
        return values

    data = notices.guide_pdf(bundle, context)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{bundle.name}-一次性告知单.pdf") or "attachment"
    return response


def guide_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code of the guide's public address, as SVG."""
    bundle = _bundle(code)
    svg = qr_svg(notices.absolute(bundle.get_absolute_url()), title=f"{bundle.name}办事指南")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- the guided application --------------------------------------------------------------------


def _require_applicant(user: User) -> None:
    if user.kind == UserKind.STAFF or user.is_staff:
        raise PermissionDenied("工作人员请在一件事窗口为申请人代为申请。")


def _applicant_kind(user: User) -> str:
    return ApplicantKind.ENTERPRISE if user.kind == UserKind.ENTERPRISE else ApplicantKind.PERSON


def _prefill(user: User) -> dict[str, str]:
    """The account's own name, phone and ID number, as a start for the one form."""
    id_number = user.uscc if user.kind == UserKind.ENTERPRISE else user.citizen_id
    return {k: v for k, v in {"applicant_name": user.display_name, "phone": user.phone or "",
                              "id_number": id_number}.items() if v}


@dataclass(frozen=True)
class Summary:
    """将为您办理：… for the answers so far."""

    members: list[d.Member]
    complete: bool
    promise: Decimal


def _summary(definition: d.Definition, check: d.AnswerCheck) -> Summary:
    return Summary(d.applicable(definition, check.answers), check.complete,
                   d.promised_workdays(definition, check.answers))


@dataclass
class Wizard:
    """One rendering of the wizard: the step shown and what it carries in hidden fields."""

    bundle: Bundle
    definition: d.Definition
    step: int
    key: str
    check: d.AnswerCheck
    values: dict[str, str] | None = None
    questions: QuestionsForm | None = None
    form: BundleForm | None = None
    materials: MaterialsForm | None = None
    guide: selectors.Guide | None = None
    error: str = ""
    kept: list[str] = field(default_factory=list)  # tokens of files kept at step 3
    on_behalf: OnBehalf | None = None  # 以谁的名义申请 (accounts.mandates)
    # The members' own forms as one (bundles.item_forms): its inputs as posted, carried
    # outside step 2, and what step 3 shows of its answers.
    item_post: list[tuple[str, str]] = field(default_factory=list)
    item_rows: list[Any] = field(default_factory=list)
    # The meanings that form asks: the bundle's fields standing for them are shown there.
    answered: frozenset[str] = frozenset()
    # The step shown is saved as the draft (after a POST, not when a draft is resumed).
    remember: bool = False
    # Why the applicant may not commit (credit) where the members practise 告知承诺 (step 3).
    commitment_refused: str = ""

    def carry(self) -> list[tuple[str, str]]:
        """Hidden fields: the answers outside step 1, the form values outside step 2, and
        the files kept at step 3 (cases.staging) outside it (step 3 shows them itself)."""
        hidden: list[tuple[str, str]] = []
        if self.step != 1:
            hidden += [(QUESTION_PREFIX + k, v) for k, v in self.check.answers.items()]
        if self.step != 2 and self.values is not None:
            hidden += [(FIELD_PREFIX + k, v) for k, v in self.values.items()]
        if self.step != 2:
            hidden += self.item_post
        if self.step != 3:
            hidden += [(KEPT_FIELD, token) for token in self.kept]
        return hidden


def _wizard_response(request: HttpRequest, wizard: Wizard,
                     draft: ApplicationDraft | None = None) -> HttpResponse:
    definition = wizard.definition
    if wizard.remember and isinstance(request.user, User):
        _remember(request.user, wizard)
    answered = []
    if wizard.step == 3:
        for question in d.visible_questions(definition, wizard.check.answers):
            value = wizard.check.answers.get(question.key, "")
            answered.append((question.text, next(
                (a.label for a in question.answers if a.value == value), value)))
    shared_by = _shared_by(wizard.guide) if wizard.guide else {}
    form_rows = []
    if wizard.step == 3 and wizard.values is not None:
        form_rows = [(f.label, wizard.values.get(f.key, "")) for f in
                     formdef.form_fields(definition, wizard.answered)
                     if wizard.values.get(f.key)]
    context = {
        "w": wizard, "bundle": wizard.bundle, "definition": definition,
        "place": hall_place(wizard.bundle),
        "steps": [(n, label) for n, label in enumerate(STEPS, start=1)],
        "step_label": STEPS[wizard.step - 1], "step_count": len(STEPS),
        "summary": _summary(definition, wizard.check), "carry": wizard.carry(),
        "answered": answered, "form_rows": form_rows, "item_rows": wizard.item_rows,
        "item_links": wizard.form.item_error_links if wizard.step == 2 and wizard.form
        else [],
        "fetched": [MaterialRow(n.name, [], [], SOURCE_LABELS.get(n.source, "共享获取"))
                    for n in wizard.guide.materials.fetched
                    if not (wizard.materials and n.identity in wizard.materials.offers)]
        if wizard.guide else [],
        "commitment_refused": wizard.commitment_refused,
        "material_rows": [(row, shared_by.get(row.material.identity, []))
                          for row in wizard.materials.rows] if wizard.materials else [],
        "fetched_offers": [(row, shared_by.get(row.material.identity, []))
                           for row in wizard.materials.fetched_rows] if wizard.materials else [],
        "current": {1: wizard.questions, 2: wizard.form, 3: wizard.materials}[wizard.step],
        # After a step was posted, focus moves to the new step's heading (also after htmx).
        "focus": request.method == "POST",
        # Said before the form is filled, not after (the service refuses it anyway).
        "identity_notice": _identity_notice(request.user, wizard.on_behalf)
        if isinstance(request.user, User) else None,
        "on_behalf": wizard.on_behalf,
        "draft": draft, "draft_days": drafts.KEEP_FOR.days,
        "draft_url": reverse("bundles:apply_draft", args=[wizard.bundle.code]),
    }
    template = "bundles/_wizard.html" if is_htmx(request) else "bundles/apply.html"
    return render(request, template, context)


def _identity_notice(user: User, on_behalf: OnBehalf | None
                     ) -> LevelRefusal | IdentityRefusal | None:
    """The real-name level the filer lacks (with a link to verify), or the identity missing
    on the account filed for."""
    chosen = on_behalf.chosen if on_behalf else None
    return level_refusal(user, FILE) or identity_missing(chosen or user)


def _shared_by(guide: selectors.Guide) -> dict[str, list[str]]:
    """Material identity → the departments that share it."""
    departments = {m.item: (i.department.name if i else m.department) for m, i in guide.members}
    return {n.identity: _unique(departments[c] for c in n.members if c in departments)
            for n in guide.materials.needed}


def _step_three(wizard: Wizard, data: Any = None, files: Any = None,
                region_code: str = "", owner: User | None = None) -> Wizard:
    """Step 3's form for these answers (and the township, once chosen)."""
    towns = selectors.townships(wizard.bundle) \
        if wizard.bundle.hall_level == HallLevel.TOWNSHIP else None
    region: Region | None = next((r for r in towns or [] if r.code == region_code), None)
    guide = wizard.guide = selectors.bundle_guide(wizard.bundle, wizard.check.answers, region)
    # Offered from the licences and shared data of whoever the application is filed for.
    holder = (wizard.on_behalf.chosen if wizard.on_behalf else None) or owner
    offers = material_offers.offers_for(
        wizard.bundle.name, (*guide.materials.needed, *guide.materials.fetched),
        {m.item: i for m, i in guide.members}, holder)
    commitable, wizard.commitment_refused = _commitable(guide, holder)
    wizard.materials = MaterialsForm(data, files, needed=guide.materials.needed,
                                     townships=towns, owner=owner,
                                     keep_as=_keep_as(wizard.bundle), kept=wizard.kept,
                                     fetched=guide.materials.fetched, offers=offers,
                                     commitable=commitable)
    wizard.step = 3
    return wizard


def _commitable(guide: selectors.Guide, holder: User | None) -> tuple[set[str], str]:
    """The materials a written commitment may replace for this applicant (the submission's
    rule: services.material_commitment_refusal), and why none may when the members practise
    告知承诺 but the applicant's credit does not allow it."""
    members = {m.item: i for m, i in guide.members}
    subject = credit.subject_of(holder) if holder is not None else ""
    commitable: set[str] = set()
    refused = ""
    for material in guide.materials.needed:
        if material.source != d.COMMITMENT:
            continue
        why = services.material_commitment_refusal(material, members, subject)
        if why is None:
            commitable.add(material.identity)
        elif why.by_credit and not refused:
            refused = why.message
    return commitable, refused


def _keep_as(bundle: Bundle) -> str:
    """The form the files kept at step 3 belong to (cases.staging), and its drafts'."""
    return wizard_drafts.form_of(bundle.code)


def _keep_step_three(wizard: Wizard, data: Any, files: Any, region_code: str,
                     owner: User) -> None:
    """Leaving step 3 without submitting (a refusal, or 上一步): the files chosen there that
    pass their check are kept and carried with the wizard, so nothing is chosen twice."""
    _step_three(wizard, data, files, region_code, owner)
    materials = wizard.materials
    assert materials is not None
    materials.is_valid()
    materials.keep_uploads()
    wizard.kept = [f.token for f in materials.kept_files] + materials.carried_tokens


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """在线申请 in three steps, one POST each; the state travels in hidden fields."""
    user = _user(request)
    _require_applicant(user)
    bundle = _bundle(code)
    definition = selectors.bundle_definition(bundle)
    discard = drafts.discard_asked(request.POST) if request.method == "POST" else None
    if discard is not None:
        if discard:
            wizard_drafts.draft_delete(owner=user, code=bundle.code)
            messages.success(request, "草稿已删除。")
        else:
            messages.error(request, drafts.DISCARD_UNCONFIRMED)
        return redirect("bundles:apply", bundle.code)
    # Opening the wizard resumes the person's draft: the step before the one reached is
    # posted again from it, so the page is judged as when it was left.
    draft = wizard_drafts.draft_get(owner=user, bundle=bundle) \
        if request.method == "GET" else None
    data = request.POST if request.method == "POST" else \
        _resumed_post(draft) if draft is not None else None
    posted = cast(dict[str, str], data.dict()) if data is not None else {}
    key = idempotency.key_from_form(posted) or idempotency.new_key()
    check = d.check_answers(definition, answers_from(posted))
    values = values_from(definition, posted) if data is not None else None
    on_behalf = on_behalf_choice(user, [], posted.get("as") or request.GET.get("as", ""))
    principal = on_behalf.chosen
    wizard = Wizard(bundle, definition, 1, key, check, values,
                    kept=data.getlist(KEPT_FIELD)[:MAX_FILES] if data is not None else [],
                    on_behalf=on_behalf, remember=request.method == "POST")
    kind = _applicant_kind(principal or user)
    step = posted.get("step", "")
    go = posted.get("go", "next")
    # The members' forms as one, for the members the answers choose (the county's offer:
    # bundle_submit checks again with the township's, once chosen).
    # Built only when step 2 is shown or judged (step 1 carries its inputs as posted).
    union = item_forms.union_for(definition, check.answers, bundle.region) \
        if check.complete and data is not None and (step in ("2", "3") or go == "next") \
        else None
    item_posted = data is not None and any(k.startswith(item_form.PREFIX) for k in data)
    if data is not None:
        wizard.item_post = _item_inputs(data)

    def first(show_errors: bool) -> HttpResponse:
        wizard.step = 1
        wizard.questions = QuestionsForm(data, definition=definition, check=check,
                                         show_errors=show_errors)
        return _wizard_response(request, wizard, draft)

    def second(form: BundleForm | None = None, error: str = "",
               rows: dict[str, int] | None = None) -> HttpResponse:
        wizard.step, wizard.error = 2, error
        item_initial: dict[str, Any] = {}
        if union is not None:
            item_initial = item_form.answers_from_post(union.definition, data) \
                if item_posted and data is not None \
                else prefilled(union.definition, principal or user)
        wizard.form = form or BundleForm(definition=definition, applicant_kind=kind,
                                         initial=values if values is not None
                                         else _prefill(principal or user),
                                         union=union, item_initial=item_initial,
                                         item_rows=rows)
        return _wizard_response(request, wizard, draft)

    if data is None or step not in ("1", "2", "3"):
        return first(show_errors=False)
    region_code = posted.get("region", "")
    if go == "save":  # 保存草稿: the step's answers and files saved, nothing judged
        if step == "3" and check.complete:
            _keep_step_three(wizard, data, request.FILES, region_code, user)
        wizard.step = int(step)
        _remember(user, wizard)
        messages.success(request, f"草稿已保存。{drafts.KEEP_FOR.days} 天内在任何设备上登录本账号、"
                         f"再次打开本页即可从第{step}步继续填写。")
        url = reverse("bundles:apply", args=[bundle.code])
        return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)
    if step == "1":
        if go == "next" and check.complete:
            return second()
        return first(show_errors=go == "next")
    if go == "back":
        if step == "2":
            return first(show_errors=False)
        if check.complete:
            _keep_step_three(wizard, data, request.FILES, region_code, user)
        return second()
    if not check.complete:
        return first(show_errors=True)
    if step == "2" and union is not None and (item_form.ADD_ROW in posted
                                              or item_form.REFRESH in posted):
        # 增加一行 or 更新下级选项 of the members' form: the same step again, nothing judged.
        rows = item_form.posted_rows(union.definition, data)
        added = posted.get(item_form.ADD_ROW, "")
        if added in rows:
            rows[added] += 1
        return second(rows=rows)
    form = BundleForm(data, definition=definition, applicant_kind=kind, union=union)
    if not form.is_valid():
        if step == "3":
            _keep_step_three(wizard, data, request.FILES, region_code, user)
        return second(form, "申请表有误，请按提示修改。" if step == "3" else "")
    wizard.values, wizard.answered = form.values, form.answered
    if union is not None:
        wizard.item_rows = [row for row in display_rows(
            union.definition, form.item_checked.answers, masked=False,
            code_sets=union.code_sets, links={}) if row.value not in ("未填写", "不适用")]
    if step == "2":
        return _wizard_response(request, _step_three(wizard, owner=user), draft)
    _step_three(wizard, data, request.FILES, region_code, user)
    materials = wizard.materials
    assert materials is not None
    if not materials.is_valid():
        materials.keep_uploads()
        return _wizard_response(request, wizard)
    try:
        result = services.bundle_submit(submitted_by=user, submission=services.SubmitIn(
            code=bundle.code, answers=check.answers, form=form.values,
            materials=materials.materials_in, channel="online",
            region=materials.cleaned_data.get("region") or "",
            delivery_method=materials.cleaned_data["delivery_method"], idempotency_key=key,
            staged=materials.staged_form, applicant=principal,
            item_answers=form.item_answers if union is not None else None))
    except DomainError as error:
        # The chosen files wait for the next attempt, on this step or after going back.
        materials.keep_uploads()
        wizard.kept = [f.token for f in materials.kept_files] + materials.carried_tokens
        back = STEP_OF_ERROR.get(error.code, 3)
        if back == 1:
            wizard.error = error.message
            return first(show_errors=True)
        if back == 2:
            if isinstance(error, FormInvalid):  # each error next to its field of the one form
                form.item_errors_add(error.errors)
                return second(form, "申请表有误，请按提示修改。")
            if error.code in IDENTITY_REFUSAL_FIELDS:  # next to the field it is about
                form.add_error(FIELD_PREFIX + IDENTITY_REFUSAL_FIELDS[error.code], error.message)
                return second(form, "申请表有误，请按提示修改。")
            return second(form, error.message)
        wizard.error = error.message
        return _wizard_response(request, wizard)
    if result.created:  # a replayed submission (same Idempotency-Key) is not told twice
        messages.success(request, f"申请已提交，一件事编号 {result.bundle_case.number}。"
                         "请等待一件事窗口受理，各部门办理进度可在本页查看。")
    url = result.bundle_case.get_absolute_url()
    return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)


@login_required
@require_POST
def apply_questions(request: HttpRequest, code: str) -> HttpResponse:
    """htmx: the question block and the summary again, after an answer changed."""
    _require_applicant(_user(request))
    bundle = _bundle(code)
    definition = selectors.bundle_definition(bundle)
    check = d.check_answers(definition, answers_from(request.POST))
    form = QuestionsForm(request.POST, definition=definition, check=check, show_errors=False)
    context = {"bundle": bundle, "definition": definition, "questions": form, "oob": True,
               "summary": _summary(definition, check)}
    if request.POST.get("shown", "") == ",".join(q.key for q in form.questions):
        # The same questions are shown: leave them (and the answer being given) alone and
        # update the summary only.
        response = render(request, "bundles/_summary_oob.html", context)
        response["HX-Reswap"] = "none"
        return response
    return render(request, "bundles/_questions.html", context)


# --- drafts (bundles.drafts) -------------------------------------------------------------------


def _item_inputs(data: QueryDict) -> list[tuple[str, str]]:
    """The members' one form as posted (bundles.item_forms), carried and saved as it is."""
    return [(k, v) for k, vs in data.lists() if k.startswith(item_form.PREFIX) for v in vs]


def _remember(user: User, wizard: Wizard) -> ApplicationDraft:
    """Save the wizard as shown as the person's draft, with the files step 3 keeps."""
    materials = wizard.materials
    kept = [f.token for f in materials.kept_files] + materials.carried_tokens \
        if materials is not None else wizard.kept
    chosen = wizard.on_behalf.chosen if wizard.on_behalf else None
    return wizard_drafts.draft_save(owner=user, bundle=wizard.bundle, step=wizard.step,
                                    situation=wizard.check.answers, common=wizard.values,
                                    inputs=wizard.item_post, kept=kept,
                                    on_behalf=chosen.pk if chosen else None)


def _resumed_post(draft: ApplicationDraft) -> QueryDict:
    """The post that shows a draft's step again: the step before it, answered with "next"
    (so the one form is judged as when the person left it), or step 1 as it was."""
    data = draft.data
    reached = data.get("step") if data.get("step") in wizard_drafts.STEPS else 1
    post = QueryDict(mutable=True)
    post["step"], post["go"] = (str(reached - 1), "next") if reached > 1 else ("1", "update")
    for key, value in (data.get("situation") or {}).items():
        post[QUESTION_PREFIX + str(key)] = str(value)
    for key, value in (data.get("common") or {}).items():
        post[FIELD_PREFIX + str(key)] = str(value)
    for pair in data.get("inputs") or []:
        if isinstance(pair, list) and len(pair) == 2 and \
                str(pair[0]).startswith(item_form.PREFIX):
            post.appendlist(str(pair[0]), str(pair[1]))
    post.setlist(KEPT_FIELD, [str(t) for t in data.get("kept") or []][:MAX_FILES])
    if isinstance(data.get("as"), int):  # checked again (accounts.mandates.on_behalf_choice)
        post["as"] = str(data["as"])
    return post


@login_required
@require_POST
def apply_draft(request: HttpRequest, code: str) -> HttpResponse:
    """htmx, a moment after each change: the wizard's answers and the kept files' tokens
    saved as the draft (never the files themselves: 保存草稿 uploads them)."""
    user = _user(request)
    _require_applicant(user)
    bundle = _bundle(code)
    posted = request.POST
    if wizard_drafts.filed_with(owner=user, idempotency_key=posted.get("idempotency_key", "")):
        return HttpResponse("申请已提交，无需保存草稿。", content_type="text/plain")
    definition = selectors.bundle_definition(bundle)
    step = posted.get("step", "1")
    chosen = on_behalf_choice(user, [], posted.get("as", "")).chosen
    draft = wizard_drafts.draft_save(
        owner=user, bundle=bundle, step=int(step) if step in ("1", "2", "3") else 1,
        situation=d.check_answers(definition, answers_from(posted.dict())).answers,
        common=values_from(definition, posted.dict()), inputs=_item_inputs(posted),
        kept=posted.getlist(KEPT_FIELD), on_behalf=chosen.pk if chosen else None)
    saved = draft.updated_at.astimezone(SHANGHAI)
    return HttpResponse(f"草稿已自动保存（{saved:%H:%M}）。", content_type="text/plain")


# --- the applicant's bundle cases ----------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的一件事: the bundle cases the user applied for or filed."""
    user = _user(request)
    cases = selectors.bundle_cases_for(user).filter(
        Q(applicant=user) | Q(submitted_by=user)).order_by("-submitted_at", "-id")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "bundles/mine.html", {"page": page})


# --- the one progress view -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    member: BundleMember
    state: str
    status: str
    decision: str
    denied: bool
    reason: str
    visible: bool


def _is_applicant(user: User, bundle_case: BundleCase) -> bool:
    """The applicant, or the proxy agent or authorized agent who filed for them (workflow
    Role.APPLICANT)."""
    return user.pk == bundle_case.applicant_id or (
        user.pk == bundle_case.submitted_by_id and (
            bundle_case.channel == "proxy" or bundle_case.authorization_id is not None
            or bundle_case.identity_basis == IdentityBasis.LEGAL_REPRESENTATIVE))


def _member_reason(member: BundleMember) -> str:
    """Why a member ended without a grant: its decision's or refusal's stated reason."""
    if member.note:
        return member.note
    for event in reversed(list(case_timeline(member.case))):
        if event.action in ("deny", "refuse", "revoke", "cancel", "withdraw") and event.reason:
            return event.reason
    return ""


def _case_rows(user: User, bundle_case: BundleCase,
               members: list[BundleMember]) -> list[CaseRow]:
    visible = set(case_queryset_for(user).filter(
        pk__in=[m.case_id for m in members]).values_list("pk", flat=True))
    # Refused or withdrawn as a whole, the members end with the bundle: no member refused it.
    whole = bundle_case.status in (BundleCaseStatus.REFUSED, BundleCaseStatus.WITHDRAWN)
    rows = []
    for member in members:
        case = member.case
        denied = case.decision == Decision.DENIED or case.status == CaseStatus.REVOKED or (
            not whole and (case.status == CaseStatus.REFUSED or (
                member.state == MemberState.CANCELLED and bool(member.note))))
        state = member.get_state_display()
        if member.state == MemberState.WAITING and bundle_case.accepted_at is None:
            state = "待一件事受理"  # nothing runs before the window accepts the whole bundle
        rows.append(CaseRow(
            member=member, state=state, status=case.get_status_display(),
            decision=case.get_decision_display() if case.decision else "", denied=denied,
            reason=_member_reason(member) if denied else "", visible=case.pk in visible))
    return rows


def supplement_items(bundle_case: BundleCase) -> list[dict[str, Any]]:
    """The one supplement notice's items, one per material, with every reason and who asks."""
    notice = next((n for n in reversed(list(bundle_case.notices.all()))
                   if n.kind == BundleNoticeKind.SUPPLEMENT), None)
    if notice is None:
        return []
    departments = {m.item_code: m.department.name for m in bundle_case.members.all()}
    grouped: dict[str, dict[str, Any]] = {}
    for item in notice.content.get("items") or []:
        material = str(item.get("material", "")).strip()
        if not material:
            continue
        row = grouped.setdefault(material, {"material": material, "reasons": [],
                                            "departments": []})
        reason = str(item.get("reason", "")).strip()
        if reason and reason not in row["reasons"]:
            row["reasons"].append(reason)
        department = str(item.get("department", "")) or departments.get(
            str(item.get("item", "")), "综合窗口")
        if department not in row["departments"]:
            row["departments"].append(department)
    return list(grouped.values())


def _detail_context(request: HttpRequest, bundle_case: BundleCase, *,
                    supplement_form: SupplementForm | None = None,
                    withdraw_form: WithdrawForm | None = None, failed: str = "",
                    error: str = "") -> dict[str, Any]:
    user = _user(request)
    # Whole for the applicant; masked for everyone else, as on the case page.
    mine = user.pk == bundle_case.applicant_id
    members = list(bundle_case.members.all())
    rows = _case_rows(user, bundle_case, members)
    items = supplement_items(bundle_case)
    # What this person may do now: the process engine's one predicate (ADR 0013).
    open_moves = engine.moves_open(workflow.BUNDLE_TABLE, bundle_case, user,
                                   actions=("supplement", "withdraw"))
    can_supplement = "supplement" in open_moves
    if can_supplement and supplement_form is None:
        supplement_form = SupplementForm(items=items)
    can_withdraw = "withdraw" in open_moves
    if can_withdraw and withdraw_form is None:
        withdraw_form = WithdrawForm()
    case_notices = list(bundle_case.notices.all())
    refusal = next((n for n in case_notices if n.kind == BundleNoticeKind.REFUSAL), None)
    timeline = timeline_rows(
        bundle_case.events.all(), label=lambda e: ACTION_LABELS.get(e.action, e.action),
        status=lambda s: BundleCaseStatus(s).label if s in BundleCaseStatus.values else s,
        roles=ROLE_LABELS)
    return {
        "bc": bundle_case, "bundle": bundle_case.bundle, "rows": rows,
        "denied": [r for r in rows if r.denied],
        "waiting": sum(1 for m in members if m.state == MemberState.WAITING)
        if bundle_case.accepted_at is not None else 0,
        "id_number": bundle_case.applicant_id_number if mine
        else mask_citizen_id(bundle_case.applicant_id_number),
        "phone": bundle_case.applicant_phone if mine else mask_phone(bundle_case.applicant_phone),
        "form_rows": selectors.bundle_form_rows(bundle_case, masked=not mine), "mine": mine,
        "materials": [(m, MaterialKind(m.kind).label if m.kind in MaterialKind.values
                       else m.kind) for m in bundle_case.materials.all()],
        "notices": case_notices,
        "supplement_items": items, "supplement_form": supplement_form,
        "withdraw_form": withdraw_form, "can_supplement": can_supplement,
        "can_withdraw": can_withdraw,
        "refusal_reason": str(refusal.content.get("reason", "")) if refusal else "",
        "result": BundleResult(bundle_case.result).label if bundle_case.result else "",
        "delivery": DeliveryMethod(bundle_case.delivery_method).label
        if bundle_case.delivery_method in DeliveryMethod.values else "",
        "timeline": timeline, "failed": failed, "error": error,
        # The applicant sees who opened the bundle case, from which department, when and
        # why (quality.md #8): grouped by day and purpose, a page at a time.
        "accesses": _access_page(request, bundle_case) if mine else None,
        "access_total": bundle_case.accesses.count() if mine else 0,
        # 评价 and the like, offered by apps above bundles (core.service_actions).
        "service_actions": service_actions.actions_for("bundle", bundle_case.number, user)
        if mine else [],
        # A refused move whose form is no longer offered shows its reason at the top.
        "error_top": error if not ((failed == "supplement" and can_supplement)
                                   or (failed == "withdraw" and can_withdraw)) else "",
        "open": bundle_case.status in (BundleCaseStatus.SUBMITTED, BundleCaseStatus.AWAITING_SUPPLEMENT,
                           BundleCaseStatus.SUPPLEMENTED, BundleCaseStatus.IN_PROGRESS),
    }


def _access_page(request: HttpRequest, bundle_case: BundleCase) -> Page[AccessGroup]:
    rows = selectors.bundle_access_log(_user(request), bundle_case.number)
    page = Paginator(rows, ACCESS_PAGE_SIZE).get_page(request.GET.get("access_page"))
    page.object_list = [access_group(row) for row in page.object_list]
    return page


def _case_response(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    template = "bundles/_case.html" if is_htmx(request) else "bundles/case.html"
    response = render(request, template, context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The one progress view of a bundle case, for the applicant and staff who may see it;
    a staff member's look is logged for the applicant."""
    user = _user(request)
    bundle_case = _case(user, number)
    # Every look is logged, a partial (htmx) one too: it shows the same personal data.
    services.bundle_access_record(bundle_case=bundle_case, user=user, purpose="查看一件事办件")
    return _case_response(request, _detail_context(request, bundle_case))


@login_required
@require_POST
def case_supplement(request: HttpRequest, number: str) -> HttpResponse:
    """补正 once for the whole bundle: one file per material of the one supplement notice."""
    user = _user(request)
    bundle_case = _case(user, number)
    form = SupplementForm(request.POST, request.FILES, items=supplement_items(bundle_case),
                          owner=user, keep_as=f"bundles.supplement:{bundle_case.number}")
    error = ""
    if form.is_valid():
        try:
            services.bundle_move(number=number, user=user, move=services.BundleMoveIn(
                action="supplement", materials=form.materials_in,
                staged=form.staged_form))
        except DomainError as exc:
            error = exc.message
        else:
            return _after_move(request, user, number)
    form.keep_uploads()  # the chosen files wait for the next attempt (cases.staging)
    return _case_response(request, _detail_context(
        request, bundle_case, supplement_form=form, failed="supplement",
        error=error or "补正材料未提交，请按提示修改。"))


@login_required
@require_POST
def case_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """撤回 the whole bundle (every member case) before it is accepted."""
    user = _user(request)
    bundle_case = _case(user, number)
    form = WithdrawForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.bundle_move(number=number, user=user, move=services.BundleMoveIn(
                action="withdraw", reason=form.cleaned_data["reason"] or ""))
        except DomainError as exc:
            error = exc.message
        else:
            return _after_move(request, user, number)
    return _case_response(request, _detail_context(
        request, bundle_case, withdraw_form=form, failed="withdraw",
        error=error or "未撤回，请按提示修改。"))


def _after_move(request: HttpRequest, user: User, number: str) -> HttpResponse:
    if is_htmx(request):
        return _case_response(request, _detail_context(request, _case(user, number)))
    return redirect("bundles:case", number=number)


@login_required
def notice_pdf(request: HttpRequest, number: str, notice_id: int) -> HttpResponse:
    """A bundle notice as a PDF attachment, for whoever may see the bundle case."""
    user = _user(request)
    bundle_case = _case(user, number)
    notice = next((n for n in bundle_case.notices.all() if n.pk == notice_id), None)
    if notice is None:
        raise Http404("文书不存在")
    services.bundle_access_record(bundle_case=bundle_case, user=user,
                                  purpose=services.purpose_notice(notice))
    return private_attachment(notices.notice_pdf(notice), "application/pdf",
                              f"{BundleNoticeKind(notice.kind).label}-{bundle_case.number}.pdf")


def notice_verify(request: HttpRequest, code: str) -> HttpResponse:
    """文书核验 of a bundle notice: what a printed notice's QR code opens, no personal data."""
    if len(code) > 32 or not code.isalnum():
        raise Http404("文书不存在")
    notice = BundleNotice.objects.select_related("bundle_case__bundle__lead_department").filter(
        verify_code=code).first()
    if notice is None:
        raise Http404("文书不存在")
    # The signature over the stored bytes, not only the row (issue 11 item 9).
    return render(request, "bundles/verify.html", {"notice": notice,
                                                   "bundle_case": notice.bundle_case,
                                                   "signature": notices.signature_of(notice)})

"""Catalogue pages: search results, guides with the printable one-time notice and QR codes,
the four lists with export, KPIs, and the staff pages (quality check, standardization,
delegation review, drafts and review, versions, import).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts.services import actor_for
from zhengwu.catalog import export, importing, kpis, search, search_log, selectors, services
from zhengwu.catalog.forms import GuideForm, ImportForm, PeriodForm, ReviewForm, SynonymFromTermForm
from zhengwu.catalog.guide import GuideData, guide_of, substitute_bits
from zhengwu.catalog.models import (
    CatalogImport,
    DraftState,
    ImplementationDraft,
    ItemImplementation,
    Synonym,
)
from zhengwu.catalog.search_form import SearchForm
from zhengwu.catalog.tasks import run_catalog_import
from zhengwu.core import charts, clock
from zhengwu.core.errors import DomainError
from zhengwu.core.http import is_htmx
from zhengwu.departments.models import Department, DepartmentKind
from zhengwu.documents.pdf import render_pdf
from zhengwu.documents.qr import qr_data_uri, qr_png, qr_svg

LIST_PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 20
LIST_ABOUT = {
    "powers": "行政许可、处罚、强制、征收、给付、检查、确认、奖励、裁决及其他行政权力（事项类型01–10）",
    "services": "依申请办理的行政权力事项和公共服务事项",
    "public": "公共服务事项（事项类型20）",
    "intermediary": "行政审批中要求申请人委托中介机构提供的服务",
}


SEARCH_FILTERS = ("audience", "theme", "department", "level", "region")


def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    hits: list[search.Hit] = []
    bundles: list[search.ExtraHit] = []
    policies: list[search.ExtraHit] = []
    count, error, query = 0, "", ""
    raw_page = request.GET.get("page", "1")
    page = min(int(raw_page), 500) if raw_page.isdigit() and raw_page != "0" else 1
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        query = data["q"]
        index = search.get_index()  # one look at the catalogue's generation per request
        try:
            hits, count = index.search(query, search.Filters(
                audience=data["audience"] or None,
                theme=data["theme"].pk if data["theme"] else None,
                department=data["department"].pk if data["department"] else None,
                level=data["level"],
                region=data["region"].code if data["region"] else None),
                limit=SEARCH_PAGE_SIZE, offset=(page - 1) * SEARCH_PAGE_SIZE)
            if page == 1:
                # 一件事 that match well come first: citizens think in life events (ADR 0009).
                bundles, _ = index.search_extras(query, search.Filters(
                    audience=data["audience"] or None), kind="bundle", limit=3)
                # 惠企政策 documents, apart (docs/policies.md).
                policies, _ = index.search_extras(query, search.Filters(
                    audience=data["audience"] or None), kind="policy", limit=3)
        except search.QueryError as exc:
            error = str(exc)
        else:
            if page == 1:  # what people type, for tuning the synonyms (no personal data)
                search_log.record_search(query, count)
    elif form.is_bound and not form.is_valid():
        error = "；".join(str(e) for errors in form.errors.values() for e in errors)
    template = "catalog/_results.html" if is_htmx(request) else "catalog/search.html"
    # The filters fold behind one 筛选 control, open when one is in use (issue 16: five
    # dropdowns pushed the first result below a phone's screen).
    active_filters = sum(1 for name in SEARCH_FILTERS if request.GET.get(name))
    params = request.GET.copy()
    params.pop("page", None)
    last_page = max(1, -(-count // SEARCH_PAGE_SIZE))
    click_ping = f"{reverse('catalog:search_click')}?{urlencode({'q': query})}"
    # Each result links to its guide, and so does each sub-item listed under it: the route
    # reversed once, the sub-items' links joined here (a template loop cost the page ~8 ms).
    guide_prefix = reverse("catalog:guide", kwargs={"code": "-"})[:-2]
    results = [(hit, format_html_join("、", '<a href="{}{}/" ping="{}">{}</a>', (
        (guide_prefix, impl.code, click_ping, doc.variant_label) for doc, impl in hit.variants)))
        for hit in hits]
    return render(request, template, {
        "form": form, "hits": hits, "results": results, "bundles": bundles,
        "policies": policies, "count": count,
        "query": query, "active_filters": active_filters,
        "error": error, "oob": is_htmx(request),
        # A result's link pings this when opened: a click for the query (catalog.search_log).
        "click_ping": click_ping, "guide_prefix": guide_prefix,
        "page": page, "first_rank": (page - 1) * SEARCH_PAGE_SIZE + 1,
        "last_rank": (page - 1) * SEARCH_PAGE_SIZE + len(hits),
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < last_page else None, "params": params.urlencode()})


@csrf_exempt
@require_POST
def search_click(request: HttpRequest) -> HttpResponse:
    """A result of the search page was opened: its link's `ping` (no script, no cookie
    needed) counts the click for the query (catalog.search_log)."""
    search_log.record_click(request.GET.get("q", ""))
    return HttpResponse(status=204)


@login_required
@permission_required("catalog.view_synonym", raise_exception=True)
def search_terms_page(request: HttpRequest) -> HttpResponse:
    """搜索词调优: queries people typed that found nothing or led to no click, and a synonym
    added from each (catalog.services.synonym_save, audited)."""
    only = request.GET.get("only", "")
    only = only if only in ("empty", "unclicked") else ""
    form, saved = SynonymFromTermForm(), None
    if request.method == "POST":
        if not request.user.has_perm("catalog.add_synonym"):
            raise PermissionDenied
        form = SynonymFromTermForm(request.POST)
        if form.is_valid():
            existing = Synonym.objects.filter(term=form.cleaned_data["term"]).first()
            try:
                saved = services.synonym_save(
                    term=form.cleaned_data["term"], targets=form.cleaned_data["targets"],
                    actor=actor_for(request.user),  # type: ignore[arg-type]
                    synonym_id=existing.pk if existing else None)
            except DomainError as exc:
                form.add_error("targets", str(exc))
            else:
                messages.success(request, f"已保存同义词：{saved.term} → {saved.targets}。"
                                          "搜索索引随即更新。")
                return redirect(f"{reverse('catalog:search_terms')}?only={only}")
    return render(request, "catalog/staff/search_terms.html", {
        "rows": search_log.terms_to_tune(only=only), "only": only, "form": form,
        "days": search_log.WINDOW_DAYS, "min_shown": search_log.MIN_SHOWN})


def _guide_context(implementation: ItemImplementation) -> dict[str, Any]:
    url = settings.ZHENGWU_PUBLIC_URL + implementation.get_absolute_url()
    materials = list(implementation.materials.all())
    must_bring = [m for m in materials if m.source == "applicant"]
    return {"impl": implementation, "item": implementation.item, "materials": materials,
            "must_bring": must_bring, "guide_url": url,
            "fees": implementation.fees, "faq": implementation.faq,
            "themes": list(implementation.item.themes.all())}


def guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        implementation = selectors.implementation_get(code=code)
    except ItemImplementation.DoesNotExist as error:
        raise Http404("事项不存在") from error
    context = _guide_context(implementation)
    context["qr_inline"] = qr_data_uri(context["guide_url"], scale=3)
    return render(request, "catalog/guide.html", context)


def guide_notice_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """一次性告知单 as PDF: every element the applicant needs, with a QR to the online guide."""
    try:
        implementation = selectors.implementation_get(code=code)
    except ItemImplementation.DoesNotExist as error:
        raise Http404("事项不存在") from error
    context = _guide_context(implementation)
    context["qr_inline"] = qr_data_uri(context["guide_url"], scale=3)
    context["printed_on"] = clock.today()
    pdf = render_pdf("catalog/notice_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''notice-{implementation.code}.pdf")
    return response


def guide_qr(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    if kind not in ("svg", "png"):
        raise Http404("不支持的格式")
    implementation = get_object_or_404(ItemImplementation, code=code, status="published")
    url = settings.ZHENGWU_PUBLIC_URL + implementation.get_absolute_url()
    if kind == "svg":
        return HttpResponse(qr_svg(url, title=implementation.item.name),
                            content_type="image/svg+xml")
    return HttpResponse(qr_png(url), content_type="image/png")


def lists_index(request: HttpRequest) -> HttpResponse:
    counts = [(kind, label, selectors.implementation_list(list_kind=kind).count(),
               LIST_ABOUT[kind]) for kind, (label, _) in selectors.LISTS.items()]
    return render(request, "catalog/lists.html", {"lists": counts})


def list_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in selectors.LISTS:
        raise Http404("清单不存在")
    q = request.GET.get("q", "")[:50]
    implementations = selectors.implementation_list(list_kind=kind, q=q or None)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        rows = implementations.prefetch_related("materials", "item__themes")
        label = selectors.LISTS[kind][0]
        if fmt == "csv":
            response = HttpResponse(export.to_csv(rows), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(export.to_xlsx(rows, label), content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{kind}.{fmt}"
        return response
    page = Paginator(implementations, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/list.html", {"kind": kind, "label": selectors.LISTS[kind][0],
                                                 "page": page, "q": q})


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def kpi_page(request: HttpRequest) -> HttpResponse:
    overall, departments = selectors.kpi_overview()
    kinds = dict(Department.objects.values_list("pk", "kind"))
    groups: dict[str, list[Any]] = {"county": [], "township": [], "village": []}
    for dep, name, rows in departments:
        kind = kinds.get(dep, "")
        group = "village" if kind == DepartmentKind.VILLAGE else (
            "township" if kind in (DepartmentKind.TOWNSHIP, DepartmentKind.STREET) else "county")
        groups[group].append((dep, name, [(k, _percent(k.value)) for k in rows]))
    chosen = request.GET.get("kpi", "")
    if chosen not in kpis.LABELS:
        chosen = kpis.DEFINITIONS[0].key
    return render(request, "catalog/kpis.html", {
        "overall": [(k, _percent(k.value), _percent(k.target)) for k in overall],
        "groups": [("市直部门", groups["county"], False), ("乡镇（街道）", groups["township"], False),
                   ("村（社区）", groups["village"], False)],
        "definitions": kpis.DEFINITIONS, "chosen": chosen,
        "chart": _lowest_chart(chosen, groups["county"])})


# The chart ranks the county departments and shows the ones furthest from the goal: what a
# supervisor acts on first; the table below keeps every unit.
CHART_ROWS = 15


def _lowest_chart(key: str, county: list[Any]) -> str:
    """The county departments lowest on one indicator, each bar a link to its misses."""
    definition = next(d for d in kpis.DEFINITIONS if d.key == key)
    values = [(name, next(k for k, _ in rows if k.key == key), dep)
              for dep, name, rows in county]
    ranked = sorted((v for v in values if v[1].value is not None),
                    key=lambda v: (v[1].value, v[0]))[:CHART_ROWS]
    misses = reverse("catalog:kpi_misses", args=[key])
    return charts.ranked_bars(
        f"{definition.label}最低的 {len(ranked)} 个市直部门", [
            charts.Bar(name, round((kpi.value or 0) * 100, 1),
                       f"{misses}?department={dep}" if kpi.misses else "")
            for name, kpi, dep in ranked],
        unit="%", top=100,
        target=definition.target * 100 if definition.target is not None else None,
        category_name="部门")


def kpi_misses_page(request: HttpRequest, key: str) -> HttpResponse:
    if key not in kpis.LABELS:
        raise Http404("指标不存在")
    department = request.GET.get("department")
    dep_id = int(department) if department and department.isdigit() and len(department) < 12 \
        else None
    implementations = selectors.kpi_misses(key=key, department=dep_id)
    page = Paginator(implementations, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/kpi_misses.html",
                  {"key": key, "label": kpis.LABELS[key], "page": page})


# --- staff pages ----------------------------------------------------------------------------


@login_required
@permission_required("catalog.view_quality", raise_exception=True)
def quality_page(request: HttpRequest) -> HttpResponse:
    from zhengwu.catalog.quality import RULES

    rule = request.GET.get("rule") or None
    if rule not in RULES:
        rule = None
    rows = selectors.quality_report(rule=rule)
    return render(request, "catalog/staff/quality.html",
                  {"rows": rows, "rules": RULES, "rule": rule})


@login_required
@permission_required("catalog.view_itemimplementation", raise_exception=True)
def compare_index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/staff/compare_index.html",
                  {"items": selectors.items_with_several_implementations()})


@login_required
@permission_required("catalog.view_itemimplementation", raise_exception=True)
def compare_page(request: HttpRequest, basic_code: str) -> HttpResponse:
    comparison = selectors.standardization_compare(basic_code=basic_code)
    return render(request, "catalog/staff/compare.html", {"c": comparison})


@login_required
@permission_required("catalog.view_itemimplementation", raise_exception=True)
def delegation_page(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    form = PeriodForm(request.GET or {"start": today - dt.timedelta(days=365), "end": today})
    rows: list[tuple[ItemImplementation, int]] = []
    if form.is_valid():
        rows = selectors.delegation_review(start=form.cleaned_data["start"],
                                           end=form.cleaned_data["end"])
    return render(request, "catalog/staff/delegation.html", {"form": form, "rows": rows})


@login_required
@permission_required("catalog.edit_catalog", raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    implementation = get_object_or_404(ItemImplementation.objects.select_related(
        "item", "department"), pk=pk)
    draft = implementation.drafts.filter(state__in=[DraftState.DRAFT, DraftState.SUBMITTED]).first()
    current = GuideData.model_validate(draft.payload) if draft else guide_of(implementation)
    if request.method == "POST":
        form = GuideForm(request.POST)
        if form.is_valid():
            data = {**current.model_dump(), **form.cleaned_data}
            data["fees"] = [dict(zip(("name", "standard", "basis"),
                                     [*[b.strip() for b in line.split("|")], "", ""][:3],
                                     strict=True))
                            for line in form.cleaned_data["fees"].splitlines() if line.strip()]
            try:
                guide_data = GuideData.model_validate(data)
                draft = services.draft_save(implementation_id=pk, guide=guide_data,
                                            actor=actor_for(request.user))  # type: ignore[arg-type]
                if "submit" in request.POST:
                    services.draft_submit(draft_id=draft.pk,
                                          actor=actor_for(request.user))  # type: ignore[arg-type]
            except DomainError as error:
                form.add_error(None, error.message)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                return redirect("catalog:drafts")
    else:
        initial = current.model_dump()
        initial["materials"] = "\n".join(
            "|".join([m.name, m.source.label, m.form, str(m.copies), "是" if m.required else "否",
                      m.issuer, "是" if m.government_issued else "否", m.note,
                      *substitute_bits(m)])
            for m in current.materials)
        initial["fees"] = "\n".join(f"{f.name}|{f.standard}|{f.basis}" for f in current.fees)
        form = GuideForm(initial=initial)
    return render(request, "catalog/staff/edit.html",
                  {"impl": implementation, "form": form, "draft": draft})


@login_required
@permission_required("catalog.edit_catalog", raise_exception=True)
@require_http_methods(["GET", "POST"])
def drafts_page(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        form = ReviewForm(request.POST)
        draft_id = request.POST.get("draft", "")
        if form.is_valid() and draft_id.isdigit():
            actor = actor_for(request.user)  # type: ignore[arg-type]
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.draft_approve(draft_id=int(draft_id), actor=actor,
                                           note=form.cleaned_data["note"])
                else:
                    services.draft_reject(draft_id=int(draft_id), actor=actor,
                                          note=form.cleaned_data["note"])
            except DomainError as exc:
                error = exc.message
            except ImplementationDraft.DoesNotExist:
                error = "草稿不存在。"
        else:
            error = "请选择审核结论。"
    drafts = selectors.draft_list()[:100]
    rows = []
    for draft in drafts:
        current = guide_of(draft.implementation).snapshot()
        from zhengwu.catalog.guide import diff, element_label

        changes = [(element_label(p), a, b) for p, a, b in diff(current, draft.payload)]
        rows.append((draft, changes))
    return render(request, "catalog/staff/drafts.html", {"rows": rows, "error": error})


def versions_page(request: HttpRequest, code: str) -> HttpResponse:
    implementation = get_object_or_404(ItemImplementation.objects.select_related("item"),
                                       code=code)
    versions = list(selectors.version_list(implementation=implementation))
    lines: list[selectors.DiffLine] = []
    old, new = request.GET.get("old", ""), request.GET.get("new", "")
    error = ""
    if old.isdigit() and new.isdigit() and len(old) < 8 and len(new) < 8:
        try:
            lines = selectors.version_diff(implementation=implementation, old=int(old),
                                           new=int(new))
        except DomainError as exc:
            error = exc.message
    return render(request, "catalog/versions.html",
                  {"impl": implementation, "versions": versions, "lines": lines, "old": old,
                   "new": new, "error": error})


@login_required
@permission_required("catalog.import_catalog", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        actor = actor_for(request.user)  # type: ignore[arg-type]
        job = importing.import_create(file_name=upload.name, content=upload.read(), actor=actor)
        run_catalog_import.enqueue(job.pk, actor.user.pk if actor.user else None, actor.label)
        return redirect("catalog:import_status", pk=job.pk)
    recent = CatalogImport.objects.order_by("-created_at")[:10]
    return render(request, "catalog/staff/import.html", {"form": form, "recent": recent})


@login_required
@permission_required("catalog.import_catalog", raise_exception=True)
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(CatalogImport.objects.defer("content"), pk=pk)
    progress = importing.import_progress(job)
    total = int(progress["total"] or 0)  # type: ignore[call-overload]
    done = int(progress["done"] or 0)  # type: ignore[call-overload]
    context = {"job": job, "p": progress,
               "percent": int(Decimal(done) * 100 / total) if total else 0,
               "finished": job.status in ("succeeded", "failed")}
    template = "catalog/staff/_import_progress.html" if is_htmx(request) else \
        "catalog/staff/import_status.html"
    return render(request, template, context)

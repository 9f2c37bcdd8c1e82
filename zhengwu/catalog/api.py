"""Catalogue API: `/api/v1/catalog/…` and search as a service at `/api/v1/search`."""

# No `from __future__ import annotations` here: ninja resolves a view's string annotations in
# the globals of the function it is given, which for @paginate views is ninja's own wrapper,
# so every paginated endpoint would fail with a 500 (PydanticUserError: not fully defined).

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Path, Query, Router, Status, UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth

from zhengwu.accounts.services import actor_for
from zhengwu.catalog import export, importing, search, selectors, services
from zhengwu.catalog.application_form import FormDefinition
from zhengwu.catalog.form_schema import json_schema
from zhengwu.catalog.guide import GuideData
from zhengwu.catalog.models import CatalogImport, ItemImplementation, ServiceItem, Theme
from zhengwu.catalog.schemas import (
    ComparisonOut,
    DelegationRowOut,
    DiffOut,
    DraftOut,
    ImplementationOut,
    ImplementationSummary,
    ImportOut,
    ItemOut,
    KpiOut,
    KpiOverviewOut,
    ListQuery,
    QualityRowOut,
    ReviewIn,
    SearchOut,
    SearchQuery,
    ThemeOut,
    VersionOut,
)
from zhengwu.catalog.tasks import run_catalog_import
from zhengwu.core.errors import DomainError, InvalidInput
from zhengwu.core.schemas import Pagination, PathId

router = Router(tags=["catalog"])
search_router = Router(tags=["search"])

ImplCode = Annotated[str, Path(pattern=r"^[0-9A-Z]{31}$", description="实施编码（31位）")]
BasicCode = Annotated[str, Path(pattern=r"^\d{12}$", description="基本编码（12位）")]
ListKind = Annotated[str, Path(pattern=r"^(powers|services|public|intermediary)$")]
MAX_UPLOAD = 20 * 1024 * 1024


def _need(request: HttpRequest, permission: str, message: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(message)


@router.get("/themes", response=list[ThemeOut])
def list_themes(request: HttpRequest) -> QuerySet[Theme]:
    return Theme.objects.all()


@router.get("/items", response=list[ItemOut])
@paginate(Pagination)
def list_items(request: HttpRequest, query: Query[ListQuery]) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.order_by("basic_code")
    if query.item_type:
        items = items.filter(item_type=query.item_type)
    if query.q:
        items = items.filter(name__contains=query.q)
    return items


@router.get("/items/{basic_code}", response=ItemOut)
def get_item(request: HttpRequest, basic_code: BasicCode) -> ServiceItem:
    return ServiceItem.objects.get(basic_code=basic_code)


@router.get("/items/{basic_code}/compare", response=ComparisonOut, auth=django_auth)
def compare_item(request: HttpRequest, basic_code: BasicCode) -> dict[str, Any]:
    """四级四同: the elements that differ among this item's implementations (staff, as the
    page /staff/catalog/compare/)."""
    _need(request, "catalog.view_itemimplementation", "仅工作人员可查看四级四同比对。")
    comparison = selectors.standardization_compare(basic_code=basic_code)
    return {"basic_code": comparison.item.basic_code, "name": comparison.item.name,
            "implementations": comparison.implementations,
            "differing": [{"element": label, "values": values}
                          for label, values in comparison.differing]}


@router.get("/implementations", response=list[ImplementationSummary])
@paginate(Pagination)
def list_implementations(request: HttpRequest,
                         query: Query[ListQuery]) -> QuerySet[ItemImplementation]:
    return selectors.implementation_list(**query.dict())


@router.get("/implementations/{code}", response=ImplementationOut)
def get_implementation(request: HttpRequest, code: ImplCode) -> ItemImplementation:
    return selectors.implementation_get(code=code)


def _form_of(code: str, version: int | None) -> tuple[ItemImplementation, FormDefinition]:
    implementation = selectors.implementation_get(code=code)
    definition = selectors.definition_for(implementation, version)
    if definition is None:
        raise DomainError("该事项尚未定义专用申请表，按通用申请信息填写。",
                          code="catalog.no_form", http_status=404)
    return implementation, definition


@router.get("/implementations/{code}/form", response=FormDefinition, by_alias=True,
            url_name="catalog_form")
def get_form(request: HttpRequest, code: ImplCode,
             version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> FormDefinition:
    """The implementation's application form (its guide's own, else its item's); with
    `version`, the form in force at that published version (a case's item_version)."""
    return _form_of(code, version)[1]


@router.get("/implementations/{code}/form-schema", response=dict[str, Any],
            url_name="catalog_form_schema")
def get_form_schema(request: HttpRequest, code: ImplCode,
                    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> dict[
        str, Any]:
    """The JSON Schema (draft 2020-12) of the answers to the implementation's form: Chinese
    titles and descriptions, `enum` for choices, `if`/`then` for conditional fields. The
    server's own check (Chinese errors per field) stays the judge."""
    _, definition = _form_of(code, version)
    url = request.build_absolute_uri(reverse("api-v1:catalog_form_schema",
                                             kwargs={"code": code}))
    return json_schema(definition, selectors.form_code_sets(), schema_id=url)


@router.get("/implementations/{code}/versions", response=list[VersionOut])
def list_versions(request: HttpRequest, code: ImplCode) -> list[dict[str, Any]]:
    implementation = selectors.implementation_get(code=code)
    return [{"number": v.number, "published_at": v.published_at, "note": v.note,
             "approved_by": str(v.approved_by) if v.approved_by else None}
            for v in selectors.version_list(implementation=implementation)]


@router.get("/implementations/{code}/diff", response=list[DiffOut])
def diff_versions(request: HttpRequest, code: ImplCode,
                  old: Annotated[int, Query(ge=1, le=1_000_000)],
                  new: Annotated[int, Query(ge=1, le=1_000_000)]) -> list[dict[str, Any]]:
    implementation = selectors.implementation_get(code=code)
    return [line.__dict__ for line in selectors.version_diff(
        implementation=implementation, old=old, new=new)]


@router.get("/lists/{kind}", response=list[ImplementationSummary])
@paginate(Pagination)
def list_catalog_list(request: HttpRequest, kind: ListKind,
                      query: Query[ListQuery]) -> QuerySet[ItemImplementation]:
    """权责清单 (powers), 政务服务事项清单 (services), 公共服务事项清单 (public),
    中介服务事项清单 (intermediary)."""
    return selectors.implementation_list(list_kind=kind, **query.dict())


@router.get("/lists/{kind}/export", response={200: None})
def export_catalog_list(request: HttpRequest, kind: ListKind, query: Query[ListQuery],
                        format: Annotated[str, Query(pattern=r"^(csv|xlsx)$")] = "xlsx",
                        ) -> HttpResponse:
    implementations = selectors.implementation_list(list_kind=kind, **query.dict()) \
        .prefetch_related("materials", "item__themes")
    title = selectors.LISTS[kind][0]
    if format == "csv":
        response = HttpResponse(export.to_csv(implementations), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(export.to_xlsx(implementations, title), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{kind}.{format}"
    return response


def _kpi_out(kpi: Any, department: int | None = None) -> dict[str, Any]:
    url = reverse("catalog:kpi_misses", kwargs={"key": kpi.key})
    if department is not None:
        url += f"?department={department}"
    return {"key": kpi.key, "label": kpi.label, "value": kpi.value, "target": kpi.target,
            "met": kpi.met, "considered": kpi.considered, "misses": len(kpi.misses),
            "misses_url": url}


@router.get("/kpis", response=KpiOverviewOut)
def get_kpis(request: HttpRequest) -> dict[str, Any]:
    overall, departments = selectors.kpi_overview()
    return {"overall": [_kpi_out(k) for k in overall],
            "departments": [{"department_id": dep, "department": name,
                             "kpis": [_kpi_out(k, dep) for k in rows]}
                            for dep, name, rows in departments]}


@router.get("/kpis/{key}/misses", response=list[ImplementationSummary])
@paginate(Pagination)
def list_kpi_misses(request: HttpRequest, key: Annotated[str, Path(max_length=40)],
                    department: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
                    ) -> QuerySet[ItemImplementation]:
    return selectors.kpi_misses(key=key, department=department)


@router.get("/kpis/overall", response=list[KpiOut], include_in_schema=False)
def get_overall_kpis(request: HttpRequest) -> list[dict[str, Any]]:
    return [_kpi_out(k) for k in selectors.kpi_overview()[0]]


@router.get("/quality", response=list[QualityRowOut], auth=django_auth)
@paginate(Pagination)
def list_quality_findings(request: HttpRequest,
                          department: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
                          rule: Annotated[str | None, Query(max_length=40)] = None,
                          ) -> list[dict[str, Any]]:
    """事项要素质检: every implementation with problems, each with a plain reason."""
    _need(request, "catalog.view_quality", "仅事项管理员和监察人员可查看质检结果。")
    return [{"implementation": row.implementation,
             "findings": [{"rule": f.rule, "reason": f.reason} for f in row.findings]}
            for row in selectors.quality_report(department=department, rule=rule)]


@router.get("/delegation-review", response=list[DelegationRowOut], auth=django_auth)
@paginate(Pagination)
def list_delegation_review(request: HttpRequest, start: dt.date, end: dt.date,
                           ) -> list[dict[str, Any]]:
    """放权赋权回头看: delegated implementations with no case in [start, end] (staff, as the
    page /staff/catalog/delegation/)."""
    _need(request, "catalog.view_itemimplementation", "仅工作人员可查看放权赋权回头看。")
    return [{"implementation": impl,
             "delegated_from": impl.delegated_from.name if impl.delegated_from else None,
             "delegation_batch": impl.delegation_batch, "cases": cases}
            for impl, cases in selectors.delegation_review(start=start, end=end)]


# --- drafts and review ----------------------------------------------------------------------


def _draft_out(draft: Any) -> dict[str, Any]:
    return {"id": draft.pk, "implementation_id": draft.implementation_id, "state": draft.state,
            "payload": draft.payload, "review_note": draft.review_note,
            "published_version": draft.published_version}


@router.put("/implementations/{code}/draft", response=DraftOut, auth=django_auth)
def save_draft(request: HttpRequest, code: ImplCode, payload: GuideData) -> dict[str, Any]:
    implementation = ItemImplementation.objects.get(code=code)
    draft = services.draft_save(implementation_id=implementation.pk, guide=payload,
                                actor=actor_for(request.user))  # type: ignore[arg-type]
    return _draft_out(draft)


@router.post("/drafts/{draft_id}/submit", response=DraftOut, auth=django_auth)
def submit_draft(request: HttpRequest, draft_id: PathId) -> dict[str, Any]:
    return _draft_out(services.draft_submit(draft_id=draft_id,
                                            actor=actor_for(request.user)))  # type: ignore[arg-type]


@router.post("/drafts/{draft_id}/approve", response=VersionOut, auth=django_auth)
def approve_draft(request: HttpRequest, draft_id: PathId, review: ReviewIn) -> dict[str, Any]:
    version = services.draft_approve(draft_id=draft_id, note=review.note,
                                     actor=actor_for(request.user))  # type: ignore[arg-type]
    return {"number": version.number, "published_at": version.published_at,
            "note": version.note, "approved_by": str(version.approved_by)}


@router.post("/drafts/{draft_id}/reject", response=DraftOut, auth=django_auth)
def reject_draft(request: HttpRequest, draft_id: PathId, review: ReviewIn) -> dict[str, Any]:
    return _draft_out(services.draft_reject(draft_id=draft_id, note=review.note,
                                            actor=actor_for(request.user)))  # type: ignore[arg-type]


# --- imports --------------------------------------------------------------------------------


@router.post("/imports", response={202: ImportOut}, auth=django_auth)
def upload_import(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """Upload a catalogue file (xlsx/csv/json); it is validated and imported all or nothing."""
    _need(request, "catalog.import_catalog", "只有事项管理员可以导入事项目录。")
    if file.size is None or file.size > MAX_UPLOAD:
        raise InvalidInput("文件过大：单个文件不超过 20MB。", code="catalog.file_too_large",
                           http_status=413)
    name = file.name or "upload"
    if not name.lower().endswith((".xlsx", ".csv", ".json")):
        raise InvalidInput("文件类型不支持：请上传 .xlsx、.csv 或 .json 文件。",
                           code="catalog.bad_file_type")
    actor = actor_for(request.user)  # type: ignore[arg-type]
    job = importing.import_create(file_name=name, content=file.read(), actor=actor)
    run_catalog_import.enqueue(job.pk, actor.user.pk if actor.user else None, actor.label)
    job.refresh_from_db()
    return Status(202, importing.import_progress(job))


@router.get("/imports/{import_id}", response=ImportOut, auth=django_auth)
def get_import(request: HttpRequest, import_id: PathId) -> dict[str, Any]:
    _need(request, "catalog.import_catalog", "只有事项管理员可以查看导入任务。")
    return importing.import_progress(CatalogImport.objects.get(pk=import_id))


# --- search ---------------------------------------------------------------------------------


@search_router.get("", response=SearchOut)
def search_catalog(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    """搜索即服务: Chinese words, pinyin, initials (yyzz → 营业执照) and synonyms, with filters.
    Items answer in `items`/`count`; 一件事 in their own ranked list `bundles`/`bundle_count`
    (ADR 0009), policy documents in `policies`/`policy_count` (docs/policies.md); `kind` asks
    for one of them only."""
    index = search.get_index()
    filters = search.Filters(audience=query.audience, theme=query.theme,
                             department=query.department, level=query.level,
                             region=query.region)
    hits: list[search.Hit] = []
    bundles: list[search.ExtraHit] = []
    policies: list[search.ExtraHit] = []
    count = bundle_count = policy_count = 0
    try:
        if query.kind in (None, "item"):
            hits, count = index.search(query.q, filters, limit=query.limit, offset=query.offset)
        if query.kind in (None, "bundle"):
            bundles, bundle_count = index.search_extras(query.q, filters, kind="bundle",
                                                        limit=query.limit, offset=query.offset)
        if query.kind in (None, "policy"):
            policies, policy_count = index.search_extras(query.q, filters, kind="policy",
                                                         limit=query.limit, offset=query.offset)
    except search.QueryError as error:
        raise InvalidInput(str(error), code="search.query_too_long") from error
    return {"query": query.q, "count": count, "bundle_count": bundle_count,
            "policy_count": policy_count, "policies": [
        {"id": int(p.doc.key), "title": p.doc.name, "title_highlighted": p.name_highlighted,
         "department": p.doc.department, "benefits": list(p.doc.parts),
         "matched": list(p.matched), "score": p.score, "url": p.doc.url} for p in policies],
            "bundles": [
        {"code": b.doc.key, "name": b.doc.name, "name_highlighted": b.name_highlighted,
         "theme": b.doc.theme, "audience": b.doc.audience, "department": b.doc.department,
         "member_items": list(b.doc.parts), "level": b.doc.level,
         "region_code": b.doc.region_code, "promised_workdays": b.doc.promised_workdays,
         "matched": list(b.matched), "score": b.score, "url": b.doc.url,
         "api_url": b.doc.api_url} for b in bundles], "items": [
        {"item_id": h.doc.item_id, "basic_code": h.doc.basic_code, "name": h.doc.name,
         "name_highlighted": h.name_highlighted, "item_type": h.doc.item_type,
         "item_type_label": search.item_type_label(h.doc.item_type),
         "implementation_id": h.impl.id, "implementation_code": h.impl.code,
         "department": h.impl.department, "region_code": h.impl.region_code,
         "level": h.impl.level, "promised_limit_workdays": h.impl.promised,
         "online_depth": h.impl.online_depth, "implementation_count": len(h.doc.impls),
         "matched": list(h.matched), "score": h.score,
         "guide_url": reverse("catalog:guide", kwargs={"code": h.impl.code}),
         "variants": [{"item_id": doc.item_id, "name": doc.name, "label": doc.variant_label,
                       "implementation_code": impl.code,
                       "guide_url": reverse("catalog:guide", kwargs={"code": impl.code})}
                      for doc, impl in h.variants]}
        for h in hits]}

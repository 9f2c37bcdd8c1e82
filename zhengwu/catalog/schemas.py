"""API schemas of the catalogue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from zhengwu.catalog.models import ItemType, Level


class ThemeOut(Schema):
    id: int
    name: str
    audience: str
    kind: str


class ItemOut(Schema):
    id: int
    basic_code: str
    name: str
    item_type: str
    item_type_label: str = Field(..., alias="get_item_type_display")
    audience: list[str]
    legal_basis: str
    legal_limit_workdays: Decimal | None
    legal_limit_note: str
    result_name: str
    is_intermediary: bool
    illustrative: bool


class ImplementationSummary(Schema):
    id: int
    code: str
    name: str = Field(..., alias="item.name")
    basic_code: str = Field(..., alias="item.basic_code")
    item_type: str = Field(..., alias="item.item_type")
    department_id: int
    department: str = Field(..., alias="department.name")
    region_code: str = Field(..., alias="region_id")
    region: str = Field(..., alias="region.name")
    level: int
    promised_limit_workdays: Decimal
    legal_limit_workdays: Decimal | None
    online_depth: int
    trips: int
    version: int


class MaterialOut(Schema):
    position: int
    name: str
    form: str
    copies: int
    source: str
    source_label: str = Field(..., alias="get_source_display")
    required: bool
    issuer: str
    government_issued: bool
    note: str


class ImplementationOut(ImplementationSummary):
    item: ItemOut
    status: str
    published_at: dt.datetime | None
    limit_note: str
    case_kind: str
    handling_forms: list[str]
    channels: list[str]
    conditions: str
    process: str
    fees: list[dict[str, Any]]
    materials: list[MaterialOut]
    commitment_allowed: bool
    commitment_batch: str
    commitment_published_on: dt.date | None
    deemed_approval: bool
    deemed_batch: str
    deemed_published_on: dt.date | None
    cross_region_scope: str
    appointment: bool
    place: str
    hours: str
    phone: str
    supervision_phone: str
    faq: list[dict[str, Any]]
    delegated: bool
    delegation_batch: str
    delegated_on: dt.date | None
    baseline_material_count: int | None
    guide_url: str
    illustrative: bool


class VersionOut(Schema):
    number: int
    published_at: dt.datetime
    note: str
    approved_by: str | None = None


class DiffOut(Schema):
    path: str
    label: str
    old: Any
    new: Any


class ListQuery(Schema):
    department: int | None = Field(None, ge=1, le=2**63 - 1)
    region: str | None = Field(None, pattern=r"^\d{12}$")
    level: Level | None = None
    item_type: ItemType | None = None
    q: str | None = Field(None, max_length=50)


class SearchQuery(Schema):
    q: str = Field(..., min_length=1, max_length=50, description="搜索词：中文、拼音或首字母")
    audience: str | None = Field(None, pattern=r"^(person|enterprise)$")
    theme: int | None = Field(None, ge=1, le=2**63 - 1)
    department: int | None = Field(None, ge=1, le=2**63 - 1)
    level: Level | None = None
    region: str | None = Field(None, pattern=r"^\d{12}$")
    kind: Literal["item", "bundle", "policy"] | None = Field(
        None, description="只搜事项（item）、一件事（bundle）或政策文件（policy）；默认全部，"
                          "分列 items、bundles 与 policies")
    limit: int = Field(10, ge=1, le=100, description="每页条数，items 与 bundles 各自分页")
    offset: int = Field(0, ge=0, le=10_000)


class SearchVariantOut(Schema):
    """Another sub-item (办理项) of a result's item that matches the query, listed under it."""
    item_id: int
    name: str
    label: str = Field(..., description="办理项名称：括号内的部分，如“减项”")
    implementation_code: str
    guide_url: str


class SearchHitOut(Schema):
    kind: Literal["item"] = "item"
    item_id: int
    basic_code: str
    name: str
    name_highlighted: str
    item_type: str
    item_type_label: str
    implementation_id: int
    implementation_code: str
    department: str
    region_code: str
    level: int
    promised_limit_workdays: Decimal
    online_depth: int
    implementation_count: int
    matched: list[str]
    score: float
    guide_url: str
    variants: list[SearchVariantOut] = Field(
        default_factory=list, description="同一事项的其他匹配办理项（最多 4 个），最相关的在前")


class BundleHitOut(Schema):
    """A 一件事 found by search as a service (ADR 0009)."""

    kind: Literal["bundle"] = "bundle"
    code: str
    name: str
    name_highlighted: str
    theme: str
    audience: str
    department: str = Field(..., description="牵头部门")
    member_items: list[str] = Field(..., description="成员事项名称")
    level: int | None
    region_code: str
    promised_workdays: Decimal | None
    matched: list[str]
    score: float
    url: str = Field(..., description="一件事办事指南页面")
    api_url: str


class PolicyHitOut(Schema):
    """A policy document found by search as a service (issue 14, docs/policies.md)."""

    kind: Literal["policy"] = "policy"
    id: int
    title: str
    title_highlighted: str
    department: str = Field(..., description="牵头部门或发文机关")
    benefits: list[str] = Field(..., description="可享受的事项")
    matched: list[str]
    score: float
    url: str = Field(..., description="政策文件页面（全文、解读）")


class SearchOut(Schema):
    items: list[SearchHitOut] = Field(..., description="事项，按相关度排序（不含一件事）")
    count: int = Field(..., description="匹配的事项总数")
    query: str
    bundles: list[BundleHitOut] = Field(
        default_factory=list, description="一件事，单独排序：与查询充分匹配的才列出")
    bundle_count: int = Field(0, description="匹配的一件事总数")
    policies: list[PolicyHitOut] = Field(
        default_factory=list, description="政策文件，单独排序：与查询充分匹配的才列出")
    policy_count: int = Field(0, description="匹配的政策文件总数")


class KpiOut(Schema):
    key: str
    label: str
    value: float | None
    target: float | None
    met: bool | None
    considered: int
    misses: int
    misses_url: str


class DepartmentKpisOut(Schema):
    department_id: int
    department: str
    kpis: list[KpiOut]


class KpiOverviewOut(Schema):
    overall: list[KpiOut]
    departments: list[DepartmentKpisOut]


class FindingOut(Schema):
    rule: str
    reason: str


class QualityRowOut(Schema):
    implementation: ImplementationSummary
    findings: list[FindingOut]


class DelegationRowOut(Schema):
    implementation: ImplementationSummary
    delegated_from: str | None
    delegation_batch: str
    cases: int


class ComparisonOut(Schema):
    basic_code: str
    name: str
    implementations: list[ImplementationSummary]
    differing: list[dict[str, Any]]


class DraftOut(Schema):
    id: int
    implementation_id: int
    state: str
    payload: dict[str, Any]
    review_note: str
    published_version: int | None


class ReviewIn(Schema):
    note: str = Field("", max_length=2000)


class ImportOut(Schema):
    id: int
    status: str
    status_label: str
    phase: str
    done: int
    total: int
    created: int
    updated: int
    errors: list[str]

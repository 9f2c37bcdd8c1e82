"""Reads of the catalogue: published guides, lists, versions and diffs, the quality check,
KPIs, standardization (四级四同) and the delegation review (放权赋权回头看).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from zhengwu.catalog import form_answers, form_union, kpis, quality
from zhengwu.catalog.application_form import FormDefinition, Option
from zhengwu.catalog.guide import diff, element_label, flatten, guide_of
from zhengwu.catalog.models import (
    ADMINISTRATIVE_POWER_TYPES,
    ON_APPLICATION_TYPES,
    FormCodeSet,
    ImplementationDraft,
    ImplementationVersion,
    ItemImplementation,
    Material,
    MaterialSource,
    PublicationStatus,
    ServiceItem,
)
from zhengwu.core import clock
from zhengwu.core.errors import InvalidInput
from zhengwu.regions.models import Region

# The four public lists of measure [2], defined by item type.
LISTS: dict[str, tuple[str, Q]] = {
    "powers": ("权责清单", Q(item__item_type__in=sorted(ADMINISTRATIVE_POWER_TYPES))),
    "services": ("政务服务事项清单",
                 Q(item__item_type__in=sorted(ON_APPLICATION_TYPES | {"20"}))),
    "public": ("公共服务事项清单", Q(item__item_type="20")),
    "intermediary": ("中介服务事项清单", Q(item__is_intermediary=True)),
}


def published_implementations() -> QuerySet[ItemImplementation]:
    return ItemImplementation.objects.filter(status=PublicationStatus.PUBLISHED).select_related(
        "item", "department", "region", "delegated_from")


def implementation_list(*, list_kind: str | None = None, department: int | None = None,
                        region: str | None = None, level: int | None = None,
                        item_type: str | None = None, q: str | None = None,
                        ids: list[int] | None = None) -> QuerySet[ItemImplementation]:
    implementations = published_implementations()
    if list_kind:
        if list_kind not in LISTS:
            raise InvalidInput(f"未知清单类型“{list_kind}”：可选 {', '.join(LISTS)}",
                               code="catalog.unknown_list")
        implementations = implementations.filter(LISTS[list_kind][1])
    if department is not None:
        implementations = implementations.filter(department_id=department)
    if region:
        implementations = implementations.filter(region_id=region)
    if level is not None:
        implementations = implementations.filter(level=level)
    if item_type:
        implementations = implementations.filter(item__item_type=item_type)
    if q:
        implementations = implementations.filter(item__name__contains=q)
    if ids is not None:
        implementations = implementations.filter(pk__in=ids)
    return implementations.order_by("region_id", "department_id", "item__basic_code")


def implementation_get(*, code: str | None = None, pk: int | None = None) -> ItemImplementation:
    """One published implementation with its materials (404 when unpublished or absent)."""
    implementations = published_implementations().prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("position")), "item__themes")
    if code is not None:
        return implementations.get(code=code)
    return implementations.get(pk=pk or 0)


def implementation_get_any(*, pk: int) -> ItemImplementation:
    """Any implementation, published or not (catalogue staff)."""
    return ItemImplementation.objects.select_related("item", "department", "region").get(pk=pk)


def version_list(*, implementation: ItemImplementation) -> QuerySet[ImplementationVersion]:
    return implementation.versions.select_related("approved_by").order_by("-number")


@dataclass(frozen=True)
class DiffLine:
    path: str
    label: str
    old: Any
    new: Any


def version_diff(*, implementation: ItemImplementation, old: int, new: int) -> list[DiffLine]:
    versions = {v.number: v for v in implementation.versions.filter(number__in=[old, new])}
    missing = [n for n in (old, new) if n not in versions]
    if missing:
        raise InvalidInput(f"版本 {missing[0]} 不存在。", code="catalog.unknown_version")
    # "form" is the form in force (the guide's own or the item's); "guide.form" would repeat it.
    return [DiffLine(path, element_label(path.removeprefix("guide.")), a, b)
            for path, a, b in diff(versions[old].snapshot, versions[new].snapshot)
            if not path.startswith("guide.form")]


def draft_list(*, state: str | None = None) -> QuerySet[ImplementationDraft]:
    drafts = ImplementationDraft.objects.select_related(
        "implementation__item", "implementation__department", "author", "reviewer")
    if state:
        drafts = drafts.filter(state=state)
    return drafts.order_by("-updated_at")


# --- quality check ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityRow:
    implementation: ItemImplementation
    findings: list[quality.Finding]


def _facts(implementation: ItemImplementation,
           code_sets: frozenset[str] | None = None) -> quality.GuideFacts:
    return quality.GuideFacts(
        legal_basis=implementation.item.legal_basis,
        legal_limit=implementation.legal_limit_workdays,
        promised_limit=implementation.promised_limit_workdays,
        online_depth=implementation.online_depth, trips=implementation.trips,
        materials=tuple(quality.MaterialFacts(m.name, m.source, m.government_issued, m.required)
                        for m in implementation.materials.all()),
        fees=tuple((str(f.get("name", "")), str(f.get("basis", "")))
                   for f in implementation.fees),
        approval_chain=tuple(str(step) for step in implementation.approval_chain),
        steps_limit=implementation.item.plan_steps_limit,
        materials_limit=implementation.item.plan_materials_limit,
        form=definition_for(implementation), code_sets=code_sets)


def quality_report(*, department: int | None = None, rule: str | None = None) -> list[QualityRow]:
    """Every published implementation with at least one problem, with plain reasons."""
    if rule and rule not in quality.RULES:
        raise InvalidInput(f"未知质检规则“{rule}”。", code="catalog.unknown_rule")
    implementations = published_implementations().prefetch_related("materials")
    if department is not None:
        implementations = implementations.filter(department_id=department)
    rows = []
    code_sets = frozenset(FormCodeSet.objects.values_list("name", flat=True))
    for implementation in implementations.order_by("department_id", "item__basic_code"):
        findings = quality.check(_facts(implementation, code_sets))
        if rule:
            findings = [f for f in findings if f.rule == rule]
        if findings:
            rows.append(QualityRow(implementation, findings))
    return rows


# --- KPIs -----------------------------------------------------------------------------------


def kpi_facts(*, department: int | None = None) -> list[kpis.ImplFacts]:
    implementations = ItemImplementation.objects.filter(status=PublicationStatus.PUBLISHED)
    if department is not None:
        implementations = implementations.filter(department_id=department)
    rows = implementations.annotate(
        applicant_materials=Count("materials", filter=Q(materials__source=MaterialSource.APPLICANT)),
    ).values_list("id", "department_id", "department__name", "legal_limit_workdays",
                  "promised_limit_workdays", "online_depth", "trips", "applicant_materials",
                  "baseline_material_count")
    return [kpis.ImplFacts(*row) for row in rows]


def kpi_overview() -> tuple[list[kpis.Kpi], list[tuple[int, str, list[kpis.Kpi]]]]:
    facts = kpi_facts()
    return kpis.compute(facts), kpis.by_department(facts)


def kpi_misses(*, key: str, department: int | None = None) -> QuerySet[ItemImplementation]:
    if key not in kpis.LABELS:
        raise InvalidInput(f"未知指标“{key}”。", code="catalog.unknown_kpi")
    result = next(k for k in kpis.compute(kpi_facts(department=department)) if k.key == key)
    return implementation_list(ids=list(result.misses))


# --- standardization (四级四同) ----------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    item: ServiceItem
    implementations: list[ItemImplementation]
    differing: list[tuple[str, list[Any]]]  # element label, value per implementation


def standardization_compare(*, basic_code: str, limit: int = 40) -> Comparison:
    """Which guide elements differ among the implementations of one basic item."""
    item = ServiceItem.objects.get(basic_code=basic_code)
    implementations = list(published_implementations().filter(item=item)
                           .prefetch_related("materials").order_by("level", "region_id")[:limit])
    ignore = {"source", "illustrative", "place", "phone", "supervision_phone", "delegated_from",
              "delegation_batch", "delegated_on", "delegated", "baseline_material_count", "faq"}
    flats = [flatten({k: v for k, v in guide_of(i).snapshot().items() if k not in ignore})
             for i in implementations]
    grouped: dict[str, list[Any]] = defaultdict(list)
    for flat in flats:
        by_element: dict[str, list[str]] = defaultdict(list)
        for path, value in flat.items():
            by_element[element_label(path)].append(f"{value}")
        for label, values in by_element.items():
            grouped[label].append("；".join(values))
    differing = [(label, values) for label, values in grouped.items()
                 if len(values) == len(flats) and len(set(values)) > 1]
    return Comparison(item, implementations, differing)


def items_with_several_implementations(limit: int = 200) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.annotate(
        n=Count("implementations", filter=Q(implementations__status=PublicationStatus.PUBLISHED))
    ).filter(n__gt=1).order_by("-n", "basic_code")[:limit]


# --- delegation review (放权赋权回头看) ----------------------------------------------------

# The catalogue sits below the apps that handle cases (import-linter layers), so it cannot
# ask them; each one gives its counts through a provider registered in its AppConfig.ready
# (the cases app: `cases.selectors.cases_filed_per_implementation`). Bundles' member cases are
# cases, so they are counted there too.
CaseCounter = Callable[[dt.date, dt.date, Collection[int]], Mapping[int, int]]
CASE_COUNTERS: dict[str, CaseCounter] = {}


def case_counter_register(name: str, counter: CaseCounter) -> None:
    """Register (or replace) the case counter of one app: (start, end, implementation ids) →
    {implementation id: cases filed on those days, Beijing time, end inclusive}."""
    CASE_COUNTERS[name] = counter


def case_counts(*, start: dt.date, end: dt.date,
                implementation_ids: Collection[int]) -> dict[int, int]:
    """Cases filed per implementation between start and end (inclusive), over every app."""
    counts: dict[int, int] = defaultdict(int)
    for counter in CASE_COUNTERS.values():
        for pk, n in counter(start, end, implementation_ids).items():
            counts[pk] += n
    return dict(counts)


def delegation_review(*, start: dt.date, end: dt.date) -> list[tuple[ItemImplementation, int]]:
    """Delegated implementations with no case filed between start and end (inclusive)."""
    if start > end:
        raise InvalidInput("开始日期不能晚于结束日期。", code="catalog.bad_period")
    delegated = list(published_implementations().filter(delegated=True).order_by(
        "region_id", "item__basic_code"))
    counts = case_counts(start=start, end=end, implementation_ids=[i.pk for i in delegated])
    return [(i, 0) for i in delegated if not counts.get(i.pk)]


# --- application forms (catalog.application_form) -----------------------------------------


def definition_for(implementation: ItemImplementation,
                   version: int | None = None) -> FormDefinition | None:
    """The application form of an implementation: its guide's own, else its basic item's;
    None when neither has one (the generic application fields apply).

    With `version` (a case's item_version), the form in force when that version was
    published, kept in the version's snapshot; a version published before forms existed, or
    without one, gives today's form."""
    if version is not None:
        stored = (ImplementationVersion.objects.filter(implementation=implementation,
                                                       number=version)
                  .values_list("snapshot", flat=True).first())
        if isinstance(stored, dict) and stored.get("form"):
            return FormDefinition.model_validate(stored["form"])
    data = implementation.form or implementation.item.form
    return FormDefinition.model_validate(data) if data else None


def form_code_sets() -> dict[str, list[Option]]:
    """Every code set choice fields may name, by name."""
    return {row.name: [Option.model_validate(option) for option in row.options]
            for row in FormCodeSet.objects.all()}


class RegionTable:
    """catalog.form_answers.RegionLookup on the regions table: one query per code asked."""

    def __contains__(self, code: object, /) -> bool:
        return isinstance(code, str) and Region.objects.filter(code=code).exists()


def form_answers_check(definition: FormDefinition, answers: Mapping[str, Any]) -> tuple[
        dict[str, Any], dict[str, str]]:
    """form_answers.validate with this deployment's code sets, regions and today."""
    return form_answers.validate(definition, answers, code_sets=form_code_sets(),
                                 regions=RegionTable(), today=clock.today())


@dataclass(frozen=True)
class UnionForm:
    """A bundle's one form: the union of its members' forms (catalog.form_union), the member
    definitions it was built from (by implementation id; members without a form are absent),
    and the code sets to pass to form_union.split / errors_to_union."""

    definition: FormDefinition
    members: dict[int, FormDefinition]
    code_sets: dict[str, list[Option]]
    notes: list[str]


def union_form(implementations: Collection[ItemImplementation], *,
               title: str = form_union.UNION_TITLE) -> UnionForm | None:
    """The one form of a bundle whose members are `implementations`; None when none of them
    has a form of its own."""
    members = {implementation.pk: definition
               for implementation in implementations
               if (definition := definition_for(implementation)) is not None}
    if not members:
        return None
    code_sets = form_code_sets()
    definitions = list(members.values())
    return UnionForm(form_union.union(definitions, title=title, code_sets=code_sets), members,
                     code_sets, form_union.union_notes(definitions, code_sets=code_sets))

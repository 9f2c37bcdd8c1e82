"""Reads of 一件事: published bundles and their guides, the catalogue facts a definition is
checked against, which implementation serves each member where, and bundle cases scoped to
the user (the applicant, the 一件事 window of the region, the member departments,
supervisors)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from zhengwu.accounts.models import User
from zhengwu.bundles import definition as d
from zhengwu.bundles import kpis
from zhengwu.bundles.models import Bundle, BundleCase, BundleVersion, HallLevel, MaterialIdentity
from zhengwu.cases.access import reach_q, reviewer_departments, visible_q
from zhengwu.cases.models import Case
from zhengwu.cases.parents import Parent
from zhengwu.cases.workflow import Role
from zhengwu.catalog.models import ItemImplementation, MaterialSource, PublicationStatus
from zhengwu.core.masking import mask_answer
from zhengwu.regions.models import Region


def identity_map() -> dict[str, str]:
    """Material name → its identity (一次采集); a name without an entry is its own identity."""
    mapping: dict[str, str] = {}
    for row in MaterialIdentity.objects.all():
        for name in row.names:
            mapping[name] = row.identity
        mapping.setdefault(row.identity, row.identity)
    return mapping


def _candidates(codes: Iterable[str]) -> QuerySet[ItemImplementation]:
    return ItemImplementation.objects.filter(
        item__basic_code__in=list(codes), status=PublicationStatus.PUBLISHED).select_related(
        "item", "department", "region").prefetch_related("materials").order_by("region_id", "id")


def _pick(implementations: list[ItemImplementation], member: d.Member, *, region: Region,
          hall_level: str) -> ItemImplementation | None:
    """The implementation serving `member` for a bundle handled in `region`: at a city hall the
    county's own (by the member's department when named); at a township hall the chosen
    township's (or, with a county region, the first township that has one)."""
    mine = [i for i in implementations if i.item.basic_code == member.item]
    if hall_level == HallLevel.CITY:
        mine = [i for i in mine if i.region_id == region.code]
        if member.department:
            named = [i for i in mine if i.department.short_name == member.department]
            return named[0] if named else None
        return mine[0] if mine else None
    below = [i for i in mine if i.region_id.startswith(region.prefix) and i.level >= 5]
    return below[0] if below else None


def member_implementations(definition: d.Definition, members: Iterable[d.Member],
                           region: Region) -> dict[str, ItemImplementation | None]:
    chosen = list(members)
    implementations = list(_candidates(m.item for m in chosen))
    return {m.item: _pick(implementations, m, region=region, hall_level=definition.hall_level)
            for m in chosen}


def facts_of(implementation: ItemImplementation, identities: dict[str, str]) -> d.ItemFacts:
    materials = tuple(
        d.MaterialFacts(m.name, identities.get(m.name, m.name), m.required, m.source)
        for m in sorted(implementation.materials.all(), key=lambda m: m.position)
        if m.source != MaterialSource.NOT_REQUIRED)
    return d.ItemFacts(implementation.item.basic_code, implementation.item.name, True, materials,
                       implementation.promised_limit_workdays or None)


def item_facts(definition: d.Definition, region: Region) -> dict[str, d.ItemFacts]:
    """What the catalogue says about each member where the bundle is offered."""
    from zhengwu.catalog.models import ServiceItem

    found = member_implementations(definition, definition.members, region)
    identities = identity_map()
    names = dict(ServiceItem.objects.filter(basic_code__in=list(found)).values_list(
        "basic_code", "name"))
    facts: dict[str, d.ItemFacts] = {}
    for code, implementation in found.items():
        if implementation is not None:
            facts[code] = facts_of(implementation, identities)
        elif code in names:
            facts[code] = d.ItemFacts(code, names[code], published=False)
    return facts


def bundle_definition(bundle: Bundle, version: int | None = None) -> d.Definition:
    if version is None or version == bundle.version:
        return d.parse(bundle.definition)
    row = BundleVersion.objects.get(bundle=bundle, number=version)
    return d.parse(row.definition)


def published_bundles() -> QuerySet[Bundle]:
    return Bundle.objects.filter(version__gt=0).select_related("lead_department", "region")


def bundle_get(code: str) -> Bundle:
    """A published bundle, or Bundle.DoesNotExist (→ 404)."""
    return published_bundles().get(code=code)


def bundles_search(*, q: str = "", audience: str = "", hall_level: str = "",
                   theme: str = "") -> QuerySet[Bundle]:
    bundles = published_bundles()
    if q:
        bundles = bundles.filter(Q(name__icontains=q) | Q(theme__icontains=q) |
                                 Q(code__iexact=q))
    if audience:
        bundles = bundles.filter(audience=audience)
    if hall_level:
        bundles = bundles.filter(hall_level=hall_level)
    if theme:
        bundles = bundles.filter(theme=theme)
    return bundles.order_by("hall_level", "-audience", "code")


@dataclass(frozen=True)
class Guide:
    """What the public guide of a bundle shows (and its 一次性告知单 prints)."""

    bundle: Bundle
    definition: d.Definition
    members: list[tuple[d.Member, ItemImplementation | None]]
    materials: d.MaterialCount
    steps: int
    stages: list[list[d.Member]]
    critical_path: Decimal


@dataclass(frozen=True)
class CatalogFacts:
    """The published implementations and the material identity table, read once for a
    whole page of bundles (the KPI page's 268 bundles are two queries, not 268 × 3)."""

    implementations: list[ItemImplementation]
    identities: dict[str, str]

    @classmethod
    def read(cls, codes: Iterable[str]) -> CatalogFacts:
        return cls(list(_candidates(codes)), identity_map())


def bundle_guide(bundle: Bundle, answers: dict[str, str] | None = None,
                 region: Region | None = None, *, catalog: CatalogFacts | None = None) -> Guide:
    """The guide for all members (answers=None) or for the members these answers select."""
    definition = bundle_definition(bundle)
    members = list(definition.members) if answers is None else d.applicable(definition, answers)
    members.sort(key=lambda m: (m.position, m.item))
    catalog = catalog or CatalogFacts.read(m.item for m in members)
    where = region or bundle.region
    found = {m.item: _pick(catalog.implementations, m, region=where,
                           hall_level=definition.hall_level) for m in members}
    facts = {code: facts_of(i, catalog.identities) for code, i in found.items() if i is not None}
    return Guide(bundle, definition, [(m, found.get(m.item)) for m in members],
                 d.materials_needed(members, facts), d.steps(members), d.stages(members),
                 d.critical_path(members))


def townships(bundle: Bundle) -> list[Region]:
    """Where a township-hall bundle can be handled: the townships of its county."""
    return list(Region.objects.filter(parent=bundle.region).order_by("code"))


# --- bundle cases -----------------------------------------------------------------------------


def bundle_cases_for(user: User) -> QuerySet[BundleCase]:
    """Every read of bundle cases starts here: absent and not yours look the same (404)."""
    cases = BundleCase.objects.select_related("bundle", "region")
    # The window of the bundle's handling region, the departments of its member cases.
    condition = visible_q(user, region="region__code", department="members__department_id",
                          own=("applicant", "submitted_by"))
    if condition is None:
        return cases.none()
    return cases.filter(condition).distinct() if condition else cases


def bundle_access_log(user: User, number: str) -> QuerySet[Any]:
    """谁查看过我的一件事: the staff reads of one of the user's own bundle cases, grouped (one
    line per staff member, department, purpose and day; core.access_log). Only the applicant
    may read it: a bundle case the user cannot see is absent, another's seen as staff is
    refused."""
    from zhengwu.bundles.models import BundleAccess
    from zhengwu.core.access_log import access_groups
    from zhengwu.core.errors import NotAllowed

    bundle_case = bundle_cases_for(user).get(number=number)
    if bundle_case.applicant_id != user.pk:
        raise NotAllowed("只有申请人本人可以查看一件事的查阅记录。",
                         code="bundle.access_log_forbidden")
    return access_groups(BundleAccess.objects.filter(bundle_case=bundle_case))


def bundle_case_detail(user: User, number: str) -> BundleCase:
    return bundle_cases_for(user).prefetch_related(
        "members__case", "members__department", "materials", "notices", "events",
        "supplement_requests__department").get(number=number)


def bundle_form_rows(bundle_case: BundleCase, *, masked: bool,
                     item: str = "") -> list[tuple[str, str]]:
    """The bundle case's one form as (label, value) rows in form order, personal data masked
    for viewers who may not see it whole (core.masking.mask_answer). With `item`, only what
    that member case receives (definition.member_form): the applicant's fields and the
    bundle fields mapped to it."""
    from django.core.exceptions import ObjectDoesNotExist

    from zhengwu.bundles import formdef

    try:
        definition = bundle_definition(bundle_case.bundle, bundle_case.version)
    except (d.DefinitionError, ObjectDoesNotExist):
        return []
    mapped = {f.key for f in definition.fields if any(t.item == item for t in f.maps_to)}
    rows = []
    for field in formdef.form_fields(definition):
        if item and not (field.common or field.key in mapped):
            continue
        value = str(bundle_case.form_data.get(field.key, ""))
        if not value:
            continue
        if masked:
            value = mask_answer(value, key=field.key, kind=field.kind,
                                enterprise=bundle_case.applicant_kind == "enterprise")
        rows.append((field.label, value))
    return rows


def member_parent(case: Case, masked: bool) -> Parent | None:
    """cases.parents reader: the bundle a member case belongs to, with the part of the one
    form this member receives (masked as the case's own personal data is)."""
    from zhengwu.bundles.models import BundleMember

    member = BundleMember.objects.select_related("bundle_case__bundle").filter(
        case_id=case.pk).first()
    if member is None:
        return None
    bundle_case = member.bundle_case
    return Parent(kind="一件事", number=bundle_case.number, name=bundle_case.bundle.name,
                  url=bundle_case.get_absolute_url(),
                  form_rows=tuple(bundle_form_rows(bundle_case, masked=masked,
                                                   item=member.item_code)),
                  note="本办件属于一件事：受理、补正、送达和撤回在一件事窗口统一办理，"
                       "本部门对本事项作出决定。")


def window_queue(user: User, *, status: str = "") -> QuerySet[BundleCase]:
    """The 一件事 window's queue: bundle cases of the regions the clerk serves."""
    condition = reach_q(user, region="region__code", roles={Role.WINDOW})
    if condition is None:
        return BundleCase.objects.none()
    cases = BundleCase.objects.filter(condition).select_related("bundle")
    if status:
        cases = cases.filter(status=status)
    return cases.order_by("submitted_at", "id")


def department_members(user: User) -> QuerySet[Any]:
    """Member cases of the user's departments, with their bundle."""
    from zhengwu.bundles.models import BundleMember

    return BundleMember.objects.filter(department_id__in=reviewer_departments(user)) \
        .select_related("bundle_case__bundle", "case", "department").order_by(
            "-bundle_case__submitted_at", "position")


# --- KPIs -------------------------------------------------------------------------------------


def may_view_kpis(user: User) -> bool:
    """一件事 KPIs are for 电子监察 and the catalogue administrators (page and API alike)."""
    return user.has_perm("cases.view_all_cases") or user.has_perm("catalog.edit_catalog")


OPEN = ("submitted", "awaiting_supplement", "supplemented", "in_progress")


def _finished(bundles: Sequence[Bundle]) -> dict[int, list[kpis.FinishedCase]]:
    """Finished cases of these bundles with their members' working times, in two queries."""
    from zhengwu.bundles.models import BundleMember, BundleResult
    from zhengwu.workdays.selectors import calendar_get

    calendar = calendar_get()
    cases = list(BundleCase.objects.filter(bundle__in=bundles, finished_at__isnull=False,
                                           accepted_at__isnull=False)
                 .exclude(result=BundleResult.NONE).order_by("id"))
    members: dict[int, list[tuple[str, Decimal, Decimal]]] = {}
    for member in BundleMember.objects.filter(bundle_case__in=cases, started_at__isnull=False,
                                              case__closed_at__isnull=False).select_related(
            "case").only("bundle_case_id", "item_name", "started_at", "case__closed_at",
                         "case__promised_workdays"):
        assert member.started_at is not None
        assert member.case.closed_at is not None
        members.setdefault(member.bundle_case_id, []).append((
            member.item_name,
            calendar.office_workdays_between(member.started_at, member.case.closed_at),
            member.case.promised_workdays))
    result: dict[int, list[kpis.FinishedCase]] = {}
    for c in cases:
        result.setdefault(c.bundle_id, []).append(kpis.FinishedCase(
            number=c.number,
            elapsed=calendar.office_workdays_between(c.accepted_at, c.finished_at),  # type: ignore[arg-type]
            promised=c.promised_workdays,
            in_time=c.due_at is None or c.finished_at <= c.due_at,  # type: ignore[operator]
            members=tuple(members.get(c.pk, ()))))
    return result


def _kpi(bundle: Bundle, guide: Guide, counts: dict[str, int],
         finished: list[kpis.FinishedCase]) -> kpis.BundleKpi:
    definition = guide.definition
    stage_limits = []
    if definition.steps_limit is not None or definition.materials_limit is not None:
        for number, stage in enumerate(guide.stages, start=1):
            limit = max(m.promise for m in stage)
            label = stage[0].item_name if len(stage) == 1 else \
                f"第{number}阶段 {len(stage)} 个事项并联办理"
            stage_limits.append((label, limit, frozenset(m.item_name for m in stage)))
    return kpis.bundle_kpi(
        code=bundle.code, name=bundle.name, steps=guide.steps,
        steps_limit=definition.steps_limit, materials_before=guide.materials.before,
        materials_after=guide.materials.after, materials_limit=definition.materials_limit,
        promised=definition.promised_workdays, submitted=counts.get("total", 0),
        open_cases=counts.get("open", 0), finished=finished, stage_limits=stage_limits)


def _counts(bundles: Sequence[Bundle]) -> dict[int, dict[str, int]]:
    from django.db.models import Count, Q

    rows = BundleCase.objects.filter(bundle__in=bundles).values("bundle_id").annotate(
        total=Count("id"), open=Count("id", filter=Q(status__in=OPEN)))
    return {row["bundle_id"]: {"total": row["total"], "open": row["open"]} for row in rows}


def bundle_kpi(bundle: Bundle) -> kpis.BundleKpi:
    """The KPIs of one bundle: its definition's figures and its cases' performance."""
    return _kpi(bundle, bundle_guide(bundle), _counts([bundle]).get(bundle.pk, {}),
                _finished([bundle]).get(bundle.pk, []))


def bundle_kpis(*, with_cases_or_limits: bool = True) -> list[kpis.BundleKpi]:
    """KPIs of the bundles that have cases or plan limits (all bundles when asked), in a
    fixed number of queries whatever the number of bundles."""
    from django.db.models import Exists, OuterRef

    bundles = published_bundles().annotate(has_cases=Exists(
        BundleCase.objects.filter(bundle=OuterRef("pk"))))
    chosen = [b for b in bundles if not with_cases_or_limits or b.has_cases  # type: ignore[attr-defined]
              or b.definition.get("steps_limit") or b.definition.get("materials_limit")]
    catalog = CatalogFacts.read({m["item"] for b in chosen
                                 for m in b.definition.get("members", [])})
    counts, finished = _counts(chosen), _finished(chosen)
    return [_kpi(b, bundle_guide(b, catalog=catalog), counts.get(b.pk, {}),
                 finished.get(b.pk, [])) for b in chosen]


# The rows behind a bundle's figures on the KPI page (一件事指标): its cases, all or by how
# they stand; "in_time" and "late" as the KPI counts them (accepted, finished, by due_at).
KPI_CASE_STATES = {"": "全部申请", "open": "在办", "finished": "已办结",
                   "in_time": "承诺时限内办结", "late": "超过承诺时限办结"}


def bundle_kpi_cases(bundle: Bundle, state: str = "") -> QuerySet[BundleCase]:
    """The cases of one bundle behind a KPI figure, newest first."""
    from django.db.models import F

    cases = BundleCase.objects.filter(bundle=bundle).select_related("region")
    done = {"finished_at__isnull": False, "accepted_at__isnull": False}
    if state == "open":
        cases = cases.filter(finished_at__isnull=True)
    elif state == "finished":
        cases = cases.filter(**done)
    elif state == "in_time":
        cases = cases.filter(**done, finished_at__lte=F("due_at"))
    elif state == "late":
        cases = cases.filter(**done, finished_at__gt=F("due_at"))
    return cases.order_by("-submitted_at", "-id")


def overall_kpi() -> kpis.OverallKpi:
    from django.db.models import Count, F, Q, Sum

    figures = BundleCase.objects.aggregate(
        submitted=Count("id"), finished=Count("id", filter=Q(finished_at__isnull=False)
                                              & Q(accepted_at__isnull=False)),
        in_time=Count("id", filter=Q(finished_at__isnull=False) & Q(accepted_at__isnull=False)
                      & Q(finished_at__lte=F("due_at"))),
        before=Sum("materials_before"), after=Sum("materials_after"))
    return kpis.OverallKpi(bundles=published_bundles().count(), submitted=figures["submitted"],
                           finished=figures["finished"], in_time=figures["in_time"],
                           materials_before=figures["before"] or 0,
                           materials_after=figures["after"] or 0)

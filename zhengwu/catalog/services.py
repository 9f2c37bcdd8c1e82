"""Writes to the catalogue: publishing guides as immutable versions, drafts under review,
all-or-nothing imports, synonyms. Each function is one transaction with its audit rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from zhengwu.catalog import codes
from zhengwu.catalog.application_form import CodeSet, FormDefinition, code_sets_named
from zhengwu.catalog.guide import GuideData, guide_of
from zhengwu.catalog.models import (
    CatalogGeneration,
    DraftState,
    FormCodeSet,
    ImplementationDraft,
    ImplementationVersion,
    ItemImplementation,
    Material,
    PublicationStatus,
    ServiceItem,
    Synonym,
    Theme,
)
from zhengwu.catalog.rows import CatalogRow, ItemData, Problem
from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import Conflict, InvalidInput, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.regions.models import Region

Progress = Callable[[int, int], None]


def catalog_generation_bump() -> None:
    """Tell every process that published data or synonyms changed (search index rebuild)."""
    updated = CatalogGeneration.objects.filter(pk=1).update(counter=F("counter") + 1)
    if not updated:
        CatalogGeneration.objects.get_or_create(pk=1, defaults={"counter": 1})


def item_snapshot(item: ServiceItem) -> dict[str, Any]:
    return {
        "basic_code": item.basic_code, "name": item.name, "item_type": item.item_type,
        "audience": item.audience, "legal_basis": item.legal_basis,
        "legal_limit_workdays": str(item.legal_limit_workdays)
        if item.legal_limit_workdays is not None else None,
        "legal_limit_note": item.legal_limit_note, "result_name": item.result_name,
        "result_type": item.result_type, "is_intermediary": item.is_intermediary,
    }


def version_snapshot(implementation: ItemImplementation, guide: GuideData) -> dict[str, Any]:
    return {
        "item": item_snapshot(implementation.item),
        "implementation": {"code": implementation.code,
                           "department": implementation.department.name,
                           "region_code": implementation.region_id,
                           "level": implementation.level},
        "guide": guide.snapshot(),
        # The form in force for this version (the guide's own, else the item's), so a case
        # pinned to the version keeps the form it was filed on (selectors.definition_for).
        "form": guide.form.snapshot() if guide.form is not None else implementation.item.form,
    }


def _apply_guide(implementation: ItemImplementation, guide: GuideData,
                 delegated_from: Department | None) -> None:
    values = guide.model_dump(exclude={"materials", "delegated_from", "form"})
    values["form"] = guide.form.snapshot() if guide.form is not None else None
    values["handling_forms"] = [str(v) for v in values["handling_forms"]]
    values["channels"] = [str(v) for v in values["channels"]]
    values["fees"] = [dict(f) for f in guide.model_dump(mode="json")["fees"]]
    values["faq"] = [dict(f) for f in guide.model_dump(mode="json")["faq"]]
    for key, value in values.items():
        setattr(implementation, key, value)
    implementation.delegated_from = delegated_from


def implementation_publish(*, implementation: ItemImplementation, guide: GuideData,
                           actor: Actor, note: str = "",
                           delegated_from: Department | None = None) -> ImplementationVersion:
    """Make `guide` the published guide: a new immutable version, materials replaced.

    Must run inside the caller's transaction (callers are the services below).
    """
    _apply_guide(implementation, guide, delegated_from)
    now = clock.now()
    previous = implementation.version
    implementation.version = previous + 1
    implementation.status = PublicationStatus.PUBLISHED
    implementation.published_at = now
    implementation.save()
    Material.objects.filter(implementation=implementation).delete()
    Material.objects.bulk_create(
        Material(implementation=implementation, position=i + 1, **m.model_dump())
        for i, m in enumerate(guide.materials))
    version = ImplementationVersion.objects.create(
        implementation=implementation, number=implementation.version,
        snapshot=version_snapshot(implementation, guide), published_at=now,
        approved_by=actor.user, note=note)
    audit_record(actor=actor, action="catalog.publish", obj=implementation,
                 before={"version": previous}, after={"version": implementation.version},
                 reason=note)
    return version


# --- drafts: draft → submitted → published / rejected -------------------------------------


def _require(actor: Actor, permission: str, message: str) -> None:
    if actor.user is None or not actor.user.has_perm(permission):
        raise NotAllowed(message)


@transaction.atomic
def draft_save(*, implementation_id: int, guide: GuideData, actor: Actor) -> ImplementationDraft:
    """Create or update the open draft of an implementation's guide."""
    _require(actor, "catalog.edit_catalog", "只有事项管理员可以编辑事项。")
    implementation = ItemImplementation.objects.select_for_update().get(pk=implementation_id)
    _check_delegator(guide)
    _check_code_sets(guide)
    draft = implementation.drafts.filter(state__in=[DraftState.DRAFT, DraftState.SUBMITTED]).first()
    if draft is not None and draft.state == DraftState.SUBMITTED:
        raise Conflict("该事项已有待审核的修改，审核完成前不能再次修改。", code="catalog.draft_submitted")
    before = draft.payload if draft else None
    if draft is None:
        draft = ImplementationDraft(implementation=implementation, author=actor.user)
    draft.payload = guide.snapshot()
    draft.author = actor.user
    draft.save()
    audit_record(actor=actor, action="catalog.draft_save", obj=draft,
                 before={"payload": before} if before else None, after={"payload": draft.payload})
    return draft


@transaction.atomic
def draft_submit(*, draft_id: int, actor: Actor) -> ImplementationDraft:
    _require(actor, "catalog.edit_catalog", "只有事项管理员可以提交事项修改。")
    draft = ImplementationDraft.objects.select_for_update().get(pk=draft_id)
    if draft.state != DraftState.DRAFT:
        raise Conflict(f"草稿当前状态为“{draft.get_state_display()}”，不能提交。",
                       code="catalog.draft_state")
    draft.state = DraftState.SUBMITTED
    draft.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="catalog.draft_submit", obj=draft,
                 before={"state": "draft"}, after={"state": "submitted"})
    return draft


@transaction.atomic
def draft_approve(*, draft_id: int, actor: Actor, note: str = "") -> ImplementationVersion:
    """审改办 approves a submitted draft: it becomes the next published version."""
    _require(actor, "catalog.publish_catalog", "只有审改办事项管理员可以审核发布。")
    draft = ImplementationDraft.objects.select_for_update().get(pk=draft_id)
    if draft.state != DraftState.SUBMITTED:
        raise Conflict(f"草稿当前状态为“{draft.get_state_display()}”，不能审核发布。",
                       code="catalog.draft_state")
    if actor.user is not None and draft.author_id == actor.user.pk:
        raise NotAllowed("提交人不能审核自己提交的修改（双人复核）。", code="catalog.four_eyes")
    implementation = ItemImplementation.objects.select_for_update().get(pk=draft.implementation_id)
    guide = GuideData.model_validate(draft.payload)
    version = implementation_publish(implementation=implementation, guide=guide, actor=actor,
                                     note=note or "审核发布",
                                     delegated_from=_check_delegator(guide))
    draft.state = DraftState.PUBLISHED
    draft.reviewer = actor.user
    draft.review_note = note
    draft.published_version = version.number
    draft.save(update_fields=["state", "reviewer", "review_note", "published_version",
                              "updated_at"])
    catalog_generation_bump()
    return version


@transaction.atomic
def draft_reject(*, draft_id: int, actor: Actor, note: str) -> ImplementationDraft:
    _require(actor, "catalog.publish_catalog", "只有审改办事项管理员可以退回修改。")
    if not note.strip():
        raise InvalidInput("退回时必须写明理由。", code="catalog.reason_required")
    draft = ImplementationDraft.objects.select_for_update().get(pk=draft_id)
    if draft.state != DraftState.SUBMITTED:
        raise Conflict(f"草稿当前状态为“{draft.get_state_display()}”，不能退回。",
                       code="catalog.draft_state")
    draft.state = DraftState.REJECTED
    draft.reviewer = actor.user
    draft.review_note = note
    draft.save(update_fields=["state", "reviewer", "review_note", "updated_at"])
    audit_record(actor=actor, action="catalog.draft_reject", obj=draft,
                 before={"state": "submitted"}, after={"state": "rejected"}, reason=note)
    return draft


def _check_code_sets(guide: GuideData) -> None:
    """An implementation's own form may name only code sets the deployment has."""
    if guide.form is None:
        return
    named = code_sets_named(guide.form.fields)
    missing = sorted(named - set(FormCodeSet.objects.filter(name__in=named)
                                 .values_list("name", flat=True)))
    if missing:
        raise InvalidInput(f"申请表引用的代码集“{missing[0]}”不存在：请先在数据包的 "
                           "form_code_sets.json 中定义。", code="catalog.unknown_code_set")


def _check_delegator(guide: GuideData) -> Department | None:
    if not guide.delegated_from:
        return None
    department = Department.objects.filter(short_name=guide.delegated_from).first()
    if department is None:
        raise InvalidInput(f"赋权部门“{guide.delegated_from}”不存在。", code="catalog.unknown_department")
    return department


# --- import: all or nothing ----------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Lookups:
    """Departments, regions, items and implementations loaded once for a whole import."""

    def __init__(self) -> None:
        self.departments: dict[str, Department] = {}
        for department in Department.objects.all():
            self.departments[department.short_name] = department
            self.departments.setdefault(department.name, department)
        self.regions = {r.code: r for r in Region.objects.all()}
        self.items_by_code = {i.basic_code: i for i in
                              ServiceItem.objects.prefetch_related("themes")}
        self.items_by_name = {i.name: i for i in self.items_by_code.values()}
        self.implementations = {
            (i.item_id, i.department_id, i.region_id): i
            for i in ItemImplementation.objects.select_related("delegated_from", "department",
                                                               "region")
            .prefetch_related("materials")
        }
        self.codes = {i.code for i in self.implementations.values()}
        self.themes = {t.name: t for t in Theme.objects.all()}
        self.next_main: dict[tuple[str, str], int] = {}


def _check_rows(rows: list[CatalogRow], lookups: _Lookups) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[str, str, str], int] = {}
    names_by_code: dict[str, str] = {}
    for row in rows:
        department = lookups.departments.get(row.department)
        if department is None:
            problems.append(Problem(row.row, "实施主体", f"部门“{row.department}”不存在"))
        if row.region_code not in lookups.regions:
            problems.append(Problem(row.row, "行政区划代码", f"区划代码 {row.region_code} 不存在"))
        if row.guide.delegated_from and row.guide.delegated_from not in lookups.departments:
            problems.append(Problem(row.row, "赋权部门", f"部门“{row.guide.delegated_from}”不存在"))
        for theme in row.item.themes:
            if theme not in lookups.themes:
                problems.append(Problem(row.row, "主题", f"主题“{theme}”不存在"))
        key = (row.item.name, row.department, row.region_code)
        if key in seen:
            problems.append(Problem(row.row, "事项名称",
                                    f"与第{seen[key]}行重复（同一事项、实施主体和区划）"))
        seen[key] = row.row
        if row.item.basic_code:
            other = names_by_code.setdefault(row.item.basic_code, row.item.name)
            if other != row.item.name:
                problems.append(Problem(row.row, "基本编码",
                                        f"基本编码 {row.item.basic_code} 已用于“{other}”"))
            existing = lookups.items_by_code.get(row.item.basic_code)
            if existing is not None and existing.name != row.item.name:
                problems.append(Problem(row.row, "基本编码",
                                        f"基本编码 {row.item.basic_code} 已是事项“{existing.name}”的编码"))
        if row.code and department is not None:
            parsed = codes.parse_implementation_code(row.code)
            if parsed.uscc != department.uscc:
                problems.append(Problem(row.row, "实施编码",
                                        f"实施编码中的信用代码 {parsed.uscc} 与实施主体的 {department.uscc} 不符"))
            if parsed.level != row.level:
                problems.append(Problem(row.row, "实施编码",
                                        f"实施编码中的行使层级 {parsed.level} 与“行使层级” {row.level} 不符"))
    return problems


def _new_basic_code(item: ItemData, lookups: _Lookups, prefix: str) -> str:
    key = (prefix, item.item_type)
    if key not in lookups.next_main:
        used = [int(c[4:9]) for c in lookups.items_by_code
                if c[:2] == prefix and c[2:4] == item.item_type]
        lookups.next_main[key] = max(used, default=0) + 1
    number = lookups.next_main[key]
    lookups.next_main[key] = number + 1
    return codes.make_basic_code(prefix=prefix, item_type=item.item_type, main_seq=number)


def _upsert_item(data: ItemData, lookups: _Lookups, actor: Actor, prefix: str) -> ServiceItem:
    item = (lookups.items_by_code.get(data.basic_code) if data.basic_code
            else lookups.items_by_name.get(data.name))
    values = data.model_dump(exclude={"basic_code", "themes"})
    values["audience"] = [str(a) for a in values["audience"]]
    values["item_type"] = str(values["item_type"])
    if item is None:
        code = data.basic_code or _new_basic_code(data, lookups, prefix)
        item = ServiceItem.objects.create(basic_code=code, **values)
        audit_record(actor=actor, action="catalog.item_create", obj=item,
                     after={"basic_code": code, "name": data.name})
        lookups.items_by_code[code] = item
        lookups.items_by_name[item.name] = item
    else:
        before = {k: getattr(item, k) for k in values}
        if any(_differs(before[k], v) for k, v in values.items()):
            for key, value in values.items():
                setattr(item, key, value)
            item.save()
            audit_record(actor=actor, action="catalog.item_update", obj=item,
                         before={k: str(v) for k, v in before.items()},
                         after={k: str(v) for k, v in values.items()})
    wanted = {lookups.themes[t].pk for t in data.themes}
    if wanted != {t.pk for t in item.themes.all()}:  # prefetched: no query per row
        item.themes.set(wanted)
        # Drop the stale prefetch so a later row of the same item sees the new themes.
        getattr(item, "_prefetched_objects_cache", {}).pop("themes", None)
    return item


def _item_form_set(item: ServiceItem, form: FormDefinition | None, actor: Actor) -> bool:
    """Give the item its own application form; True when that changed it."""
    wanted = form.snapshot() if form is not None else None
    if item.form == wanted:
        return False
    before = item.form
    item.form = wanted
    item.save(update_fields=["form", "updated_at"])
    audit_record(actor=actor, action="catalog.item_form", obj=item,
                 before={"title": (before or {}).get("title", "")},
                 after={"title": (wanted or {}).get("title", "")})
    return True


def form_code_sets_replace(*, code_sets: Mapping[str, CodeSet], actor: Actor) -> int:
    """Make `code_sets` the code sets of application forms (a data pack's
    form_code_sets.json); how many were added, changed or removed."""
    changed = 0
    existing = {row.name: row for row in FormCodeSet.objects.all()}
    for name, data in code_sets.items():
        values = {"title": data.title, "source": data.source,
                  "options": [option.model_dump() for option in data.options]}
        row = existing.pop(name, None)
        if row is None:
            FormCodeSet.objects.create(name=name, **values)
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.save()
        else:
            continue
        changed += 1
    if existing:
        FormCodeSet.objects.filter(name__in=list(existing)).delete()
        changed += len(existing)
    if changed:
        audit_record(actor=actor, action="catalog.form_code_sets",
                     object_type="catalog.FormCodeSet", after={"names": sorted(code_sets)})
    return changed


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (Decimal(old) if old is not None else None) != (
            Decimal(new) if new is not None else None)
    return bool(old != new)


def catalog_import_rows(*, rows: list[CatalogRow], actor: Actor, code_prefix: str = "43",
                        progress: Progress | None = None, note: str = "导入",
                        item_forms: Mapping[str, FormDefinition] | None = None) -> ImportResult:
    """Import validated rows in one transaction: everything or nothing.

    Items are matched by 基本编码 (or by name when the row has none; new codes are generated
    under `code_prefix`, the province code for locally added items); implementations by
    (item, department, region). A row whose guide equals the published one changes nothing,
    so importing the same file twice is idempotent.

    `item_forms` (a data pack's forms/*.json, by exact item name) replaces the items' own
    forms; None leaves them as they are. An implementation whose item's form changed is
    published again, so its new version carries the form (cases pin versions). A row's
    guide never carries a form: an implementation's own form is kept.
    """
    lookups = _Lookups()
    problems = _check_rows(rows, lookups)
    if problems:
        return ImportResult(problems=problems)
    result = ImportResult()
    total = len(rows)
    forms_changed: set[int] = set()
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            item = _upsert_item(row.item, lookups, actor, code_prefix)
            if item_forms is not None and item.pk not in forms_changed \
                    and _item_form_set(item, item_forms.get(item.name), actor):
                forms_changed.add(item.pk)
            department = lookups.departments[row.department]
            region = lookups.regions[row.region_code]
            delegated_from = (lookups.departments[row.guide.delegated_from]
                              if row.guide.delegated_from else None)
            implementation = lookups.implementations.get((item.pk, department.pk, region.code))
            if implementation is None:
                code = row.code or codes.make_implementation_code(
                    uscc=department.uscc, level=row.level, basic_code=item.basic_code)
                if code in lookups.codes:
                    raise Conflict(f"第{row.row}行：实施编码 {code} 已被其他实施清单事项使用",
                                   code="catalog.code_taken")
                lookups.codes.add(code)
                implementation = ItemImplementation(item=item, department=department,
                                                    region=region, level=row.level, code=code)
                implementation_publish(implementation=implementation, guide=row.guide,
                                       actor=actor, note=note, delegated_from=delegated_from)
                result.created += 1
            else:
                implementation.item = item
                current = guide_of(implementation)
                guide = row.guide if row.guide.form is not None \
                    else row.guide.model_copy(update={"form": current.form})
                if current.snapshot() == guide.snapshot() \
                        and implementation.level == row.level \
                        and implementation.status == PublicationStatus.PUBLISHED \
                        and item.pk not in forms_changed:
                    result.unchanged += 1
                else:
                    implementation.level = row.level
                    implementation_publish(implementation=implementation, guide=guide,
                                           actor=actor, note=note, delegated_from=delegated_from)
                    result.updated += 1
            if progress is not None:
                progress(done, total)
        if result.created or result.updated:
            catalog_generation_bump()
    return result


@transaction.atomic
def themes_ensure(*, themes: Iterable[tuple[str, str, str]]) -> int:
    created = 0
    for name, audience, kind in themes:
        _, made = Theme.objects.update_or_create(name=name,
                                                 defaults={"audience": audience, "kind": kind})
        created += int(made)
    return created


@transaction.atomic
def synonyms_replace(*, pairs: Iterable[tuple[str, str]], actor: Actor) -> int:
    """Load synonyms from a pack: add or update each term (terms not listed are kept)."""
    changed = 0
    for term, targets in pairs:
        synonym, created = Synonym.objects.get_or_create(term=term, defaults={"targets": targets})
        if not created and synonym.targets != targets:
            synonym.targets = targets
            synonym.save(update_fields=["targets"])
            changed += 1
        changed += int(created)
    if changed:
        audit_record(actor=actor, action="catalog.synonyms_load", object_type="catalog.Synonym",
                     object_id="*", object_repr="同义词表", after={"changed": changed})
        catalog_generation_bump()
    return changed


@transaction.atomic
def synonym_save(*, term: str, targets: str, actor: Actor, synonym_id: int | None = None) -> Synonym:
    term, targets = term.strip(), ";".join(t.strip() for t in targets.replace("；", ";").split(";")
                                           if t.strip())
    if not term or not targets:
        raise InvalidInput("口语说法和对应用词都必须填写。", code="catalog.synonym_invalid")
    synonym = Synonym.objects.get(pk=synonym_id) if synonym_id else Synonym(term=term)
    before = {"term": synonym.term, "targets": synonym.targets} if synonym_id else None
    synonym.term, synonym.targets = term, targets
    synonym.save()
    audit_record(actor=actor, action="catalog.synonym_save", obj=synonym, before=before,
                 after={"term": term, "targets": targets})
    catalog_generation_bump()
    return synonym


@transaction.atomic
def synonym_delete(*, synonym_id: int, actor: Actor) -> None:
    synonym = Synonym.objects.get(pk=synonym_id)
    audit_record(actor=actor, action="catalog.synonym_delete", obj=synonym,
                 before={"term": synonym.term, "targets": synonym.targets})
    synonym.delete()
    catalog_generation_bump()


@transaction.atomic
def implementations_licence_type_set(*, item_names: Iterable[str], department_id: int,
                                     licence_type_id: int | None, actor: Actor) -> int:
    """Name the electronic licence that a grant of these items (as the department implements
    them) issues (cases.licensing); returns how many implementations changed."""
    changed = ItemImplementation.objects.filter(
        item__name__in=list(item_names), department_id=department_id).exclude(
        licence_type_id=licence_type_id)
    ids = list(changed.values_list("pk", flat=True))
    if not ids:
        return 0
    ItemImplementation.objects.filter(pk__in=ids).update(licence_type_id=licence_type_id)
    audit_record(actor=actor, action="catalog.licence_type_set",
                 object_type="catalog.ItemImplementation", object_id=",".join(map(str, ids)),
                 object_repr=f"{len(ids)} 项实施清单颁发电子证照",
                 after={"licence_type": licence_type_id})
    return len(ids)

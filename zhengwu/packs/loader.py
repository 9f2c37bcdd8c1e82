"""Loading a data pack (docs/pack-format.md) in one transaction: all of it or none of it.

Loading the same pack twice changes nothing the second time: every table is upserted by its
natural key and a guide equal to the published one is not published again.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from zhengwu.accounts.consent import consent_demo, notice_publish
from zhengwu.accounts.mandates import authorization_grant
from zhengwu.accounts.models import Authorization, User, UserKind
from zhengwu.accounts.roles import APPLICANT_ROLES, Role
from zhengwu.accounts.services import role_assign, role_groups_ensure, user_create
from zhengwu.catalog.application_form import (
    CODE_SET_NAME,
    CodeSet,
    FormDefinition,
    code_sets_named,
    error_text,
)
from zhengwu.catalog.rows import CatalogRow, Problem, parse_row, plan_limit
from zhengwu.catalog.services import (
    ImportResult,
    catalog_import_rows,
    form_code_sets_replace,
    implementations_licence_type_set,
    synonyms_replace,
    themes_ensure,
)
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import InvalidInput
from zhengwu.departments.models import Department
from zhengwu.departments.services import DepartmentRow, departments_load
from zhengwu.hall.pack import halls_load
from zhengwu.hotline.pack import hotline_load
from zhengwu.inspections.pack import inspections_load
from zhengwu.licences.services import department_keys_ensure, licence_type_save
from zhengwu.market.pack import market_load
from zhengwu.openness.pack import new_media_load
from zhengwu.packs.bundles import BundleLoad, bundles_load
from zhengwu.plan.pack import PlanLoad, plan_load
from zhengwu.policies.pack import policies_load
from zhengwu.portal.models import Site
from zhengwu.regions.models import Region
from zhengwu.regions.services import RegionRow, regions_load
from zhengwu.sharing.pack import shared_data_load

Progress = Callable[[str, int, int], None]


class PackError(InvalidInput):
    code = "packs.invalid"


@dataclass
class LoadReport:
    regions: int = 0
    departments: int = 0
    catalog: ImportResult | None = None
    synonyms: int = 0
    people: int = 0
    bundles: BundleLoad | None = None
    forms: int = 0
    code_sets: int = 0
    licence_types: int = 0
    licence_keys: list[str] | None = None
    shared_data: int = 0
    halls: int = 0
    hotline_categories: int = 0
    hotline_rules: int = 0
    policies: tuple[int, int, int] = (0, 0, 0)
    market: tuple[int, int] = (0, 0)
    plan: PlanLoad | None = None
    new_media: int = 0
    inspections: int = 0

    def summary(self) -> str:
        catalog = self.catalog or ImportResult()
        return (f"区划变更 {self.regions}，部门变更 {self.departments}，事项新增 {catalog.created}、"
                f"更新 {catalog.updated}、未变 {catalog.unchanged}，同义词变更 {self.synonyms}，"
                f"演示账号新增 {self.people}，一件事发布 "
                f"{self.bundles.published if self.bundles else 0}，申请表 {self.forms}，"
                f"申请表代码集变更 {self.code_sets}，证照类型变更 {self.licence_types}，"
                f"新建签名密钥（证照与文书） {len(self.licence_keys or [])}，共享数据变更 {self.shared_data}，"
                f"服务大厅新增 {self.halls}，12345诉求分类变更 {self.hotline_categories}，"
                f"12345派单规则新增 {self.hotline_rules}，政策文件新增 {self.policies[0]}、"
                f"惠企政策事项新增 {self.policies[1]}、企业信息文件导入 {self.policies[2]}，"
                f"行动方案举措变更 {self.plan.measures if self.plan else 0}、目标变更 "
                f"{self.plan.targets if self.plan else 0}，政务新媒体账号变更 {self.new_media}，"
                f"中介超市示例机构新增 {self.market[0]}、示例项目新增 {self.market[1]}，"
                f"监管事项新增 {self.inspections}")


def _read(pack: Path, name: str, *, required: bool = True) -> list[dict[str, str]]:
    path = pack / name
    if not path.exists():
        if required:
            raise PackError(f"数据包缺少文件 {name}")
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)]


def _yes(value: str) -> bool:
    return value.strip().lower() in {"yes", "y", "true", "1", "是"}


def catalog_rows(pack: Path) -> list[CatalogRow]:
    """The pack's implementations as catalogue rows; every problem names its file and row."""
    item_rows = _read(pack, "items.csv")
    items = {row["name"]: row for row in item_rows}
    problems: list[str] = []
    # Optional columns (measure [17]): the plan's caps on steps and materials; empty = none.
    limits: dict[str, dict[str, str]] = {}
    for number, record in enumerate(item_rows, start=2):
        limits[record["name"]] = {}
        for column, key in (("steps_limit", "plan_steps_limit"),
                            ("materials_limit", "plan_materials_limit")):
            try:
                value = plan_limit(record.get(column, ""))
            except ValueError as error:
                problems.append(f"items.csv 第{number}行「{column}」：{error}")
                value = None
            limits[record["name"]][key] = "" if value is None else str(value)
    materials: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _read(pack, "materials.csv"):
        materials[row["item_name"]].append(row)
    faq: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _read(pack, "faq.csv", required=False):
        faq[row["item_name"]].append({"question": row["question"], "answer": row["answer"]})
    rows: list[CatalogRow] = []
    for number, impl in enumerate(_read(pack, "implementations.csv"), start=2):
        item = items.get(impl.get("item_name", ""))
        if item is None:
            problems.append(f"implementations.csv 第{number}行：事项“{impl.get('item_name')}”不在 items.csv 中")
            continue
        own = [m for m in materials[item["name"]]
               if not m.get("region_code") or m["region_code"] == impl["region_code"]]
        raw: dict[str, Any] = {
            "basic_code": item.get("basic_code", ""), "name": item["name"],
            "item_type": item["item_type"], "audience": item.get("audience", ""),
            "themes": item.get("themes", ""), "legal_basis": item.get("legal_basis", ""),
            "item_legal_limit_workdays": item.get("legal_limit_workdays", ""),
            "legal_limit_note": item.get("legal_limit_note", ""),
            "item_conditions": item.get("conditions", ""),
            "result_name": item.get("result_name", ""), "result_type": item.get("result_type", ""),
            "is_intermediary": item.get("is_intermediary", ""),
            "keywords": item.get("keywords", ""), **limits[item["name"]],
            "department": impl["department"], "region_code": impl["region_code"],
            "level": impl["level"], "promised_limit_workdays": impl["promised_limit_workdays"],
            "online_depth": impl["online_depth"], "trips": impl["trips"],
            "handling_forms": impl.get("handling_forms", ""), "case_kind": impl.get("case_kind", ""),
            "channels": impl.get("channels", ""), "fees": impl.get("fees", ""),
            "materials": [{"name": m["name"], "form": m.get("form", ""),
                           "copies": int(m["copies"]) if m.get("copies", "").isdigit() else 1,
                           "source": m.get("source") or "applicant",
                           "required": _yes(m.get("required", "yes")),
                           "issuer": m.get("issuer", ""),
                           "government_issued": _yes(m.get("government_issued", "")),
                           "note": m.get("note", ""),
                           "licence_type_code": m.get("licence_type", ""),
                           "shared_item_code": m.get("shared_item", "")} for m in own],
            "commitment_allowed": impl.get("commitment", ""),
            "commitment_batch": impl.get("commitment_batch", ""),
            "commitment_published_on": impl.get("commitment_published_on", ""),
            "deemed_approval": impl.get("deemed_approval", ""),
            "deemed_batch": impl.get("deemed_batch", ""),
            "deemed_published_on": impl.get("deemed_published_on", ""),
            "cross_region_scope": impl.get("cross_region_scope", ""),
            "appointment": impl.get("appointment", ""), "place": impl.get("place", ""),
            "hours": impl.get("hours", ""), "phone": impl.get("phone", ""),
            "faq": faq.get(item["name"], []), "delegated": impl.get("delegated", ""),
            "delegated_from": impl.get("delegated_from", ""),
            "delegation_batch": impl.get("delegation_batch", ""),
            "delegated_on": impl.get("delegated_on", ""),
            "baseline_material_count": impl.get("baseline_material_count", ""),
            "source": impl.get("source") or item.get("source", ""),
            "illustrative": "yes" if _yes(impl.get("illustrative", "")) or _yes(
                item.get("illustrative", "")) else "no",
        }
        parsed = parse_row(number, raw)
        if isinstance(parsed, list):
            problems += [f"implementations.csv {p.as_text()}" for p in parsed]
        else:
            rows.append(parsed)
    if problems:
        raise PackError("数据包事项有误：" + "；".join(problems[:20]))
    return rows


def _people(pack: Path, actor: Actor) -> int:
    created = 0
    departments = {d.short_name: d for d in Department.objects.all()}
    for number, row in enumerate(_read(pack, "people.csv", required=False), start=2):
        try:
            role = Role(row["role"])
        except ValueError as error:
            raise PackError(f"people.csv 第{number}行：角色“{row['role']}”无效") from error
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            kind = (UserKind.ENTERPRISE if role == Role.APPLICANT_ENTERPRISE else UserKind.PERSON) \
                if role in APPLICANT_ROLES else UserKind.STAFF
            user = user_create(username=row["username"], password=row["password"], kind=kind,
                               display_name=row.get("display_name", ""),
                               phone=row.get("phone") or None,
                               citizen_id=row.get("citizen_id", ""), uscc=row.get("uscc", ""),
                               legal_representative_name=row.get("legal_representative_name", ""),
                               legal_representative_id=row.get("legal_representative_id", ""),
                               actor=actor)
            if role == Role.SYSTEM_ADMIN:
                # The system administrator manages the Django admin (users, synonyms, sites).
                User.objects.filter(pk=user.pk).update(is_superuser=True)
            created += 1
        department = departments.get(row.get("department", "")) if row.get("department") else None
        if row.get("department") and department is None:
            raise PackError(f"people.csv 第{number}行：部门“{row['department']}”不存在")
        region = Region.objects.filter(code=row.get("region_code", "")).first() \
            if row.get("region_code") else None
        role_assign(user=user, role=role, department=department, region=region, actor=actor)
        if role in APPLICANT_ROLES:
            # The demo applicants sign in at once (`make run`, the browser stories): a consent
            # to the notice published above, marked as demo data — nobody real agreed.
            consent_demo(user=user, actor=actor)
    return created


def _authorizations(pack: Path) -> int:
    """authorizations.csv: demo 经办人 authorizations (illustrative), granted by the principal
    from `days_before` days before the load date to `days_after` days after it; a pair that
    already has one not revoked is left alone (loading twice adds nothing)."""
    created = 0
    today = clock.today()
    for number, row in enumerate(_read(pack, "authorizations.csv", required=False), start=2):
        principal = User.objects.filter(username=row["principal"]).first()
        agent = User.objects.filter(username=row["agent"]).first()
        if principal is None or agent is None or not agent.phone:
            raise PackError(f"authorizations.csv 第{number}行：账号“{row['principal']}”或"
                            f"“{row['agent']}”不存在或没有手机号")
        if Authorization.objects.filter(principal=principal, agent=agent,
                                        revoked_at__isnull=True).exists():
            continue
        scope = row.get("scope", "all").strip()
        authorization_grant(
            user=principal, principal=principal, agent_phone=agent.phone,
            scope_all=scope == "all",
            item_codes=[] if scope == "all" else scope.split(";"),
            starts_on=today - dt.timedelta(days=int(row.get("days_before") or 0)),
            ends_on=today + dt.timedelta(days=int(row.get("days_after") or 365)))
        created += 1
    return created


def _privacy(pack: Path, actor: Actor) -> None:
    """privacy.md (`key: value` lines, `---`, the notice) and closure.md (what is kept after
    an account is closed, for how long): published as a version of the privacy notice."""
    path = pack / "privacy.md"
    if not path.exists():
        return
    head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
    meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    meta = {key.strip(): value.strip() for key, value in meta.items()}
    if not sep or not {"version", "title", "published"} <= set(meta):
        raise PackError("privacy.md 须以 version、title、published 行开头，再以 --- 行隔开正文")
    try:
        published = dt.datetime.combine(dt.date.fromisoformat(meta["published"]), dt.time(),
                                        tzinfo=SHANGHAI)
    except ValueError as error:
        raise PackError(f"privacy.md 的 published 不是日期：{meta['published']}") from error
    closure = pack / "closure.md"
    notice_publish(version=meta["version"], title=meta["title"], body=body.strip(),
                   changes=meta.get("changes", ""), published_at=published, actor=actor,
                   closure=closure.read_text(encoding="utf-8").strip() if closure.exists() else "")


@dataclass(frozen=True)
class PackForms:
    """The pack's application forms by exact item name, and its code sets; None = the pack
    has neither forms/ nor form_code_sets.json, and the catalogue's forms stay as they are."""

    forms: dict[str, FormDefinition]
    code_sets: dict[str, CodeSet]


def _json(path: Path, label: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PackError(f"{label} 不是有效的 JSON：{error}") from error


def _invalid(label: str, data: Any, error: ValidationError, *, under: str = "") -> PackError:
    return PackError(f"{label} 的 {under + '.' if under else ''}{error_text(data, error)}")


def pack_forms(pack: Path, item_names: set[str]) -> PackForms | None:
    """Read and check forms/*.json and form_code_sets.json (docs/forms.md) before anything
    is written: the first malformed definition is a PackError naming its file and field."""
    folder, sets_file = pack / "forms", pack / "form_code_sets.json"
    if not folder.is_dir() and not sets_file.exists():
        return None
    code_sets: dict[str, CodeSet] = {}
    if sets_file.exists():
        raw_sets = _json(sets_file, "form_code_sets.json")
        if not isinstance(raw_sets, dict):
            raise PackError("form_code_sets.json 应为“代码集名称: 代码集”的对象")
        for name, raw in raw_sets.items():
            if not CODE_SET_NAME.match(name):
                raise PackError(f"form_code_sets.json 的代码集名称“{name}”须为小写英文字母开头，"
                                "仅含小写字母、数字和下划线")
            try:
                code_sets[name] = CodeSet.model_validate(raw)
            except ValidationError as error:
                raise _invalid("form_code_sets.json", raw, error, under=name) from error
    forms: dict[str, FormDefinition] = {}
    files: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        label = f"forms/{path.name}"
        data = _json(path, label)
        if not isinstance(data, dict) or set(data) != {"item", "form"}:
            raise PackError(f"{label} 应为 {{\"item\": 事项名称, \"form\": 申请表定义}}")
        item = data["item"]
        if not isinstance(item, str) or item not in item_names:
            raise PackError(f"{label} 的 item：事项“{item}”不在 items.csv 中（须与事项名称完全一致）")
        if item in files:
            raise PackError(f"{label} 的 item：事项“{item}”已由 forms/{files[item]} 定义")
        try:
            form = FormDefinition.model_validate(data["form"])
        except ValidationError as error:
            raise _invalid(label, data["form"], error) from error
        missing = sorted(code_sets_named(form.fields) - set(code_sets))
        if missing:
            raise PackError(f"{label} 的 code_set：代码集“{missing[0]}”不在 form_code_sets.json 中")
        forms[item], files[item] = form, path.name
    return PackForms(forms, code_sets)


def _licence_types(pack: Path, actor: Actor) -> tuple[int, list[Department]]:
    """licence_types.json (optional): the electronic licence types and the items whose grant
    issues them (docs/pack-format.md). Returns (types changed, issuing departments)."""
    path = pack / "licence_types.json"
    if not path.exists():
        return 0, []
    data = _json(path, "licence_types.json")
    changed, issuers = 0, {}
    for entry in data.get("licence_types", []) if isinstance(data, dict) else []:
        try:
            department = Department.objects.get(short_name=entry["issuing_department"])
            licence_type, saved = licence_type_save(
                code=entry["code"], name=entry["name"], authority_name=entry["authority_name"],
                authority_illustrative=bool(entry.get("authority_illustrative")),
                holder_kind=entry["holder_kind"], issuing_department=department,
                fields=entry.get("fields", []), validity_years=entry.get("validity_years"),
                pdf_template=entry.get("pdf_template", ""), source=entry.get("source", ""),
                establishes_holder=bool(entry.get("establishes_holder")),
                registration_category=str(entry.get("registration_category", "1")),
                actor=actor)
        except KeyError as error:
            raise PackError(f"licence_types.json：证照类型缺少 {error}，或颁证部门不存在") from None
        except Department.DoesNotExist:
            raise PackError(f"licence_types.json：颁证部门“{entry['issuing_department']}”"
                            "不在 departments.csv 中") from None
        changed += saved
        issuers[department.pk] = department
        implementations_licence_type_set(item_names=entry.get("items", []),
                                         department_id=department.pk,
                                         licence_type_id=licence_type.pk, actor=actor)
    return changed, list(issuers.values())


def pack_load(path: Path | str, *, actor: Actor = SYSTEM, progress: Progress | None = None,
              with_people: bool = True) -> LoadReport:
    pack = Path(path)
    if not (pack / "pack.json").exists():
        raise PackError(f"{pack} 不是数据包：缺少 pack.json")
    try:
        meta = json.loads((pack / "pack.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PackError(f"pack.json 格式错误：{error}") from error
    report = LoadReport()
    say = progress or (lambda phase, done, total: None)
    rows = catalog_rows(pack)
    forms = pack_forms(pack, {row.item.name for row in rows})
    with transaction.atomic():
        role_groups_ensure()
        say("区划", 0, 1)
        report.regions = regions_load(rows=[RegionRow(r["code"], r["name"], r["level"],
                                                      r.get("parent_code", ""))
                                            for r in _read(pack, "regions.csv")],
                                      actor=actor, year=meta.get("division_year"))
        say("部门", 0, 1)
        report.departments = departments_load(rows=[
            DepartmentRow(short_name=r["short_name"], name=r["name"], kind=r["kind"],
                          uscc=r["uscc"], uscc_illustrative=_yes(r.get("uscc_illustrative", "")),
                          region_code=r["region_code"], phone=r.get("phone", ""),
                          address=r.get("address", ""), confirmed=r.get("confirmed", ""),
                          source=r.get("source", ""),
                          document_prefix=r.get("document_prefix", "") or meta.get(
                              "document_prefix", ""))
            for r in _read(pack, "departments.csv")], actor=actor)
        themes_ensure(themes=[(r["name"], r["audience"], r["kind"])
                              for r in _read(pack, "themes.csv")])
        if forms is not None:
            report.code_sets = form_code_sets_replace(code_sets=forms.code_sets, actor=actor)
            report.forms = len(forms.forms)
        report.catalog = catalog_import_rows(
            rows=rows, actor=actor, code_prefix=meta.get("region_code", "43")[:2],
            progress=lambda done, total: say("事项", done, total), note="数据包加载",
            item_forms=forms.forms if forms is not None else None)
        if report.catalog.problems:
            raise PackError("数据包事项有误：" + "；".join(
                p.as_text() for p in report.catalog.problems[:20]))
        report.synonyms = synonyms_replace(
            pairs=[(r["term"], r["targets"]) for r in _read(pack, "synonyms.csv", required=False)],
            actor=actor)
        say("一件事", 0, 1)
        report.bundles = bundles_load(pack, region_code=meta["region_code"], actor=actor)
        _privacy(pack, actor)
        report.licence_types, issuers = _licence_types(pack, actor)
        report.shared_data = shared_data_load(pack, actor=actor)
        report.halls = halls_load(pack, region_code=meta["region_code"], actor=actor)
        hotline = hotline_load(pack, actor=actor)
        report.hotline_categories, report.hotline_rules = hotline.categories, hotline.rules
        report.policies = policies_load(pack, actor=actor)
        report.plan = plan_load(pack, actor=actor)
        report.new_media = new_media_load(pack, actor=actor)
        report.inspections = inspections_load(pack, actor=actor)
        if with_people:
            report.people = _people(pack, actor)
            _authorizations(pack)
        # 中介超市 demo (示例); its project needs the demo owner account, loaded just above.
        report.market = market_load(pack, actor=actor)
        Region.objects.exclude(code=meta["region_code"]).filter(home=True).update(home=False)
        Region.objects.filter(code=meta["region_code"]).update(home=True)
        Site.objects.update_or_create(pk=1, defaults={
            "name": meta["name"], "region_id": meta["region_code"],
            "service_center": meta.get("service_center", ""),
            "service_center_address": meta.get("service_center_address", ""),
            "service_phone": meta.get("service_phone", ""),
            "document_prefix": meta.get("document_prefix", ""),
            "division_year": meta.get("division_year")})
    # The demo's departments sign with key files made here, once (docs/licences.md): the
    # issuing departments their licences, and every department its notices (issue 11 item 9);
    # after the commit, so a failed load leaves no keys behind.
    report.licence_keys = department_keys_ensure(
        [*issuers, *Department.objects.exclude(pk__in=[d.pk for d in issuers]).order_by("pk")])
    return report


__all__ = ["LoadReport", "PackError", "PackForms", "Problem", "catalog_rows", "pack_forms",
           "pack_load"]

"""A deterministic, province-scale catalogue for benchmarks (never for a real deployment).

`generate(scale)` fills the current (throw-away) database with a province shaped like Hunan:
14 cities × 8 counties × 15 townships × 6 villages (12-digit statistical codes), ~16,800
departments with valid USCCs, ~5,000 basic items and ≥ 200,000 published implementations
spread over the province, city, county, township and village levels.

Names stay plausible Chinese: every basic item of `packs/leiyang/items.csv` is kept as it is,
and varied with the qualifiers real catalogues use for sub-items (新办, 变更, 延续, 注销, …), so
the index sees the same kind of overlap between names that a province catalogue has.
Keywords, themes, audience, item type, guide elements and materials are taken from the item
that each name was derived from.

Rows go straight into the models with `bulk_create` (no services, no versions, no audit rows):
this is benchmark data only. The same scale and seed always give the same rows.

    DJANGO_SETTINGS_MODULE=config.settings.dev ZHENGWU_DATA_DIR=$(mktemp -d) \
        .venv/bin/python bench/province.py [--quick]
"""

from __future__ import annotations

import csv
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "packs" / "leiyang"
PROVINCE_CODE = "430000000000"
PROVINCE_NAME = "湖南省"
SOURCE = "bench/province.py 生成的基准测试数据（非真实事项）"

# The 14 cities of Hunan with their real 4-digit prefixes; everything below them is generated.
CITIES = [("4301", "长沙市"), ("4302", "株洲市"), ("4303", "湘潭市"), ("4304", "衡阳市"),
          ("4305", "邵阳市"), ("4306", "岳阳市"), ("4307", "常德市"), ("4308", "张家界市"),
          ("4309", "益阳市"), ("4310", "郴州市"), ("4311", "永州市"), ("4312", "怀化市"),
          ("4313", "娄底市"), ("4331", "湘西土家族苗族自治州")]

# Characters that Hunan place names are commonly made of.
PLACE_CHARS = ("安宁平江河山湖阳东西南北华兴长新永丰泰和德清源桥塘坪湾岭溪田石林竹桃花金银龙凤"
               "松柏云青白黄红茶梅荷桂莲双福寿乐昌盛隆兰芙蓉星沙望城浏雨岳麓天心开福芷岩泉潭"
               "洲铺冲坳垅湘资沅澧衡邵株攸醴茶炎渌莲韶花明月峰鹤古")

# Sub-item qualifiers that real catalogues use: for items of enterprises and other bodies, and
# for items of people.
ENTERPRISE_QUALIFIERS = ("新办", "变更", "延续", "注销", "补办", "换证", "名称变更", "地址变更",
                         "法定代表人变更", "增项", "减项", "告知承诺制", "分支机构", "撤回申请",
                         "暂停", "恢复", "迁入", "迁出", "年度报告", "信息变更")
PERSON_QUALIFIERS = ("首次申请", "变更", "补办", "换领", "遗失补领", "迁入", "迁出", "注销",
                     "线上办理", "异地办理", "代办", "查询打印", "证明开具", "信息核验",
                     "待遇申领", "资格认证", "转移接续", "暂停", "恢复", "终止", "续办")


@dataclass(frozen=True)
class Scale:
    cities: int
    counties_per_city: int
    townships_per_county: int
    villages_per_township: int
    items: int
    # Wanted implementations per level (2 province … 6 village); province items get one each.
    targets: tuple[tuple[int, int], ...]
    materials_per_implementation: int = 2

    def target(self, level: int) -> int:
        return dict(self.targets)[level]


FULL = Scale(cities=14, counties_per_city=8, townships_per_county=15, villages_per_township=6,
             items=5000, targets=((3, 14_000), (4, 86_000), (5, 65_000), (6, 50_000)))
QUICK = Scale(cities=4, counties_per_city=5, townships_per_county=8, villages_per_township=4,
              items=2000, targets=((3, 1_500), (4, 9_000), (5, 4_500), (6, 3_000)))


def _read(name: str) -> list[dict[str, str]]:
    with (PACK / name).open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)]


def _yes(value: str) -> bool:
    return value.strip().lower() in {"yes", "y", "true", "1", "是"}


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace("；", ";").split(";") if v.strip()]


def _stem(name: str) -> str:
    """企业设立登记（公司设立登记） → 企业设立登记."""
    for bracket in ("（", "("):
        if bracket in name and name.endswith(("）", ")")):
            return name[: name.index(bracket)]
    return name


class _Names:
    """Unique 2-character (then 3-character) place names from a fixed alphabet, seeded."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def make(self, count: int, used: set[str] | None = None) -> list[str]:
        used = set() if used is None else used
        out: list[str] = []
        length = 2
        attempts = 0
        while len(out) < count:
            name = "".join(self.rng.choice(PLACE_CHARS) for _ in range(length))
            attempts += 1
            if attempts > 50 * count:
                length, attempts = length + 1, 0
            if name in used or name[0] == name[1]:
                continue
            used.add(name)
            out.append(name)
        return out


@dataclass
class _Unit:
    """A region that implements items, with the departments that sit in it."""

    code: str
    name: str
    level: int  # 行使层级 of its departments: 2 province … 6 village
    city: str
    county: str = ""


@dataclass
class _Base:
    row: dict[str, str]
    impl: dict[str, str]
    sector: str  # department template, "{R}" = the region's name, "{C}" = its city
    levels: frozenset[str]
    materials: list[dict[str, str]]


def _bases() -> list[_Base]:
    items = _read("items.csv")
    departments = {d["short_name"]: d for d in _read("departments.csv")}
    implementations: dict[str, list[dict[str, str]]] = defaultdict(list)
    for impl in _read("implementations.csv"):
        implementations[impl["item_name"]].append(impl)
    materials: dict[str, list[dict[str, str]]] = defaultdict(list)
    for material in _read("materials.csv"):
        if not material.get("region_code"):
            materials[material["item_name"]].append(material)
    bases = []
    for item in items:
        impls = implementations.get(item["name"], [])
        county = [i for i in impls if i["level"] == "4"]
        first = (county or impls)[0]
        sector = "{R}人民政府办公室"
        if county:
            full = departments[county[0]["department"]]["name"]
            sector = full.replace("耒阳市", "{R}").replace("衡阳市", "{C}").replace("耒阳", "{R}")
        bases.append(_Base(row=item, impl=first, sector=sector,
                           levels=frozenset(i["level"] for i in impls),
                           materials=materials.get(item["name"], [])))
    return bases


@dataclass
class _ItemPlan:
    name: str
    base: _Base
    qualifier: str
    level: int


def _plan_items(bases: list[_Base], count: int, rng: random.Random) -> list[_ItemPlan]:
    """Every real item as it is, then qualified variants round-robin until `count` names."""
    plans: list[_ItemPlan] = []
    used: set[str] = set()
    for base in bases:
        levels = base.levels
        level = 6 if levels == {"6"} else 5 if levels == {"5"} else 4
        plans.append(_ItemPlan(base.row["name"], base, "", level))
        used.add(base.row["name"])
    queues: list[Iterator[str]] = []
    for base in bases:
        person_only = set(_split(base.row.get("audience", ""))) <= {"1"}
        pool = list(PERSON_QUALIFIERS if person_only else ENTERPRISE_QUALIFIERS)
        rng.shuffle(pool)
        stem = _stem(base.row["name"])
        queues.append(iter([f"{stem}（{q}）" for q in pool if q not in stem]))
    exhausted = False
    while len(plans) < count and not exhausted:
        exhausted = True
        for base, queue in zip(bases, queues, strict=True):
            name = next(queue, None)
            if name is None:
                continue
            exhausted = False
            if name in used:
                continue
            used.add(name)
            qualifier = name[name.rindex("（") + 1:-1]
            if base.levels == {"6"}:
                level = 6
            elif "5" in base.levels:
                level = 5
            else:
                level = rng.choices((2, 3, 4), weights=(25, 25, 50))[0]
            plans.append(_ItemPlan(name, base, qualifier, level))
            if len(plans) >= count:
                break
    return plans


def _keywords(plan: _ItemPlan) -> str:
    words = _split(plan.base.row.get("keywords", ""))
    if plan.qualifier and words:
        words = [*words, words[0] + plan.qualifier]
    return ";".join(dict.fromkeys(words))[:300]


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def generate(scale: Scale = FULL, *, seed: int = 20260101,
             say: Callable[[str], None] = print) -> dict[str, int]:
    """Fill the current database; returns row counts. Run it on an empty, migrated database."""
    from django.db import connection, transaction

    from zhengwu.catalog.codes import make_basic_code
    from zhengwu.catalog.models import (
        CatalogGeneration,
        ItemImplementation,
        Material,
        PublicationStatus,
        ServiceItem,
        Synonym,
        Theme,
    )
    from zhengwu.catalog.services import catalog_generation_bump
    from zhengwu.core import clock
    from zhengwu.core.codes import make_uscc
    from zhengwu.departments.models import Department, DepartmentKind
    from zhengwu.regions.codes import prefix_of
    from zhengwu.regions.models import Region, RegionLevel

    if ServiceItem.objects.exists() or Region.objects.exists():
        raise RuntimeError("bench/province.py fills an empty, throw-away database only")
    rng = random.Random(seed)
    names = _Names(rng)
    now = clock.now()
    started = time.perf_counter()
    counts: dict[str, int] = {}

    # -- regions ---------------------------------------------------------------------------
    regions: list[Region] = [Region(code=PROVINCE_CODE, name=PROVINCE_NAME,
                                    level=RegionLevel.PROVINCE, parent_id=None, prefix="43")]
    units: dict[int, list[_Unit]] = defaultdict(list)
    units[2].append(_Unit(PROVINCE_CODE, PROVINCE_NAME, 2, PROVINCE_NAME))
    county_names = names.make(scale.cities * scale.counties_per_city)
    for c, (city_prefix, city_name) in enumerate(CITIES[: scale.cities]):
        city_code = city_prefix + "00000000"
        regions.append(Region(code=city_code, name=city_name, level=RegionLevel.CITY,
                              parent_id=PROVINCE_CODE, prefix=city_prefix))
        units[3].append(_Unit(city_code, city_name, 3, city_name))
        for k in range(scale.counties_per_city):
            # 市辖区 01–20, 县 21–80, 县级市 81–99.
            kind_digits = f"{2 + k:02d}" if k < 2 else (
                f"{81 + k - 2:02d}" if k == scale.counties_per_city - 1 else f"{21 + k - 2:02d}")
            suffix = "区" if k < 2 else ("市" if k == scale.counties_per_city - 1 else "县")
            county_name = county_names[c * scale.counties_per_city + k] + suffix
            county_code = city_prefix + kind_digits + "000000"
            regions.append(Region(code=county_code, name=county_name, level=RegionLevel.COUNTY,
                                  parent_id=city_code, prefix=county_code[:6]))
            units[4].append(_Unit(county_code, county_name, 4, city_name, county_name))
            township_names = names.make(scale.townships_per_county)
            streets = max(1, scale.townships_per_county // 5)
            towns = scale.townships_per_county - streets - max(1, scale.townships_per_county // 5)
            for t in range(scale.townships_per_county):
                if t < streets:
                    number, level, suffix = 1 + t, RegionLevel.STREET, "街道"
                elif t < streets + towns:
                    number, level, suffix = 100 + t - streets + 1, RegionLevel.TOWN, "镇"
                else:
                    number, level, suffix = 200 + t - streets - towns + 1, RegionLevel.TOWNSHIP, "乡"
                township_code = county_code[:6] + f"{number:03d}000"
                township_name = township_names[t] + suffix
                regions.append(Region(code=township_code, name=township_name, level=level,
                                      parent_id=county_code,
                                      prefix=prefix_of(township_code, level)))
                units[5].append(_Unit(township_code, township_name, 5, city_name, county_name))
                village_names = names.make(scale.villages_per_township)
                for v in range(scale.villages_per_township):
                    community = level == RegionLevel.STREET or v < 1
                    number = (1 + v) if community else (200 + v + 1)
                    village_level = RegionLevel.COMMUNITY if community else RegionLevel.VILLAGE
                    village_code = township_code[:9] + f"{number:03d}"
                    village_name = village_names[v] + ("社区" if community else "村")
                    regions.append(Region(code=village_code, name=village_name,
                                          level=village_level, parent_id=township_code,
                                          prefix=village_code))
                    units[6].append(_Unit(village_code, village_name, 6, city_name,
                                          county_name + township_name))

    # -- departments -----------------------------------------------------------------------
    bases = _bases()
    sectors = sorted({b.sector for b in bases})
    pack_departments = {d["name"]: d for d in _read("departments.csv")}
    sector_kind: dict[str, tuple[str, str]] = {}
    for sector in sectors:
        sample = sector.replace("{R}", "耒阳市").replace("{C}", "衡阳市")
        row = pack_departments.get(sample) or pack_departments.get(sample.replace("耒阳市", "耒阳"))
        sector_kind[sector] = ((row["kind"], row["uscc"][:2]) if row
                               else (DepartmentKind.GOVERNMENT.value, "11"))
    departments: list[Department] = []
    # (level, region code, sector or "") → department id
    department_of: dict[tuple[int, str, str], int] = {}
    serial = 0

    def add_department(unit: _Unit, name: str, kind: str, uscc_head: str, key: str) -> None:
        nonlocal serial
        serial += 1
        body = f"MA{serial:06d}"
        uscc = make_uscc(uscc_head[0], uscc_head[1], unit.code[:6], body)
        departments.append(Department(id=serial, name=name, short_name=name[:100], kind=kind,
                                      uscc=uscc, uscc_illustrative=True, region_id=unit.code,
                                      phone=f"0731-{8000000 + serial:07d}", source=SOURCE))
        department_of[(unit.level, unit.code, key)] = serial

    for level in (2, 3, 4):
        for unit in units[level]:
            for sector in sectors:
                name = sector.replace("{R}", unit.name).replace("{C}", unit.city)
                kind, head = sector_kind[sector]
                add_department(unit, name, kind, head, sector)
    for unit in units[5]:
        street = unit.name.endswith("街道")
        add_department(unit, unit.county + unit.name + ("办事处" if street else "人民政府"),
                       DepartmentKind.STREET if street else DepartmentKind.TOWNSHIP, "11", "")
    for unit in units[6]:
        community = unit.name.endswith("社区")
        add_department(unit, unit.county + unit.name + ("居民委员会" if community else "村民委员会"),
                       DepartmentKind.VILLAGE, "55" if community else "54", "")

    # -- items -----------------------------------------------------------------------------
    themes = [Theme(id=i + 1, name=t["name"], audience=t["audience"], kind=t["kind"])
              for i, t in enumerate(_read("themes.csv"))]
    theme_id = {t.name: t.id for t in themes}
    plans = _plan_items(bases, scale.items, rng)
    items: list[ServiceItem] = []
    item_themes: list[Any] = []
    through = ServiceItem.themes.through
    next_seq: dict[tuple[str, str], int] = defaultdict(int)
    for number, plan in enumerate(plans, start=1):
        row = plan.base.row
        prefix = "00" if plan.level <= 2 or number % 3 == 0 else "43"
        next_seq[(prefix, row["item_type"])] += 1
        basic_code = make_basic_code(prefix=prefix, item_type=row["item_type"],
                                     main_seq=next_seq[(prefix, row["item_type"])])
        items.append(ServiceItem(
            id=number, basic_code=basic_code, name=plan.name, item_type=row["item_type"],
            audience=_split(row.get("audience", "")), legal_basis=row.get("legal_basis", ""),
            legal_limit_workdays=_decimal(row.get("legal_limit_workdays", "")),
            legal_limit_note=row.get("legal_limit_note", ""), conditions=row.get("conditions", ""),
            result_name=row.get("result_name", ""), result_type=row.get("result_type", ""),
            is_intermediary=_yes(row.get("is_intermediary", "")), keywords=_keywords(plan),
            source=SOURCE, illustrative=True))
        for theme in _split(row.get("themes", "")):
            if theme in theme_id:
                item_themes.append(through(serviceitem_id=number, theme_id=theme_id[theme]))

    # -- implementations -------------------------------------------------------------------
    by_level: dict[int, list[tuple[int, _ItemPlan]]] = defaultdict(list)
    for number, plan in enumerate(plans, start=1):
        by_level[plan.level].append((number, plan))
    uscc_of = {d.id: d.uscc for d in departments}
    basic_of = {i.id: i.basic_code for i in items}

    def implementations() -> Iterator[ItemImplementation]:
        pk = 0
        for level in (2, 3, 4, 5, 6):
            level_items = by_level.get(level, [])
            level_units = units[level]
            if not level_items:
                continue
            chance = 1.0 if level == 2 else min(
                1.0, scale.target(level) / (len(level_items) * len(level_units)))
            for number, plan in level_items:
                impl = plan.base.impl
                key = plan.base.sector if level <= 4 else ""
                promised = Decimal(impl["promised_limit_workdays"] or "5")
                for unit in level_units:
                    if level > 2 and rng.random() >= chance:
                        continue
                    department = department_of[(level, unit.code, key)]
                    pk += 1
                    yield ItemImplementation(
                        id=pk, item_id=number, department_id=department, region_id=unit.code,
                        level=level, status=PublicationStatus.PUBLISHED, version=1,
                        published_at=now, code=f"{uscc_of[department]}{level}{basic_of[number]}",
                        legal_limit_workdays=_decimal(plan.base.row.get("legal_limit_workdays", "")),
                        promised_limit_workdays=promised,
                        case_kind=impl.get("case_kind") or "2",
                        handling_forms=_split(impl.get("handling_forms", "")) or ["1"],
                        channels=_split(impl.get("channels", "")) or ["window"],
                        online_depth=int(impl["online_depth"] or 1),
                        trips=int(impl["trips"] or 1),
                        conditions=plan.base.row.get("conditions", ""),
                        commitment_allowed=_yes(impl.get("commitment", "")),
                        cross_region_scope=impl.get("cross_region_scope", ""),
                        appointment=_yes(impl.get("appointment", "")),
                        place=f"{unit.name}政务服务中心综合窗口",
                        hours=impl.get("hours", "") or "工作日 上午8:30-12:00 下午14:30-17:30",
                        phone=f"0731-{8000000 + department:07d}",
                        baseline_material_count=len(plan.base.materials) or None,
                        source=SOURCE, illustrative=True)

    synonyms = [Synonym(term=s["term"], targets=s["targets"]) for s in _read("synonyms.csv")]

    with transaction.atomic():
        Region.objects.bulk_create(regions, batch_size=2000)
        say(f"  regions {len(regions):,}  ({time.perf_counter() - started:.1f}s)")
        Department.objects.bulk_create(departments, batch_size=2000)
        say(f"  departments {len(departments):,}  ({time.perf_counter() - started:.1f}s)")
        Theme.objects.bulk_create(themes)
        ServiceItem.objects.bulk_create(items, batch_size=1000)
        through.objects.bulk_create(item_themes, batch_size=5000)
        Synonym.objects.bulk_create(synonyms)
        say(f"  items {len(items):,}  ({time.perf_counter() - started:.1f}s)")
        total_impls = total_materials = 0
        chunk: list[ItemImplementation] = []
        materials_of = {number: plan.base.materials[: scale.materials_per_implementation]
                        for number, plan in enumerate(plans, start=1)}

        def flush() -> None:
            nonlocal total_impls, total_materials
            ItemImplementation.objects.bulk_create(chunk, batch_size=500)
            materials = [
                Material(implementation_id=impl.id, position=p + 1, name=m["name"],
                         form=m.get("form", ""),
                         copies=int(m["copies"]) if m.get("copies", "").isdigit() else 1,
                         source=m.get("source") or "applicant", required=_yes(m.get("required", "yes")),
                         issuer=m.get("issuer", ""), government_issued=_yes(m.get("government_issued", "")),
                         note=m.get("note", ""))
                for impl in chunk for p, m in enumerate(materials_of[impl.item_id])]
            Material.objects.bulk_create(materials, batch_size=2000)
            total_impls += len(chunk)
            total_materials += len(materials)
            chunk.clear()

        for implementation in implementations():
            chunk.append(implementation)
            if len(chunk) >= 20_000:
                flush()
                say(f"  implementations {total_impls:,}  ({time.perf_counter() - started:.1f}s)")
        if chunk:
            flush()
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            sql = connection.ops.sequence_reset_sql(
                no_style(), [Department, Theme, ServiceItem, ItemImplementation, Material, Synonym])
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
        CatalogGeneration.objects.get_or_create(pk=1)
        catalog_generation_bump()
    counts.update(regions=len(regions), departments=len(departments), items=len(items),
                  implementations=total_impls, materials=total_materials,
                  synonyms=len(synonyms),
                  levels=len(by_level))
    say(f"  implementations {total_impls:,}, materials {total_materials:,}  "
        f"({time.perf_counter() - started:.1f}s)")
    return counts


def main(argv: list[str]) -> int:
    import os

    import django

    if not (os.environ.get("ZHENGWU_DATA_DIR") or os.environ.get("DATABASE_URL")):
        print("Set ZHENGWU_DATA_DIR (or DATABASE_URL) to a throw-away database: this fills it "
              "with generated benchmark data.", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    counts = generate(QUICK if "--quick" in argv else FULL)
    print(counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

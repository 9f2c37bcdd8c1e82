"""一件事 as documents of search as a service (ADR 0009): every published bundle with its
name, theme and member item names, and the filters items have. Registered with
catalog.search in BundlesConfig.ready."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from zhengwu.bundles.models import Bundle, BundleAudience, HallLevel
from zhengwu.bundles.selectors import published_bundles
from zhengwu.catalog.models import ServiceItem
from zhengwu.catalog.search import SourceDoc
from zhengwu.departments.models import Department
from zhengwu.regions.models import RegionLevel

# An illustrative (示意) bundle ranks below a published one of equal relevance, and a bundle
# the county's action plan names (its flagship, 企业开办 [12]) above both (issue 16: 营业执照
# suggested 我要开民宿 first; 企业开办 was 37th). 1.5, because 营业执照 names 个体工商户设立登记
# too, a member of many bundles of its own family, while 企业开办's member shares its idf with
# the sixty 企业开办＋… bundles built on it: at 1.25 it was still 6th.
ILLUSTRATIVE_WEIGHT = 0.75
PLAN_WEIGHT = 1.5
CATALOGUE_LEVEL = {RegionLevel.PROVINCE: 2, RegionLevel.CITY: 3, RegionLevel.COUNTY: 4}

def _core_name(name: str) -> str:
    """What people call the bundle: its name without “一件事” and quotes (企业开办一件事 →
    企业开办), so that naming it is a whole-phrase match."""
    core = name.replace("“", "").replace("”", "").replace('"', "")
    for suffix in ("一件事一次办", "一件事", "联办"):
        core = core.replace(suffix, "")
    return core.strip() if core.strip() != name else ""


def _weight(bundle: Bundle) -> float:
    if bundle.illustrative:
        return ILLUSTRATIVE_WEIGHT
    return PLAN_WEIGHT if (bundle.definition or {}).get("plan_measure") else 1.0


def search_documents() -> list[SourceDoc]:
    """Every published bundle for catalog search: its name, theme and member item names, what
    the members issue (营业执照, 食品经营许可证: people search for the licence, not the
    procedure), with the filters items have (audience, theme, departments, level, region)."""
    departments = dict(Department.objects.values_list("short_name", "id"))
    results = dict(ServiceItem.objects.exclude(result_name="").values_list("basic_code", "result_name"))
    docs = []
    for bundle in published_bundles():
        data = bundle.definition or {}
        members = [m for m in data.get("members", []) if isinstance(m, dict)]
        level = 5 if bundle.hall_level == HallLevel.TOWNSHIP else \
            CATALOGUE_LEVEL.get(RegionLevel(bundle.region.level), 4)
        docs.append(SourceDoc(
            kind="bundle", key=bundle.code, name=bundle.name, url=bundle.get_absolute_url(),
            api_url=reverse("api-v1:bundles_guide", kwargs={"code": bundle.code}),
            theme=bundle.theme,
            parts=tuple(str(m.get("item_name") or m.get("item", "")) for m in members),
            keywords=tuple(dict.fromkeys(k for k in (
                _core_name(bundle.name), bundle.theme,
                *(results.get(str(m.get("item", "")), "") for m in members)) if k)),
            audience="person" if bundle.audience == BundleAudience.PERSON else "enterprise",
            department=bundle.lead_department.name,
            department_ids=frozenset([bundle.lead_department_id, *(
                departments[m["department"]] for m in members
                if m.get("department") in departments)]),
            region_code=bundle.region_id, level=level,
            promised_workdays=Decimal(str(data.get("promised_workdays", "0"))).normalize(),
            weight=_weight(bundle)))
    return docs


"""KPIs computed from the catalogue [5][21], per department and overall. Pure.

- 网上可办率 (online availability): share with 网上办理深度 ≥ Ⅱ (an application can be
  lodged online); target 100% [21].
- 网上办理深度Ⅲ级以上占比: share with depth ≥ Ⅲ; target ≥ 85% [21].
- 法定时限提速率 (time-limit speed-up): mean over implementations with a legal limit > 0 of
  (legal − promised) / legal; target ≥ 90% [5].
- 材料压减率 (material reduction): 1 − Σ materials the applicant must still bring / Σ recorded
  baseline, over implementations with a baseline; target ≥ 25% [5].
- 零跑动占比 and 最多跑一次占比: share with 0 trips and with ≤ 1 trip (no target in the plan for
  zero trips; ≤ 1 trip is the province's 最多跑一次 promise, target 100%).
Each KPI also names the implementations that miss it, for the "links to the items that miss it".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal


def target_met(value: float | None, target: float | None) -> bool | None:
    """Whether a share meets its target (None when either is unknown); a share computed as
    a float that equals the target counts as met (0.5 from 1/2 against 0.5, not 0.4999…)."""
    if value is None or target is None:
        return None
    return value + 1e-9 >= target


@dataclass(frozen=True)
class ImplFacts:
    id: int
    department_id: int
    department: str
    legal_limit: Decimal | None
    promised_limit: Decimal
    online_depth: int
    trips: int
    applicant_materials: int
    baseline_materials: int | None


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: float | None  # a share in [0, 1]; None when nothing qualifies
    target: float | None
    considered: int
    misses: tuple[int, ...]

    @property
    def met(self) -> bool | None:
        return target_met(self.value, self.target)


@dataclass(frozen=True)
class KpiDef:
    key: str
    label: str
    target: float | None


DEFINITIONS = (
    KpiDef("online_availability", "网上可办率", 1.0),
    KpiDef("depth_3_or_more", "网上办理深度Ⅲ级以上占比", 0.85),
    KpiDef("speed_up", "法定时限提速率", 0.90),
    KpiDef("material_reduction", "材料压减率", 0.25),
    KpiDef("zero_trip", "零跑动占比", None),
    KpiDef("at_most_one_trip", "最多跑一次占比", 1.0),
)
LABELS = {d.key: d.label for d in DEFINITIONS}


def _share(facts: list[ImplFacts], ok: Callable[[ImplFacts], bool]) -> tuple[float | None, tuple[int, ...]]:
    if not facts:
        return None, ()
    misses = tuple(f.id for f in facts if not ok(f))
    return 1 - len(misses) / len(facts), misses


def speed_up_of(fact: ImplFacts) -> float | None:
    if fact.legal_limit is None or fact.legal_limit <= 0:
        return None
    return float((fact.legal_limit - fact.promised_limit) / fact.legal_limit)


def compute(facts: Iterable[ImplFacts]) -> list[Kpi]:
    rows = list(facts)
    out: list[Kpi] = []
    for definition in DEFINITIONS:
        key = definition.key
        considered = rows
        value: float | None
        if key == "online_availability":
            value, misses = _share(rows, lambda f: f.online_depth >= 2)
        elif key == "depth_3_or_more":
            value, misses = _share(rows, lambda f: f.online_depth >= 3)
        elif key == "speed_up":
            considered = [f for f in rows if speed_up_of(f) is not None]
            rates = [speed_up_of(f) or 0.0 for f in considered]
            value = sum(rates) / len(rates) if rates else None
            misses = tuple(f.id for f, r in zip(considered, rates, strict=True)
                           if r < (definition.target or 0))
        elif key == "material_reduction":
            considered = [f for f in rows if f.baseline_materials]
            baseline = sum(f.baseline_materials or 0 for f in considered)
            current = sum(f.applicant_materials for f in considered)
            value = 1 - current / baseline if baseline else None
            misses = tuple(f.id for f in considered
                           if 1 - f.applicant_materials / (f.baseline_materials or 1)
                           < (definition.target or 0))
        elif key == "zero_trip":
            value, misses = _share(rows, lambda f: f.trips == 0)
        else:
            value, misses = _share(rows, lambda f: f.trips <= 1)
        out.append(Kpi(key, definition.label, value, definition.target, len(considered), misses))
    return out


def by_department(facts: Iterable[ImplFacts]) -> list[tuple[int, str, list[Kpi]]]:
    groups: dict[int, list[ImplFacts]] = {}
    names: dict[int, str] = {}
    for fact in facts:
        groups.setdefault(fact.department_id, []).append(fact)
        names[fact.department_id] = fact.department
    return [(dep, names[dep], compute(rows)) for dep, rows in sorted(groups.items())]

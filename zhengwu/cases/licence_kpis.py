"""Electronic-licence KPIs (issue 11 item 10) [5][14][21], computed from facts the selectors
read (cases.selectors.licence_kpi_report). Pure: no database, and "today" is given.

Every figure covers a period of whole months in Beijing time (`period_parse`).

- 电子证照出证率 (results issued electronically; target ≥ 50%): of the cases granted in the
  period (decision 准予 or 超时默认准予, by `decided_at`), the share from which an electronic
  licence was issued (a licence whose `source_case` is the case, whatever its status now: a
  licence revoked later was still issued). Denials are not counted: a 不予许可 decision issues a
  signed notice, never a licence. Each item whose own share is below the target misses it —
  among them every item that granted in the period but names no licence type.
- 出证事项电子化率 (no target): of the items with a grant in the period, the share that name
  a licence type (catalog.ItemImplementation.licence_type), as configured now.
- 减材料 (no target): of the materials of the cases submitted in the period (case material
  rows, all kinds), those a licence or shared data stood in for — a pinned reference
  (cases.selectors.REPLACED, the rule of `materials_replaced`); per item and overall, split
  by licence and by shared data.
- 证照使用 per month: the rows of the data-use log (sharing.DataUse) per month of their time
  and per kind (本人预览, 办件中使用, 核验, 扫码核验, 下载, 依职能核查, 共享数据查询), each
  split into licence uses (the row names a licence) and shared-data uses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from zhengwu.catalog.kpis import target_met
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import InvalidInput

TARGET_ELECTRONIC: Final = 0.5
DEFAULT_MONTHS: Final = 12
MAX_MONTHS: Final = 36
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099
PERIOD_ERROR: Final = "licence_kpi.bad_period"
LICENCE: Final = "licence"
SHARED_DATA: Final = "shared_data"

_FIELDS: Final = {"开始": "start", "结束": "end"}
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)


# --- the period ------------------------------------------------------------------------------


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthPeriod:
    """Whole months, `first` to `last` inclusive (each the first day of its month)."""

    first: dt.date
    last: dt.date

    @property
    def months(self) -> list[dt.date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [_add_months(self.first, n) for n in range(count + 1)]

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Beijing midnight of the first day, and of the day after the last month (exclusive)."""
        start = dt.datetime.combine(self.first, dt.time(), tzinfo=SHANGHAI)
        end = dt.datetime.combine(_add_months(self.last, 1), dt.time(), tzinfo=SHANGHAI)
        return start, end

    @property
    def label(self) -> str:
        first = f"{self.first.year}年{self.first.month}月"
        if self.first == self.last:
            return first
        return f"{first}至{self.last.year}年{self.last.month}月"

    @property
    def start_text(self) -> str:
        return self.first.strftime("%Y-%m")

    @property
    def end_text(self) -> str:
        return self.last.strftime("%Y-%m")


class BadPeriod(InvalidInput):
    """A period refused (422 on the API); `field` names the input at fault for a page form:
    "start" or "end"."""

    code = PERIOD_ERROR

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _month(text: str, which: str) -> dt.date:
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise BadPeriod(f"{which}月份格式应为 YYYY-MM（例如 2026-01），收到“{text[:20]}”。",
                        field=_FIELDS[which])
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        # Far years would also take the months around the period out of a date's range.
        raise BadPeriod(f"{which}月份应在{FIRST_YEAR}年至{LAST_YEAR}年之间。",
                        field=_FIELDS[which])
    return dt.date(year, int(match.group(2)), 1)


def period_parse(start: str | None, end: str | None, *, today: dt.date) -> MonthPeriod:
    """The period asked for: `start` and `end` as YYYY-MM. Without `end`, this month; without
    `start`, the 12 months up to `end`. At most MAX_MONTHS months, start not after end."""
    last = _month(end, "结束") if end else dt.date(today.year, today.month, 1)
    first = _month(start, "开始") if start else _add_months(last, 1 - DEFAULT_MONTHS)
    if first > last:
        raise BadPeriod("开始月份不能晚于结束月份。", field="start")
    period = MonthPeriod(first, last)
    if len(period.months) > MAX_MONTHS:
        raise BadPeriod(f"统计区间最长{MAX_MONTHS}个月，请缩短区间。", field="start")
    return period


# --- shares ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    numerator: int
    denominator: int
    target: float | None

    @property
    def value(self) -> float | None:
        """In [0, 1]; None when nothing qualifies."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def met(self) -> bool | None:
        return target_met(self.value, self.target)


@dataclass(frozen=True)
class ImplRef:
    """An item (implementation) the figures are about."""

    id: int
    code: str
    item: str
    department: str


# --- results issued electronically -----------------------------------------------------------


@dataclass(frozen=True)
class GrantFacts:
    implementation: ImplRef
    names_licence_type: bool
    granted: int
    electronic: int


@dataclass(frozen=True)
class ElectronicRow:
    implementation: ImplRef
    names_licence_type: bool
    granted: int
    electronic: int
    share: float
    missed: bool


@dataclass(frozen=True)
class ElectronicResults:
    share: Share
    items: Share
    rows: list[ElectronicRow]
    misses: tuple[int, ...]


def electronic_results(facts: Iterable[GrantFacts]) -> ElectronicResults:
    granting = [f for f in facts if f.granted > 0]
    rows = [ElectronicRow(f.implementation, f.names_licence_type, f.granted, f.electronic,
                          f.electronic / f.granted,
                          f.electronic / f.granted + 1e-9 < TARGET_ELECTRONIC)
            for f in granting]
    rows.sort(key=lambda r: (-r.granted, r.implementation.id))
    return ElectronicResults(
        share=Share("electronic_results", "电子证照出证率", sum(f.electronic for f in granting),
                    sum(f.granted for f in granting), TARGET_ELECTRONIC),
        items=Share("electronic_items", "出证事项电子化率",
                    sum(1 for f in granting if f.names_licence_type), len(granting), None),
        rows=rows,
        misses=tuple(r.implementation.id for r in rows if r.missed))


# --- materials replaced (减材料) -----------------------------------------------------------


@dataclass(frozen=True)
class MaterialFacts:
    implementation: ImplRef
    total: int
    by_licence: int
    by_shared_data: int

    @property
    def replaced(self) -> int:
        return self.by_licence + self.by_shared_data

    @property
    def share(self) -> float:
        return self.replaced / self.total if self.total else 0.0


@dataclass(frozen=True)
class MaterialsReplaced:
    total: int
    by_licence: int
    by_shared_data: int
    share: Share
    rows: list[MaterialFacts]


def materials_replaced(facts: Iterable[MaterialFacts]) -> MaterialsReplaced:
    rows = sorted((f for f in facts if f.total > 0),
                  key=lambda f: (-f.replaced, -f.total, f.implementation.id))
    total = sum(f.total for f in rows)
    by_licence = sum(f.by_licence for f in rows)
    by_shared = sum(f.by_shared_data for f in rows)
    return MaterialsReplaced(total, by_licence, by_shared, Share(
        "materials_replaced", "证照和共享数据替代材料占比", by_licence + by_shared, total, None),
        rows)


# --- uses per month --------------------------------------------------------------------------


@dataclass(frozen=True)
class UseCount:
    month: dt.date  # the first day of the month, Beijing time
    kind: str
    subject: str  # LICENCE or SHARED_DATA
    n: int


@dataclass(frozen=True)
class UseMonth:
    month: dt.date
    counts: tuple[int, ...]  # per kind, in the order of UsesByMonth.kinds
    licences: int
    shared_data: int

    @property
    def total(self) -> int:
        return self.licences + self.shared_data


@dataclass(frozen=True)
class UsesByMonth:
    kinds: tuple[str, ...]
    months: list[UseMonth] = field(default_factory=list)

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(m.counts[i] for m in self.months) for i in range(len(self.kinds)))

    @property
    def licences(self) -> int:
        return sum(m.licences for m in self.months)

    @property
    def shared_data(self) -> int:
        return sum(m.shared_data for m in self.months)

    @property
    def total(self) -> int:
        return self.licences + self.shared_data


def uses_by_month(counts: Iterable[UseCount], period: MonthPeriod,
                  kinds: Sequence[str]) -> UsesByMonth:
    """Every month of the period (none left out for want of a use), every kind of `kinds`
    and any other kind the log holds after them; counts outside the period are left out."""
    months = period.months
    inside = [c for c in counts if c.month in set(months)]
    all_kinds = (*kinds, *sorted({c.kind for c in inside} - set(kinds)))
    out = []
    for month in months:
        rows = [c for c in inside if c.month == month]
        out.append(UseMonth(
            month=month,
            counts=tuple(sum(c.n for c in rows if c.kind == kind) for kind in all_kinds),
            licences=sum(c.n for c in rows if c.subject == LICENCE),
            shared_data=sum(c.n for c in rows if c.subject != LICENCE)))
    return UsesByMonth(all_kinds, out)


def percent(value: float | None) -> str:
    """A share as the pages print it: one decimal, "—" when there is none."""
    return "—" if value is None else f"{value * 100:.1f}%"

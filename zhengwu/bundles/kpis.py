"""一件事 KPIs, pure (measure [11][12]): per bundle and overall — steps, materials before and
after de-duplication, the promise against the working time actually taken, the share finished
within the promise — and, for bundles whose plan sets limits (企业开办: ≤ 3 steps, ≤ 6
materials, ≤ 1 working day, registration ≤ 0.5), each limit with pass or fail.

A limit with no finished case yet is "no data" (None), never a pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from zhengwu.core import numbers


@dataclass(frozen=True)
class FinishedCase:
    """A finished bundle case, as the KPIs need it."""

    number: str
    elapsed: Decimal  # office working days from acceptance to completion
    promised: Decimal
    in_time: bool  # finished by its due moment
    members: tuple[tuple[str, Decimal, Decimal], ...] = ()  # (item name, elapsed, promised)


@dataclass(frozen=True)
class LimitCheck:
    label: str
    limit: str
    actual: str
    passed: bool | None  # None: no data yet


@dataclass
class BundleKpi:
    code: str
    name: str
    steps: int
    steps_limit: int | None
    materials_before: int
    materials_after: int
    materials_limit: int | None
    promised: Decimal
    submitted: int = 0
    open: int = 0
    finished: int = 0
    in_time: int = 0
    average_elapsed: Decimal | None = None
    longest_elapsed: Decimal | None = None
    checks: list[LimitCheck] = field(default_factory=list)

    @property
    def in_time_share(self) -> Decimal | None:
        if not self.finished:
            return None
        return (Decimal(self.in_time) * 100 / self.finished).quantize(Decimal("0.1"))

    @property
    def all_passed(self) -> bool | None:
        results = [c.passed for c in self.checks]
        if not results:
            return None
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True


def _days(value: Decimal) -> str:
    return numbers.plain(value)


def bundle_kpi(*, code: str, name: str, steps: int, steps_limit: int | None,
               materials_before: int, materials_after: int, materials_limit: int | None,
               promised: Decimal, submitted: int, open_cases: int,
               finished: Iterable[FinishedCase],
               stage_limits: Iterable[tuple[str, Decimal, frozenset[str]]] = ()) -> BundleKpi:
    """`stage_limits`: (label, limit, item names) per parallel stage, e.g. 企业开办's
    ("企业设立登记", 0.5, {…}) and ("其余事项并联办理", 0.5, {…}); each member's working time
    in that stage (from its start to its completion) must be within the limit."""
    done = list(finished)
    kpi = BundleKpi(code, name, steps, steps_limit, materials_before, materials_after,
                    materials_limit, promised, submitted=submitted, open=open_cases,
                    finished=len(done), in_time=sum(1 for c in done if c.in_time))
    if done:
        total = sum((c.elapsed for c in done), Decimal(0))
        kpi.average_elapsed = (total / len(done)).quantize(Decimal("0.01"))
        kpi.longest_elapsed = max(c.elapsed for c in done)
    if steps_limit is not None:
        kpi.checks.append(LimitCheck("环节", f"≤ {steps_limit} 个", f"{steps} 个",
                                     steps <= steps_limit))
    if materials_limit is not None:
        kpi.checks.append(LimitCheck("申请材料（去重后）", f"≤ {materials_limit} 份",
                                     f"{materials_after} 份", materials_after <= materials_limit))
    if steps_limit is not None or materials_limit is not None:
        longest = kpi.longest_elapsed
        kpi.checks.append(LimitCheck(
            "办结时间（全部办件）", f"≤ {_days(promised)} 个工作日",
            "暂无办结办件" if longest is None else f"最长 {_days(longest)} 个工作日",
            None if longest is None else longest <= promised))
        for label, limit, items in stage_limits:
            times = [e for c in done for n, e, _ in c.members if n in items]
            worst = max(times) if times else None
            kpi.checks.append(LimitCheck(
                label, f"≤ {_days(limit)} 个工作日",
                "暂无办结办件" if worst is None else f"最长 {_days(worst)} 个工作日",
                None if worst is None else worst <= limit))
    return kpi


@dataclass
class OverallKpi:
    bundles: int
    submitted: int
    finished: int
    in_time: int
    materials_before: int  # summed over submitted cases
    materials_after: int

    @property
    def in_time_share(self) -> Decimal | None:
        if not self.finished:
            return None
        return (Decimal(self.in_time) * 100 / self.finished).quantize(Decimal("0.1"))

    @property
    def materials_saved_share(self) -> Decimal | None:
        if not self.materials_before:
            return None
        saved = self.materials_before - self.materials_after
        return (Decimal(saved) * 100 / self.materials_before).quantize(Decimal("0.1"))

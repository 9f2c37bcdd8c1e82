"""The numeric and legal rules of 双随机一公开 (issue 15 §3), pure functions tested alone.

- **Share to inspect** (抽查比例): a plan inspects `percent`% of its target pool, rounded UP, at
  least one (a pool of 7 at 10% is 1; at 15% is 2), never more than the pool.
- **Inspectors per inspection**: two (行政执法 by at least two 执法人员 —《中华人民共和国行政处罚法》
  第四十二条 “执法人员不得少于两人”; 国办发〔2015〕58号 asks for 随机选派 of inspectors).
- **Conflict exclusion**: an inspector who declared a conflict of interest with an enterprise
  is removed from the candidate set BEFORE that enterprise's draw; how many were removed is
  published with the draw (a count, no names), so the exclusion can be checked without
  saying who is related to whom.
- **Working-day deadlines** on the official calendar (workdays.calendar): the inspection due
  `due_workdays` after the draw; a rectification due after the result; the public disclosure
  of a result due DISCLOSURE_WORKDAYS working days after the result.
  Source of 20: the 《企业信息公示暂行条例》 (国务院令第654号) 第六条/第七条 puts information
  produced by a department about an enterprise on public record "自产生之日起20个工作日内";
  国办发〔2015〕58号 asks for 抽查结果 to be published "及时". NOT confirmed against the
  project's standards notes (they do not cite either text): see docs/inspections.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping

from zhengwu.workdays.calendar import WorkdayCalendar

INSPECTORS_PER_INSPECTION = 2
DISCLOSURE_WORKDAYS = 20


class RuleError(ValueError):
    """A plan's figures that cannot be run (message in Chinese, for the page)."""


def share_count(pool_size: int, percent: float) -> int:
    """How many of a pool of `pool_size` to inspect at `percent`%: rounded up, at least 1."""
    if pool_size < 1:
        raise RuleError("抽查对象名录为空，无法抽取。")
    if not 0 < percent <= 100:
        raise RuleError("抽查比例应大于0且不超过100。")
    # Round before ceil so that 10% of 30 is 3, not 4 (0.1 * 30 = 3.0000000000000004).
    return min(pool_size, max(1, math.ceil(round(pool_size * percent / 100, 9))))


def inspector_candidates(inspectors: Mapping[str, str],
                         conflicts: Iterable[tuple[str, str]], uscc: str
                         ) -> tuple[dict[str, str], int]:
    """The inspectors (执法证号 → public label) who may inspect `uscc`, and how many were
    excluded for a declared conflict with it. `conflicts`: (执法证号, USCC) pairs."""
    barred = {certificate for certificate, target in conflicts if target == uscc}
    kept = {c: label for c, label in inspectors.items() if c not in barred}
    excluded = len(inspectors) - len(kept)
    if len(kept) < INSPECTORS_PER_INSPECTION:
        raise RuleError(f"回避后可选派的执法检查人员不足{INSPECTORS_PER_INSPECTION}名"
                        f"（在库{len(inspectors)}名，回避{excluded}名）。")
    return kept, excluded


def due_after(calendar: WorkdayCalendar, start: dt.date, workdays: int) -> dt.date:
    """The day `workdays` working days after `start` (start not counted)."""
    return calendar.add_workdays(start, workdays)[0]


def disclosure_due(calendar: WorkdayCalendar, result_on: dt.date) -> dt.date:
    """The last day to publish a result made on `result_on`."""
    return due_after(calendar, result_on, DISCLOSURE_WORKDAYS)


def disclosure_overdue(calendar: WorkdayCalendar, result_on: dt.date, today: dt.date) -> bool:
    return today > disclosure_due(calendar, result_on)

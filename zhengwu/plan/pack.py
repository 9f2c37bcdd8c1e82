"""Loading a pack's plan/ folder (docs/pack-format.md): the action plan's measures with their
task table (plan/measures.csv), the measures the table splits into several tasks
(plan/tasks.csv) and the targets bound to live figures (plan/targets.csv).

All three files are optional: a county's pack may have no plan. Measures, tasks and targets are
upserted by their numbers, so loading twice changes nothing; the lead and co-departments are
the pack's departments whose short name is a unit the plan names (collectives such as
市直各相关单位 stay in the text only). Any bad row refuses the whole file with its line number;
the caller (packs.loader) runs this inside the pack's one transaction, so nothing is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import InvalidInput
from zhengwu.departments.models import Department
from zhengwu.plan import figures
from zhengwu.plan.models import Comparison, Measure, Target, Task

UNIT_SEPARATOR = "、"


class PlanPackError(InvalidInput):
    code = "packs.invalid"


@dataclass
class PlanLoad:
    measures: int = 0  # created or changed (with their tasks)
    targets: int = 0  # created or changed


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(handle)]


def _int(value: str, where: str, column: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise PlanPackError(f"{where}：{column}应为正整数，收到“{value[:20]}”") from None
    if number < 1:
        raise PlanPackError(f"{where}：{column}应为正整数，收到“{value[:20]}”")
    return number


def _deadline(row: dict[str, str], where: str) -> dt.date | None:
    if not row.get("deadline"):
        return None  # 长期坚持
    try:
        return dt.date.fromisoformat(row["deadline"])
    except ValueError:
        raise PlanPackError(f"{where}：deadline 应为 YYYY-MM-DD 日期，收到"
                            f"“{row['deadline'][:20]}”") from None


def units(text: str) -> list[str]:
    return [unit.strip() for unit in text.split(UNIT_SEPARATOR) if unit.strip()]


def _task_upsert(measure: Measure, number: int, row: dict[str, str], deadline: dt.date | None,
                 departments: dict[str, Department], *, text: str = "") -> bool:
    """Create or update task `number` of `measure` from a row of measures.csv or tasks.csv
    (`text`: the task's own wording, empty for a measure that is one task); whether anything
    changed."""
    values = {"lead_units": row["lead"], "co_units": row.get("co", ""),
              "responsible": row.get("responsible", ""), "deadline": deadline,
              "deadline_text": row.get("deadline_text", ""), "text": text}
    task, created = Task.objects.get_or_create(measure=measure, number=number, defaults=values)
    changed = created
    if not created and any(getattr(task, k) != v for k, v in values.items()):
        Task.objects.filter(pk=task.pk).update(**values)
        changed = True
    lead = {departments[u].pk for u in units(row["lead"]) if u in departments}
    co = {departments[u].pk for u in units(row.get("co", "")) if u in departments}
    if set(task.lead_departments.values_list("pk", flat=True)) != lead:
        task.lead_departments.set(lead)
        changed = True
    if set(task.co_departments.values_list("pk", flat=True)) != co:
        task.co_departments.set(co)
        changed = True
    return changed


def _measures(rows: list[dict[str, str]], departments: dict[str, Department],
              split: set[int]) -> int:
    """Upsert the measures; a measure not in `split` (the measures tasks.csv splits) gets its
    row as its task 1."""
    changed = 0
    seen: set[int] = set()
    for n, row in enumerate(rows, start=2):
        where = f"plan/measures.csv 第{n}行"
        number = _int(row.get("number", ""), where, "number")
        if number in seen:
            raise PlanPackError(f"{where}：举措序号 {number} 重复")
        seen.add(number)
        if not row.get("title") or not row.get("lead"):
            raise PlanPackError(f"{where}：title 和 lead 必填")
        deadline = _deadline(row, where)
        values = {"group_number": _int(row.get("group_number", ""), where, "group_number"),
                  "group": row.get("group", ""), "title": row["title"],
                  "text": row.get("text", ""), "source": row.get("source", "")}
        measure, created = Measure.objects.get_or_create(number=number, defaults=values)
        if not created and any(getattr(measure, k) != v for k, v in values.items()):
            Measure.objects.filter(pk=measure.pk).update(**values)
        task_changed = False
        if number not in split:  # the measure's row is its one task
            task_changed = _task_upsert(measure, 1, row, deadline, departments)
        changed += int(created or task_changed or any(
            getattr(measure, k) != v for k, v in values.items()))
    return changed


def _tasks(rows: list[dict[str, str]], departments: dict[str, Department]) -> int:
    """Upsert the tasks of the measures tasks.csv splits; a task of those measures no longer
    in the file is removed, unless a department has reported on it (its reports are kept:
    the file is refused rather than history lost)."""
    changed = 0
    measures = {m.number: m for m in Measure.objects.all()}
    kept: set[tuple[int, int]] = set()
    for n, row in enumerate(rows, start=2):
        where = f"plan/tasks.csv 第{n}行"
        number = _int(row.get("measure", ""), where, "measure")
        measure = measures.get(number)
        if measure is None:
            raise PlanPackError(f"{where}：举措 {number} 不在 plan/measures.csv 中")
        task_number = _int(row.get("number", ""), where, "number")
        if (number, task_number) in kept:
            raise PlanPackError(f"{where}：任务 {number}-{task_number} 重复")
        kept.add((number, task_number))
        if not row.get("text") or not row.get("lead"):
            raise PlanPackError(f"{where}：text 和 lead 必填")
        deadline = _deadline(row, where)
        changed += int(_task_upsert(measure, task_number, row, deadline, departments,
                                    text=row["text"]))
    for number in sorted({m for m, _ in kept}):
        parts = sorted(t for m, t in kept if m == number)
        if parts != list(range(1, len(parts) + 1)):
            raise PlanPackError(f"plan/tasks.csv：举措 {number} 的任务序号应从 1 起连续编号，"
                                f"收到 {'、'.join(map(str, parts))}")
    return changed


def _tasks_dropped(kept: set[tuple[int, int]]) -> int:
    """Remove the tasks the files no longer name, unless a department reported on one or a
    supervisor commented (the file is refused rather than that history lost)."""
    removed = 0
    for task in Task.objects.select_related("measure"):
        if (task.measure.number, task.number) in kept:
            continue
        if task.reports.exists() or task.comments.exists():
            raise PlanPackError(f"plan/tasks.csv：任务 {task} 已有进展报告或督办意见，不能删除；"
                                "请保留该行")
        task.delete()
        removed += 1
    return removed


def _targets(rows: list[dict[str, str]]) -> int:
    changed = 0
    numbers: dict[int, int] = {}
    kept: set[tuple[int, int]] = set()
    measures = {m.number: m for m in Measure.objects.all()}
    for n, row in enumerate(rows, start=2):
        where = f"plan/targets.csv 第{n}行"
        number = _int(row.get("measure", ""), where, "measure")
        measure = measures.get(number)
        if measure is None:
            raise PlanPackError(f"{where}：举措 {number} 不在 plan/measures.csv 中")
        if not row.get("target"):
            raise PlanPackError(f"{where}：target 必填")
        figure, comparison, threshold = row.get("figure", ""), row.get("comparison", ""), None
        if figure:
            try:
                figures.parse_key(figure)
            except figures.UnknownFigure as error:
                raise PlanPackError(f"{where}：{error}") from None
        if comparison or row.get("threshold"):
            # A figure without a threshold is shown for information and judges nothing.
            if not figure or comparison not in Comparison.values:
                raise PlanPackError(f"{where}：comparison 应为 >= 或 <=，且须指定 figure")
            try:
                threshold = Decimal(row.get("threshold", ""))
            except InvalidOperation:
                raise PlanPackError(f"{where}：threshold 应为数值，收到"
                                    f"“{row.get('threshold', '')[:20]}”") from None
        numbers[number] = numbers.get(number, 0) + 1
        kept.add((number, numbers[number]))
        values = {"text": row["target"], "figure": figure, "comparison": comparison,
                  "threshold": threshold}
        target, created = Target.objects.get_or_create(
            measure=measure, number=numbers[number], defaults=values)
        if not created and any(getattr(target, k) != v for k, v in values.items()):
            Target.objects.filter(pk=target.pk).update(**values)
            created = True
        changed += int(created)
    for target in Target.objects.select_related("measure"):
        if (target.measure.number, target.number) not in kept:
            target.delete()
            changed += 1
    return changed


def plan_load(pack: Path, *, actor: Actor) -> PlanLoad:
    """Load plan/measures.csv and plan/targets.csv if the pack has them (inside the caller's
    transaction); one audit row when anything changed."""
    measure_rows = _read(pack / "plan" / "measures.csv")
    task_rows = _read(pack / "plan" / "tasks.csv")
    target_rows = _read(pack / "plan" / "targets.csv")
    if (target_rows or task_rows) and not measure_rows:
        raise PlanPackError("plan/targets.csv 和 plan/tasks.csv 需要 plan/measures.csv")
    if not measure_rows:
        return PlanLoad()
    departments = {d.short_name: d for d in Department.objects.all()}
    split = {int(row["measure"]) for row in task_rows if row.get("measure", "").isdigit()}
    changed = _measures(measure_rows, departments, split) + _tasks(task_rows, departments)
    # Every measure has task 1 (its row, or the first of its parts); the parts tasks.csv names.
    kept = {(m, 1) for m in Measure.objects.values_list("number", flat=True)} | {
        (int(row["measure"]), int(row["number"])) for row in task_rows}
    changed += _tasks_dropped(kept)
    result = PlanLoad(measures=changed, targets=_targets(target_rows))
    if result.measures or result.targets:
        audit_record(actor=actor, action="plan.load", object_type="plan.Measure",
                     object_repr="行动方案", after={"measures": result.measures,
                                                   "targets": result.targets})
    return result

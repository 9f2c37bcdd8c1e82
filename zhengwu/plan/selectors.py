"""Reads of the plan: every measure with its tasks, targets, their live figures and each
task's status (plan.status), for the API and the dashboard. Each figure the targets name is
computed once per call, however many targets name it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.core import clock
from zhengwu.plan import figures, records
from zhengwu.plan.models import Measure, ProgressReport, Target, Task
from zhengwu.plan.status import LatestReport, Verdict, met, task_status


@dataclass(frozen=True)
class TargetView:
    number: int
    text: str
    figure: figures.Figure | None
    figure_key: str
    comparison: str
    threshold: Decimal | None
    reading: figures.Reading | None
    met: bool | None

    @property
    def comparison_text(self) -> str:
        return {">=": "≥", "<=": "≤"}.get(self.comparison, "")


@dataclass(frozen=True)
class TaskView:
    task: Task
    lead: list[str]
    co: list[str]
    latest: ProgressReport | None
    verdict: Verdict


@dataclass(frozen=True)
class MeasureView:
    measure: Measure
    tasks: list[TaskView]
    targets: list[TargetView]


@dataclass
class Overview:
    measures: list[MeasureView]
    as_of: dt.datetime
    counts: dict[str, int] = field(default_factory=dict)  # per status

    @property
    def task_count(self) -> int:
        return sum(self.counts.values())


def _readings(names: Iterable[str]) -> dict[str, figures.Reading]:
    """Each figure now: its current month's record when the sweep made it within the hour
    (plan.records.FRESH), else computed here."""
    wanted = sorted(set(names))
    now = clock.now()
    month = records.current_month(now)
    found = records.of(wanted, [month])
    readings = {}
    for name in wanted:
        kept = found.get((name, month))
        if kept is not None and kept.recorded_at >= now - records.FRESH:
            period = month if figures.parse_key(name)[0].monthly else ""
            readings[name] = figures.Reading(records.value(kept), period, kept.recorded_at)
        else:
            readings[name] = figures.read(name)
    return readings


def _latest(task: Task) -> ProgressReport | None:
    reports = list(task.reports.all())  # prefetched, newest month first
    return reports[0] if reports else None


def overview(*, today: dt.date | None = None) -> Overview:
    """The whole plan as of now (statuses as of `today`, default the platform's today), in a
    fixed number of queries plus each figure's own."""
    measures = list(Measure.objects.prefetch_related(
        "targets",
        Prefetch("tasks", queryset=Task.objects.prefetch_related(
            "lead_departments", "co_departments",
            Prefetch("reports", queryset=ProgressReport.objects.order_by(
                "-month", "-created_at", "-pk"))))))
    readings = _readings(t.figure for m in measures for t in m.targets.all() if t.figure)
    today = today or clock.today()
    views: list[MeasureView] = []
    counts: dict[str, int] = {}
    for measure in measures:
        targets = []
        for target in measure.targets.all():
            reading = readings.get(target.figure) if target.figure else None
            targets.append(TargetView(
                target.number, target.text,
                figures.parse_key(target.figure)[0] if target.figure else None,
                target.figure, target.comparison, target.threshold, reading,
                met(reading.value if reading else None, target.comparison, target.threshold)))
        tasks = []
        for task in measure.tasks.all():
            latest = _latest(task)
            verdict = task_status(
                today=today, deadline=task.deadline, targets_met=[t.met for t in targets],
                latest=LatestReport(latest.month, latest.completed) if latest else None)
            counts[verdict.status.value] = counts.get(verdict.status.value, 0) + 1
            tasks.append(TaskView(task, [d.short_name for d in task.lead_departments.all()],
                                  [d.short_name for d in task.co_departments.all()],
                                  latest, verdict))
        views.append(MeasureView(measure, tasks, targets))
    # The oldest reading's moment: a figure read from its record may be up to an hour old.
    return Overview(views, min((r.as_of for r in readings.values()), default=clock.now()),
                    counts)


def trends(names: Iterable[str], *, months: int = records.TREND_MONTHS
           ) -> dict[str, list[tuple[str, float | None]]]:
    """Each figure's values over the last `months` months, oldest first: closed months from
    their records (plan.records), a monthly figure's unrecorded month computed from its
    source, the current month as `_readings` reads it. A snapshot is drawn only once it has
    a record of an earlier month (before the sweep recorded it, its past is unknown: None)."""
    wanted = sorted(set(names))
    window = figures.months_back(records.current_month(clock.now()), months)
    kept = records.of(wanted, window[:-1])
    current = _readings(wanted)
    found = {}
    for name in wanted:
        figure, argument = figures.parse_key(name)
        if not figure.monthly and not any((name, m) in kept for m in window[:-1]):
            continue
        values: list[tuple[str, float | None]] = []
        for month in window[:-1]:
            record = kept.get((name, month))
            if record is not None:
                values.append((month, records.value(record)))
            else:
                values.append((month, figure.compute(month, argument) if figure.monthly
                               else None))
        values.append((window[-1], current[name].value))
        found[name] = values
    return found


def task_get(pk: int) -> Task:
    if not 1 <= pk <= 2**31 - 1:  # beyond any key: not found rather than a database error
        raise Task.DoesNotExist
    return Task.objects.select_related("measure").get(pk=pk)


def reports_of(task: Task) -> list[ProgressReport]:
    return list(task.reports.select_related("department", "author").order_by(
        "-month", "-created_at", "-pk"))


def reporting_departments(user: User, task: Task) -> list[int]:
    """The lead or co-departments of `task` in which `user` holds a staff role."""
    if not user.is_authenticated or not user.is_staff:
        return []
    mine = set(RoleAssignment.objects.filter(user=user, department__isnull=False)
               .values_list("department_id", flat=True))
    theirs = [d.pk for d in task.lead_departments.all()] + [d.pk for d in task.co_departments.all()]
    return [pk for pk in theirs if pk in mine]


def target_of(measure: Measure, number: int) -> Target:
    return measure.targets.get(number=number)

"""督查督办: the action plan as data, tracked against the platform's own figures."""

from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.plan.services import plan_warn

    asked, escalated = plan_warn(now)
    return f"督查督办：催报进展 {asked}，逾期督办 {escalated}"


def record(now: dt.datetime) -> str:
    from zhengwu.plan.records import record as figures_record

    return f"督查督办：指标月度记录 {figures_record(now)}"


class PlanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.plan"
    label = "plan"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from zhengwu.core import sweeps

        # Once a month per task (the notices' dedupe keys name the month); delivery of the
        # outbox runs later in the same `zhengwu sweep`.
        sweeps.register("plan.warn", sweep, stage=sweeps.Stage.DECIDE)
        # After the state changes of the run (FOLLOW), so the records count them; at most
        # once an hour per figure (plan.records.FRESH), however often the worker sweeps.
        sweeps.register("plan.record", record, stage=sweeps.Stage.FOLLOW)

"""办不成事反映 (issue 12 §5): tickets on the process engine, with their overdue sweep."""

from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.unresolved.services import tickets_sweep

    warned, escalated = tickets_sweep(now)
    return f"办不成事反映：预警 {warned}，逾期督办 {escalated}"


class UnresolvedConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.unresolved"
    label = "unresolved"
    verbose_name = "办不成事反映"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.unresolved import my_space

        # Warns and escalates overdue tickets; delivery of the outbox runs later in the same
        # `zhengwu sweep`.
        sweeps.register("unresolved.tickets", sweep, stage=sweeps.Stage.DECIDE)
        my_space.register()  # 我的反映 in 我的空间

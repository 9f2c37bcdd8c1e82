from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.hall.services import appointments_sweep

    return appointments_sweep(now)


class HallConfig(AppConfig):
    name = "zhengwu.hall"
    label = "hall"
    verbose_name = "服务大厅"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.hall import my_space

        my_space.register()  # 我的预约 in 我的空间

        # Marks the missed appointments (未到) and queues tomorrow's SMS reminders; delivery
        # of the outbox runs later in the same `zhengwu sweep`.
        sweeps.register("hall.appointments", sweep, stage=sweeps.Stage.DECIDE)

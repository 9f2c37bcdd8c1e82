from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.hall.services import appointments_sweep

    return appointments_sweep(now)


def queue_sweep(now: dt.datetime) -> str:
    from zhengwu.hall.queue import tickets_sweep

    return tickets_sweep(now)


class HallConfig(AppConfig):
    name = "zhengwu.hall"
    label = "hall"
    verbose_name = "服务大厅"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.evaluations.events import kind_register
        from zhengwu.hall import my_space

        my_space.register()  # 我的预约 in 我的空间

        # Marks the missed appointments (未到) and queues tomorrow's SMS reminders; delivery
        # of the outbox runs later in the same `zhengwu sweep`.
        sweeps.register("hall.appointments", sweep, stage=sweeps.Stage.DECIDE)
        # Numbers left over from an earlier day are abandoned (放弃): the queue figures count
        # them, and the next day's queue starts empty.
        sweeps.register("hall.tickets", queue_sweep, stage=sweeps.Stage.DECIDE)
        # A finished queue number is a window visit to rate (好差评, hall.queue._finish).
        kind_register("visit", "窗口办事")

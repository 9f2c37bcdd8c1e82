"""12345热线 (issue 13): work orders on the process engine, with their limits sweep."""

from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.hotline.services import orders_sweep

    done = orders_sweep(now)
    return (f"12345工单：签收催办 {done.urged}，预警 {done.warned}，亮牌 {done.carded}，"
            f"督办 {done.supervised}")


class HotlineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.hotline"
    label = "hotline"
    verbose_name = "12345热线"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.evaluations.services import RECTIFICATION_PROCESS
        from zhengwu.hotline import business_delivery, from_evaluations, my_space
        from zhengwu.process import engine

        # Warns, cards and supervises orders past their limits; delivery of the outbox runs
        # later in the same `zhengwu sweep`.
        sweeps.register("hotline.orders", sweep, stage=sweeps.Stage.DECIDE)
        # The weekly 营商环境 report to the office (measure 28), once per ISO week; DECIDE so
        # the delivery stage of the same run sends it.
        sweeps.register("hotline.business_report", business_delivery.sweep,
                        stage=sweeps.Stage.DECIDE)
        # A 差评 still unsatisfied after its rectification becomes a 12345 complaint.
        engine.listen(RECTIFICATION_PROCESS, from_evaluations.rectification_moved)
        my_space.register()  # 我的12345诉求 in 我的空间

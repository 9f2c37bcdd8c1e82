from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.cases.sweeps import run

    return run(now).summary()


class CasesConfig(AppConfig):
    name = "zhengwu.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from zhengwu.core import sweeps

        sweeps.register("cases.deadlines", sweep)

from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.jointreviews.sweeps import run

    return run(now).summary()


class JointReviewsConfig(AppConfig):
    name = "zhengwu.jointreviews"
    label = "jointreviews"
    verbose_name = "联合审查"

    def ready(self) -> None:
        from zhengwu.core import sweeps

        sweeps.register("jointreviews.deadlines", sweep)

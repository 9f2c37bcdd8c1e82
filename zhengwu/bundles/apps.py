from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.bundles.sweeps import run

    return run(now)


class BundlesConfig(AppConfig):
    name = "zhengwu.bundles"
    label = "bundles"
    verbose_name = "一件事一次办"

    def ready(self) -> None:
        from zhengwu.bundles.services import member_case_moved
        from zhengwu.cases.services import TRANSITION_HOOKS
        from zhengwu.core import sweeps

        sweeps.register("bundles", sweep)
        if member_case_moved not in TRANSITION_HOOKS:
            TRANSITION_HOOKS.append(member_case_moved)

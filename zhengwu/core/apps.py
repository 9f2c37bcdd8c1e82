from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def audit_checkpoint(now: dt.datetime) -> str:
    from zhengwu.core.checkpoints import checkpoint_due

    return checkpoint_due(now)


class CoreConfig(AppConfig):
    name = "zhengwu.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self) -> None:
        from zhengwu.core import sweeps

        sweeps.register("core.audit_checkpoint", audit_checkpoint)

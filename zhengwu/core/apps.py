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
        from django.core import checks

        from zhengwu.core import sweeps
        from zhengwu.core.checks import holder_ref_key_check
        from zhengwu.core.public_url import public_url_check

        sweeps.register("core.audit_checkpoint", audit_checkpoint)
        checks.register(holder_ref_key_check, checks.Tags.security, deploy=True)
        checks.register(public_url_check, deploy=True)

"""The transparency log (透明日志, issue 15 §2): what the platform promises an outsider can check."""

from __future__ import annotations

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.ledger"
    label = "ledger"
    verbose_name = "透明日志"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.ledger.services import checkpoint_sweep

        sweeps.register("ledger.checkpoint", checkpoint_sweep)  # signed tree heads

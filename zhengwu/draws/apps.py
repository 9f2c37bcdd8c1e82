"""可验证抽取 (issue 15 §1, §3): random draws anyone can recompute, by commit–reveal."""

from __future__ import annotations

from django.apps import AppConfig


class DrawsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.draws"
    label = "draws"
    verbose_name = "可验证抽取"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.draws.services import overdue_abort

        sweeps.register("draws.overdue", overdue_abort)  # a withheld commitment or reveal

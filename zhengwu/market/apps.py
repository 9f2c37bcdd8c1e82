"""中介超市 (issue 15 §1): agencies, projects, random selection by verifiable draw, credit."""

from __future__ import annotations

from django.apps import AppConfig


class MarketConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.market"
    label = "market"
    verbose_name = "中介超市"

    def ready(self) -> None:
        from zhengwu.draws.services import DRAW_PROCESS
        from zhengwu.market.projects import draw_moved
        from zhengwu.process import engine

        # A project's 随机抽取 ends when its draw finishes or aborts (same transaction).
        engine.listen(DRAW_PROCESS, draw_moved)

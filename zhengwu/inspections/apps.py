"""互联网+监管 and 双随机一公开 (issue 15 §3; measures [22][23]): the supervision item catalogue
(监管事项清单), the inspectors' register (执法检查人员名录库) with their declared conflicts of
interest, and the rules of random inspections (rules.py)."""

from __future__ import annotations

from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.inspections"
    label = "inspections"
    verbose_name = "互联网+监管"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.draws.services import DRAW_PROCESS
        from zhengwu.inspections.plans import draw_finished
        from zhengwu.inspections.results import disclosure_sweep
        from zhengwu.process import engine

        engine.listen(DRAW_PROCESS, draw_finished)  # targets drawn → inspections → inspectors
        sweeps.register("inspections.disclosure", disclosure_sweep)  # results not published

"""好差评 (issue 12 §6): service events rated, 差评 rectified on the process engine."""

from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.evaluations.services import rectifications_sweep

    warned, escalated = rectifications_sweep(now)
    return f"差评整改：预警 {warned}，逾期督办 {escalated}"


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.evaluations"
    verbose_name = "好差评"

    def ready(self) -> None:
        from zhengwu.bundles.services import BUNDLE_PROCESS
        from zhengwu.cases.services import CASE_PROCESS
        from zhengwu.core import service_actions, sweeps
        from zhengwu.evaluations.events import bundle_case_moved, case_moved, rate_action
        from zhengwu.process import engine

        sweeps.register("evaluations.rectifications", sweep)
        # A case or 一件事 that has been decided or delivered becomes a service event to rate.
        engine.listen(CASE_PROCESS, case_moved)
        engine.listen(BUNDLE_PROCESS, bundle_case_moved)
        # The 评价 button on the applicant's case and bundle pages (core.service_actions).
        service_actions.register("evaluations", rate_action)
        from zhengwu.evaluations import my_space

        my_space.register()  # 待评价 in 我的空间 (core.personal_space)

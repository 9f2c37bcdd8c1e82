"""政务公开 (issue 14 §2): 依申请公开 requests on the process engine, with their overdue sweep
and their place in 我的空间; the 政务新媒体 register's overdue-inspection sweep."""

from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.openness.services import due_soon_tell, overdue_tell

    warned = due_soon_tell(now)
    return f"政府信息公开申请：到期预警 {warned}，逾期提醒 {overdue_tell(now)}"


def media_sweep(now: dt.datetime) -> str:
    from zhengwu.openness.new_media import overdue_inspections_tell

    return f"政务新媒体：逾期未检查提醒 {overdue_inspections_tell(now)}"


class OpennessConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.openness"
    label = "openness"
    verbose_name = "政务公开"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.openness import my_space
        from zhengwu.openness.services import requests_recompute_provisional
        from zhengwu.workdays.services import YEAR_ENTERED

        sweeps.register("openness.requests", sweep, stage=sweeps.Stage.DECIDE)
        # 政务新媒体: an overdue inspection told to the owner department once a day.
        sweeps.register("openness.new_media", media_sweep, stage=sweeps.Stage.DECIDE)
        my_space.register()  # 我的公开申请 in 我的空间
        # A due date reaching a year without its official schedule is provisional until the
        # year is entered.
        if requests_recompute_provisional not in YEAR_ENTERED:
            YEAR_ENTERED.append(requests_recompute_provisional)

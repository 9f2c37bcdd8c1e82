from __future__ import annotations

import datetime as dt
import logging

from django.apps import AppConfig

logger = logging.getLogger("zhengwu.workdays")


def missing_year_alert(now: dt.datetime) -> str:
    """Sweep: warn while a year that has begun, or begins within 60 days, has no official
    schedule; its deadlines are provisional until an administrator enters it."""
    from zhengwu.core.clock import SHANGHAI
    from zhengwu.workdays.selectors import missing_years

    years = missing_years(today=now.astimezone(SHANGHAI).date())
    if not years:
        return "官方放假安排齐全"
    message = "、".join(str(y) for y in years) + "年官方放假安排尚未录入，相关期限为临时期限"
    logger.warning(message)
    return message


class WorkdaysConfig(AppConfig):
    name = "zhengwu.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from zhengwu.core import sweeps

        sweeps.register("workdays.missing_year_alert", missing_year_alert)

"""The platform clock: every "now" and "today" in Zhengwu comes from here.

ZHENGWU_NOW (ISO 8601) freezes it for demos and tests, so that sweeps and deadline checks can
run "as of" a moment (architecture.md, Time). A frozen clock is refused when DEBUG is off,
unless ZHENGWU_ALLOW_FROZEN_CLOCK=1, so that production never runs on a fake date by accident.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_instant(value: str) -> dt.datetime:
    """Parse an ISO 8601 moment; a naive value is read as Beijing time."""
    moment = dt.datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def frozen_now() -> dt.datetime | None:
    value = getattr(settings, "ZHENGWU_NOW", "")
    if not value:
        return None
    if not settings.DEBUG and not settings.ZHENGWU_ALLOW_FROZEN_CLOCK:
        raise ImproperlyConfigured(
            "ZHENGWU_NOW 只能在演示或测试环境使用（DEBUG 关闭时需同时设置 ZHENGWU_ALLOW_FROZEN_CLOCK=1）。"
        )
    return parse_instant(value)


def now() -> dt.datetime:
    """The current moment, timezone-aware (UTC inside, shown in Asia/Shanghai)."""
    return frozen_now() or timezone.now()


def today() -> dt.date:
    """Today's date in Beijing time: the date that counts for working-day deadlines."""
    return now().astimezone(SHANGHAI).date()

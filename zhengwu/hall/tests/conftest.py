"""Hall fixtures: the pack's city centre, an item booked at its 公安 windows, the moment the
tests run as of (Tuesday 2026-12-01 09:00), and valid ID numbers for callers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhengwu.cases.tests.conftest import food, submit  # noqa: F401 — fixtures
from zhengwu.core.codes import citizen_id_check_char
from zhengwu.hall.models import Hall, Service
from zhengwu.workdays.calendar import SHANGHAI

MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
CITY = "LY-ZWFW"


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def citizen_id(n: int) -> str:
    body = f"430481198001{n % 28 + 1:02d}{n:03d}"[:17]
    return body + citizen_id_check_char(body)


@pytest.fixture
def city(db: Any) -> Hall:
    return Hall.objects.get(code=CITY)


@pytest.fixture
def police_item(city: Hall) -> Service:
    """居民身份证 at the 公安 windows: 预约延时 allowed."""
    return Service.objects.select_related("implementation").get(
        hall=city, implementation__item__name="居民身份证申领、换领、补领")


@pytest.fixture
def market_item(city: Hall) -> Service:
    return Service.objects.select_related("implementation").filter(
        hall=city, window_group="综合受理", after_hours=False,
        implementation__department__short_name="市市场监督管理局").first()  # type: ignore[return-value]

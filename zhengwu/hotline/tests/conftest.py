"""Fixtures of the 12345 hotline (owned by core; other helpers add their own fixture modules):
the demo operator (hotline), 市场监管's reviewer and 首席代表, 公安's reviewer, 电子监察, a
caller, and helpers to open and move an order at a given moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.hotline import services
from zhengwu.hotline.models import Channel, WorkOrder
from zhengwu.workdays.calendar import SHANGHAI


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture
def operator(db: Any) -> User:
    return User.objects.get(username="hotline")


@pytest.fixture
def market(db: Any) -> Department:
    return Department.objects.get(short_name="市市场监督管理局")


@pytest.fixture
def police(db: Any) -> Department:
    return Department.objects.get(short_name="市公安局")


@pytest.fixture
def market_staff(db: Any) -> User:
    return User.objects.get(username="reviewer")


@pytest.fixture
def market_chief(db: Any) -> User:
    return User.objects.get(username="chief")


@pytest.fixture
def police_staff(db: Any) -> User:
    return User.objects.get(username="gongan")


@pytest.fixture
def caller(db: Any) -> User:
    return User.objects.get(username="zhangsan")


def order_in(**fields: Any) -> services.OrderIn:
    values: dict[str, Any] = {
        "kind": "complaint", "title": "超市销售过期食品",
        "content": "蔡子池街道某超市货架上有过期牛奶，请市场监管部门查处。",
        "caller_name": "王五", "caller_phone": "13912345678"}
    values.update(fields)
    return services.OrderIn(**values)


def opened(user: User | None, when: dt.datetime, *, channel: str = Channel.PHONE,
           files: Any = (), **fields: Any) -> WorkOrder:
    with time_machine.travel(when, tick=False):
        return services.order_open(user=user, data=order_in(**fields), channel=channel,
                                   now=when, files=files)


def moved(number: str, user: User | None, when: dt.datetime, **move: Any) -> WorkOrder:
    with time_machine.travel(when, tick=False):
        return services.order_move(number=number, user=user,
                                   move=services.OrderMoveIn(**move), now=when)

"""Fixtures of 办不成事反映: the demo 首席代表 of 市场监管 and one of another department, the
hall manager and 电子监察 (the centre's director), and a ticket opened at a given moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhengwu.accounts.models import User
from zhengwu.cases.tests.conftest import food  # noqa: F401 (fixture)
from zhengwu.departments.models import Department
from zhengwu.unresolved import services
from zhengwu.unresolved.models import Ticket, TicketChannel
from zhengwu.workdays.calendar import SHANGHAI


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


@pytest.fixture
def market(db: Any) -> Department:
    return Department.objects.get(short_name="市市场监督管理局")


@pytest.fixture
def chief(db: Any) -> User:
    return User.objects.get(username="chief")


@pytest.fixture
def chief_other(db: Any) -> User:
    return User.objects.get(username="chief_gongan")


@pytest.fixture
def hallmgr(db: Any) -> User:
    return User.objects.get(username="hallmgr")


def opened(user: User | None, when: dt.datetime, *, department: Department | None = None,
           implementation: str = "", channel: str = TicketChannel.WEB,
           **fields: Any) -> Ticket:
    data = services.OpenIn(
        asked=fields.pop("asked", "想办食品经营许可证"),
        told=fields.pop("told", "窗口说缺少房产证明，不能受理"), where="window",
        name=fields.pop("name", "" if user is not None and not user.is_staff else "王五"),
        phone=fields.pop("phone", "" if user is not None and not user.is_staff else "13912345678"),
        implementation=implementation,
        department_id=department.pk if department is not None else None, **fields)
    with time_machine.travel(when, tick=False):
        return services.ticket_open(data=data, user=user, channel=channel, now=when)


def moved(number: str, user: User, when: dt.datetime, **move: Any) -> Ticket:
    with time_machine.travel(when, tick=False):
        return services.ticket_move(number=number, user=user,
                                    move=services.MoveIn(**move), now=when)

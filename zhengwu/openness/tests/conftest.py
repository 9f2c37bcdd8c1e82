"""Fixtures of 依申请公开: the 市场监管局 as the agency asked, its reviewer as the officer, a
reviewer of another agency, and helpers that submit and move a request at a given moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.openness import services
from zhengwu.openness.models import OpennessRequest
from zhengwu.workdays.calendar import SHANGHAI


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


@pytest.fixture
def market(db: Any) -> Department:
    return Department.objects.get(short_name="市市场监督管理局")


@pytest.fixture
def officer(db: Any) -> User:
    return User.objects.get(username="reviewer")


@pytest.fixture
def other_officer(db: Any) -> User:
    return User.objects.get(username="gongan")


@pytest.fixture
def stranger(db: Any) -> User:
    return User.objects.get(username="chuangye")


def submitted(user: User, when: dt.datetime, department: Department,
              **fields: Any) -> OpennessRequest:
    data = services.SubmitIn(information=fields.pop("information", "2025年食品抽检结果"),
                             department_id=department.pk, **fields)
    with time_machine.travel(when, tick=False):
        return services.request_submit(data=data, user=user, now=when)


def moved(number: str, user: User | None, when: dt.datetime, **move: Any) -> OpennessRequest:
    with time_machine.travel(when, tick=False):
        return services.request_move(number=number, user=user, move=services.MoveIn(**move),
                                     now=when)

"""Fixtures of 好差评: a service event of the demo applicant at 市场监管 (the demo chief's
department), rated or not, without walking a whole case (the case path has its own test)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.cases.tests.conftest import food, reviewer, submit  # noqa: F401 (fixtures)
from zhengwu.departments.models import Department
from zhengwu.evaluations.events import event_record
from zhengwu.evaluations.models import ServiceEvent
from zhengwu.workdays.calendar import SHANGHAI


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


@pytest.fixture
def market(db: Any) -> Department:
    return Department.objects.get(short_name="市市场监督管理局")


@pytest.fixture
def make_event(applicant: User, market: Department) -> Any:
    count = iter(range(1, 1000))

    def make(closed: dt.datetime, *, person: User | None = None, key: str = "",
             department: Department | None = None) -> ServiceEvent:
        return event_record(kind="case", key=key or f"T{next(count):05d}",
                            person_id=(person or applicant).pk, phone="13800000001",
                            department_id=(department or market).pk, item_code="X1",
                            item_name="食品经营许可证核发（新办）", staff_id=None, at=closed)

    return make


@pytest.fixture
def chief(db: Any) -> User:
    return User.objects.get(username="chief")


@pytest.fixture
def chief_other(db: Any) -> User:
    return User.objects.get(username="chief_gongan")

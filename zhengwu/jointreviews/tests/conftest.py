"""Joint review fixtures: a small county of their own (a lead department, three departments to
invite, one that is never invited), their staff, a supervisor, and a frozen Monday morning.

These tests never read the session's data pack: they build the little world they need.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, role_groups_ensure, user_create
from zhengwu.accounts.tests.consented import consented
from zhengwu.core.codes import make_uscc
from zhengwu.departments.models import Department
from zhengwu.jointreviews.models import JointReview
from zhengwu.jointreviews.services import ScheduleIn, joint_review_schedule
from zhengwu.licences.services import department_keys_ensure
from zhengwu.regions.models import Region
from zhengwu.workdays.calendar import SHANGHAI

# Monday 2 March 2026, 10:00 Beijing time; the session is the next morning.
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
SESSION = dt.datetime(2026, 3, 3, 9, 30, tzinfo=SHANGHAI)
# 3 working days after Tuesday 3 March: the end of Friday 6 March.
DUE = dt.datetime(2026, 3, 6, 23, 59, 59, 999999, tzinfo=SHANGHAI)
AFTER_DUE = dt.datetime(2026, 3, 9, 9, 0, tzinfo=SHANGHAI)
COUNTY = "439999000000"
PASSWORD = "x-demo-2026-x"


@dataclass
class World:
    county: Region
    lead: Department  # 牵头部门: 住房和城乡建设局
    nature: Department
    fire: Department
    civil: Department
    outsider: Department  # never invited
    lead_reviewer: User
    nature_reviewer: User
    fire_chief: User  # a chief representative answers for 消防
    civil_reviewer: User
    outsider_reviewer: User
    supervisor: User
    applicant: User


_serial = count(1)


def _department(county: Region, name: str, body: str) -> Department:
    department = Department.objects.create(
        name=f"联审测试县{name}", short_name=f"联审测试·{name}",
        uscc=make_uscc("1", "1", county.code[:6], body), region=county,
        document_prefix="测联" if name == "住房和城乡建设局" else "")
    department_keys_ensure([department])  # its notices are signed (issue 11 item 9)
    return department


def _staff(department: Department, role: Role, name: str) -> User:
    user = user_create(username=f"jr-{name}-{next(_serial)}", password=PASSWORD,
                       kind=UserKind.STAFF, display_name=name)
    role_assign(user=user, role=role, department=department)
    return User.objects.get(pk=user.pk)  # fresh, without permission caches


def make_world() -> World:
    role_groups_ensure()
    county, _ = Region.objects.get_or_create(code=COUNTY, defaults={
        "name": "联审测试县", "level": "county", "prefix": COUNTY[:6]})
    lead = _department(county, "住房和城乡建设局", "JR000001")
    nature = _department(county, "自然资源局", "JR000002")
    fire = _department(county, "消防救援大队", "JR000003")
    civil = _department(county, "人民防空办公室", "JR000004")
    outsider = _department(county, "文化旅游局", "JR000005")
    supervisor = user_create(username=f"jr-supervisor-{next(_serial)}", password=PASSWORD,
                             kind=UserKind.STAFF, display_name="监察员")
    role_assign(user=supervisor, role=Role.SUPERVISOR)
    applicant = consented(user_create(username=f"jr-applicant-{next(_serial)}",
                                      password=PASSWORD, kind=UserKind.PERSON,
                                      display_name="张三", citizen_id="430481198808081015"))
    return World(
        county=county, lead=lead, nature=nature, fire=fire, civil=civil, outsider=outsider,
        lead_reviewer=_staff(lead, Role.REVIEWER, "住建审查员"),
        nature_reviewer=_staff(nature, Role.REVIEWER, "自然资源审查员"),
        fire_chief=_staff(fire, Role.CHIEF_REPRESENTATIVE, "消防首席代表"),
        civil_reviewer=_staff(civil, Role.REVIEWER, "人防审查员"),
        outsider_reviewer=_staff(outsider, Role.REVIEWER, "文旅审查员"),
        supervisor=User.objects.get(pk=supervisor.pk), applicant=applicant)


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


@pytest.fixture
def frozen() -> Iterator[Any]:
    """The platform clock at NOW; `frozen.move_to(moment)` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def schedule_in(world: World, **overrides: Any) -> ScheduleIn:
    data: dict[str, Any] = {
        "kind": "site_survey", "title": "联审测试县滨江花园住宅小区",
        "lead_department_id": world.lead.pk,
        "required_department_ids": [world.nature.pk, world.fire.pk, world.civil.pk],
        "place": "县政务服务中心三楼联审室", "starts_at": SESSION,
        "answer_workdays": Decimal(3)}
    data.update(overrides)
    return ScheduleIn(**data)


@pytest.fixture
def schedule(world: World, frozen: Any) -> Callable[..., JointReview]:
    def make(user: User | None = None, **overrides: Any) -> JointReview:
        return joint_review_schedule(user=user or world.lead_reviewer,
                                     data=schedule_in(world, **overrides))

    return make


@pytest.fixture
def client_of() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def run_together(workers: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(n)` in `workers` threads released at once; each outcome or its exception."""
    barrier = threading.Barrier(workers)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            barrier.wait()
            result = work(n)
        except Exception as error:  # the outcome is what the test checks
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes

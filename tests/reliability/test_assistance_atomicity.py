"""No partial state in 帮代办 and 创业管家 (quality.md #3, zhengwu/assistance): a fault injected
at every write of each step — add a 代办员 to the roster and take one off, open a project (with its authorization request), assign a
创业管家, write to the enterprise, end the assignment, close the project — leaves the tables it
writes exactly as before, and the step then succeeds without the fault with its audit row.

`WRITES` is the census of each step's writes, in order, as in test_atomicity: a step that gains
or loses a write fails `test_the_census_of_writes`."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.db import connection

from tests.reliability.faults import Faults, InjectedDatabaseFault
from zhengwu.accounts.models import User
from zhengwu.assistance import services
from zhengwu.assistance.models import Butler, Project
from zhengwu.cases.models import Case
from zhengwu.cases.services import case_submit
from zhengwu.cases.tests.conftest import FORM, sample_answers, uploads_for
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
from zhengwu.core.audit import audit_verify
from zhengwu.core.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db

_AUDIT = ["INSERT core_auditevent", "UPDATE core_auditchainhead"]
_TELL = ["INSERT notifications_outboxitem"]
WRITES: dict[str, list[str]] = {
    # The authorization request (accounts.mandates), told to the enterprise; then the project,
    # its items, its audit row, and the agent told.
    "project_create": ["INSERT accounts_authorization", *_AUDIT, *_TELL,
                       "INSERT assistance_project", "INSERT assistance_projectitem", *_AUDIT,
                       *_TELL],
    "project_close": ["UPDATE assistance_project", *_AUDIT],
    "butler_assign": ["INSERT assistance_butler", *_AUDIT, *_TELL, *_TELL],
    "message_send": ["INSERT assistance_butlermessage", *_AUDIT, *_TELL],
    "butler_end": ["UPDATE assistance_butler", *_AUDIT],
    # The roster is the 帮代办员 role (accounts.services.role_assign / role_revoke).
    "roster_add": ["INSERT accounts_roleassignment", "INSERT accounts_user_groups", *_AUDIT],
    "roster_remove": ["DELETE accounts_roleassignment", "DELETE accounts_user_groups",
                      *_AUDIT],
}
TABLES = sorted({w.split()[1] for ws in WRITES.values() for w in ws})
POINTS = [(step, n) for step, writes in WRITES.items() for n in range(1, len(writes) + 1)]
FOOD = "食品经营许可证核发（新办）"


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(
        username__in=["hallmgr", "proxy", "canyin", "clerk", "hotline"])}


def _registered(enterprise: User, food: ItemImplementation) -> None:
    """As a granted 设立登记 leaves it (cases.registration): a case carrying the code."""
    case = case_submit(implementation_id=food.pk, submitted_by=User.objects.get(
        username="zhangsan"), form_data=dict(FORM), materials=uploads_for(food),
        answers=sample_answers(food)).case
    Case.objects.filter(pk=case.pk).update(registered_uscc=enterprise.uscc)


def _setup(step: str) -> dict[str, Any]:
    AuditChainHead.objects.get_or_create(stream="main")
    users = _users()
    food = ItemImplementation.objects.get(item__name=FOOD, level=4)
    world: dict[str, Any] = {"users": users, "food": food}
    if step == "project_close":
        world["project"] = _project_create(world)
    if step in ("butler_assign", "message_send", "butler_end"):
        _registered(users["canyin"], food)
    if step in ("message_send", "butler_end"):
        world["butler"] = services.butler_assign(manager=users["hallmgr"],
                                                 uscc=users["canyin"].uscc, username="clerk")
    return world


def _project_create(world: dict[str, Any]) -> Project:
    users = world["users"]
    return services.project_create(
        manager=users["hallmgr"], uscc=users["canyin"].uscc, name="代办项目",
        agent_id=users["proxy"].pk, item_codes=[world["food"].item.basic_code],
        ends_on=clock.today() + dt.timedelta(days=30))


def _step(step: str, world: dict[str, Any]) -> Any:
    users = world["users"]
    if step == "project_create":
        return _project_create(world)
    if step == "project_close":
        return services.project_close(manager=users["hallmgr"], project_id=world["project"].pk)
    if step == "butler_assign":
        return services.butler_assign(manager=users["hallmgr"], uscc=users["canyin"].uscc,
                                      username="clerk")
    if step == "message_send":
        return services.message_send(user=users["clerk"], butler_id=world["butler"].pk,
                                     body="您好")
    if step == "roster_add":
        return services.roster_add(manager=users["hallmgr"], username="hotline")
    if step == "roster_remove":
        return services.roster_remove(manager=users["hallmgr"], agent_id=users["proxy"].pk)
    return services.butler_end(manager=users["hallmgr"], butler_id=world["butler"].pk)


def _fingerprint() -> dict[str, str]:
    prints = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            prints[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return prints


@pytest.mark.parametrize("step", list(WRITES))
def test_the_census_of_writes(step):
    world = _setup(step)
    faults = Faults()
    with faults.active():
        _step(step, world)
    assert faults.writes == WRITES[step]


@pytest.mark.parametrize(("step", "point"), POINTS,
                         ids=[f"{s}-{n}-{WRITES[s][n - 1].replace(' ', '_')}" for s, n in POINTS])
def test_a_fault_at_any_write_leaves_no_partial_state(step, point):
    world = _setup(step)
    before = _fingerprint()
    faults = Faults(fail_at=point)
    with faults.active(), pytest.raises(InjectedDatabaseFault):
        _step(step, world)
    assert faults.fired == WRITES[step][point - 1]
    assert _fingerprint() == before, "the failed step left writes behind"
    action = {"roster_add": "accounts.role_assign",
              "roster_remove": "accounts.role_revoke"}.get(step, f"assistance.{step}")
    audits = AuditEvent.objects.filter(action=action)
    earlier = audits.count()
    result = _step(step, world)
    assert audits.filter(object_id=str(result.pk)).count() >= 1
    assert audits.count() == earlier + 1
    assert audit_verify(stream="main") == []
    if step == "butler_end":
        assert not Butler.objects.get(pk=result.pk).active

"""What the API offers is what the service does (docs/processes.md §6): in every state an order
reaches, for every demo role and every move, the move is offered (`moves` of the order) exactly
when the service makes it; refused, it is a 403/404/409 error, never a half-made move."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError
from zhengwu.departments.models import Department
from zhengwu.hotline import services
from zhengwu.hotline.models import WorkOrder
from zhengwu.hotline.tests.conftest import at, moved, opened
from zhengwu.hotline.workflow import ORDER_TABLE, PERSON_ACTIONS
from zhengwu.process import engine

pytestmark = pytest.mark.django_db
USERS = ["hotline", "reviewer", "gongan", "supervisor", "zhangsan"]
NOW = at(2026, 12, 8, 10)


def _input(action: str, other: str) -> dict[str, Any]:
    police = Department.objects.get(short_name="市公安局").pk
    township = Department.objects.get(short_name="蔡子池街道").pk
    market = Department.objects.get(short_name="市市场监督管理局").pk
    return {"action": action, "note": "理由", "reply": "答复内容", "resolved": False,
            "satisfaction": "unsatisfied", "days": 2, "into": other, "card": "yellow",
            "department_id": {"dispatch": market, "return_approve": police,
                              "delegate": township}.get(action)}


def _states(operator, market, staff) -> list[WorkOrder]:
    """One order in each state the process reaches (a 咨询 for 直办)."""
    made = []
    waiting = opened(operator, at(2026, 12, 7), kind="consult")
    made.append(waiting)
    signing = opened(operator, at(2026, 12, 7))
    moved(signing.number, operator, at(2026, 12, 7), action="dispatch", department_id=market.pk)
    made.append(signing)
    returned = opened(operator, at(2026, 12, 7))
    moved(returned.number, operator, at(2026, 12, 7), action="dispatch",
          department_id=market.pk)
    moved(returned.number, staff, at(2026, 12, 7), action="return", note="不属本单位")
    made.append(returned)
    handling = opened(operator, at(2026, 12, 7))
    moved(handling.number, operator, at(2026, 12, 7), action="dispatch",
          department_id=market.pk)
    moved(handling.number, staff, at(2026, 12, 7), action="sign")
    moved(handling.number, staff, at(2026, 12, 7), action="extend_request", days=2, note="x")
    made.append(handling)
    answered = opened(operator, at(2026, 12, 7))
    moved(answered.number, operator, at(2026, 12, 7), action="dispatch",
          department_id=market.pk)
    moved(answered.number, staff, at(2026, 12, 7), action="sign")
    moved(answered.number, staff, at(2026, 12, 7), action="answer", reply="已处理")
    moved(answered.number, operator, at(2026, 12, 7), action="callback", resolved=False,
          satisfaction="unsatisfied")
    made.append(answered)
    closed = opened(operator, at(2026, 12, 7), kind="consult")
    moved(closed.number, operator, at(2026, 12, 7), action="dispatch", department_id=market.pk)
    moved(closed.number, staff, at(2026, 12, 7), action="sign")
    moved(closed.number, staff, at(2026, 12, 7), action="answer", reply="已处理")
    moved(closed.number, operator, at(2026, 12, 7), action="callback", resolved=True,
          satisfaction="satisfied")
    moved(closed.number, operator, at(2026, 12, 7), action="close")
    made.append(closed)
    return made


def test_offered_exactly_when_made(operator, market, market_staff):
    rows = _states(operator, market, market_staff)
    other = opened(operator, at(2026, 12, 7)).number  # an open order to merge into
    checked = 0
    for username in USERS:
        user = User.objects.get(username=username)
        for row in rows:
            row.refresh_from_db()
            offered = set(engine.moves_open(ORDER_TABLE, row, user, actions=PERSON_ACTIONS,
                                            now=NOW)) if WorkOrder.objects.filter(
                services.visible_q(user), pk=row.pk).exists() else set()
            for action in PERSON_ACTIONS:
                if action == "card" and row.due_at is not None and row.due_at >= NOW:
                    continue  # a card in time is refused as input, not as a move
                made = True
                try:
                    with transaction.atomic():
                        services.order_move(number=row.number, user=user, now=NOW,
                                            move=services.OrderMoveIn(**_input(action, other)))
                        transaction.set_rollback(True)
                except (DomainError, WorkOrder.DoesNotExist):
                    made = False
                checked += 1
                assert made == (action in offered), (username, row.status, action)
    assert checked > 100

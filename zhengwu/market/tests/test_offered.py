"""The project page offers a move exactly when the service accepts it (docs/processes.md §6):
what each person is offered is read from the HTML they get, and every move is tried through
the service in a savepoint, at each state of a project's life."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError
from zhengwu.market import projects
from zhengwu.market.models import Method, Project
from zhengwu.market.projects import PAGE_ACTIONS, ProjectMoveIn
from zhengwu.market.tests.helpers import USCCS, enterprise, listed, service_type

ACTION = re.compile(r'<input type="hidden" name="action" value="([a-z_]+)">')


class _Undo(Exception):
    pass


def _valid(action: str, winner: str) -> ProjectMoveIn:
    """A move with input the service accepts when the move itself is allowed."""
    return ProjectMoveIn(action, reason="示例理由", agency=winner, on=dt.date(2026, 12, 7)
                         if action in ("contract", "pay") else dt.date(2026, 12, 31),
                         amount=Decimal(500), reference="P-1", quality=4, timeliness=4,
                         attitude=4, text="好")


def _accepted(number: str, user: User, action: str, winner: str) -> bool:
    try:
        with transaction.atomic():
            projects.project_move(number=number, user=user, move=_valid(action, winner))
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False


def test_the_page_offers_what_the_service_accepts(client_for: Any, settings: Any) -> None:
    settings.ZHENGWU_NOW = "2026-12-07T09:00:00+08:00"
    item = service_type()
    owner = User.objects.get(username="renshe")
    row = projects.project_post(user=owner, data=projects.ProjectIn(
        service_type_id=item.pk, title="示例项目", budget=Decimal(1000), requirements="要求",
        service_workdays=3, registration_closes=dt.date(2026, 12, 8), method=Method.DIRECT,
        direct_reason="sole"))
    winner_uscc, other_uscc = list(USCCS)[:2]
    listed(item, winner_uscc)
    listed(item, other_uscc)
    people = [owner, enterprise(winner_uscc), enterprise(other_uscc),
              User.objects.get(username="supervisor"), User.objects.get(username="chief_renshe"),
              User.objects.get(username="zhangsan")]
    path = ["choose", "contract", "deliver", "accept", "pay", "evaluate"]
    for step in [*path, None]:
        for user in people:
            html = client_for(user).get(f"/market/projects/{row.number}/").content.decode()
            offered = set(ACTION.findall(html))
            accepted = {a for a in PAGE_ACTIONS if _accepted(row.number, user, a, winner_uscc)}
            assert offered == accepted, (step, user.username, offered, accepted)
        if step is not None:
            actor = people[1] if step == "deliver" else owner
            projects.project_move(number=row.number, user=actor, move=_valid(step, winner_uscc))
    assert Project.objects.get(pk=row.pk).status == "evaluated"

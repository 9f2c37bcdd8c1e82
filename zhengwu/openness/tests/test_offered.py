"""What a page offers is what the service accepts (docs/processes.md §6): along a walk through
every state of a request, each person's page is read for its move forms, and every move is
tried with valid input (rolled back); the two must agree. Read from the HTML the person gets,
not from the predicate the page is built with."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError
from zhengwu.openness.models import AnswerType, OpennessRequest
from zhengwu.openness.tests.conftest import at, moved, submitted
from zhengwu.openness.workflow import MOVES

pytestmark = pytest.mark.django_db
D = dt.date
FORM = re.compile(r'<form method="post"[^>]*id="move-([a-z_]+)"')

VALID: dict[str, dict[str, Any]] = {
    "confirm": {}, "supplement_notice": {"note": "写明批次", "until": D(2026, 12, 31)},
    "supplement_submit": {"note": "第三批次"}, "lapse": {},
    "extend": {"workdays": 5, "approved_by": "李主任", "note": "调档"},
    "consult": {"third_party": "某公司"}, "third_party_answer": {"agrees": True},
    "answer": {"answer_type": AnswerType.DISCLOSED, "note": "见附件"}}


class _Undo(Exception):
    pass


def _accepted(number: str, user: User, action: str, when: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            moved(number, user, when, action=action, **VALID[action])
            raise _Undo
    except _Undo:
        return True
    except (DomainError, OpennessRequest.DoesNotExist):
        return False


def _offered(client: Any, url: str, when: dt.datetime) -> set[str]:
    with time_machine.travel(when, tick=False):
        response = client.get(url)
    return set(FORM.findall(response.content.decode())) if response.status_code == 200 else set()


def _check(client_for: Any, number: str, users: dict[str, User], when: dt.datetime) -> None:
    for name, user in users.items():
        url = (f"/openness/staff/{number}/" if user.is_staff
               else f"/openness/requests/{number}/")
        shown = _offered(client_for(user), url, when)
        accepted = {action for action in MOVES if _accepted(number, user, action, when)}
        assert shown == accepted, (name, when, shown, accepted)


def test_pages_offer_exactly_what_the_service_accepts(client_for, applicant, market, officer,
                                                      other_officer, stranger, supervisor):
    users = {"requester": applicant, "officer": officer, "other agency": other_officer,
             "stranger": stranger, "supervisor": supervisor}
    row = submitted(applicant, at(2026, 9, 16), market)
    n = row.number
    _check(client_for, n, users, at(2026, 9, 16))  # 待确认收到
    moved(n, officer, at(2026, 9, 16), action="confirm")
    _check(client_for, n, users, at(2026, 9, 18))  # 办理中, the 补正 notice still possible
    moved(n, officer, at(2026, 9, 18), action="supplement_notice", note="补", until=D(2026, 10, 9))
    _check(client_for, n, users, at(2026, 9, 30))  # 待补正, before its period ends
    _check(client_for, n, users, at(2026, 10, 12))  # 待补正, after: 视为放弃 offered
    moved(n, applicant, at(2026, 9, 30), action="supplement_submit", note="补正")
    moved(n, officer, at(2026, 10, 12), action="consult", third_party="某公司")
    _check(client_for, n, users, at(2026, 10, 14))  # consulting: no answer, no 补正 (once)
    moved(n, officer, at(2026, 10, 14), action="third_party_answer", agrees=True)
    moved(n, officer, at(2026, 10, 14), action="extend", workdays=3, approved_by="李主任",
          note="调档")
    _check(client_for, n, users, at(2026, 10, 15))  # extended once: no second extension
    moved(n, officer, at(2026, 10, 15), action="answer", answer_type=AnswerType.DISCLOSED,
          note="公开")
    _check(client_for, n, users, at(2026, 10, 16))  # 已答复: nothing

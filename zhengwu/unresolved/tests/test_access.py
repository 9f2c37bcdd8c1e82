"""Who may open what in 办不成事反映: every demo user of the pack (and anonymous) on every page
and API operation of the app, against the rule written out here once (the access matrix of
tests/access/test_matrix.py points here for this app's writes)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.unresolved.models import Ticket, TicketRead
from zhengwu.unresolved.models import TicketStatus as S
from zhengwu.unresolved.tests.conftest import at, opened

pytestmark = pytest.mark.django_db

OWNER = "zhangsan"
OFFICERS = {"chief"}  # 市场监管's 首席代表
DIRECTORS = {"hallmgr", "supervisor"}  # the centre: sees every ticket, makes no move


def _usernames() -> list[str]:
    with (Path(settings.ZHENGWU_DEFAULT_PACK) / "people.csv").open(encoding="utf-8") as rows:
        return [row["username"] for row in csv.DictReader(rows)]


def expected(name: str, staff: bool, what: str) -> int:
    anonymous = name == ""
    if what in ("public", "track", "api_public"):
        return 200
    if what == "new":
        return 302 if staff else 200
    if what.startswith("api_") and anonymous:
        return 401
    if anonymous:
        return 302  # to sign in
    sees = name == OWNER if not staff else name in OFFICERS | DIRECTORS
    return {
        "mine": 200, "api_mine": 200,
        "detail": 200 if name == OWNER else 404,
        "staff_list": 200 if staff else 403, "api_list": 200 if staff else 403,
        "staff_new": 200 if staff else 403,
        "staff_overview": 200 if name in DIRECTORS else 403,
        "staff_detail": (200 if sees else 404) if staff else 403,
        "api_detail": (200 if sees else 404) if staff else 403,
        "api_open": 403 if staff else 201,
        "api_move": (200 if name in OFFICERS else 403 if sees else 404) if staff else 403,
    }[what]


def test_every_demo_user_on_every_page_and_operation(market: Any) -> None:
    owner = User.objects.get(username=OWNER)
    ticket = opened(owner, at(2026, 3, 2), department=market)
    number = ticket.number
    pages = {"public": reverse("unresolved:public"), "new": reverse("unresolved:new"),
             "track": reverse("unresolved:track"), "mine": reverse("unresolved:mine"),
             "detail": reverse("unresolved:detail", args=[number]),
             "staff_list": reverse("unresolved:staff_list"),
             "staff_new": reverse("unresolved:staff_new"),
             "staff_overview": reverse("unresolved:staff_overview"),
             "staff_detail": reverse("unresolved:staff_detail", args=[number])}
    api = "/api/v1/unresolved"
    gets = {"api_public": f"{api}/public", "api_mine": f"{api}/tickets/mine",
            "api_list": f"{api}/tickets", "api_detail": f"{api}/tickets/{number}"}
    wrong = []
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        names = ["", *_usernames()]
        # The officer moves last: the contact changes the ticket's state.
        names.sort(key=lambda n: n in OFFICERS)
        for name in names:
            client = Client()
            user = User.objects.get(username=name) if name else None
            staff = bool(user and user.is_staff)
            if user is not None:
                client.force_login(user)
            answers = {what: client.get(url).status_code for what, url in (pages | gets).items()}
            answers["api_open"] = client.post(f"{api}/tickets", {
                "asked": "想办的事", "told": "不能办", "where": "online",
                "department_id": market.pk}, content_type="application/json").status_code
            answers["api_move"] = client.post(f"{api}/tickets/{number}/moves", {
                "action": "contact", "how": "phone", "note": "已联系"},
                content_type="application/json").status_code
            wrong += [(name or "匿名", what, got, expected(name, staff, what))
                      for what, got in answers.items() if got != expected(name, staff, what)]
    assert wrong == []
    assert Ticket.objects.get(pk=ticket.pk).status == S.CONTACTED
    # Every staff opening of the ticket (page or API) was logged as a read of personal data.
    assert set(TicketRead.objects.filter(ticket=ticket).values_list(
        "user__username", flat=True)) == OFFICERS | DIRECTORS

"""Who may open each page of 帮代办 and 创业管家: every demo user of the pack and anonymous, on
every URL of the `assistance` namespace (a URL added without a row here fails
`test_every_assistance_url_is_classified`). tests/access/test_matrix.py covers case work;
this is the same census for this app, as zhengwu/hall/tests/test_access.py is for the hall.

The expectation is written from the rules in prose (docs/assistance.md), not read from the code:
- a project is seen by the hall managers of its region, its 代办员 and the enterprise; only a
  hall manager closes it; anyone else finds it absent (404), as an unknown one is;
- an assignment of a 创业管家 is seen by the hall managers and the 创业管家; only the
  创业管家 writes there, only a hall manager ends it; anyone else finds it absent;
- the staff home is for hall managers, 代办员 and 创业管家 (other staff and applicants 403);
- the enterprise's pages are 我的空间's: applicants only (staff 403);
- anonymous is sent to sign in (302 to the login page).
Each probe runs in a savepoint that is rolled back, so the objects are made once.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhengwu.accounts.models import User
from zhengwu.assistance import services
from zhengwu.cases.models import Case
from zhengwu.core import clock

pytestmark = pytest.mark.django_db

MANAGER, AGENT, BUTLER, ENTERPRISE = "hallmgr", "proxy", "clerk", "canyin"
APPLICANTS = {"zhangsan", "canyin", "chuangye"}
ABSENT = 999999


def people() -> list[str]:
    path = Path(settings.ZHENGWU_DEFAULT_PACK) / "people.csv"
    with path.open(encoding="utf-8") as rows:
        return [row["username"] for row in csv.DictReader(rows)]


def expected(name: str, method: str, user: str) -> int:
    if not user:
        return 302
    if name == "home":
        return 200 if user in (MANAGER, AGENT, BUTLER) else 403
    if name in ("mine", "my_butler"):
        return 200 if user in APPLICANTS else 403
    if name == "project":
        return 200 if user in (MANAGER, AGENT, ENTERPRISE) else 404
    if name == "project_close":
        return 302 if user == MANAGER else (403 if user in (AGENT, ENTERPRISE) else 404)
    if name == "butler":
        if method == "GET":
            return 200 if user in (MANAGER, BUTLER) else 404
        return 302 if user == BUTLER else (403 if user == MANAGER else 404)
    if name == "butler_end":
        return 302 if user == MANAGER else (403 if user == BUTLER else 404)
    raise AssertionError(name)


PROBES = [("home", "GET"), ("mine", "GET"), ("my_butler", "GET"), ("project", "GET"),
          ("project_close", "POST"), ("butler", "GET"), ("butler", "POST"),
          ("butler_end", "POST")]


def assistance_urls() -> set[str]:
    found = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "assistance":
                found.add(str(pattern.name))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_assistance_url_is_classified() -> None:
    assert assistance_urls() == {name for name, _ in PROBES}


def test_who_opens_what(food: Any, submit: Any) -> None:
    users = {u.username: u for u in User.objects.all()}
    canyin = users[ENTERPRISE]
    project = services.project_create(
        manager=users[MANAGER], uscc=canyin.uscc, name="代办项目", agent_id=users[AGENT].pk,
        item_codes=[food.item.basic_code], ends_on=clock.today() + dt.timedelta(days=30))
    Case.objects.filter(pk=submit(food).pk).update(registered_uscc=canyin.uscc)
    butler = services.butler_assign(manager=users[MANAGER], uscc=canyin.uscc,
                                    username=BUTLER)
    ids = {"project": project.pk, "project_close": project.pk, "butler": butler.pk,
           "butler_end": butler.pk}
    violations, allowed = [], 0
    for user in ["", *people()]:
        client = Client()
        if user:
            client.force_login(users[user])
        for name, method in PROBES:
            want = expected(name, method, user)
            targets: list[tuple[int | None, int]] = [(ids.get(name), want)]
            if name in ids and user:
                targets.append((ABSENT, 404))  # absent looks the same to everyone
            for pk, status in targets:
                url = reverse(f"assistance:{name}", args=[pk] if pk is not None else [])
                with transaction.atomic():
                    answer = client.get(url) if method == "GET" else client.post(
                        url, {"body": "您好", "reason": "测试"})
                    transaction.set_rollback(True)
                if answer.status_code != status:
                    violations.append((user, name, method, pk, answer.status_code, status))
                allowed += answer.status_code in (200, 302) and bool(user)
    assert not violations, violations
    assert allowed > 10

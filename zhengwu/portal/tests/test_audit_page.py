"""The audit log page (issue 16): labels instead of codes, filters by who, role, action, object
and dates, a mistyped date told not ignored, and pages that keep the filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record

pytestmark = pytest.mark.django_db
URL = "/staff/audit/"


def _write(n: int, *, action: str = "accounts.role_assign", label: str = "王审计",
           role: str = "catalog_admin", after: dict[str, Any] | None = None) -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=Actor(label=label, role=role), action=action,
                         object_type="accounts.User", object_id=str(900 + i),
                         object_repr=f"测试账号{i}", after=after or {"role": "reviewer"})


def test_codes_read_as_words(client_for: Any, supervisor: User) -> None:
    _write(1, after={"is_active": False})
    page = client_for(supervisor).get(URL).content.decode()
    assert "账号：授予角色" in page and "事项管理员(审改办)" in page
    assert "{'" not in page  # no Python dicts
    assert "测试账号0" in page


def test_filters_narrow_and_pages_keep_them(client_for: Any, supervisor: User) -> None:
    _write(60, label="李筛选")
    _write(3, label="赵其他", action="accounts.role_revoke")
    client = client_for(supervisor)
    page = client.get(URL, {"who": "李筛选", "action": "accounts.role_assign"})
    text = page.content.decode()
    assert page.status_code == 200 and "赵其他" not in text and "共 60 条记录" in text
    assert "who=%E6%9D%8E%E7%AD%9B%E9%80%89&amp;action=accounts.role_assign&amp;page=2" in text
    second = client.get(URL, {"who": "李筛选", "action": "accounts.role_assign", "page": 2})
    assert "赵其他" not in second.content.decode() and "测试账号" in second.content.decode()
    by_role = client.get(URL, {"role": "catalog_admin", "action": "accounts.role_revoke"})
    assert "共 3 条记录" in by_role.content.decode()


def test_a_mistyped_date_is_told_and_nothing_fails(client_for: Any, supervisor: User) -> None:
    _write(2, label="钱日期")
    client = client_for(supervisor)
    page = client.get(URL, {"since": "2026-13-40", "who": "钱日期"})
    text = page.content.decode()
    assert page.status_code == 200 and "请输入有效日期" in text
    assert "共 2 条记录" in text  # the valid filter still applies
    backwards = client.get(URL, {"since": "2026-12-05", "until": "2026-12-01"})
    assert "截止日期不能早于起始日期" in backwards.content.decode()
    unknown = client.get(URL, {"action": "no.such"})
    assert unknown.status_code == 200 and "请从列表中选择" in unknown.content.decode()


def test_dates_are_beijing_days(client_for: Any, supervisor: User) -> None:
    _write(1, label="孙北京")
    today = clock.today().isoformat()
    client = client_for(supervisor)
    assert "共 1 条记录" in client.get(URL, {"who": "孙北京", "since": today,
                                            "until": today}).content.decode()
    assert "共 0 条记录" in client.get(URL, {"who": "孙北京", "until": "2020-01-01"}
                                       ).content.decode()

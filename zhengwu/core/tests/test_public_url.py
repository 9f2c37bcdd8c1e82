"""ZHENGWU_PUBLIC_URL (issue 16: QR codes pointed at http://127.0.0.1:8000 when served
elsewhere): unset or pointing at another local address, an administrator is told — by
`check --deploy`, by `zhengwu serve` and on the admin's home page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from zhengwu.accounts.models import User
from zhengwu.core import public_url

DEFAULT = "http://127.0.0.1:8000"


@override_settings(ZHENGWU_PUBLIC_URL=DEFAULT, ZHENGWU_PUBLIC_URL_SET=False)
def test_unset_is_a_problem_and_a_deploy_warning() -> None:
    assert "未设置 ZHENGWU_PUBLIC_URL" in public_url.problem()
    assert DEFAULT in public_url.problem(served=DEFAULT)
    [warning] = public_url.public_url_check()
    assert warning.id == "zhengwu.core.W001"


@override_settings(ZHENGWU_PUBLIC_URL=DEFAULT, ZHENGWU_PUBLIC_URL_SET=True)
def test_set_to_another_local_address_than_the_one_served() -> None:
    assert public_url.problem(served="http://127.0.0.1:8000") == ""
    told = public_url.problem(served="http://127.0.0.1:8123")
    assert "http://127.0.0.1:8123" in told and DEFAULT in told
    assert public_url.public_url_check() == []


@override_settings(ZHENGWU_PUBLIC_URL="https://zwfw.example.gov.cn", ZHENGWU_PUBLIC_URL_SET=True)
def test_a_real_public_address_behind_a_proxy_is_fine() -> None:
    # Served on loopback behind nginx: the public address is another host, as it should be.
    assert public_url.problem(served="http://127.0.0.1:8000") == ""


@pytest.mark.django_db
@pytest.mark.parametrize(("is_set", "shown"), [(False, True), (True, False)])
def test_the_admin_home_page_says_so(is_set: bool, shown: bool, client_for: Any) -> None:
    client = client_for(User.objects.get(username="admin"))
    with override_settings(ZHENGWU_PUBLIC_URL=DEFAULT, ZHENGWU_PUBLIC_URL_SET=is_set):
        page = client.get("/admin/").content.decode()
    assert ("未设置 ZHENGWU_PUBLIC_URL" in page) is shown
    assert "后台任务" in page  # the rest of the page is still there

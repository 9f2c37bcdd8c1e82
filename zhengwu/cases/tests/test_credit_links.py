"""The public credit page is reachable from a page (found in the issue 15 credit walk: no page
linked /cases/credit/enterprises/<USCC>/; the story had to type the address)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from zhengwu.accounts.models import User

pytestmark = pytest.mark.django_db


def test_an_enterprise_finds_its_public_credit_page_from_its_own(client_for: Any) -> None:
    canyin = User.objects.get(username="canyin")
    page = client_for(canyin).get(reverse("cases:credit_mine")).content.decode()
    public = reverse("cases:credit_public", args=[canyin.uscc])
    assert f'href="{public}"' in page and "查看本单位公开的信用信息" in page
    person = User.objects.get(username="zhangsan")  # a person has no public page
    page = client_for(person).get(reverse("cases:credit_mine")).content.decode()
    assert "查看本单位公开的信用信息" not in page and "/cases/credit/enterprises/" not in page

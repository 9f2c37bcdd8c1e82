"""A refused call lists its errors above the form in the order the page shows the fields
(the desk asks for the caller first, the portal for the matter first)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.hotline.forms import OrderForm

pytestmark = pytest.mark.django_db


def _shown(html: str, form_id: str, names: list[str]) -> list[str]:
    """The form's fields in the order their inputs appear in the page."""
    body = html[html.index(f'id="{form_id}"'):]
    found = [m.group(1) for m in re.finditer(r'id="id_([a-z_0-9]+)"', body)]
    return [name for name in dict.fromkeys(found) if name in names]


@pytest.mark.parametrize(("username", "url", "form_id", "desk"), [
    ("hotline", "hotline:desk", "new-call", True),
    ("zhangsan", "hotline:new", "new-order", False),
])
def test_the_fields_and_the_error_list_follow_the_page(
        client_for: Any, username: str, url: str, form_id: str, desk: bool) -> None:
    names = list(OrderForm(desk=desk).fields)
    html = client_for(User.objects.get(username=username)).get(reverse(url)).content.decode()
    assert _shown(html, form_id, names) == names


def test_a_refused_call_lists_the_phone_before_the_content(client_for: Any) -> None:
    page = client_for(User.objects.get(username="hotline")).post(reverse("hotline:desk"), {
        "channel": "phone", "kind": "help", "title": "井盖缺失", "content": "",
        "caller_name": "欧阳来电", "caller_phone": "1390000"})
    assert page.status_code == 422
    html = page.content.decode()
    summary = html[html.index('class="error-summary"'):html.index("</div>",
                                                                    html.index("error-summary"))]
    assert re.findall(r'href="#id_([a-z_]+)"', summary) == ["caller_phone", "content"]

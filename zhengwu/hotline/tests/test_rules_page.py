"""The routing rules page (/hotline/rules/) for the hotline admin: the box for a new version
starts from the table in force, a refused table names each bad row by the line the admin
sees and publishes nothing, and the table in force with an edit publishes the next version."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.hotline import routing
from zhengwu.hotline.models import RoutingVersion

pytestmark = pytest.mark.django_db


def _admin(client_for: Any) -> Any:
    return client_for(User.objects.get(username="admin"))


def _box(page: Any) -> str:
    return str(page.context["form"]["rows"].value())


def test_the_box_holds_the_table_in_force_and_an_edit_of_it_publishes(client_for: Any) -> None:
    admin = _admin(client_for)
    before = routing.active_version()
    assert before is not None
    page = admin.get(reverse("hotline:rules"))
    table = _box(page)
    lines = table.splitlines()
    assert lines[0] == "region_code,category_code,department,priority"
    assert len(lines) == before.rules.count() + 1
    assert ",0301,耒阳市市场监督管理局,0" in lines or ",03,耒阳市市场监督管理局,0" in lines
    answer = admin.post(reverse("hotline:rules"), {
        "rows": table + "430481001,0301,耒阳市市场监督管理局,5\n", "note": "蔡子池食品安全"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    after = routing.active_version()
    assert after is not None and after.number == before.number + 1
    assert after.rules.count() == before.rules.count() + 1


def test_a_refused_table_names_the_lines_the_admin_sees(client_for: Any) -> None:
    """The header and a blank line are not rules: "第n行" is the line of the text, not the
    n-th rule (the service counts rules)."""
    admin = _admin(client_for)
    before = RoutingVersion.objects.count()
    text = ("region_code,category_code,department,priority\n"
            "430481,,耒阳市市场监督管理局,5\n"
            "\n"
            "430481001,0301,耒阳市不存在局,5\n"
            "43048X,0302,耒阳市市场监督管理局,5\n"
            "430481,03,耒阳市市场监督管理局,高\n")
    refused = admin.post(reverse("hotline:rules"), {"rows": text, "note": "试"})
    assert refused.status_code == 422
    errors = refused.context["form"].errors["rows"]
    assert any(e.startswith("第6行") and "优先级" in e for e in errors), errors
    # The shape is checked first; with it right, the service names the other two rows.
    refused = admin.post(reverse("hotline:rules"), {
        "rows": text.replace(",高", ",1"), "note": "试"})
    assert refused.status_code == 422
    errors = refused.context["form"].errors["rows"]
    assert any(e.startswith("第4行") and "耒阳市不存在局" in e for e in errors), errors
    assert any(e.startswith("第5行") and "43048X" in e for e in errors), errors
    assert _box(refused) == text.replace(",高", ",1")  # what was typed is kept
    assert RoutingVersion.objects.count() == before


def _outside_the_test_transaction(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the version's audit row was written in a transaction below the test's own:
    the test runs inside one already, so count the savepoints above the test's (a page or API
    call whose service opened none failed with a 500 in the real server: audit_record
    refuses to run outside a transaction). services.routing_version_create opens it."""
    from django.db import connection

    from zhengwu.core.audit import audit_record as real
    from zhengwu.hotline import services

    base = len(connection.savepoint_ids)
    seen: list[bool] = []

    def checked(**kwargs: Any) -> Any:
        if kwargs.get("action") == "hotline.routing.version":
            seen.append(len(connection.savepoint_ids) > base)
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", checked)
    return seen


def test_the_page_publishes_in_a_transaction_of_its_own(
        client_for: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _outside_the_test_transaction(monkeypatch)
    answer = _admin(client_for).post(reverse("hotline:rules"), {
        "rows": "430481,,耒阳市市场监督管理局,5", "note": "试"})
    assert answer.status_code == 302
    assert seen == [True]


def test_the_api_publishes_in_a_transaction_of_its_own(
        client_for: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _outside_the_test_transaction(monkeypatch)
    answer = _admin(client_for).post("/api/v1/hotline/rules", {
        "note": "试", "rules": [{"region_code": "430481", "category_code": "",
                                "department": "耒阳市市场监督管理局", "priority": 5}]},
        content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert seen == [True]


def test_a_refusal_is_shown_where_the_form_is(client_for: Any) -> None:
    """The form posts back to its own section (#publish), which holds the list of errors:
    the table in force above it is ~180 rows long."""
    refused = _admin(client_for).post(reverse("hotline:rules"), {
        "rows": "430481,,耒阳市不存在局,5", "note": "试"})
    html = refused.content.decode()
    assert 'action="/hotline/rules/#publish"' in html
    section = html[html.index('id="publish"'):]
    assert 'class="error-summary"' in section and "耒阳市不存在局" in section


def test_the_list_counts_each_bad_row_and_a_publish_lands_on_its_message(
        client_for: Any) -> None:
    admin = _admin(client_for)
    refused = admin.post(reverse("hotline:rules"), {
        "rows": "430481,,耒阳市不存在局,5\n43048X,,耒阳市市场监督管理局,5", "note": "试"})
    assert "请修改以下 2 处" in refused.content.decode()
    answer = admin.post(reverse("hotline:rules"), {
        "rows": "430481,,耒阳市市场监督管理局,5", "note": "试"})
    # With a fragment of its own: the browser would keep the form's #publish otherwise, and
    # the message at the top of the page would be out of sight.
    assert answer.status_code == 302 and answer["Location"] == "/hotline/rules/#main"

"""The pages of 办不成事反映: opening a ticket (online, anonymous or signed in; staff at the
window), the person's progress, the officer's ticket page with its steps as forms (each
opening logged), the director's overview and the anonymised monthly list."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from zhengwu.unresolved.models import Outcome, Ticket, TicketRead
from zhengwu.unresolved.models import TicketStatus as S
from zhengwu.unresolved.tests.conftest import at, moved, opened

pytestmark = pytest.mark.django_db

FORM = {"asked": "想办理食品经营许可", "told": "窗口说缺少房产证明，不能受理", "where": "window",
        "told_by": "5号窗口", "name": "王五", "phone": "13912345678"}


def _post(client: Any, name: str, data: dict[str, str], *args: Any) -> Any:
    return client.post(reverse(name, args=args), data)


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_the_online_form_keeps_what_was_typed_and_says_what_to_fix(client_for, market):
    client = client_for(None)
    answer = _post(client, "unresolved:new", FORM | {"phone": "12345", "department": ""})
    assert answer.status_code == 422
    page = answer.content.decode()
    assert 'id="id_phone_error"' in page and "手机号码" in page
    assert 'id="id_department_error"' in page
    assert "想办理食品经营许可" in page and "5号窗口" in page and 'value="12345"' in page
    assert not Ticket.objects.exists()


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_anonymous_opens_and_follows_by_number_and_phone(client_for, market, chief):
    client = client_for(None)
    answer = _post(client, "unresolved:new", FORM | {"department": str(market.pk)})
    assert answer.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.number in answer.content.decode() and ticket.person is None
    moved(ticket.number, chief, at(2026, 3, 2, 15), action="contact", how="phone",
          note="赵首席已电话联系")
    wrong = _post(client, "unresolved:track", {"number": ticket.number, "phone": "13900000000"})
    assert wrong.status_code == 404
    found = _post(client, "unresolved:track", {"number": ticket.number, "phone": "13912345678"})
    page = found.content.decode()
    assert found.status_code == 200 and "登记已联系反映人" in page and "处理中" in page
    assert "赵首席" not in page  # no staff names for the public


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_a_signed_in_person_sees_their_ticket_in_my_space(client_for, applicant, food):
    client = client_for(applicant)
    answer = _post(client, "unresolved:new", {k: v for k, v in FORM.items()
                                              if k not in ("name", "phone")}
                   | {"implementation": food.code})
    assert answer.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.person == applicant and ticket.name == "张三" and ticket.phone == applicant.phone
    assert ticket.number in client.get(reverse("unresolved:mine")).content.decode()
    assert ticket.number in client.get("/my/").content.decode()
    assert client.get(reverse("unresolved:detail", args=[ticket.number])).status_code == 200


def test_another_person_cannot_see_it(client_for, applicant, market):
    from zhengwu.accounts.models import User

    ticket = opened(applicant, at(2026, 3, 2), department=market)
    other = client_for(User.objects.get(username="chuangye"))
    assert other.get(reverse("unresolved:detail", args=[ticket.number])).status_code == 404
    assert other.get(reverse("unresolved:staff_detail", args=[ticket.number])).status_code == 403


def test_the_officer_works_the_ticket_on_its_page(client_for, applicant, market, chief):
    ticket = opened(applicant, at(2026, 3, 2), department=market)
    client = client_for(chief)
    with time_machine.travel(at(2026, 3, 2, 14), tick=False):
        listed = client.get(reverse("unresolved:staff_list"))
        assert ticket.number in listed.content.decode()
        page = client.get(reverse("unresolved:staff_detail", args=[ticket.number]))
        assert page.status_code == 200 and "13800000001" in page.content.decode()
        assert TicketRead.objects.filter(ticket=ticket, user=chief).count() == 1
        assert 'id="move-contact"' in page.content.decode()
        assert 'id="move-resolve"' not in page.content.decode()
        missing = _post(client, "unresolved:staff_detail",
                        {"action": "contact", "how": "", "note": "打了电话"}, ticket.number)
        assert missing.status_code == 422 and "打了电话" in missing.content.decode()
        assert 'id="id_how_error"' in missing.content.decode()
        _post(client, "unresolved:staff_detail",
              {"action": "contact", "how": "phone", "note": "打了电话"}, ticket.number)
    with time_machine.travel(at(2026, 3, 3, 10), tick=False):
        client.force_login(chief)  # the next day: a new session (staff sessions time out)
        typed = {"action": "resolve", "outcome": Outcome.EXPLAINED, "note": "当面解释",
                 "summary": "食品经营许可材料"}
        refused = _post(client, "unresolved:staff_detail", typed, ticket.number)
        page = refused.content.decode()
        assert refused.status_code == 422 and 'id="id_legal_basis_error"' in page
        assert "当面解释" in page and "食品经营许可材料" in page
        done = _post(client, "unresolved:staff_detail",
                     typed | {"legal_basis": "《食品经营许可和备案管理办法》第十二条"},
                     ticket.number)
        assert done.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == S.CLOSED


def test_staff_record_a_ticket_at_the_window(client_for, clerk, market):
    client = client_for(clerk)
    answer = _post(client, "unresolved:staff_new", FORM | {"department": str(market.pk),
                                                           "channel": "phone"})
    ticket = Ticket.objects.get()
    assert answer.status_code == 302 and ticket.channel == "phone" and ticket.recorded_by == clerk
    # The clerk recorded it but does not answer it: the ticket is the department's.
    assert client.get(reverse("unresolved:staff_detail", args=[ticket.number])).status_code == 404


def test_the_directors_overview(client_for, applicant, market, hallmgr, supervisor, chief):
    opened(applicant, at(2026, 3, 2), department=market)
    with time_machine.travel(at(2026, 3, 20), tick=False):
        for user in (hallmgr, supervisor):
            page = client_for(user).get(reverse("unresolved:staff_overview"))
            assert page.status_code == 200 and "市市场监督管理局" in page.content.decode()
        assert client_for(chief).get(reverse("unresolved:staff_overview")).status_code == 403


def test_the_monthly_list_is_anonymised(client_for, applicant, market, chief):
    on_time = opened(None, at(2026, 3, 2), department=market, name="王五",
                     phone="13912345678", asked="王五想办理餐饮许可，电话13912345678")
    moved(on_time.number, chief, at(2026, 3, 2, 15), action="contact", how="phone", note="联系")
    moved(on_time.number, chief, at(2026, 3, 4), action="resolve", outcome=Outcome.SOLVED,
          note="已办成", summary="王五的餐饮许可 13912345678")
    late = opened(applicant, at(2026, 3, 2), department=market)
    moved(late.number, chief, at(2026, 3, 3), action="contact", how="phone", note="联系")
    moved(late.number, chief, at(2026, 3, 13), action="resolve", outcome=Outcome.EXPLAINED,
          note="解释", legal_basis="某法第一条", summary="房产证明要求")
    with time_machine.travel(at(2026, 4, 2), tick=False):
        page = client_for(None).get(reverse("unresolved:public") + "?month=2026-03")
        text = page.content.decode()
        api = client_for(None).get("/api/v1/unresolved/public?month=2026-03").json()
    for secret in ("王五", "13912345678", "张三", "13800000001"):
        assert secret not in text and secret not in str(api)
    assert "某某的餐饮许可" in text and "房产证明要求" in text
    rows = {row["number"]: row for row in api["items"]}
    assert rows[on_time.number]["days"] == 2 and rows[on_time.number]["on_time"] is True
    # Opened Mon 2 Mar; due Mon 9 Mar (5 working days); closed Fri 13 Mar: 9 days, late.
    assert rows[late.number]["days"] == 9 and rows[late.number]["on_time"] is False
    (figures,) = api["departments"]
    assert figures == {"department": "市市场监督管理局", "received": 2, "closed": 2,
                       "on_time": 1, "solved": 1, "explained": 1, "rule_change": 0,
                       "average_days": "5.5"}


def test_the_form_offers_the_departments_that_handle_items(client_for, market):
    from zhengwu.unresolved.selectors import department_choices

    names = [name for _, name in department_choices()]
    assert "市市场监督管理局" in names and "市委办" not in names
    assert names.index("市市场监督管理局") < len(names) // 2  # the county's come first

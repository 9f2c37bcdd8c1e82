"""The channels and pages end to end: a case decided and closed becomes a service event, the
SMS link rates it once without signing in, the applicant's case page offers 评价, staff pages
show the rating without the rater, and the figures on the pages equal the ones recomputed
from the events by hand."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.evaluations import indicators, selectors
from zhengwu.evaluations.models import Rating, Rectification, ServiceEvent
from zhengwu.evaluations.services import MoveIn as RectMoveIn
from zhengwu.evaluations.services import RatingIn, rating_submit, rectification_move
from zhengwu.evaluations.tests.conftest import at
from zhengwu.notifications.models import OutboxItem

pytestmark = pytest.mark.django_db


def walk(case, *steps):
    for user, action, kwargs in steps:
        case = case_transition(case_id=case.pk, user=user, move=MoveIn(action=action, **kwargs))
    return case


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_a_closed_case_is_rated_once_from_the_sms_link(food, submit, clerk, reviewer, applicant,
                                                       client_for):
    from zhengwu.accounts.models import User

    chief = User.objects.get(username="chief")
    case = walk(submit(food), (clerk, "accept", {}), (reviewer, "review_pass", {}),
                (chief, "review_pass", {}), (reviewer, "grant", {}))
    event = ServiceEvent.objects.get(kind="case", key=case.number)
    assert event.person == applicant and event.staff == reviewer
    # The applicant's case page offers 评价 after the decision; nobody else's page does.
    page = client_for(applicant).get(reverse("cases:detail", args=[case.number]))
    rate_url = reverse("evaluations:rate", args=["case", case.number])
    assert rate_url in page.content.decode()
    assert rate_url not in client_for(clerk).get(
        reverse("cases:detail", args=[case.number])).content.decode()
    assert not OutboxItem.objects.filter(category="evaluation").exists()
    walk(case, (clerk, "close", {}))
    sms = OutboxItem.objects.get(category="evaluation", channel="sms", recipient=applicant)
    token_url = sms.link
    assert token_url.startswith("/evaluations/r/")
    assert sms.body.endswith(f"{token_url} 链接仅可使用一次。")  # the text carries the address
    assert client_for(None).get("/evaluations/r/not-a-token/").status_code == 404
    anonymous = client_for(None)
    form = anonymous.get(token_url)
    assert form.status_code == 200 and "非常不满意" in form.content.decode()
    refused = anonymous.post(token_url, {"level": "5", "text": "等了很久"})
    assert refused.status_code == 422 and "至少选择一项原因" in refused.content.decode()
    assert "等了很久" in refused.content.decode()  # what was typed is kept
    done = anonymous.post(token_url, {"level": "5", "reasons": ["A03"], "text": "等了很久"})
    assert done.status_code == 200
    rating = Rating.objects.get(event=event)
    assert (rating.channel, rating.rater, rating.level) == ("sms", applicant, 5)
    assert anonymous.get(token_url).status_code == 409  # once
    assert anonymous.post(token_url, {"level": "1"}).status_code == 409
    # The web page too now says it was rated.
    assert client_for(applicant).post(rate_url, {"level": "1"}).status_code == 422
    assert Rectification.objects.filter(rating=rating).exists()


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_staff_see_the_rating_without_the_rater(make_event, applicant, client_for, clerk,
                                                supervisor):
    from zhengwu.accounts.models import User

    chief = User.objects.get(username="chief")
    event = make_event(at(2026, 3, 2, 9), key="C-SECRET-1")
    rating = rating_submit(user=applicant, data=RatingIn(
        kind="case", key=event.key, level=4, reasons=["A05"], text="态度不好")).rating
    row = Rectification.objects.get(rating=rating)
    detail = reverse("evaluations:staff_detail", args=[row.pk])
    for user in (chief, supervisor):
        for url in (reverse("evaluations:staff_list"), detail,
                    "/api/v1/evaluations/rectifications",
                    f"/api/v1/evaluations/rectifications/{row.pk}"):
            response = client_for(user).get(url)
            body = json.dumps(response.json(), ensure_ascii=False) if url.startswith("/api") \
                else response.content.decode()
            assert ("态度不好" if url != reverse("evaluations:staff_list") else "不满意") in body
            for secret in ("张三", "13800000001", "C-SECRET-1", "43048119900101123X"):
                assert secret not in body, (user, url, secret)
    # Another department's staff and the window clerk do not find it.
    assert client_for(clerk).get(detail).status_code == 404
    assert client_for(User.objects.get(username="chief_gongan")).get(detail).status_code == 404
    # The officer's contact read shows it, and is logged.
    rectification_move(pk=row.pk, user=chief, move=RectMoveIn(action="accept",
                                                              complexity="simple"))
    shown = client_for(chief).post(detail, {"action": "contact_read"}).content.decode()
    assert "13800000001" in shown
    assert row.contact_reads.count() == 1
    # The rater sees who read it, and why (quality.md #8).
    mine = client_for(applicant).get(reverse("evaluations:mine")).content.decode()
    assert "赵首席" in mine and "差评回访" in mine
    assert client_for(supervisor).post(
        f"/api/v1/evaluations/rectifications/{row.pk}/contact").status_code == 403


def _figures_on(html: str, month: str) -> list[str]:
    row = re.search(rf'<tr data-month="{month}">(.*?)</tr>', html, re.S)
    assert row is not None
    return [re.sub(r"<.*?>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_indicators_recomputed_from_events_equal_the_page(make_event, applicant, client_for):
    from zhengwu.accounts.models import User

    chief = User.objects.get(username="chief")
    supervisor = User.objects.get(username="supervisor")
    # March 2026: 5 events closed; 4 rated: 非常满意, 满意, 不满意 (rectified on time and
    # called back), 非常不满意 (found invalid). By hand: rated 4/5 = 80.0 %, good 2/4 = 50.0 %,
    # bad 2/4 = 50.0 %, rectified 1/1, on time 1/1, callback 1/1 = 100.0 %.
    with time_machine.travel(at(2026, 3, 2), tick=False):
        events = [make_event(at(2026, 3, 2, 9)) for _ in range(5)]
        for event, level, reasons in zip(events, (1, 2, 4, 5), ([], [], ["A03"], ["A05"]),
                                         strict=False):
            rating_submit(user=applicant, data=RatingIn(kind="case", key=event.key,
                                                        level=level, reasons=reasons))
        valid = Rectification.objects.get(rating__event=events[2])
        invalid = Rectification.objects.get(rating__event=events[3])
        for action, kwargs in (("accept", {"complexity": "simple"}),
                               ("contact", {"note": "已联系"}), ("rectify", {"note": "已改"}),
                               ("callback", {"level": 2, "note": "满意"})):
            rectification_move(pk=valid.pk, user=chief, move=RectMoveIn(action=action, **kwargs))
        rectification_move(pk=invalid.pk, user=chief, move=RectMoveIn(
            action="propose_invalid", invalid_kind="mistaken", note="误选"))
        rectification_move(pk=invalid.pk, user=supervisor,
                           move=RectMoveIn(action="confirm_invalid"))
    by_hand = ["5", "80.0%", "50.0%", "50.0%", "100.0%", "100.0%", "100.0%", "0（0/0）"]
    with time_machine.travel(at(2026, 3, 20), tick=False):
        html = client_for(None).get(reverse("evaluations:public")).content.decode()
        api = client_for(None).get("/api/v1/evaluations/public").json()
        recomputed = indicators.compute(selectors.facts(*selectors.month_bounds("2026-03")))
    assert _figures_on(html, "2026-03") == by_hand
    march = next(row for row in api["items"] if row["month"] == "2026-03")
    assert Decimal(march["rated_share"]) == recomputed.rated_share == Decimal("80.0")
    assert Decimal(march["good_rate"]) == recomputed.good_rate == Decimal("50.0")
    assert Decimal(march["callback_rate"]) == recomputed.callback_rate == Decimal("100.0")
    assert "张三" not in html and "13800000001" not in html


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_my_space_lists_the_services_to_rate(make_event, applicant, client_for):
    event = make_event(at(2026, 3, 2, 9))
    page = client_for(applicant).get("/my/").content.decode()
    assert "待评价" in page and reverse("evaluations:rate", args=["case", event.key]) in page
    rating_submit(user=applicant, data=RatingIn(kind="case", key=event.key, level=1))
    page = client_for(applicant).get("/my/").content.decode()
    assert reverse("evaluations:rate", args=["case", event.key]) not in page


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_the_indicators_page_for_supervisors_with_flags(make_event, applicant, client_for,
                                                        clerk, supervisor):
    # A rating by a staff account (the clerk had a case of their own) is flagged.
    own = make_event(at(2026, 3, 2, 9), person=clerk)
    rating_submit(user=clerk, data=RatingIn(kind="case", key=own.key, level=1))
    for _ in range(2):
        event = make_event(at(2026, 3, 2, 9))
        rating_submit(user=applicant, data=RatingIn(kind="case", key=event.key, level=2,
                                                    text="窗口服务非常热情周到"))
    url = reverse("evaluations:indicators") + "?month=2026-03"
    assert client_for(clerk).get(url).status_code == 403
    assert client_for(applicant).get(url).status_code == 403
    page = client_for(supervisor).get(url).content.decode()
    assert "按部门" in page and "按事项" in page and "按经办人" in page
    assert "工作人员账号评价" in page and "评价文字雷同" in page
    assert "李窗口" not in page and "张三" not in page


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_a_refused_move_keeps_what_was_typed(make_event, applicant, client_for):
    from zhengwu.accounts.models import User

    chief = User.objects.get(username="chief")
    event = make_event(at(2026, 3, 2, 9))
    rating = rating_submit(user=applicant, data=RatingIn(kind="case", key=event.key, level=5,
                                                         reasons=["A05"])).rating
    row = Rectification.objects.get(rating=rating)
    page = client_for(chief).post(reverse("evaluations:staff_detail", args=[row.pk]),
                                  {"action": "propose_invalid", "invalid_kind": "",
                                   "note": "评价内容与办件无关"}).content.decode()
    assert "请选择无效类型" in page and 'value="评价内容与办件无关"' in page


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_a_visitor_without_an_account_is_invited_by_the_phone_given(market, client_for):
    """A queue number taken by phone number alone: the SMS goes to that phone, the link rates
    the visit once (not real-name: no identity stands behind it), and the window is the group
    of the per-window figures."""
    from django.db import transaction

    from zhengwu.evaluations.events import event_record, invitation_send

    with transaction.atomic():
        event = event_record(kind="case", key="VISIT-PHONE-1", person_id=None,
                             phone="13900000077", department_id=market.pk, item_code="X1",
                             item_name="食品经营许可证核发（新办）", staff_id=None,
                             at=at(2026, 3, 2, 9), window="耒阳市政务服务中心 3号窗口")
        token = invitation_send(event)
    assert token is not None
    sms = OutboxItem.objects.get(category="evaluation", channel="sms", address="13900000077")
    assert sms.recipient is None
    url = re.search(r"(/evaluations/r/\S+/)", sms.body)
    assert url is not None
    anonymous = client_for(None)
    assert anonymous.post(url.group(1), {"level": "2"}).status_code == 200
    rating = Rating.objects.get(event=event)
    assert (rating.rater, rating.real_name, rating.level) == (None, False, 2)
    rows = selectors.facts(at(2026, 3, 1, 0), at(2026, 4, 1, 0))
    by_window = indicators.grouped(rows, lambda f: f.window)
    assert by_window["耒阳市政务服务中心 3号窗口"].tally.good == 1

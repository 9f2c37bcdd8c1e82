"""互动交流 (measure [24]): a closed order's question and answer are published only with its
caller's consent (off by default), by the 12345 centre, without personal data; the caller's
withdrawal (or a reopening) takes the publication down at once, each move with its event and
audit row."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.models import AuditEvent
from zhengwu.hotline import publication
from zhengwu.hotline.models import Channel, Publication, Status, WorkOrder
from zhengwu.hotline.tests.conftest import at, moved, opened
from zhengwu.process.spec import MoveNotAllowed

pytestmark = pytest.mark.django_db

CONTENT = "我叫王五，电话13912345678。蔡子池街道某超市货架上有过期牛奶，请查处。"
REPLY = "经核查，该超市确有过期牛奶，已责令下架并立案调查。已电话告知王五。"
PUBLIC = {"public_title": "超市销售过期食品", "public_question": "某超市货架上有过期牛奶，请查处。",
          "public_answer": "经核查，该超市确有过期牛奶，已责令下架并立案调查。"}


def closed(caller, operator, market, market_staff, *, consent=True, **fields):
    when = at(2026, 12, 7, 9)
    row = opened(caller, when, channel=Channel.WEB, publish_consent=consent,
                 **({"content": CONTENT} | fields))
    moved(row.number, operator, when, action="dispatch", department_id=market.pk, by="rule")
    moved(row.number, market_staff, when, action="sign")
    moved(row.number, market_staff, at(2026, 12, 8), action="answer", reply=REPLY)
    moved(row.number, operator, at(2026, 12, 8), action="callback", resolved=True,
          satisfaction="satisfied")
    return moved(row.number, operator, at(2026, 12, 8, 11), action="close")


def audits(row):
    return list(AuditEvent.objects.filter(object_type="hotline.WorkOrder", object_id=str(row.pk))
                .values_list("action", flat=True))


def test_consent_is_off_unless_given(caller):
    row = opened(caller, at(2026, 12, 7, 9), channel=Channel.WEB)
    assert row.publish_consent is False and row.publish_consent_at is None
    given = opened(caller, at(2026, 12, 7, 9), channel=Channel.WEB, publish_consent=True)
    assert given.publish_consent is True and given.publish_consent_at == at(2026, 12, 7, 9)


def test_a_report_is_never_published_whatever_was_ticked(caller):
    row = opened(caller, at(2026, 12, 7, 9), channel=Channel.WEB, kind="report",
                 publish_consent=True)
    assert row.confidential and not row.publish_consent


def test_the_draft_masks_the_callers_data(caller, operator, market, market_staff):
    row = closed(caller, operator, market, market_staff)
    draft = publication.draft(row)
    text = " ".join(draft.values())
    assert "13912345678" not in text and "王五" not in text
    assert "（已隐去电话号码）" in draft["public_question"] and "王*" in draft["public_answer"]
    assert "5678" not in text  # no part of the number is published


def test_publish_with_consent_by_the_centre(caller, operator, market, market_staff):
    row = closed(caller, operator, market, market_staff)
    with pytest.raises(NotAllowed):  # the department does not publish its own answer
        moved(row.number, market_staff, at(2026, 12, 9), action="publish", **PUBLIC)
    row = moved(row.number, operator, at(2026, 12, 9), action="publish", **PUBLIC)
    assert row.publication == Publication.PUBLISHED and row.published_at == at(2026, 12, 9)
    assert row.published_by == operator and row.status == Status.CLOSED
    assert row.events.last().action == "publish"
    assert "hotline.order.publish" in audits(row)


def test_not_published_without_consent(caller, operator, market, market_staff):
    row = closed(caller, operator, market, market_staff, consent=False)
    with pytest.raises(MoveNotAllowed) as caught:
        moved(row.number, operator, at(2026, 12, 9), action="publish", **PUBLIC)
    assert caught.value.code == "order.no_consent"


def test_not_published_before_it_is_closed(caller, operator, market):
    row = opened(caller, at(2026, 12, 7, 9), channel=Channel.WEB, publish_consent=True)
    with pytest.raises(MoveNotAllowed):
        moved(row.number, operator, at(2026, 12, 7, 10), action="publish", **PUBLIC)


@pytest.mark.parametrize(("field", "value", "said"), [
    ("public_question", "我的电话13912345678，请回电。", "电话号码"),
    ("public_answer", "已告知王五先生。", "诉求人姓名"),
    ("public_question", "身份证430481199001011234丢失。", "身份证号码"),
    ("public_answer", "", "请填写公开答复"),
])
def test_personal_data_refused_in_public_texts(caller, operator, market, market_staff, field,
                                               value, said):
    row = closed(caller, operator, market, market_staff)
    with pytest.raises(InvalidInput) as caught:
        moved(row.number, operator, at(2026, 12, 9), action="publish", **(PUBLIC | {field: value}))
    assert said in caught.value.message
    row.refresh_from_db()
    assert row.publication == Publication.NONE and row.public_question == ""


def test_decline_needs_a_reason(caller, operator, market, market_staff):
    row = closed(caller, operator, market, market_staff)
    with pytest.raises(InvalidInput):
        moved(row.number, operator, at(2026, 12, 9), action="publish_decline")
    row = moved(row.number, operator, at(2026, 12, 9), action="publish_decline",
                note="涉及第三方商业信息。")
    assert row.publication == Publication.DECLINED
    with pytest.raises(MoveNotAllowed):
        moved(row.number, operator, at(2026, 12, 9), action="publish_decline", note="再次")


def test_withdrawal_takes_it_down_at_once(caller, operator, market, market_staff):
    row = closed(caller, operator, market, market_staff)
    moved(row.number, operator, at(2026, 12, 9), action="publish", **PUBLIC)
    assert list(publication.published()) == [row]
    with pytest.raises(NotAllowed):  # only the caller withdraws
        moved(row.number, operator, at(2026, 12, 10), action="consent_withdraw")
    row = moved(row.number, caller, at(2026, 12, 10), action="consent_withdraw")
    assert not row.publish_consent and row.publish_consent_at == at(2026, 12, 10)
    assert row.publication == Publication.WITHDRAWN and row.public_answer == ""
    assert list(publication.published()) == []
    event = row.events.last()
    assert event.action == "consent_withdraw" and event.data == {"taken_down": True}
    assert "hotline.order.consent_withdraw" in audits(row)
    with pytest.raises(MoveNotAllowed):  # gone, and cannot be published again
        moved(row.number, operator, at(2026, 12, 11), action="publish", **PUBLIC)


def test_withdrawal_before_closing(caller, operator):
    row = opened(caller, at(2026, 12, 7, 9), channel=Channel.WEB, publish_consent=True)
    row = moved(row.number, caller, at(2026, 12, 7, 10), action="consent_withdraw")
    assert not row.publish_consent and row.publication == Publication.NONE
    with pytest.raises(MoveNotAllowed):
        moved(row.number, caller, at(2026, 12, 7, 11), action="consent_withdraw")


def test_reopening_takes_it_down(caller, operator, market, market_staff):
    row = closed(caller, operator, market, market_staff)
    moved(row.number, operator, at(2026, 12, 9), action="publish", **PUBLIC)
    row = moved(row.number, operator, at(2026, 12, 10), action="reopen", note="诉求人反映仍有售卖。")
    assert row.publication == Publication.NONE and list(publication.published()) == []
    assert row.publish_consent  # the consent stands: once closed again it may be published


# --- the pages and the API --------------------------------------------------------------------

PERSONAL = ("王五", "13912345678", "139****5678", "zhangsan")


def test_the_portal_form_asks_for_consent_unticked(client_for, caller):
    client = client_for(caller)
    page = client.get(reverse("hotline:new")).content.decode()
    assert "同意在办结后公开我的诉求和答复（隐去个人信息）" in page
    assert 'name="publish_consent"' in page and "checked" not in page.split(
        'name="publish_consent"')[1].split(">")[0]
    fields = {"kind": "consult", "title": "社保卡补办", "content": "社保卡丢了怎么补办？",
              "urgency": "normal", "caller_phone": ""}
    client.post(reverse("hotline:new"), fields)
    client.post(reverse("hotline:new"), fields | {"publish_consent": "on"})
    assert [r.publish_consent for r in WorkOrder.objects.order_by("pk")] == [False, True]


def test_publish_from_the_page_then_withdraw(client_for, caller, operator, market,
                                             market_staff):
    row = closed(caller, operator, market, market_staff, caller_name="王五")
    staff = client_for(operator)
    waiting = staff.get(reverse("hotline:orders"), {"awaiting": "on"}).content.decode()
    assert row.number in waiting
    page = staff.get(reverse("hotline:order", args=[row.number])).content.decode()
    form = page.split('id="move-publish"')[1].split("</form>")[0]
    assert "（已隐去电话号码）" in form and "5678" not in form  # prefilled, removed
    refused = staff.post(reverse("hotline:order", args=[row.number]),
                         {"action": "publish", **(PUBLIC | {"public_answer": "已告知王五。"})})
    assert refused.status_code == 422 and "诉求人姓名" in refused.content.decode()
    assert "超市销售过期食品" in refused.content.decode()  # what was typed is kept
    done = staff.post(reverse("hotline:order", args=[row.number]),
                      {"action": "publish", **PUBLIC})
    assert done.status_code == 302
    waiting = staff.get(reverse("hotline:orders"), {"awaiting": "on"}).content.decode()
    assert row.number not in waiting
    # Publishing again edits what is public, and the form says so.
    again = staff.get(reverse("hotline:order", args=[row.number])).content.decode()
    assert "<legend>修改公开内容</legend>" in again

    public = Client()
    listed = public.get(reverse("hotline:published")).content.decode()
    assert PUBLIC["public_answer"] in listed and "市市场监督管理局" in listed
    assert not any(word in listed for word in PERSONAL)
    api = public.get("/api/v1/hotline/published").json()
    assert api["count"] == 1 and api["items"][0]["answer"] == PUBLIC["public_answer"]
    assert not any(word in json.dumps(api, ensure_ascii=False) for word in PERSONAL)
    assert set(api["items"][0]) == {"id", "kind", "kind_label", "department", "title",
                                    "question", "answer", "published_at", "closed_at"}

    mine = client_for(caller)
    own = mine.get(reverse("hotline:order", args=[row.number])).content.decode()
    assert "撤回公开同意" in own
    withdrawn = mine.post(reverse("hotline:order", args=[row.number]),
                          {"action": "consent_withdraw"}, follow=True)
    assert "已撤回公开同意，已从互动交流撤下。" in withdrawn.content.decode()
    assert PUBLIC["public_answer"] not in public.get(reverse("hotline:published")).content.decode()
    assert public.get("/api/v1/hotline/published").json()["count"] == 0
    # He did agree, then withdrew: the page says so, not that he never agreed.
    for reader in (mine, staff):
        facts = reader.get(reverse("hotline:order", args=[row.number])).content.decode()
        assert "诉求人已撤回公开同意，已撤下" in facts and "未同意公开" not in facts
    # The caller makes no other move from their page.
    assert mine.post(reverse("hotline:order", args=[row.number]),
                     {"action": "close"}).status_code == 403


def test_the_public_page_filters_searches_and_pages(caller, operator, market, market_staff,
                                                    police, police_staff):
    one = closed(caller, operator, market, market_staff)
    moved(one.number, operator, at(2026, 12, 9), action="publish", **PUBLIC)
    two = closed(caller, operator, market, market_staff, kind="suggestion",
                 title="建议增设公交站", content="建议在蔡子池街道增设公交站。")
    moved(two.number, operator, at(2026, 12, 10), action="publish",
          public_title="建议增设公交站", public_question="建议在蔡子池街道增设公交站。",
          public_answer="已转交通运输部门研究。")
    public = Client()
    # Citizens find it where they enter the hotline: the portal home's 12345 card.
    assert 'href="/hotline/published/"' in public.get("/").content.decode()

    def titles(**query):
        return [i["title"] for i in public.get("/api/v1/hotline/published", query).json()["items"]]

    assert titles() == ["建议增设公交站", "超市销售过期食品"]  # newest first
    assert titles(kind="complaint") == ["超市销售过期食品"]
    assert titles(q="公交") == ["建议增设公交站"]
    assert titles(q="过期 牛奶") == ["超市销售过期食品"]
    assert titles(q="公交\x00") == ["建议增设公交站"]  # a NUL is no search word
    assert titles(department_id=police.pk) == []
    assert titles(limit=1, offset=1) == ["超市销售过期食品"]
    page = public.get(reverse("hotline:published"), {"kind": "suggestion"}).content.decode()
    assert "已转交通运输部门研究" in page and "责令下架" not in page
    # A date is not broken at its hyphen on a phone (2026-12- / 10).
    assert '<span class="nowrap">公开：2026-12-10</span>' in page
    assert public.get(reverse("hotline:published"), {"page": "x"}).status_code == 200
    bad = public.get("/api/v1/hotline/published", {"limit": 0})
    assert bad.status_code == 422 and "code" in bad.json()


def test_through_the_api(client_for, caller, operator, market, market_staff):
    row = closed(caller, operator, market, market_staff)
    url = f"/api/v1/hotline/orders/{row.number}"
    staff, mine = client_for(operator), client_for(caller)
    assert "publish" in staff.get(url).json()["moves"]
    assert mine.get(url).json()["moves"] == ["consent_withdraw"]
    leaking = staff.post(f"{url}/moves", {"action": "publish", **(
        PUBLIC | {"public_question": "请回电13912345678"})}, content_type="application/json")
    assert leaking.status_code == 422 and leaking.json()["code"] == "order.public_question"
    done = staff.post(f"{url}/moves", {"action": "publish", **PUBLIC},
                      content_type="application/json").json()
    assert done["publication"] == "published" and done["public_answer"] == PUBLIC["public_answer"]
    assert mine.post(f"{url}/moves", {"action": "publish", **PUBLIC},
                     content_type="application/json").status_code == 403
    gone = mine.post(f"{url}/moves", {"action": "consent_withdraw"},
                     content_type="application/json").json()
    assert gone["publication"] == "withdrawn" and gone["publish_consent"] is False
    assert gone["moves"] == []

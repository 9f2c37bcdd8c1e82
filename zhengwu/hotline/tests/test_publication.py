"""互动交流 (measure [24]): a closed order's question and answer are published only with its
caller's consent (off by default), by the 12345 centre, without personal data; the caller's
withdrawal (or a reopening) takes the publication down at once, each move with its event and
audit row."""

from __future__ import annotations

import pytest

from zhengwu.core.models import AuditEvent
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.hotline import publication, services
from zhengwu.hotline.models import Channel, Publication, Status
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
                 content=CONTENT, **fields)
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
    assert "139****5678" in draft["public_question"] and "王*" in draft["public_answer"]


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

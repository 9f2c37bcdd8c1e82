"""The transactional outbox: notify writes rows with the event, delivery retries with backoff
and never loses or duplicates a message (issue 3 item 10)."""

import datetime as dt
import logging

import pytest
from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.core import clock, sweeps
from zhengwu.core.audit import SYSTEM, audit_record
from zhengwu.core.models import AuditEvent
from zhengwu.notifications import selectors, services
from zhengwu.notifications.models import Message, OutboxItem, OutboxStatus
from zhengwu.notifications.tasks import deliver_outbox
from zhengwu.notifications.tests.fakes import FlakySender

FAKES = "zhengwu.notifications.tests.fakes"
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=clock.SHANGHAI)


def _notify(users, title="您的申请已受理", **kwargs):
    kwargs.setdefault("category", "cases.accepted")
    with transaction.atomic():
        return services.notify(recipients=users, title=title, body="请按时领取结果。",
                               link="/cases/1/", **kwargs)


@pytest.fixture
def flaky(settings):
    FlakySender.calls = 0
    settings.ZHENGWU_NOTIFY_SENDERS = {"inapp": f"{FAKES}.FlakySender"}
    return FlakySender


def test_notify_refuses_to_run_outside_a_transaction():
    # No database access: the check comes before any query, so nothing is written.
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        services.notify(recipients=[User(pk=1, username="x")], title="t", body="b",
                        category="test")


def test_notify_writes_one_outbox_row_per_recipient_and_channel_and_nothing_else(
        db, applicant, clerk):
    items = _notify([applicant, clerk, applicant], channels=("inapp", "sms", "inapp"))
    assert {(i.recipient_id, i.channel) for i in items} == {
        (applicant.pk, "inapp"), (applicant.pk, "sms"), (clerk.pk, "inapp"), (clerk.pk, "sms")}
    assert all(i.pk and i.status == OutboxStatus.PENDING and i.attempts == 0 for i in items)
    sms = next(i for i in items if i.recipient_id == applicant.pk and i.channel == "sms")
    assert sms.address == applicant.phone
    assert not Message.objects.exists()  # nothing is delivered inside the event's transaction


def test_a_recipient_without_an_address_gets_no_row_for_that_channel(db, applicant):
    applicant.email = ""
    items = _notify([applicant], channels=("inapp", "email"))
    assert [i.channel for i in items] == ["inapp"]


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                  "cases/1/"])
def test_a_link_must_stay_on_this_site(db, applicant, link):
    with transaction.atomic(), pytest.raises(ValueError, match="relative URL"):
        services.notify(recipients=[applicant], title="t", body="b", link=link, category="t")


def test_an_unknown_channel_is_refused(db, applicant):
    with transaction.atomic(), pytest.raises(ValueError, match="channel"):
        services.notify(recipients=[applicant], title="t", body="b", category="t",
                        channels=("fax",))


def test_a_rolled_back_event_loses_its_notification_too(db, applicant):
    class Refused(Exception):
        pass

    def event_that_fails():
        with transaction.atomic():
            audit_record(actor=SYSTEM, action="test.event")
            services.notify(recipients=[applicant], title="t", body="b", category="t")
            raise Refused

    events = AuditEvent.objects.count()
    with pytest.raises(Refused):
        event_that_fails()
    assert AuditEvent.objects.count() == events
    assert not OutboxItem.objects.exists()


def test_delivery_puts_the_message_in_the_inbox(db, applicant):
    [item] = _notify([applicant])
    report = services.outbox_deliver(now=clock.now())
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    item.refresh_from_db()
    assert item.status == OutboxStatus.SENT
    assert item.attempts == 1
    assert item.sent_at is not None
    [message] = selectors.inbox_for(applicant)
    assert (message.title, message.link, message.category) == (
        "您的申请已受理", "/cases/1/", "cases.accepted")
    assert message.outbox_item == item
    assert message.read_at is None
    assert selectors.unread_count(applicant) == 1
    assert services.outbox_deliver(now=clock.now()).claimed == 0  # sent once, never again


def test_a_sender_that_fails_twice_then_succeeds_ends_sent_after_three_attempts(
        db, applicant, flaky):
    [item] = _notify([applicant])
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=T0)

    assert services.outbox_deliver(now=T0).retrying == 1
    item.refresh_from_db()
    assert (item.status, item.attempts) == (OutboxStatus.PENDING, 1)
    assert item.next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert "网关超时" in item.last_error
    assert services.outbox_deliver(now=T0 + dt.timedelta(seconds=59)).claimed == 0  # not yet

    assert services.outbox_deliver(now=T0 + dt.timedelta(minutes=1)).retrying == 1
    item.refresh_from_db()
    assert item.attempts == 2
    assert item.next_attempt_at == T0 + dt.timedelta(minutes=3)  # then 2 minutes

    assert services.outbox_deliver(now=T0 + dt.timedelta(minutes=3)).sent == 1
    item.refresh_from_db()
    assert (item.status, item.attempts) == (OutboxStatus.SENT, 3)
    assert item.sent_at == T0 + dt.timedelta(minutes=3)
    # The failed attempts' partial writes were rolled back: one message, not three.
    assert Message.objects.filter(recipient=applicant).count() == 1
    assert OutboxItem.objects.count() == 1
    assert services.outbox_deliver(now=T0 + dt.timedelta(hours=2)).claimed == 0


def test_retry_delays_double_and_stop_at_an_hour():
    delays = [services.retry_delay(n) for n in (1, 2, 3, 4, 6, 7, 10, 50)]
    assert delays == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 32, 60, 60, 60)]


def test_the_dedupe_key_stops_a_repeated_event_from_notifying_twice(db, applicant, clerk):
    first = _notify([applicant, clerk], channels=("inapp", "sms"), dedupe_key="case:1:accepted")
    assert len(first) == 4
    again = _notify([applicant, clerk], channels=("inapp", "sms"), dedupe_key="case:1:accepted")
    assert again == []
    assert OutboxItem.objects.count() == 4
    # A new recipient of the same event is still notified.
    supervisor = User.objects.get(username="supervisor")
    [added] = _notify([applicant, supervisor], dedupe_key="case:1:accepted")
    assert added.recipient == supervisor
    services.outbox_deliver(now=clock.now())
    assert Message.objects.filter(recipient=applicant).count() == 1


def test_after_max_attempts_a_row_stays_failed_and_visible(db, applicant, settings):
    settings.ZHENGWU_NOTIFY_SENDERS = {"inapp": f"{FAKES}.BrokenSender"}
    settings.ZHENGWU_NOTIFY_MAX_ATTEMPTS = 3
    [item] = _notify([applicant])
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=T0)
    reports = [services.outbox_deliver(now=T0 + dt.timedelta(hours=h)) for h in range(5)]
    assert [(r.retrying, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0), (0, 0)]
    item.refresh_from_db()
    assert (item.status, item.attempts) == (OutboxStatus.FAILED, 3)
    assert "ConnectionError: 网关拒绝连接" in item.last_error
    assert not Message.objects.exists()

    # "Retry now" (admin) gives it one more try; with a working sender it is delivered.
    settings.ZHENGWU_NOTIFY_SENDERS = {}
    assert services.outbox_retry(item_ids=[item.pk], actor=SYSTEM) == 1
    assert services.outbox_deliver(now=clock.now()).sent == 1
    item.refresh_from_db()
    assert (item.status, item.attempts) == (OutboxStatus.SENT, 4)
    assert Message.objects.filter(outbox_item=item).count() == 1
    assert AuditEvent.objects.filter(action="notifications.outbox_retry").exists()


def test_a_misconfigured_sender_is_retried_not_lost(db, applicant, settings):
    settings.ZHENGWU_NOTIFY_SENDERS = {"inapp": "no.such.Sender"}
    [item] = _notify([applicant])
    assert services.outbox_deliver(now=clock.now()).retrying == 1
    item.refresh_from_db()
    assert item.status == OutboxStatus.PENDING
    assert item.last_error


def test_the_log_sender_masks_the_phone_number(db, applicant, caplog):
    _notify([applicant], channels=("sms",))
    with caplog.at_level(logging.INFO, logger="zhengwu.notifications"):
        assert services.outbox_deliver(now=clock.now()).sent == 1
    assert "138****0001" in caplog.text
    assert applicant.phone not in caplog.text
    assert "请按时领取结果" not in caplog.text  # the body may hold personal details


def test_the_sweep_is_registered_and_delivers_what_is_due(db, applicant):
    assert "notifications.deliver" in sweeps.SWEEPS
    _notify([applicant])
    summary = sweeps.SWEEPS["notifications.deliver"](clock.now())
    assert "已发送 1 条" in summary
    assert selectors.unread_count(applicant) == 1


def test_the_task_delivers_the_outbox(db, applicant):
    _notify([applicant])
    deliver_outbox.enqueue()  # the immediate backend in tests runs it now
    assert selectors.unread_count(applicant) == 1


def test_a_message_is_marked_read_only_by_its_recipient(db, applicant, clerk):
    _notify([applicant])
    services.outbox_deliver(now=clock.now())
    message = selectors.inbox_for(applicant).get()
    with pytest.raises(Message.DoesNotExist):
        services.message_mark_read(message_id=message.pk, user=clerk)
    read = services.message_mark_read(message_id=message.pk, user=applicant)
    assert read.read_at is not None
    first = read.read_at
    assert services.message_mark_read(message_id=message.pk, user=applicant).read_at == first
    assert selectors.unread_count(applicant) == 0


@pytest.mark.django_db(transaction=False)
def test_notify_many_writes_in_bulk_and_deduplicates(applicant, clerk):
    from django.db import transaction

    from zhengwu.notifications.services import Note, notify_many

    notes = [Note(applicant, "甲", "正文", "/cases/1/", "k:1"),
             Note(clerk, "乙", "正文", "/cases/2/", "k:2")]
    with transaction.atomic():
        assert notify_many(notes=notes, category="case") == 2
    with transaction.atomic():
        notify_many(notes=notes, category="case")
    assert OutboxItem.objects.filter(dedupe_key__startswith="k:").count() == 2

"""Writes of notifications: queueing them with an event, delivering them, reading them.

`notify` is called by other apps' services inside their own transaction, so the event and its
notifications commit or roll back together (transactional outbox). `outbox_deliver` runs in the
background (task `deliver_outbox`, sweep ``notifications.deliver``) and hands each due row to
its channel's sender (see `senders`); a failure is retried with exponential backoff and a row
is never deleted, so no message is lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router, transaction
from django.utils.http import url_has_allowed_host_and_scheme

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.bulk import rows_insert
from zhengwu.notifications import selectors
from zhengwu.notifications.models import Channel, Message, OutboxItem, OutboxStatus
from zhengwu.notifications.senders import Sender, sender_for

logger = logging.getLogger("zhengwu.notifications")

DEFAULT_MAX_ATTEMPTS = 10
BACKOFF_CAP = dt.timedelta(hours=1)
MAX_DEDUPE_KEY = 200  # leaves room for ":<channel>:<user id>" in the 255-character column
ERROR_LIMIT = 2000
DEFAULT_BATCH = 100


def notify(*, recipients: Iterable[User], title: str, body: str, link: str = "",
           category: str, channels: tuple[str, ...] = (Channel.INAPP,),
           dedupe_key: str | None = None) -> list[OutboxItem]:
    """Queue one outbox row per recipient per channel; must run inside the caller's transaction.

    Nothing is sent here: the rows commit with the caller's event and are delivered later.
    `link` is a relative URL on this site (``/cases/12/``). A recipient without a phone number
    (or e-mail address) gets no SMS (or e-mail) row; the in-app channel always applies.
    With `dedupe_key`, a (key, channel, recipient) already queued is skipped, so an event that
    is handled twice notifies once. Returns the rows written by this call.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify must run inside the service's transaction")
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown notification channel(s): {sorted(unknown)}")
    if link and not (link.startswith("/")
                     and url_has_allowed_host_and_scheme(link, allowed_hosts=None)):
        # A link to another site in a government notice is a phishing vector (``//evil``,
        # ``/\evil`` included); only this site's pages.
        raise ValueError(f"notification link must be a relative URL on this site: {link!r}")
    if dedupe_key is not None and not 0 < len(dedupe_key) <= MAX_DEDUPE_KEY:
        raise ValueError(f"dedupe_key must be 1–{MAX_DEDUPE_KEY} characters")

    now = clock.now()
    items: list[OutboxItem] = []
    for user in {user.pk: user for user in recipients}.values():
        for channel in dict.fromkeys(channels):
            address = _address(user, channel)
            if channel != Channel.INAPP and not address:
                logger.info("用户 #%s 没有%s地址，跳过该渠道：%s", user.pk,
                            Channel(channel).label, title)
                continue
            items.append(OutboxItem(
                channel=channel, recipient=user, address=address, subject=title[:200],
                body=body, link=link, category=category, status=OutboxStatus.PENDING,
                next_attempt_at=now, created_at=now,
                dedupe_key=f"{dedupe_key}:{channel}:{user.pk}" if dedupe_key else None))
    if dedupe_key is None:
        return OutboxItem.objects.bulk_create(items, batch_size=500)

    keys = [item.dedupe_key for item in items]
    queued = set(OutboxItem.objects.filter(dedupe_key__in=keys).values_list("dedupe_key",
                                                                           flat=True))
    fresh = [item for item in items if item.dedupe_key not in queued]
    # ignore_conflicts: a concurrent transaction may queue the same key after the check above;
    # a unique violation would abort the caller's whole transaction on PostgreSQL.
    OutboxItem.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
    return list(OutboxItem.objects.filter(dedupe_key__in=[item.dedupe_key for item in fresh])
                .order_by("pk"))


@dataclass(frozen=True)
class Note:
    """One personal notification for `notify_many`."""

    recipient: User
    title: str
    body: str
    link: str
    dedupe_key: str


def notify_many(*, notes: list[Note], category: str,
                channels: tuple[str, ...] = (Channel.INAPP,)) -> int:
    """Queue many personal notifications at once (a sweep deciding thousands of cases): one
    bulk insert instead of three statements per notification. Same rules as `notify`: inside
    the caller's transaction, relative links only, deduplicated by key. Returns rows written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify_many must run inside the service's transaction")
    now = clock.now()
    rows = []
    for note in notes:
        if note.link and not (note.link.startswith("/") and url_has_allowed_host_and_scheme(
                note.link, allowed_hosts=None)):
            raise ValueError(f"notification link must be a relative URL on this site: "
                             f"{note.link!r}")
        for channel in dict.fromkeys(channels):
            address = _address(note.recipient, channel)
            if channel != Channel.INAPP and not address:
                continue
            rows.append((channel, note.recipient.pk, address, note.title[:200], note.body,
                         note.link, category, OutboxStatus.PENDING, now, now,
                         f"{note.dedupe_key[:MAX_DEDUPE_KEY]}:{channel}:{note.recipient.pk}"))
    # A key queued before (a re-run) is skipped by the unique constraint, not an error.
    return rows_insert(OutboxItem, (
        "channel", "recipient", "address", "subject", "body", "link", "category", "status",
        "next_attempt_at", "created_at", "dedupe_key"), rows, ignore_conflicts=True)


def _address(user: User, channel: str) -> str:
    if channel == Channel.SMS:
        return user.phone or ""
    if channel == Channel.EMAIL:
        return user.email or ""
    return ""


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery round did: rows sent, rows to be retried, rows given up (failed)."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed

    def __str__(self) -> str:
        return f"已发送 {self.sent} 条，待重试 {self.retrying} 条，失败停止重试 {self.failed} 条"


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, 8 … minutes, never more than an hour."""
    return min(dt.timedelta(minutes=2 ** min(attempts - 1, 10)), BACKOFF_CAP)


def outbox_deliver(*, now: dt.datetime, batch: int = DEFAULT_BATCH) -> DeliveryReport:
    """Send up to `batch` pending rows due at `now` through their channel's sender.

    A sent row is marked `sent`; a failure is recorded, counted and retried after
    `retry_delay`; after ZHENGWU_NOTIFY_MAX_ATTEMPTS attempts the row stays `failed`. Rows
    are claimed with SELECT … FOR UPDATE SKIP LOCKED where the database has it (PostgreSQL),
    so several workers share the work; SQLite's IMMEDIATE transaction lets one at a time in.
    """
    max_attempts = int(getattr(settings, "ZHENGWU_NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    senders: dict[str, Sender] = {}
    sent = retrying = failed = 0
    database = router.db_for_write(OutboxItem)
    with transaction.atomic(using=database):
        due = (OutboxItem.objects.using(database)
               .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk"))
        if connections[database].features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        for item in list(due[:batch]):
            item.attempts += 1
            try:
                # A savepoint per row: a sender that fails halfway leaves no partial writes,
                # and the other rows of the batch still commit.
                with transaction.atomic(using=database):
                    if item.channel not in senders:
                        senders[item.channel] = sender_for(item.channel)
                    senders[item.channel].send(item)
            except Exception as error:  # any failure of any gateway is retried, never lost
                item.last_error = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
                if item.attempts >= max_attempts:
                    item.status = OutboxStatus.FAILED
                    failed += 1
                    logger.error("通知 #%s 发送 %s 次仍失败，停止重试：%s", item.pk,
                                 item.attempts, item.last_error)
                else:
                    item.next_attempt_at = now + retry_delay(item.attempts)
                    retrying += 1
                    logger.warning("通知 #%s 第 %s 次发送失败，将于 %s 重试：%s", item.pk,
                                   item.attempts, item.next_attempt_at.isoformat(),
                                   item.last_error)
            else:
                item.status = OutboxStatus.SENT
                item.sent_at = now
                sent += 1
            item.save(update_fields=["status", "attempts", "next_attempt_at", "last_error",
                                     "sent_at"])
    return DeliveryReport(sent=sent, retrying=retrying, failed=failed)


@transaction.atomic
def outbox_retry(*, item_ids: list[int], actor: Actor) -> int:
    """Make unsent rows due now ("retry now" in the admin); returns how many were rescheduled.

    A `failed` row gets one more attempt: its count is kept, so a new failure stops it again
    rather than starting another ten tries nobody asked for.
    """
    now = clock.now()
    ids = list(OutboxItem.objects.filter(pk__in=item_ids).exclude(status=OutboxStatus.SENT)
               .values_list("pk", flat=True))
    if not ids:
        return 0
    OutboxItem.objects.filter(pk__in=ids).update(status=OutboxStatus.PENDING,
                                                 next_attempt_at=now)
    audit_record(actor=actor, action="notifications.outbox_retry",
                 object_type="notifications.OutboxItem",
                 object_id=str(ids[0]) if len(ids) == 1 else "",
                 object_repr=f"{len(ids)} 条待发通知", after={"ids": ids})
    return len(ids)


# --- SMS for accounts (accounts.sms) ---------------------------------------------------------
CODE_MASK = "******"


def sms_code_send(*, phone: str, text: str, secret: str) -> None:
    """Send a verification code now through the SMS sender. The outbox keeps the row as the
    record of what was sent, with the code masked; the sender gets the text with the code, in
    memory only. A failure is not retried (the person asks for a new code): the row is marked
    failed and accounts.sms.DeliveryFailed raised."""
    from zhengwu.accounts.sms import DeliveryFailed

    now = clock.now()
    with transaction.atomic():
        item = OutboxItem.objects.create(
            channel=Channel.SMS, recipient=None, address=phone, subject="短信验证码",
            body=text.replace(secret, CODE_MASK), category="accounts.code",
            status=OutboxStatus.PENDING, attempts=1, next_attempt_at=now, created_at=now)
        outgoing = OutboxItem(pk=item.pk, channel=item.channel, address=phone,
                              subject=item.subject, body=text, category=item.category,
                              created_at=now)
        try:
            with transaction.atomic():
                sender_for(Channel.SMS).send(outgoing)
        except Exception as error:  # any gateway failure: recorded, told to the person
            item.status = OutboxStatus.FAILED
            # The gateway's message may quote the text; never keep the code.
            item.last_error = f"{type(error).__name__}: {error}".replace(
                secret, CODE_MASK)[:ERROR_LIMIT]
            item.save(update_fields=["status", "last_error"])
            logger.warning("验证码短信 #%s 发送失败：%s", item.pk, item.last_error)
            failed = True
        else:
            item.status, item.sent_at = OutboxStatus.SENT, now
            item.save(update_fields=["status", "sent_at"])
            failed = False
    if failed:
        raise DeliveryFailed(item.last_error)


def sms_notice_queue(*, phone: str, title: str, body: str,
                     category: str = "accounts.notice") -> None:
    """Queue an SMS to a phone number that is not (or no longer) an account's: the old number
    after a change, a visitor who took a queue number by phone; inside the caller's
    transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sms_notice_queue must run inside the service's transaction")
    now = clock.now()
    OutboxItem.objects.create(channel=Channel.SMS, recipient=None, address=phone,
                              subject=title[:200], body=body, category=category,
                              status=OutboxStatus.PENDING, next_attempt_at=now, created_at=now)


class SmsTransport:
    """The notifications side of accounts.sms.Transport (registered in apps.ready)."""

    def code_send(self, *, phone: str, text: str, secret: str) -> None:
        sms_code_send(phone=phone, text=text, secret=secret)

    def notice_queue(self, *, phone: str, title: str, body: str) -> None:
        sms_notice_queue(phone=phone, title=title, body=body)


def message_mark_read(*, message_id: int, user: User) -> Message:
    """Mark one of the user's own messages read; another's raises Message.DoesNotExist (404).

    Not audited: reading one's inbox changes no one's rights or duties.
    """
    message = selectors.inbox_for(user).get(pk=message_id)
    if message.read_at is None:
        message.read_at = clock.now()
        # Filtered on read_at so two tabs marking at once keep the first time.
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=message.read_at)
    return message


def message_mark_all_read(*, user: User) -> int:
    """Mark every unread message of the user read; returns how many."""
    return selectors.inbox_for(user, unread_only=True).update(read_at=clock.now())

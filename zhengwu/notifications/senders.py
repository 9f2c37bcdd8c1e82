"""Senders: how an outbox row reaches a person, one class per channel.

A sender has one method, `send(item)`, which returns when the message has been handed over and
raises on any failure; `services.outbox_deliver` then records the error and retries later with
backoff, so a sender never retries or swallows errors itself. Senders are chosen per channel by
the setting ``ZHENGWU_NOTIFY_SENDERS`` (dotted class paths); channels it leaves out keep the
defaults below: in-app messages go to the inbox, SMS and e-mail are only logged (masked).

Plugging in a county's real SMS gateway (or mail server):

1. Write a class with ``send(self, item: OutboxItem) -> None`` in any installed package, e.g.
   ``leiyang_gateway.sms.YunxinSender``. Read the gateway's URL and credentials from the
   environment or settings inside ``__init__``/``send``, never from code. Raise an exception
   when the gateway does not confirm acceptance (timeout, HTTP error, error code in the reply).
2. Point the channel at it in the deployment's settings::

       ZHENGWU_NOTIFY_SENDERS = {"sms": "leiyang_gateway.sms.YunxinSender"}

3. Delivery is at least once: a worker that dies after the gateway accepted a message but
   before its row was marked sent will send it again. Pass ``item.pk`` as the gateway's
   client request id (most Chinese SMS APIs accept one, e.g. ``outId``/``SerialNo``) so that
   the gateway drops the repeat. ``item.address`` holds the phone number or e-mail address,
   copied when the event happened; ``item.subject``, ``item.body`` and ``item.link`` (a
   relative URL, to be prefixed with ``settings.ZHENGWU_PUBLIC_URL``) hold the text.

A sender runs inside the delivery transaction, in a savepoint of its own: its database writes
commit only with the row's "sent" mark, and roll back alone when it raises.

SMS verification codes (sign-up, password reset, change of phone, closing an account) go to the
same SMS sender, but at once (services.sms_code_send), not through the queue: the outbox row
then keeps the text with the code masked, and `item.body` holds the code only in the copy
handed to the sender. The default LogSender never prints a body, so no code reaches the log;
`make run` (config.settings.dev) uses ConsoleSmsSender, which does print it, so that a developer
can sign up without a gateway. Never use ConsoleSmsSender in production.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from zhengwu.core.masking import mask_phone
from zhengwu.notifications.models import Channel, Message, OutboxItem

logger = logging.getLogger("zhengwu.notifications")

DEFAULT_SENDERS: dict[str, str] = {
    Channel.INAPP: "zhengwu.notifications.senders.InAppSender",
    Channel.SMS: "zhengwu.notifications.senders.LogSender",
    Channel.EMAIL: "zhengwu.notifications.senders.LogSender",
}


class Sender(Protocol):
    def send(self, item: OutboxItem) -> None:
        """Hand the message over; raise if it was not accepted."""


def sender_for(channel: str) -> Sender:
    """A new sender for the channel, from ZHENGWU_NOTIFY_SENDERS or the defaults."""
    paths = {**DEFAULT_SENDERS, **getattr(settings, "ZHENGWU_NOTIFY_SENDERS", {})}
    path = paths.get(channel)
    if not path:
        raise ImproperlyConfigured(f"没有为通知渠道“{channel}”配置发送器（ZHENGWU_NOTIFY_SENDERS）。")
    sender: Sender = import_string(path)()
    return sender


class InAppSender:
    """Puts the message in the recipient's inbox."""

    def send(self, item: OutboxItem) -> None:
        if item.recipient_id is None:
            raise ValueError("站内消息的接收人已不存在")
        # get_or_create on the one-to-one link: a row delivered twice still shows once.
        Message.objects.get_or_create(outbox_item=item, defaults={
            "recipient_id": item.recipient_id, "title": item.subject, "body": item.body,
            "link": item.link, "category": item.category, "created_at": item.created_at,
        })


class LogSender:
    """Stands in for a gateway: logs that a message would be sent, with the address masked.

    Only the subject is logged; the body can carry personal details of a case.
    """

    def send(self, item: OutboxItem) -> None:
        logger.info("通知 #%s（%s，未接入网关，仅记录）→ %s：%s", item.pk,
                    item.get_channel_display(), mask_address(item.address), item.subject)


class ConsoleSmsSender(LogSender):
    """Development only: logs SMS texts in full — verification codes included — so that
    someone running `make run` reads the code in the console. Other channels as LogSender."""

    def send(self, item: OutboxItem) -> None:
        if item.channel != Channel.SMS:
            super().send(item)
            return
        logger.warning("【开发环境短信，未真实发送】→ %s：%s", mask_address(item.address), item.body)


def mask_address(address: str) -> str:
    """Mask a phone number (core.masking) or an e-mail address (first character of the local
    part and the domain: ``z***@example.cn``)."""
    if "@" in address:
        local, _, domain = address.rpartition("@")
        return (local[:1] + "***@" + domain) if local else "***@" + domain
    return mask_phone(address)

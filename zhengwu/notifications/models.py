"""Notifications: the in-app inbox (站内消息) and the outbox that every channel delivers from.

A service that records an event calls `services.notify` in the same transaction, which writes
only `OutboxItem` rows; `services.outbox_deliver` later hands each row to the sender for its
channel. The in-app sender turns a row into a `Message`, so even the inbox goes through the
outbox and a notification commits or rolls back with its event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    INAPP = "inapp", "站内消息"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败（已停止重试）"


class OutboxItem(models.Model):
    """One notification to one person over one channel, kept after delivery as a record.

    Rows are never deleted: a failing one is retried with backoff until it is sent or, after
    ZHENGWU_NOTIFY_MAX_ATTEMPTS tries, stays `failed` for an administrator to see and retry.
    """

    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    # Copied when the row is written, so a later change of phone or e-mail does not redirect
    # a message about an earlier event.
    address = models.CharField("地址（手机号/邮箱）", max_length=254, blank=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    link = models.CharField("链接", max_length=500, blank=True)
    category = models.CharField("类别", max_length=40)
    status = models.CharField("状态", max_length=16, choices=OutboxStatus.choices,
                              default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    last_error = models.TextField("最近一次错误", blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    # "<caller's key>:<channel>:<user id>": an event handled twice notifies once.
    dedupe_key = models.CharField("去重键", max_length=255, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = "待发通知"
        verbose_name_plural = "待发通知"
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values),
                                   name="notify_outbox_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=OutboxStatus.values),
                                   name="notify_outbox_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"],
                                name="notify_outbox_due")]

    def __str__(self) -> str:
        channel = self.get_channel_display()
        return f"{channel}#{self.pk} {self.subject}"


class Message(models.Model):
    """An in-app message in one person's inbox (站内消息)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人",
                                  on_delete=models.CASCADE, related_name="+")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    link = models.CharField("链接", max_length=500, blank=True)
    category = models.CharField("类别", max_length=40)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    # One message per outbox row: a delivery retried after a crash cannot show it twice.
    outbox_item = models.OneToOneField(OutboxItem, verbose_name="来源", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="message")

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notify_message_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notify_message_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

"""Reads of the inbox. Every read starts from `inbox_for`, so no one sees another's messages."""

from __future__ import annotations

from django.db.models import QuerySet

from zhengwu.accounts.models import User
from zhengwu.notifications.models import Message


def inbox_for(user: User, *, unread_only: bool = False) -> QuerySet[Message]:
    """The user's own messages, newest first."""
    messages = Message.objects.filter(recipient=user).order_by("-created_at", "-pk")
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    return messages


def unread_count(user: User) -> int:
    return inbox_for(user, unread_only=True).count()

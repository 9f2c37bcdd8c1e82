"""The inbox JSON API (`/api/v1/notifications/…`): the caller's own messages only."""

# No `from __future__ import annotations`: ninja resolves a @paginate view's annotations in its
# own wrapper's globals (see zhengwu/core/api.py).

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core.schemas import Pagination, PathId
from zhengwu.notifications import selectors, services
from zhengwu.notifications.models import Message

router = Router(tags=["notifications"], auth=django_auth)


class MessageOut(Schema):
    id: int
    title: str
    body: str
    link: str
    category: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    is_read: bool


class MessageFilter(Schema):
    unread: bool = Field(False, description="只看未读")


class UnreadCountOut(Schema):
    count: int


def _user(request: HttpRequest) -> User:
    # django_auth has let only signed-in users through.
    user = request.user
    assert isinstance(user, User)
    return user


@router.get("/messages", response=list[MessageOut])
@paginate(Pagination)
def list_messages(request: HttpRequest, filters: Query[MessageFilter]) -> QuerySet[Message]:
    """The caller's messages, newest first."""
    return selectors.inbox_for(_user(request), unread_only=filters.unread)


@router.get("/messages/unread-count", response=UnreadCountOut)
def count_unread_messages(request: HttpRequest) -> dict[str, int]:
    return {"count": selectors.unread_count(_user(request))}


@router.post("/messages/{message_id}/read", response=MessageOut)
def read_message(request: HttpRequest, message_id: PathId) -> Message:
    """Mark one of the caller's messages read; another person's message answers 404."""
    return services.message_mark_read(message_id=message_id, user=_user(request))

"""The inbox page (消息中心): the signed-in person's messages, unread ones marked, and marking
them read — with htmx in place, or as a plain form round trip without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from zhengwu.accounts.models import User
from zhengwu.core.http import is_htmx
from zhengwu.core.schemas import MAX_ID
from zhengwu.notifications import selectors, services
from zhengwu.notifications.models import Message

PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    # login_required has let only signed-in users through.
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox_for(user, unread_only=unread_only),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page": page, "unread_only": unread_only, "unread": selectors.unread_count(user),
        "extra": "unread=1&amp;" if unread_only else "",
    })


@login_required
@require_POST
def mark_read(request: HttpRequest, message_id: int) -> HttpResponse:
    """Mark a message read; with ``open`` go on to the page it links to."""
    if message_id > MAX_ID:
        raise Http404("消息不存在")
    try:
        message = services.message_mark_read(message_id=message_id, user=_user(request))
    except Message.DoesNotExist as error:  # another person's message: not found, not forbidden
        raise Http404("消息不存在") from error
    if request.POST.get("open") and message.link:
        return redirect(_safe(request, message.link))
    if is_htmx(request):
        return render(request, "notifications/_message.html", {"m": message})
    return redirect(_safe(request, request.POST.get("next", "")))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.message_mark_all_read(user=_user(request))
    flash.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("notifications:inbox")


def _safe(request: HttpRequest, url: str) -> str:
    """`url` if it stays on this site, else the inbox."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse("notifications:inbox")

"""Pages: 谁用了我的证照和数据 (/my/data-uses/), the sharing catalogue, the holder's preview of
their own data, and a shared-data request of the applicant's own case. Business rules are in
services and selectors; another person's request is a 404."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from zhengwu.accounts.models import User
from zhengwu.accounts.space import space_owner
from zhengwu.core import personal_space
from zhengwu.core.errors import DomainError
from zhengwu.sharing.models import ITEM_CODE_PATTERN, SharedDataItem, SharingRequest
from zhengwu.sharing.selectors import (
    catalogue,
    holder_refs_of,
    request_for_applicant,
    use_rows,
    uses_for,
)
from zhengwu.sharing.services import item_labels, shared_data_preview

PAGE_SIZE = 20


def _holder(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    personal_space.owner_check(user)
    return user


@login_required
def my_uses(request: HttpRequest) -> HttpResponse:
    """谁用了我的证照和数据: every use of the person's own licences and data, newest first — or
    of the enterprise's whose space they opened as its legal representative (accounts.space)."""
    user = space_owner(request)
    page = Paginator(uses_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sharing/my_uses.html", {
        "page": page, "rows": use_rows(list(page.object_list)),
        "verified": bool(holder_refs_of(user)),
        "space_of": user if user.pk != request.user.pk else None})


def catalogue_page(request: HttpRequest) -> HttpResponse:
    items = list(catalogue())
    return render(request, "sharing/catalogue.html", {
        "items": items, "illustrative": any(i.illustrative for i in items)})


@login_required
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, code: str) -> HttpResponse:
    """The holder's own data for one item: shown (and logged) only when they ask (POST)."""
    user = _holder(request)
    item = SharedDataItem.objects.select_related("provider").filter(code=code).first() \
        if re.match(ITEM_CODE_PATTERN, code) else None
    if item is None:
        raise Http404("没有这个共享数据项。")
    context: dict[str, object] = {"item": item, "rows": [], "error": ""}
    if request.method == "POST":
        try:
            context["rows"] = item_labels(item, shared_data_preview(user=user, item_code=code))
        except DomainError as error:
            context["error"] = error.message
    return render(request, "sharing/preview.html", context,
                  status=422 if context["error"] else 200)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A shared data item fetched for the applicant's own case: what the department got."""
    user = _holder(request)
    try:
        req = request_for_applicant(user, pk)
    except SharingRequest.DoesNotExist as error:
        raise Http404("没有这条记录。") from error
    return render(request, "sharing/request.html", {
        "req": req, "rows": item_labels(req.item, req.data)})

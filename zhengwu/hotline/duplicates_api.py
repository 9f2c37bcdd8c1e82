"""GET /api/v1/hotline/orders/{number}/duplicates — the duplicate candidates of an order
(duplicates.py), for operators and 电子监察 (who may merge or oversee); 404 for an order one may
not see. Mounted by config/api.py on /hotline next to the hotline's own router."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.hotline import duplicates_selectors, selectors

router = Router(tags=["12345热线"], auth=django_auth)


class DuplicateOut(Schema):
    number: str
    title: str
    score: float


class DuplicatesOut(Schema):
    items: list[DuplicateOut]


@router.get("/orders/{number}/duplicates", response=DuplicatesOut)
def order_duplicates(request: HttpRequest, number: str) -> dict[str, Any]:
    user = cast(User, request.user)
    if not selectors.sees_all(user):
        raise PermissionDenied("疑似重复工单仅供12345话务员和电子监察查看。")
    row = selectors.order_get(number, user)
    found = duplicates_selectors.candidates_for(row)
    return {"items": [{"number": c.number, "title": c.title, "score": c.score} for c in found]}

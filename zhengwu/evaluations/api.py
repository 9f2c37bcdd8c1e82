"""好差评 API (/api/v1/evaluations/…): rate (POST with Idempotency-Key), one's own ratings,
the public monthly figures, and the rectification worklist and moves for staff.

Staff answers never carry who rated nor the service's number (quality.md scorecard row 20);
the rater's contact is a separate, logged POST for the rectification officer only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core import idempotency
from zhengwu.core.http import client_ip
from zhengwu.evaluations import indicators, rules, selectors, services
from zhengwu.evaluations.models import Channel, Rating, Rectification
from zhengwu.evaluations.workflow import RECTIFICATION_TABLE, STAFF_ACTIONS
from zhengwu.process import engine

router = Router(tags=["好差评"], auth=django_auth)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class EvaluationRatingIn(Schema):
    kind: str = Field(max_length=16, description="服务类型：case（办件）或 bundle（一件事）")
    key: str = Field(max_length=64, description="办件编号或一件事编号")
    level: int = Field(ge=1, le=5, description="满意度（GB/T 39046 A.8）：1 非常满意 … 5 非常不满意")
    reasons: list[str] = Field(default_factory=list, max_length=20,
                               description="差评原因代码（不满意/非常不满意时必填）")
    text: str = Field("", max_length=500)


class EvaluationRatingOut(Schema):
    id: int
    kind: str
    key: str
    item_name: str
    level: int
    level_label: str
    reasons: list[str]
    text: str
    channel: str
    rated_at: dt.datetime
    rectification_status: str
    rectification_status_label: str


class EvaluationRatingPage(Schema):
    items: list[EvaluationRatingOut]
    count: int


def _rating_out(rating: Rating) -> dict[str, Any]:
    row: Rectification | None = getattr(rating, "rectification", None)
    return {"id": rating.pk, "kind": rating.event.kind, "key": rating.event.key,
            "item_name": rating.event.item_name, "level": rating.level,
            "level_label": rules.LEVELS[rating.level], "reasons": rating.reasons,
            "text": rating.text, "channel": rating.channel, "rated_at": rating.rated_at,
            "rectification_status": row.status if row else "",
            "rectification_status_label": row.get_status_display() if row else ""}


@router.post("/ratings", response={200: EvaluationRatingOut, 201: EvaluationRatingOut})
def rate(request: HttpRequest, body: EvaluationRatingIn) -> Status[dict[str, Any]]:
    """Rate a service event as the person served (once; within the window after closing).
    With an `Idempotency-Key` header a repeat answers 200 with the same rating; the same key
    with another body 422. Another person's service, or none: 404."""
    user = _user(request)
    key = idempotency.key_from_header(request.headers.get("Idempotency-Key"), prefix="rating")
    data = services.RatingIn(kind=body.kind, key=body.key, level=body.level,
                             reasons=body.reasons, text=body.text)
    result = idempotency.retried_on_race(lambda: services.rating_submit(
        user=user, data=data, channel=Channel.API, address=client_ip(request) or None,
        idempotency_key=key), prefix="rating")
    rating = selectors.my_ratings(user).get(pk=result.rating.pk)
    return Status(201 if result.created else 200, _rating_out(rating))


@router.get("/ratings/mine", response=EvaluationRatingPage)
def my_ratings(request: HttpRequest) -> dict[str, Any]:
    """我的评价: the caller's own ratings and what became of a 差评."""
    rows = [_rating_out(r) for r in selectors.my_ratings(_user(request))]
    return {"items": rows, "count": len(rows)}


class EvaluationFiguresOut(Schema):
    month: str
    events: int
    rated: int
    good: int
    bad: int
    to_rectify: int
    rectified: int
    rectified_on_time: int
    real_name_bad: int
    called_back: int
    appeals: int
    appeals_upheld: int
    appeals_dismissed: int
    rated_share: Decimal | None
    good_rate: Decimal | None
    bad_rate: Decimal | None
    rectified_rate: Decimal | None
    on_time_rate: Decimal | None
    callback_rate: Decimal | None


class EvaluationPublicOut(Schema):
    items: list[EvaluationFiguresOut]
    count: int


def _figures(month: str, result: indicators.Indicators) -> dict[str, Any]:
    t = result.tally
    return {"month": month, "events": t.events, "rated": t.rated, "good": t.good,
            "bad": t.bad, "to_rectify": t.to_rectify, "rectified": t.rectified,
            "rectified_on_time": t.on_time, "real_name_bad": t.real_name_bad,
            "called_back": t.called_back, "appeals": t.appeals,
            "appeals_upheld": t.appeals_upheld, "appeals_dismissed": t.appeals_dismissed,
            "rated_share": result.rated_share, "good_rate": result.good_rate,
            "bad_rate": result.bad_rate, "rectified_rate": result.rectified_rate,
            "on_time_rate": result.on_time_rate, "callback_rate": result.callback_rate}


@router.get("/public", response=EvaluationPublicOut, auth=None)
def public(request: HttpRequest) -> dict[str, Any]:
    """The public disclosure (国办发〔2019〕51号): monthly figures of the last twelve months,
    computed from the events; no personal data."""
    rows = [_figures(month, result) for month, result in selectors.public_months()]
    return {"items": rows, "count": len(rows)}


class EvaluationRectificationOut(Schema):
    id: int
    status: str
    status_label: str
    item_name: str
    department: str
    level: int
    level_label: str
    reasons: list[str]
    text: str
    rated_at: dt.datetime
    complexity: str
    contact_due_at: dt.datetime | None
    rectify_due_at: dt.datetime | None
    escalated: bool
    moves: list[str]


class EvaluationRectificationPage(Schema):
    items: list[EvaluationRectificationOut]
    count: int


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not user.is_staff:
        raise PermissionDenied("差评整改仅供工作人员使用。")
    return user


def _rectification_out(row: Rectification, user: User) -> dict[str, Any]:
    rating = row.rating
    return {"id": row.pk, "status": row.status, "status_label": row.get_status_display(),
            "item_name": rating.event.item_name,
            "department": row.department.short_name if row.department else "",
            "level": rating.level, "level_label": rules.LEVELS[rating.level],
            "reasons": rating.reasons, "text": rating.text, "rated_at": rating.rated_at,
            "complexity": row.complexity, "contact_due_at": row.contact_due_at,
            "rectify_due_at": row.rectify_due_at, "escalated": row.escalated_at is not None,
            "moves": engine.moves_open(RECTIFICATION_TABLE, row, user, actions=STAFF_ACTIONS)}


@router.get("/rectifications", response=EvaluationRectificationPage)
def rectifications(request: HttpRequest) -> dict[str, Any]:
    """差评整改 worklist: the department's for its 首席代表, all for 电子监察; without the
    rater."""
    user = _staff(request)
    rows = [_rectification_out(row, user) for row in selectors.worklist(user)]
    return {"items": rows, "count": len(rows)}


@router.get("/rectifications/{rectification_id}", response=EvaluationRectificationOut)
def rectification(request: HttpRequest, rectification_id: int) -> dict[str, Any]:
    user = _staff(request)
    return _rectification_out(selectors.rectification_for(user, rectification_id), user)


class EvaluationMoveIn(Schema):
    action: str = Field(max_length=32)
    note: str = Field("", max_length=2000)
    complexity: str = Field("", max_length=8)
    invalid_kind: str = Field("", max_length=10)
    workdays: int = Field(0, ge=0, le=100)
    level: int = Field(0, ge=0, le=5)


@router.post("/rectifications/{rectification_id}/moves", response=EvaluationRectificationOut)
def move(request: HttpRequest, rectification_id: int,
         body: EvaluationMoveIn) -> dict[str, Any]:
    """One move of the 差评整改 process (研判、无效认定与复核、申诉、联系、延期、整改、回访、
    事项变更建议). The rater appeals through this too (action "appeal")."""
    user = _user(request)
    services.rectification_move(pk=rectification_id, user=user, move=services.MoveIn(
        action=body.action, note=body.note, complexity=body.complexity,
        invalid_kind=body.invalid_kind, workdays=body.workdays, level=body.level))
    if not user.is_staff:
        return _rectification_out(selectors.worklist(user).get(pk=rectification_id), user)
    return _rectification_out(selectors.rectification_for(user, rectification_id), user)


class EvaluationContactOut(Schema):
    service: str
    name: str
    phone: str


@router.post("/rectifications/{rectification_id}/contact", response=EvaluationContactOut)
def contact(request: HttpRequest, rectification_id: int) -> dict[str, Any]:
    """The rater's contact, for the rectification officer's call and callback only; each
    read is logged as a read of personal data and audited."""
    found = services.contact_read(pk=rectification_id, user=_staff(request))
    return {"service": found.service, "name": found.name, "phone": found.phone}

"""12345 hotline API (/api/v1/hotline/…): orders (list, take, read, move), routing suggestions,
the import from other platforms, the routing table (read; a new version by the hotline's
admins) and, public, 互动交流's published questions and answers (`GET /published`, no
personal data: publication.PUBLIC_FIELDS). Errors are {"code","detail"} (config/api.py).

The caller's name and phone are shown as selectors.caller_view decides (masked for department
staff who may not unmask; never to the department on a confidential order); every unmasked
staff read is logged (WorkOrderRead).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.hotline import attachments, publication, routing, selectors, services, upstream
from zhengwu.hotline.models import Channel, RoutingVersion, WorkOrder
from zhengwu.hotline.schemas import OrderIn, OrderMoveIn
from zhengwu.hotline.workflow import (
    ACTION_LABELS,
    CALLER_ACTIONS,
    ORDER_TABLE,
    PERSON_ACTIONS,
    is_operator,
)
from zhengwu.process import engine

router = Router(tags=["12345热线"], auth=django_auth)
PAGE_MAX = 200


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class HotlineEventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str
    reason: str
    at: dt.datetime


class HotlineAttachmentOut(Schema):
    id: int
    part: str
    part_label: str
    name: str
    content_type: str
    size: int
    sha256: str
    added_at: dt.datetime
    url: str


class HotlineOrderOut(Schema):
    number: str
    kind: str
    kind_label: str
    channel: str
    status: str
    status_label: str
    title: str
    content: str
    category_code: str
    category_name: str
    region_code: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    caller_name: str
    caller_phone: str
    caller_email: str
    enterprise_uscc: str
    business: bool
    urgency: str
    confidential: bool
    department_id: int | None
    department: str
    accepted_at: dt.datetime
    dispatched_at: dt.datetime | None
    sign_due_at: dt.datetime | None
    signed_at: dt.datetime | None
    due_at: dt.datetime | None
    answered_at: dt.datetime | None
    reply: str
    callback_at: dt.datetime | None
    resolved: bool | None
    satisfaction: str
    closed_at: dt.datetime | None
    direct: bool
    merged_into: str
    reopen_count: int
    return_count: int
    warned_percent: int
    card: str
    extension_days: int
    extension_requested: bool
    publish_consent: bool
    publication: str  # "", published, declined, withdrawn
    public_title: str
    public_question: str
    public_answer: str
    published_at: dt.datetime | None
    overdue: bool
    moves: list[str]


class HotlineOrderDetailOut(HotlineOrderOut):
    events: list[HotlineEventOut]
    attachments: list[HotlineAttachmentOut]
    attachments_hidden: int  # a confidential order's 诉求附件 the department may not open


class HotlineOrderPage(Schema):
    items: list[HotlineOrderOut]
    count: int


def _out(row: WorkOrder, user: User, *, purpose: str) -> dict[str, Any]:
    who = selectors.caller_view(row, user)
    if who.unmasked:
        services.order_read(row=row, user=user, purpose=purpose)
    department = row.department
    # The department never learns a confidential caller's enterprise either.
    hide = row.confidential and who.name == selectors.CONFIDENTIAL
    return {
        "number": row.number, "kind": row.kind, "kind_label": row.get_kind_display(),
        "channel": row.channel, "status": row.status, "status_label": row.get_status_display(),
        "title": row.title, "content": row.content,
        "category_code": row.category.code if row.category else "",
        "category_name": row.category.name if row.category else "",
        "region_code": row.region_code, "address": row.address, "latitude": row.latitude,
        "longitude": row.longitude, "caller_name": who.name, "caller_phone": who.phone,
        "caller_email": who.email,
        "enterprise_uscc": "" if hide else row.enterprise_uscc, "business": row.business,
        "urgency": row.urgency, "confidential": row.confidential,
        "department_id": department.pk if department else None,
        "department": department.name if department else "",
        "accepted_at": row.accepted_at, "dispatched_at": row.dispatched_at,
        "sign_due_at": row.sign_due_at, "signed_at": row.signed_at, "due_at": row.due_at,
        "answered_at": row.answered_at, "reply": row.reply, "callback_at": row.callback_at,
        "resolved": row.resolved, "satisfaction": row.satisfaction,
        "closed_at": row.closed_at, "direct": row.direct,
        "merged_into": row.merged_into.number if row.merged_into else "",
        "reopen_count": row.reopen_count, "return_count": row.return_count,
        "warned_percent": row.warned_percent, "card": row.card,
        "extension_days": row.extension_days,
        "extension_requested": row.extension_requested,
        "publish_consent": row.publish_consent, "publication": row.publication,
        "public_title": row.public_title, "public_question": row.public_question,
        "public_answer": row.public_answer, "published_at": row.published_at,
        "overdue": selectors.is_overdue(row, clock.now()),
        # A caller's only move is withdrawing consent to publication (撤回公开同意).
        "moves": engine.moves_open(ORDER_TABLE, row, user,
                                   actions=PERSON_ACTIONS if user.is_staff else CALLER_ACTIONS),
    }


def _events(row: WorkOrder) -> list[dict[str, Any]]:
    return [{"action": e.action, "label": ACTION_LABELS.get(e.action, e.action),
             "from_status": e.from_status, "to_status": e.to_status,
             "actor": e.actor_label, "reason": e.reason, "at": e.at}
            for e in row.events.order_by("id")]


def _detail(row: WorkOrder, user: User, *, purpose: str) -> dict[str, Any]:
    files = [{"id": a.pk, "part": a.part, "part_label": a.get_part_display(),
              "name": a.original_name, "content_type": a.content_type, "size": a.size,
              "sha256": a.sha256, "added_at": a.added_at,
              "url": reverse("hotline:attachment", args=[row.number, a.pk])}
             for a in attachments.shown_to(row, user)]
    return _out(row, user, purpose=purpose) | {
        "events": _events(row), "attachments": files,
        "attachments_hidden": attachments.hidden_count(row, user)}


class PublishedOut(Schema):
    id: int
    kind: str
    kind_label: str
    department: str
    title: str
    question: str
    answer: str
    published_at: dt.datetime
    closed_at: dt.datetime


class PublishedPage(Schema):
    items: list[PublishedOut]
    count: int


class PublishedQuery(Schema):
    kind: Annotated[str, Field(max_length=12, description="诉求类型，如 consult/complaint")] = ""
    department_id: Annotated[int | None, Field(ge=1, le=2**31 - 1,
                                               description="答复部门")] = None
    q: Annotated[str, Field(max_length=50, description="关键词（标题、诉求、答复）")] = ""
    offset: Annotated[int, Field(ge=0, le=10**6)] = 0
    limit: Annotated[int, Field(ge=1, le=PAGE_MAX)] = 20


@router.get("/published", response=PublishedPage, auth=None,
            summary="互动交流：经诉求人同意公开的诉求和答复")
def published(request: HttpRequest, query: Query[PublishedQuery]) -> dict[str, Any]:
    """The published questions and answers, newest first (public; personal data removed, the
    caller never named)."""
    rows = publication.published(kind=query.kind, department_id=query.department_id,
                                 q=query.q)
    window = publication.public_values(rows)[query.offset:query.offset + query.limit]
    return {"items": [publication.public_row(r) for r in window], "count": rows.count()}


class OrdersQuery(Schema):
    status: Annotated[str, Field(max_length=12)] = ""
    kind: Annotated[str, Field(max_length=12)] = ""
    state: Literal["", "open", "overdue", "closed"] = ""
    phone: Annotated[str, Field(max_length=20)] = ""
    offset: Annotated[int, Field(ge=0, le=10**6)] = 0
    limit: Annotated[int, Field(ge=1, le=PAGE_MAX)] = 50


@router.get("/orders", response=HotlineOrderPage)
def orders(request: HttpRequest, query: Query[OrdersQuery]) -> dict[str, Any]:
    """The orders the user may see: every one for operators and 电子监察, the department's
    for its staff, one's own for a caller. `phone`: the caller history (operators)."""
    user = _user(request)
    rows = selectors.orders_for(user, status=query.status, kind=query.kind, state=query.state,
                                phone=query.phone, now=clock.now())
    count = rows.count()
    window = rows[query.offset:query.offset + query.limit]
    items = [_out(row, user, purpose="12345工单列表") for row in window]
    return {"items": items, "count": count}


@router.post("/orders", response={201: HotlineOrderDetailOut})
def order_create(request: HttpRequest, body: OrderIn,
                 channel: str = "") -> Status[dict[str, Any]]:
    """受理: an operator takes a call (channel phone by default); a signed-in person submits
    their own (channel web). Bad input: 422 {"code","detail"}."""
    user = _user(request)
    chosen = channel or (Channel.PHONE if user.is_staff else Channel.WEB)
    row = services.order_open(user=user, data=body, channel=chosen)
    row = selectors.order_get(row.number, user)
    return Status(201, _detail(row, user, purpose="受理12345工单"))


@router.get("/orders/{number}", response=HotlineOrderDetailOut)
def order(request: HttpRequest, number: str) -> dict[str, Any]:
    user = _user(request)
    row = selectors.order_get(number, user)
    return _detail(row, user, purpose="办理12345工单")


@router.post("/orders/{number}/moves", response=HotlineOrderDetailOut)
def order_move(request: HttpRequest, number: str, body: OrderMoveIn) -> dict[str, Any]:
    """One move of the order (workflow.MOVES): 404 for an order one may not see, 403 for a
    move of another role, 409 for a move the state does not allow, 422 for bad input."""
    user = _user(request)
    if body.action in ("warn",):
        raise PermissionDenied("预警由系统自动发出。")
    services.order_move(number=number, user=user, move=body)
    row = selectors.order_get(number, user)
    return _detail(row, user, purpose="办理12345工单")


@router.post("/orders/{number}/attachments", response={201: HotlineOrderDetailOut})
def order_attach(request: HttpRequest, number: str,
                 files: File[list[UploadedFile]]) -> Status[dict[str, Any]]:
    """Add files (multipart, field `files`, PDF/JPG/PNG up to 10 MB each, at most 10 an
    order): the caller's and the 12345 centre's are 诉求附件, the handling department's
    答复附件. 404 for an order one may not see, 403 without a part on it, 409 once it is
    closed, 422 for a refused file (nothing is stored then)."""
    user = _user(request)
    services.order_attach(number=number, user=user, files=attachments.read_uploads(files))
    row = selectors.order_get(number, user)
    return Status(201, _detail(row, user, purpose="办理12345工单"))


class RouteIn(Schema):
    text: Annotated[str, Field(max_length=4000, description="诉求内容")]
    region_code: Annotated[str, Field(max_length=12)] = ""
    category_code: Annotated[str, Field(max_length=20)] = ""


class RouteItemOut(Schema):
    department: str
    department_id: int
    score: float
    by: str


class RouteOut(Schema):
    items: list[RouteItemOut]


def _centre(user: User) -> None:
    if not (user.is_staff and selectors.sees_all(user)):
        raise PermissionDenied("仅12345话务员、电子监察和管理员可以使用。")


@router.post("/route", response=RouteOut)
def route(request: HttpRequest, body: RouteIn) -> dict[str, Any]:
    """Where to send an order: at most three departments, the rule's first (by "rule",
    score 1.0), then the classifier's (by "model")."""
    _centre(_user(request))
    found = routing.suggest(body.text, body.region_code, body.category_code)
    return {"items": [{"department": s.department, "department_id": s.department_id,
                       "score": s.score, "by": s.by} for s in found]}


class ImportIn(Schema):
    orders: Annotated[list[dict[str, Any]], Field(max_length=1000)]


class HotlineImportOut(Schema):
    created: list[str]
    existing: list[str]
    count: int


@router.post("/import", response=HotlineImportOut)
def order_import(request: HttpRequest, body: ImportIn) -> dict[str, Any]:
    """Orders of another platform, idempotent by (channel, external_id); one bad row and
    nothing is imported (422, every bad row in `detail`)."""
    user = _user(request)
    if not user.is_staff or not is_operator(user):
        raise PermissionDenied("只有12345话务员可以导入工单。")
    result = services.order_import(user=user, rows=body.orders)
    return {"created": result.created, "existing": result.existing, "count": result.count}


class FeedbackOut(Schema):
    items: list[dict[str, Any]]
    next_after: int  # pass as `after` for the next page; acknowledge through it when sent


class AckIn(Schema):
    through: Annotated[int, Field(ge=1, description="确认送达至此编号（含）")]


class AckOut(Schema):
    acknowledged: int


def _exchange(request: HttpRequest) -> User:
    user = _user(request)
    if not user.is_staff or not is_operator(user):
        raise PermissionDenied("只有12345话务员（含与上级平台对接的交换账号）可以读取反馈。")
    return user


@router.get("/upstream/feedback", response=FeedbackOut)
def upstream_feedback(request: HttpRequest, after: Annotated[int, Field(ge=0)] = 0,
                      limit: Annotated[int, Field(ge=1, le=upstream.PAGE_MAX)] = 100,
                      ) -> dict[str, Any]:
    """反馈 to the provincial platform not yet acknowledged, oldest first (hotline.upstream):
    replies, extensions and closings of the orders it sent."""
    _exchange(request)
    rows = upstream.pending(after=after, limit=limit)
    return {"items": [upstream.item(row) for row in rows],
            "next_after": rows[-1].pk if rows else after}


@router.post("/upstream/feedback/ack", response=AckOut)
def upstream_ack(request: HttpRequest, body: AckIn) -> dict[str, Any]:
    """The exchange delivered every feedback up to `through`: it is not given again."""
    user = _exchange(request)
    return {"acknowledged": upstream.acknowledge(through=body.through, actor=actor_for(user))}


class RuleOut(Schema):
    region_code: str
    category_code: str
    department: str
    department_id: int
    priority: int


class RulesOut(Schema):
    number: int
    note: str
    created_at: dt.datetime | None
    rules: list[RuleOut]


class RuleIn(Schema):
    region_code: Annotated[str, Field(max_length=12)] = ""
    category_code: Annotated[str, Field(max_length=20)] = ""
    department: Annotated[str, Field(max_length=200, description="部门全称或简称")]
    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0


class RulesIn(Schema):
    note: Annotated[str, Field(max_length=200)] = ""
    rules: Annotated[list[RuleIn], Field(min_length=1, max_length=5000)]


def _rules_out(version: RoutingVersion | None) -> dict[str, Any]:
    if version is None:
        return {"number": 0, "note": "", "created_at": None, "rules": []}
    return {"number": version.number, "note": version.note, "created_at": version.created_at,
            "rules": [{"region_code": r.region_code,
                       "category_code": r.category.code if r.category else "",
                       "department": r.department.name, "department_id": r.department_id,
                       "priority": r.priority}
                      for r in version.rules.select_related("category", "department")]}


@router.get("/rules", response=RulesOut)
def rules(request: HttpRequest) -> dict[str, Any]:
    """The routing table in force."""
    _centre(_user(request))
    return _rules_out(routing.active_version())


@router.post("/rules", response={201: RulesOut})
def rules_new(request: HttpRequest, body: RulesIn) -> Status[dict[str, Any]]:
    """A new version of the routing table, made the one in force (hotline admins only)."""
    user = _user(request)
    version = services.routing_version_create(rows=[
        services.RuleRow(r.region_code, r.category_code, r.department, r.priority)
        for r in body.rules], user=user, note=body.note)
    return Status(201, _rules_out(version))

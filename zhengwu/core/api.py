"""Audit trail API for supervisors: `GET /api/v1/audit/events`."""

# No `from __future__ import annotations` here: ninja resolves a view's string annotations in
# the globals of the function it is given, which for @paginate views is ninja's own wrapper,
# so every paginated endpoint would fail with a 500 (PydanticUserError: not fully defined).

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from zhengwu.core.models import AuditEvent
from zhengwu.core.schemas import Pagination

router = Router(tags=["audit"], auth=django_auth)


class AuditEventOut(Schema):
    stream: str
    seq: int
    at: dt.datetime
    actor_label: str
    role: str
    department_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, object] | None
    after: dict[str, object] | None
    reason: str
    request_id: str
    hash: str


class AuditFilter(FilterSchema):
    object_type: str | None = Field(None, max_length=80)
    object_id: str | None = Field(None, max_length=64)
    action: str | None = Field(None, max_length=80)


@router.get("/events", response=list[AuditEventOut])
@paginate(Pagination)
def list_audit_events(request: HttpRequest, filters: Query[AuditFilter]) -> QuerySet[AuditEvent]:
    """Newest first. Supervisors and system administrators only (permission core.view_auditevent)."""
    if not request.user.has_perm("core.view_auditevent"):
        raise PermissionDenied("仅监察人员可查看审计日志。")
    events = AuditEvent.objects.order_by("-at", "-seq")
    return filters.filter(events)

"""Reads of 12345 work orders: who sees which order, the lists, the caller's own orders, the
caller history by phone, and how the caller is shown to whom.

Who sees an order: the 12345 operators, 电子监察 and system admins every order; department
staff (reviewer, chief_representative) their department's; the signed-in caller their own;
nobody else (absent, 404).

How the caller is shown: to operators and 电子监察 in full (they take and follow the call;
each read is logged as WorkOrderRead); to department staff masked unless their role may
unmask (cases.unmask_personal_data, i.e. the 首席代表) — and never, masked or not, on a
confidential order (举报人保护): the department sees "（保密）".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.accounts.selectors import holds
from zhengwu.core.masking import mask_email, mask_name, mask_phone
from zhengwu.hotline.models import Status, WorkOrder
from zhengwu.hotline.workflow import department_ids

CENTRE_ROLES = (AccountRole.HOTLINE_OPERATOR, AccountRole.SUPERVISOR, AccountRole.SYSTEM_ADMIN)
OPEN = (Status.DISPATCHING, Status.SIGNING, Status.RETURNED, Status.HANDLING, Status.ANSWERED)
CONFIDENTIAL = "（保密）"


def sees_all(user: Any) -> bool:
    return holds(user, *CENTRE_ROLES)


def visible_q(user: Any) -> Q:
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if not user.is_staff:
        return Q(caller=user)
    if sees_all(user):
        return Q()
    return Q(department_id__in=department_ids(user)) | Q(caller=user)


def _rows() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related("category", "department", "handler",
                                            "merged_into")


def order_get(number: str, user: Any) -> WorkOrder:
    """The order `number` as `user` may see it (WorkOrder.DoesNotExist otherwise)."""
    return _rows().filter(visible_q(user)).get(number=number)


def orders_for(user: Any, *, status: str = "", department_id: int | None = None,
               phone: str = "", kind: str = "", state: str = "",
               now: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    """The orders `user` may see, filtered: `status` one Status, `state` "open" / "overdue" /
    "closed", `phone` the caller's (exact, digits; operators' caller history only)."""
    rows = _rows().filter(visible_q(user))
    if status:
        rows = rows.filter(status=status)
    if department_id:
        rows = rows.filter(department_id=department_id)
    if kind:
        rows = rows.filter(kind=kind)
    if phone:
        digits = "".join(ch for ch in phone if ch.isdigit())
        rows = rows.filter(caller_phone=digits) if sees_all(user) else rows.none()
    if state == "open":
        rows = rows.filter(status__in=OPEN)
    elif state == "overdue" and now is not None:
        rows = rows.filter(status__in=(Status.SIGNING, Status.HANDLING), due_at__lt=now)
    elif state == "closed":
        rows = rows.filter(status=Status.CLOSED)
    return rows


def mine(user: Any) -> QuerySet[WorkOrder]:
    return _rows().filter(caller=user)


@dataclass(frozen=True)
class CallerView:
    name: str
    phone: str
    unmasked: bool  # shown in full: the read is logged
    email: str = ""


def caller_view(row: WorkOrder, user: Any) -> CallerView:
    """How `row`'s caller is shown to `user` (module docstring)."""
    if user is not None and row.caller_id is not None and row.caller_id == user.pk:
        return CallerView(row.caller_name, row.caller_phone, unmasked=False,
                          email=row.caller_email)
    if sees_all(user) or (not row.confidential and user is not None
                          and user.has_perm("cases.unmask_personal_data")):
        return CallerView(row.caller_name, row.caller_phone, unmasked=True,
                          email=row.caller_email)
    if row.confidential:
        return CallerView(CONFIDENTIAL, CONFIDENTIAL, unmasked=False,
                          email=CONFIDENTIAL if row.caller_email else "")
    return CallerView(mask_name(row.caller_name), mask_phone(row.caller_phone), unmasked=False,
                      email=mask_email(row.caller_email) if row.caller_email else "")


def is_overdue(row: WorkOrder, now: dt.datetime) -> bool:
    return row.status in (Status.SIGNING, Status.HANDLING) and row.due_at is not None and (
        now > row.due_at)


def closed_training_rows() -> list[tuple[str, str]]:
    """(text, department full name) of the real orders closed by a department: what
    `hotline_train --with-closed` adds to the pack's labelled orders. The department that
    answered is the label (after any 退单 it is the right one, whatever the caller thought of
    the answer). Confidential orders (举报, the informant's words) and 直办 orders (answered by
    the operator, no department) are left out; merged duplicates are counted once."""
    rows = WorkOrder.objects.filter(
        status=Status.CLOSED, department__isnull=False, direct=False,
        confidential=False).values_list("title", "content", "department__name")
    return [(f"{title} {content}".strip(), name) for title, content, name in rows]

"""办不成事反映 API (/api/v1/unresolved/…): open a ticket as the signed-in person, one's own
tickets, the staff worklist, a ticket and its moves, and the public monthly list.

Staff answers carry the person's name and phone (the officer calls them), so reading one is
logged as the page's is; the public list carries no personal data.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.errors import InvalidInput
from zhengwu.process import engine
from zhengwu.unresolved import selectors, services
from zhengwu.unresolved.models import Ticket, TicketChannel
from zhengwu.unresolved.workflow import STAFF_ACTIONS, TICKET_TABLE

MONTH = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")
router = Router(tags=["办不成事反映"], auth=django_auth)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class UnresolvedTicketIn(Schema):
    asked: str = Field(max_length=1000, description="想办的事")
    told: str = Field(max_length=1000, description="被告知的情况（为什么办不成）")
    where: str = Field(max_length=12, description="告知场所：window/department/online/phone/other")
    told_by: str = Field("", max_length=100, description="告知人（窗口号或工作人员）")
    implementation: str = Field("", max_length=31, description="事项实施编码（选填）")
    department_id: int | None = Field(None, ge=1, le=2**31 - 1,
                                      description="办理部门（未填事项编码时必填）")
    case_number: str = Field("", max_length=40, description="办件编号（选填）")
    name: str = Field("", max_length=50, description="姓名（默认账号姓名）")
    phone: str = Field("", max_length=20, description="联系电话（默认账号手机号）")


class UnresolvedTicketOut(Schema):
    number: str
    status: str
    status_label: str
    channel: str
    opened_at: dt.datetime
    department: str
    item_code: str
    item_name: str
    asked: str
    told: str
    contact_due_at: dt.datetime
    resolve_due_at: dt.datetime
    overdue: bool
    outcome: str
    outcome_label: str
    outcome_note: str
    legal_basis: str
    result_case_number: str
    proposal: str
    resolved_at: dt.datetime | None


class UnresolvedStaffTicketOut(UnresolvedTicketOut):
    name: str
    phone: str
    case_number: str
    told_by: str
    where: str
    contacted_at: dt.datetime | None
    contact_how: str
    contact_note: str
    moves: list[str]


class UnresolvedTicketPage(Schema):
    items: list[UnresolvedTicketOut]
    count: int


class UnresolvedStaffTicketPage(Schema):
    items: list[UnresolvedStaffTicketOut]
    count: int


def _out(row: Ticket) -> dict[str, Any]:
    item = row.implementation
    return {"number": row.number, "status": row.status, "status_label": row.get_status_display(),
            "channel": row.channel, "opened_at": row.opened_at,
            "department": row.department.short_name, "item_code": item.code if item else "",
            "item_name": item.item.name if item else "", "asked": row.asked, "told": row.told,
            "contact_due_at": row.contact_due_at, "resolve_due_at": row.resolve_due_at,
            "overdue": selectors.is_overdue(row, clock.now()), "outcome": row.outcome,
            "outcome_label": row.get_outcome_display() if row.outcome else "",
            "outcome_note": row.outcome_note, "legal_basis": row.legal_basis,
            "result_case_number": row.result_case_number, "proposal": row.proposal,
            "resolved_at": row.resolved_at}


def _staff_out(row: Ticket, user: User) -> dict[str, Any]:
    return _out(row) | {
        "name": row.name, "phone": row.phone, "case_number": row.case_number,
        "told_by": row.told_by, "where": row.where, "contacted_at": row.contacted_at,
        "contact_how": row.contact_how, "contact_note": row.contact_note,
        "moves": engine.moves_open(TICKET_TABLE, row, user, actions=STAFF_ACTIONS)}


@router.post("/tickets", response={201: UnresolvedTicketOut})
def open_ticket(request: HttpRequest, body: UnresolvedTicketIn) -> Status[dict[str, Any]]:
    """Open a ticket as the signed-in person (staff record tickets for others on the pages).
    A problem with what was sent: 422 {"code","detail"}."""
    user = _user(request)
    if user.is_staff:
        raise PermissionDenied("工作人员请在“窗口登记”页面代为登记。")
    row = services.ticket_open(data=services.OpenIn(
        asked=body.asked, told=body.told, where=body.where, name=body.name, phone=body.phone,
        implementation=body.implementation, department_id=body.department_id,
        told_by=body.told_by, case_number=body.case_number), user=user,
        channel=TicketChannel.WEB)
    return Status(201, _out(selectors.mine(user).get(pk=row.pk)))


@router.get("/tickets/mine", response=UnresolvedTicketPage)
def my_tickets(request: HttpRequest) -> dict[str, Any]:
    """我的反映: the caller's own tickets and their progress."""
    rows = [_out(row) for row in selectors.mine(_user(request))]
    return {"items": rows, "count": len(rows)}


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not user.is_staff:
        raise PermissionDenied("办不成事反映的办理仅供工作人员使用。")
    return user


@router.get("/tickets", response=UnresolvedStaffTicketPage)
def tickets(request: HttpRequest,
            state: Literal["open", "overdue", "closed", "all"] = "open") -> dict[str, Any]:
    """The staff list: the department's for its 首席代表, every one for the centre (hall
    managers, 电子监察)."""
    user = _staff(request)
    rows = list(selectors.worklist(user, state=state))
    for row in rows:
        services.ticket_read(row=row, user=user, purpose="办不成事反映列表")
    items = [_staff_out(row, user) for row in rows]
    return {"items": items, "count": len(items)}


@router.get("/tickets/{number}", response=UnresolvedStaffTicketOut)
def ticket(request: HttpRequest, number: str) -> dict[str, Any]:
    user = _staff(request)
    row = selectors.ticket_for(user, number)
    services.ticket_read(row=row, user=user)
    return _staff_out(row, user)


class UnresolvedMoveIn(Schema):
    action: str = Field(max_length=16, description="reassign（改派，中心）、contact（登记已联系）或 "
                                                   "resolve（登记处理结果）")
    note: str = Field("", max_length=2000)
    how: str = Field("", max_length=8, description="联系方式：phone/visit/sms/other")
    outcome: str = Field("", max_length=12, description="solved/explained/rule_change")
    legal_basis: str = Field("", max_length=2000, description="依法不能办理的法律依据（必填）")
    case_number: str = Field("", max_length=40)
    proposal: str = Field("", max_length=2000, description="制度完善建议")
    summary: str = Field("", max_length=60, description="公开摘要（不含个人信息）")
    department_id: int | None = Field(None, ge=1, le=2**31 - 1, description="改派的部门")


@router.post("/tickets/{number}/moves", response=UnresolvedStaffTicketOut)
def move(request: HttpRequest, number: str, body: UnresolvedMoveIn) -> dict[str, Any]:
    """One move of the process: contact, then the outcome (the responsible officer), or
    reassign (the centre). Others find the ticket absent (404) or are refused (403)."""
    user = _staff(request)
    services.ticket_move(number=number, user=user, move=services.MoveIn(
        action=body.action, note=body.note, how=body.how, outcome=body.outcome,
        legal_basis=body.legal_basis, case_number=body.case_number, proposal=body.proposal,
        summary=body.summary, department_id=body.department_id))
    return _staff_out(selectors.ticket_for(user, number), user)


class UnresolvedPublicRowOut(Schema):
    number: str
    department: str
    item: str
    summary: str
    outcome: str
    outcome_label: str
    days: int
    on_time: bool


class UnresolvedFiguresOut(Schema):
    department: str
    received: int
    closed: int
    on_time: int
    solved: int
    explained: int
    rule_change: int
    average_days: str


class UnresolvedPublicOut(Schema):
    month: str
    items: list[UnresolvedPublicRowOut]
    count: int
    departments: list[UnresolvedFiguresOut]


@router.get("/public", response=UnresolvedPublicOut, auth=None)
def public(request: HttpRequest, month: str = "") -> dict[str, Any]:
    """The monthly list (tickets closed in `month`, YYYY-MM; default this month) and the
    figures per department; no names, no phone numbers."""
    month = month or f"{clock.today():%Y-%m}"
    if not MONTH.match(month):
        raise InvalidInput("月份格式应为 YYYY-MM。", code="ticket.month")
    rows, figures = selectors.monthly(month)
    return {"month": month, "items": [vars(r) for r in rows], "count": len(rows),
            "departments": [vars(f) | {"average_days": f.average_days} for f in figures]}

"""依申请公开 API (/api/v1/openness/…): submit a request (the signed-in requester; staff record
a letter, a fax or a visit), one's own requests or the staff worklist, a request (the
requester's or its agency's staff; anyone else finds it absent: 404) and its moves.

Staff answers carry the requester's name, with the ID number and phone masked (whole only on
the staff page, on an officer's logged request), so reading one is logged as the page's is; the
requester's answer carries no staff names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.responses import Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.masking import mask_citizen_id, mask_phone
from zhengwu.openness import new_media, selectors, services
from zhengwu.openness.models import Channel, OpennessRequest
from zhengwu.openness.workflow import PERSON_ACTIONS, REQUEST_TABLE, STAFF_ACTIONS
from zhengwu.process import engine

router = Router(tags=["政务公开"], auth=django_auth)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class OpennessRequestIn(Schema):
    information: str = Field(max_length=2000, description="所需信息的名称、文号或特征描述")
    department_id: int = Field(ge=1, le=2**31 - 1, description="受理机关（部门）")
    purpose: str = Field("", max_length=500, description="用途（选填）")
    delivery: str = Field("electronic", max_length=12, description="electronic/paper/any")
    name: str = Field("", max_length=100, description="申请人姓名或名称（默认账号的）")
    id_number: str = Field("", max_length=30, description="身份证明号码（默认账号的）")
    phone: str = Field("", max_length=20, description="联系电话（默认账号的）")
    address: str = Field("", max_length=200, description="通信地址（纸质文本时必填）")
    requester_kind: str = Field("", max_length=12, description="工作人员登记时：citizen/organisation")
    channel: str = Field("online", max_length=16,
                         description="工作人员登记时：in_person/registered_post/post/fax")
    submitted_on: dt.date | None = Field(None, description="工作人员登记时：提交（寄出）日期")
    signed_for_on: dt.date | None = Field(None, description="挂号信、EMS 的签收日期")


class OpennessConsultationOut(Schema):
    third_party: str
    received_on: dt.date
    answered_on: dt.date | None
    agrees: bool | None


class OpennessAttachmentOut(Schema):
    name: str
    size: int
    content_type: str


class OpennessRequestOut(Schema):
    number: str
    status: str
    status_label: str
    channel: str
    department: str
    information: str
    purpose: str
    delivery: str
    name: str
    id_number: str
    phone: str
    submitted_on: dt.date
    received_on: dt.date | None
    supplement_items: str
    supplement_by: dt.date | None
    supplement_received_on: dt.date | None
    extension_workdays: int
    due_on: dt.date | None
    due_provisional: bool
    consultations: list[OpennessConsultationOut]
    answer_type: str
    answer_type_label: str
    answer_text: str
    answer_reason: str
    legal_basis: str
    right_agency: str
    answered_at: dt.datetime | None
    notice_number: str = Field(description="答复告知书文号（答复后）")
    attachments: list[OpennessAttachmentOut]
    moves: list[str]


class OpennessRequestPage(Schema):
    items: list[OpennessRequestOut]
    count: int


def _out(row: OpennessRequest, user: User, *, staff: bool) -> dict[str, Any]:
    actions = STAFF_ACTIONS if staff else PERSON_ACTIONS
    return {
        "number": row.number, "status": row.status, "status_label": row.get_status_display(),
        "channel": row.channel, "department": row.department.short_name,
        "information": row.information, "purpose": row.purpose, "delivery": row.delivery,
        "name": row.name,
        # Masked for everyone, the agency's officers included (each read still logged): the
        # whole ID number and phone are shown on the staff page on an officer's request
        # (action `unmask`, logged with that purpose), never in a JSON answer; the requester
        # reads their own data masked too — the API is not where it is checked.
        "id_number": mask_citizen_id(row.id_number),
        "phone": mask_phone(row.phone),
        "submitted_on": row.submitted_on, "received_on": row.received_on,
        "supplement_items": row.supplement_items, "supplement_by": row.supplement_by,
        "supplement_received_on": row.supplement_received_on,
        "extension_workdays": row.extension_workdays, "due_on": row.due_on,
        "due_provisional": row.due_provisional,
        "consultations": [{"third_party": c.third_party if staff else "第三方",
                           "received_on": c.received_on, "answered_on": c.answered_on,
                           "agrees": c.agrees if staff else None}
                          for c in row.consultations.all()],
        "answer_type": row.answer_type,
        "answer_type_label": row.get_answer_type_display() if row.answer_type else "",
        "answer_text": row.answer_text, "answer_reason": row.answer_reason,
        "legal_basis": row.legal_basis, "right_agency": row.right_agency,
        "answered_at": row.answered_at,
        "notice_number": next((n.number for n in row.notices.all()), ""),
        "attachments": [{"name": a.original_name, "size": a.size,
                         "content_type": a.content_type} for a in row.attachments.all()],
        "moves": engine.moves_open(REQUEST_TABLE, row, user, actions=actions)}


def _found(user: User, number: str) -> tuple[OpennessRequest, bool]:
    """The request as its requester or its agency's staff reads it (404 for anyone else)."""
    if user.is_staff:
        row = selectors.request_for_staff(user, number)
        services.request_read(row=row, user=user)
        return row, True
    return selectors.request_for_person(user, number), False


@router.post("/requests", response={201: OpennessRequestOut})
def submit(request: HttpRequest, body: OpennessRequestIn) -> Status[dict[str, Any]]:
    """Submit a request online as the signed-in requester; staff record one received by post,
    fax or in person for their own agency. A problem: 422 {"code","detail"}."""
    user = _user(request)
    row = services.request_submit(data=services.SubmitIn(
        information=body.information, department_id=body.department_id, purpose=body.purpose,
        delivery=body.delivery, name=body.name, id_number=body.id_number, phone=body.phone,
        address=body.address, requester_kind=body.requester_kind,
        channel=body.channel if user.is_staff else Channel.ONLINE,
        submitted_on=body.submitted_on, signed_for_on=body.signed_for_on), user=user)
    found, staff = _found(user, row.number)
    return Status(201, _out(found, user, staff=staff))


@router.get("/requests", response=OpennessRequestPage)
def requests(request: HttpRequest,
             state: Literal["open", "done", "all"] = "open") -> dict[str, Any]:
    """The requester's own requests; for staff, their agencies' worklist (each read logged)."""
    user = _user(request)
    if user.is_staff:
        rows = list(selectors.worklist(user, state=state))
        for row in rows:
            services.request_read(row=row, user=user, purpose="政府信息公开申请列表")
        items = [_out(row, user, staff=True) for row in rows]
    else:
        items = [_out(row, user, staff=False) for row in selectors.mine(user)]
    return {"items": items, "count": len(items)}


@router.get("/requests/{number}", response=OpennessRequestOut)
def one(request: HttpRequest, number: str) -> dict[str, Any]:
    user = _user(request)
    row, staff = _found(user, number)
    return _out(row, user, staff=staff)


class OpennessMoveIn(Schema):
    action: str = Field(max_length=24, description="confirm, supplement_notice, "
                        "supplement_submit, lapse, extend, consult, third_party_answer, answer")
    note: str = Field("", max_length=2000, description="说明、补正内容、延期理由或答复内容")
    on: dt.date | None = Field(None, description="该步骤记录的日期（确认收到、收到补正、"
                                                 "第三方收到或答复），默认今天")
    until: dt.date | None = Field(None, description="补正期限")
    workdays: int = Field(0, ge=0, le=20, description="延长的工作日数（1–20）")
    approved_by: str = Field("", max_length=50, description="批准延期的负责人")
    third_party: str = Field("", max_length=100)
    agrees: bool | None = None
    answer_type: str = Field("", max_length=24)
    reason: str = Field("", max_length=2000)
    legal_basis: str = Field("", max_length=2000)
    right_agency: str = Field("", max_length=200)


@router.post("/requests/{number}/moves", response=OpennessRequestOut)
def move(request: HttpRequest, number: str, body: OpennessMoveIn) -> dict[str, Any]:
    """One move of the process (answer attachments are uploaded on the staff page). Another's
    request is absent (404); a move the person may not make: 403; one the state does not allow:
    409; what was typed breaks a rule: 422."""
    user = _user(request)
    services.request_move(number=number, user=user, move=services.MoveIn(
        action=body.action, note=body.note, on=body.on, until=body.until,
        workdays=body.workdays, approved_by=body.approved_by, third_party=body.third_party,
        agrees=body.agrees, answer_type=body.answer_type, reason=body.reason,
        legal_basis=body.legal_basis, right_agency=body.right_agency))
    row, staff = _found(user, number)
    return _out(row, user, staff=staff)


class OpennessAnswerIn(Schema):
    answer_type: str = Field(max_length=24, description="答复类型（条例第三十六至三十九条）")
    note: str = Field(max_length=2000, description="答复内容")
    reason: str = Field("", max_length=2000)
    legal_basis: str = Field("", max_length=2000)
    right_agency: str = Field("", max_length=200)


@router.post("/requests/{number}/answer", response=OpennessRequestOut)
def answer_with_files(request: HttpRequest, number: str, body: Form[OpennessAnswerIn],
                      files: File[list[UploadedFile]]) -> dict[str, Any]:
    """答复 with its files (multipart: the fields and `files`, PDF/JPG/PNG up to 10 MB each, at
    most 10), the move `answer` as on the staff page; without files use `…/moves`. A refused
    file refuses the answer, and nothing is stored."""
    user = _user(request)
    services.request_move(number=number, user=user, move=services.MoveIn(
        action="answer", note=body.note, answer_type=body.answer_type, reason=body.reason,
        legal_basis=body.legal_basis, right_agency=body.right_agency,
        files=services.read_uploads(files)))
    row, staff = _found(user, number)
    return _out(row, user, staff=staff)


# --- 政务新媒体 (measure 31) ----------------------------------------------------------------


class NewMediaAccountOut(Schema):
    id: int
    platform: str
    platform_label: str
    name: str
    handle: str
    department: str
    office_phone: str = Field(description="责任人办公电话（办公固定电话，公开）")
    status: str = Field(description="active 运营中 / suspended 暂停更新 / closed 已关停")
    status_label: str
    closed_on: dt.date | None
    registered_on: dt.date
    inspection_interval_days: int
    last_inspected_on: dt.date | None
    last_update_seen: dt.date | None
    inspection_due_on: dt.date | None
    inspection_overdue: bool = Field(description="超过检查周期未检查")
    stale: bool = Field(description=f"长期未更新：检查时已超过{new_media.STALE_DAYS}天未更新")
    broken_links: int = Field(description="最近一次检查发现的错链断链数")
    flags: list[str]
    illustrative: bool = Field(description="示例数据（演示用，非真实账号）")


class NewMediaPage(Schema):
    items: list[NewMediaAccountOut]
    count: int


@router.get("/new-media", response=NewMediaPage, auth=None)
def new_media_list(request: HttpRequest) -> dict[str, Any]:
    """政务新媒体名录 (public): every account on the register with its status, last
    inspection and flags; no responsible person's name."""
    today = clock.today()
    items = []
    for account in new_media.accounts_public():
        flags = new_media.flags_of(account, today)
        items.append({
            "id": account.pk, "platform": account.platform,
            "platform_label": account.get_platform_display(), "name": account.name,
            "handle": account.handle, "department": account.department.short_name,
            "office_phone": account.office_phone, "status": account.status,
            "status_label": account.get_status_display(), "closed_on": account.closed_on,
            "registered_on": account.registered_on,
            "inspection_interval_days": account.inspection_interval_days,
            "last_inspected_on": account.last_inspected_on,
            "last_update_seen": account.last_update_seen,
            "inspection_due_on": flags.inspection_due_on,
            "inspection_overdue": flags.inspection_overdue, "stale": flags.stale,
            "broken_links": flags.broken_links, "flags": flags.labels,
            "illustrative": account.illustrative})
    return {"items": items, "count": len(items)}

"""Writes of 依申请公开: submitting a request (online by the requester, or recorded by staff
for a letter, a fax or a visit), the moves of the process (engine.transition), the logged
staff read, and the overdue sweep.

Rules held here, once (docs/openness.md):
- a request names the requester, how to reach them and the information asked for (art. 29);
- the day of receipt is `limits.received_on` of its channel; the due date is
  `limits.answer_due` of the dates kept on the row, computed again whenever one changes
  (`_due_recompute`): receipt, the 补正 received, the extension, a consultation;
- an answer is one of the answers of arts. 36–39 (models.AnswerType); 不予公开 and its kin
  state the reason and the legal basis; 非本机关 names the right agency when it is known;
- an answer is issued as a numbered notice of the agency (政府信息公开申请答复告知书, 文号
  prefix + 公开告〔year〕N号 from core.numbering's document sequence, signed with the agency's
  key) inside the answer's transaction: a refused answer takes no number;
- the officers are warned once per due date when it is `WARN_WORKDAYS` working days away or
  less (official calendar), and told once when it has passed; both by the sweep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.phone_codes import contact_phone_field
from zhengwu.accounts.services import actor_for
from zhengwu.cases import uploads
from zhengwu.core import clock, numbering
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import FieldsInvalid, InvalidInput
from zhengwu.core.text import TextError, check_text, field_text
from zhengwu.departments.models import Department
from zhengwu.notifications.services import notify
from zhengwu.openness import limits
from zhengwu.openness.models import (
    ANSWERS_WITH_BASIS,
    REQUEST_NOTICE_MARK,
    AnswerAttachment,
    AnswerType,
    Channel,
    ColumnCategory,
    ColumnEntry,
    Consultation,
    Delivery,
    OpennessRequest,
    RequesterKind,
    RequestEvent,
    RequestNotice,
    RequestNoticeKind,
    RequestRead,
)
from zhengwu.openness.models import RequestStatus as S
from zhengwu.openness.workflow import (
    OFFICER_ROLES,
    REQUEST_TABLE,
    Role,
    officer_department_ids,
    staff_q,
)
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Process, Step
from zhengwu.workdays.calendar import SHANGHAI
from zhengwu.workdays.selectors import calendar_get

TEXT_MAX = 2000
# The early warning: the officers are told when the answer is due in this many working days
# or fewer (docs/openness.md: a quarter of the 20-day limit of art. 33).
WARN_WORKDAYS = 5
MAX_ATTACHMENTS = 10
Files = Sequence[tuple[str, bytes]]


class RequestInvalid(FieldsInvalid):
    """What was typed breaks a rule: one message per field (`fields`), the first as the
    error's message (422 with {"code","detail"} to the API)."""

    code = "openness.invalid"


@dataclass
class SubmitIn:
    information: str
    department_id: int | None = None
    purpose: str = ""
    delivery: str = Delivery.ELECTRONIC
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    requester_kind: str = ""
    # Staff recording a letter, a fax or a visit: the channel and its dates.
    channel: str = Channel.ONLINE
    submitted_on: dt.date | None = None
    signed_for_on: dt.date | None = None


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(SHANGHAI).date()


def _number(now: dt.datetime) -> str:
    year = _today(now).year
    return f"GK{year}{numbering.next_value(f'openness:{year}'):06d}"


def _clean(data: SubmitIn, *, person: User | None, staff: User | None,
           today: dt.date) -> dict[str, Any]:
    problems: dict[str, str] = {}
    information = field_text(data.information, label="所需信息的名称、文号或特征描述",
                             key="information", problems=problems, required=True,
                             most=TEXT_MAX)
    purpose = field_text(data.purpose, label="用途", key="purpose", problems=problems,
                         required=False, most=500)
    if data.delivery not in Delivery.values:
        problems["delivery"] = "请选择获取信息的方式。"
    department = Department.objects.filter(pk=data.department_id).first() if (
        data.department_id) else None
    if department is None:
        problems["department"] = "请选择向哪个机关申请。"
    kind = data.requester_kind
    if person is not None:
        kind = RequesterKind.ORGANISATION if person.kind == "enterprise" else RequesterKind.CITIZEN
    elif kind not in RequesterKind.values:
        problems["requester_kind"] = "请选择申请人类型（公民或法人、其他组织）。"
    name = data.name.strip() or (person.display_name if person is not None else "")
    name = field_text(name, label="申请人姓名或名称", key="name", problems=problems,
                      required=True, most=100)
    own_id = (person.uscc or person.citizen_id) if person is not None else ""
    id_number = field_text(data.id_number.strip() or own_id, label="身份证明号码",
                           key="id_number", problems=problems, required=staff is not None,
                           most=30)
    phone = contact_phone_field(
        data.phone or (person.phone or "" if person is not None else ""), key="phone",
        problems=problems, missing="请填写联系电话。")
    address = field_text(data.address, label="通信地址", key="address", problems=problems,
                         required=data.delivery == Delivery.PAPER, most=200)
    channel = data.channel if staff is not None else Channel.ONLINE
    submitted = data.submitted_on or today
    if staff is not None:
        if channel not in Channel.values or channel == Channel.ONLINE:
            problems["channel"] = "请选择申请的提交方式（当面、邮寄或传真）。"
        if submitted > today:
            problems["submitted_on"] = "提交日期不能晚于今天。"
        if channel == Channel.REGISTERED_POST:
            if data.signed_for_on is None:
                problems["signed_for_on"] = "挂号信、EMS须填写签收日期（以签收之日为收到申请之日）。"
            elif not submitted <= data.signed_for_on <= today:
                problems["signed_for_on"] = "签收日期应在寄出日期和今天之间。"
    if problems:
        raise RequestInvalid(problems)
    assert department is not None
    return {"information": information, "purpose": purpose, "delivery": data.delivery,
            "department": department, "requester_kind": kind, "name": name,
            "id_number": id_number, "phone": phone, "address": address, "channel": channel,
            "submitted_on": submitted,
            "signed_for_on": data.signed_for_on if channel == Channel.REGISTERED_POST else None}


def officers(department_id: int) -> list[User]:
    return list({a.user_id: a.user for a in RoleAssignment.objects.filter(
        role__in=OFFICER_ROLES, department_id=department_id).select_related("user")}.values())


def _staff_link(row: OpennessRequest) -> str:
    return reverse("openness:staff_detail", args=[row.number])


def _person_link(row: OpennessRequest) -> str:
    return reverse("openness:detail", args=[row.number])


def _receive(row: OpennessRequest) -> None:
    """The day of receipt is established (art. 31): the 补正 notice's last day and the due."""
    row.received_on = limits.received_on(limits.Receipt(
        channel=row.channel, submitted=row.submitted_on, signed_for=row.signed_for_on,
        confirmed=row.confirmed_on))
    if row.received_on is not None:
        row.supplement_notice_due_on = limits.supplement_notice_due(
            calendar_get(), received=row.received_on)
    _due_recompute(row)


def _due_recompute(row: OpennessRequest) -> None:
    """The due date of `row` from the dates it keeps (limits.answer_due). A consultation still
    waiting counts to its 15th working day: the due is the latest the agency may need, and is
    computed again when the third party answers."""
    if row.received_on is None:
        row.due_on, row.due_provisional = None, False
        return
    consultations = [limits.Consultation(c.received_on, c.answered_on)
                     for c in row.consultations.all()] if row.pk else []
    due = limits.answer_due(calendar_get(), received=row.received_on,
                            supplement_received=row.supplement_received_on,
                            extension_workdays=row.extension_workdays,
                            consultations=consultations)
    row.due_on, row.due_provisional = due.day, due.provisional


@transaction.atomic
def request_submit(*, data: SubmitIn, user: User, now: dt.datetime | None = None
                   ) -> OpennessRequest:
    """Submit a request: online, `user` is the requester (a citizen or enterprise account);
    staff record a letter, a fax or a visit for someone else."""
    now = now or clock.now()
    staff = user if user.is_staff else None
    person = None if staff is not None else user
    if staff is not None and not RoleAssignment.objects.filter(
            user=staff, role__in=OFFICER_ROLES, department_id=data.department_id or 0).exists():
        raise RequestInvalid({"department": "只能为本机关登记收到的申请。"})
    cleaned = _clean(data, person=person, staff=staff, today=_today(now))
    row = OpennessRequest(number=_number(now), status=S.SUBMITTED, person=person,
                          recorded_by=staff, submitted_at=now, **cleaned)
    _receive(row)
    if row.received_on is not None:
        row.status = S.PROCESSING
    row.save()
    actor = actor_for(staff) if staff is not None else Actor(user=person, label="申请人",
                                                              role=Role.PERSON)
    data_out = {"channel": row.channel, "department": row.department.short_name,
                "received_on": row.received_on.isoformat() if row.received_on else None,
                "due_on": row.due_on.isoformat() if row.due_on else None}
    RequestEvent.of_move(application=row, action="submit", before="", after=row.status,
                         actor=actor, data=data_out, at=now).save()
    audit_record(actor=actor, action="openness.request.submit", obj=row,
                 after={"status": row.status, **data_out})
    notify(recipients=officers(row.department_id), title=f"政府信息公开申请：{row.number}",
           body=f"收到一件政府信息公开申请（{row.number}，{row.get_channel_display()}），"
                + (f"请于{row.due_on:%m月%d日}前答复。" if row.due_on
                   else "请确认收到申请，答复期限自确认之日起计算。"),
           link=_staff_link(row), category="openness", dedupe_key=f"openness:{row.pk}:submit")
    return row


# --- the process ---------------------------------------------------------------------------


@dataclass
class MoveIn:
    action: str
    note: str = ""
    on: dt.date | None = None  # the date the move records (confirmed, received, answered …)
    until: dt.date | None = None  # 补正期限
    workdays: int = 0  # extension
    approved_by: str = ""
    third_party: str = ""
    agrees: bool | None = None
    answer_type: str = ""
    reason: str = ""
    legal_basis: str = ""
    right_agency: str = ""
    files: Files = field(default_factory=list)


def _required(value: str, message: str, code: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(message, code=code)
    return value


def _day(move: MoveIn, attempt: Attempt, *, not_before: dt.date | None, what: str) -> dt.date:
    today = _today(attempt.now)
    day = move.on or today
    if day > today:
        raise InvalidInput(f"{what}不能晚于今天。", code="openness.date")
    if not_before is not None and day < not_before:
        raise InvalidInput(f"{what}不能早于{not_before:%Y年%m月%d日}。", code="openness.date")
    return day


def _tell(row: OpennessRequest, title: str, body: str, key: str) -> None:
    if row.person is not None:
        notify(recipients=[row.person], title=title, body=body, link=_person_link(row),
               category="openness", dedupe_key=f"openness:{row.pk}:{key}")


def _dates(row: OpennessRequest) -> dict[str, Any]:
    return {"due_on": row.due_on.isoformat() if row.due_on else None,
            "provisional": row.due_provisional}


def _confirm(row: OpennessRequest, move: MoveIn, attempt: Attempt, actor: Actor
             ) -> dict[str, Any]:
    row.confirmed_on = _day(move, attempt, not_before=row.submitted_on, what="确认收到日期")
    _receive(row)
    _tell(row, "政府信息公开申请已确认收到",
          f"您的申请（{row.number}）已于{row.received_on:%Y年%m月%d日}确认收到，"
          f"答复期限为{row.due_on:%Y年%m月%d日}。", "confirm")
    return {"received_on": row.confirmed_on.isoformat(), **_dates(row)}


def _supplement_notice(row: OpennessRequest, move: MoveIn, attempt: Attempt, actor: Actor
                       ) -> dict[str, Any]:
    row.supplement_items = _required(move.note, "请写明需要补正的事项（如何补正、所需信息的描述）。",
                                     "openness.note_required")
    today = _today(attempt.now)
    if move.until is None or move.until <= today:
        raise InvalidInput("请填写合理的补正期限（晚于今天）。", code="openness.until")
    row.supplement_asked_on, row.supplement_by = today, move.until
    _tell(row, "政府信息公开申请需要补正",
          f"您的申请（{row.number}）需要补正：{row.supplement_items}。请于"
          f"{move.until:%Y年%m月%d日}前补正；逾期不补正的，视为放弃申请（条例第三十条）。",
          "supplement_notice")
    return {"items": row.supplement_items, "until": move.until.isoformat()}


def _supplement_submit(row: OpennessRequest, move: MoveIn, attempt: Attempt, actor: Actor
                       ) -> dict[str, Any]:
    row.supplement_text = _required(move.note, "请填写补正内容。", "openness.note_required")
    by_person = actor.role == Role.PERSON
    row.supplement_received_on = (_today(attempt.now) if by_person else _day(
        move, attempt, not_before=row.supplement_asked_on, what="收到补正日期"))
    if len(row.supplement_text) > TEXT_MAX:
        raise InvalidInput(f"补正内容最多{TEXT_MAX}字。", code="openness.note")
    _due_recompute(row)  # art. 30: the limit counts from the supplement's receipt
    return {"received_on": row.supplement_received_on.isoformat(), **_dates(row)}


def _lapse(row: OpennessRequest, move: MoveIn, attempt: Attempt, actor: Actor
           ) -> dict[str, Any]:
    _tell(row, "政府信息公开申请视为放弃",
          f"您的申请（{row.number}）未在补正期限内补正，依照条例第三十条视为放弃申请。",
          "lapse")
    return {"until": row.supplement_by.isoformat() if row.supplement_by else None}


def _extend(row: OpennessRequest, move: MoveIn, attempt: Attempt, actor: Actor
            ) -> dict[str, Any]:
    if not 1 <= move.workdays <= limits.EXTENSION_MAX_WORKDAYS:
        raise InvalidInput("延长答复期限应为1至20个工作日（政府信息公开条例第三十三条）。",
                           code="openness.extension")
    row.extension_approved_by = _required(
        move.approved_by, "请填写批准延期的政府信息公开工作机构负责人。", "openness.approved_by")
    row.extension_reason = _required(move.note, "请填写延期理由（将告知申请人）。",
                                     "openness.note_required")
    row.extension_workdays = move.workdays
    _due_recompute(row)
    _tell(row, "政府信息公开申请答复期限延长",
          f"经政府信息公开工作机构负责人同意，您的申请（{row.number}）答复期限延长"
          f"{move.workdays}个工作日，至{row.due_on:%Y年%m月%d日}。理由：{row.extension_reason}",
          "extend")
    return {"workdays": move.workdays, "approved_by": row.extension_approved_by,
            **_dates(row)}


def _consult(row: OpennessRequest, move: MoveIn, attempt: Attempt, actor: Actor
             ) -> dict[str, Any]:
    third_party = _required(move.third_party, "请填写第三方名称。", "openness.third_party")
    if len(third_party) > 100:
        raise InvalidInput("第三方名称最多100字。", code="openness.third_party")
    received = _day(move, attempt, not_before=row.received_on,
                    what="第三方收到征求意见书的日期")
    Consultation.objects.create(request=row, third_party=third_party, received_on=received)
    row.consulting_until = limits.third_party_due(calendar_get(),
                                                  limits.Consultation(received))
    _due_recompute(row)
    return {"third_party": third_party, "received_on": received.isoformat(),
            "until": row.consulting_until.isoformat(), **_dates(row)}


def _third_party_answer(row: OpennessRequest, move: MoveIn, attempt: Attempt, actor: Actor
                        ) -> dict[str, Any]:
    consultation = row.consultations.filter(answered_on__isnull=True).last()
    assert consultation is not None  # the guard: consulting_until is set while one waits
    if move.agrees is None:
        raise InvalidInput("请选择第三方是否同意公开。", code="openness.agrees")
    answered = _day(move, attempt, not_before=consultation.received_on,
                    what="第三方答复日期")
    last = limits.third_party_due(calendar_get(), limits.Consultation(consultation.received_on))
    consultation.answered_on = min(answered, last)
    consultation.agrees = move.agrees
    consultation.opinion = move.note.strip()
    consultation.save()
    row.consulting_until = None
    _due_recompute(row)
    return {"third_party": consultation.third_party, "agrees": move.agrees,
            "answered_on": consultation.answered_on.isoformat(), **_dates(row)}


def answer_check(move: MoveIn) -> None:
    """The answer's rule: one of arts. 36–39; 不予公开 and its kin state the reason and the
    legal basis; 非本机关 says why (the right agency when it is known)."""
    if move.answer_type not in AnswerType.values:
        raise InvalidInput("请选择答复类型。", code="openness.answer_type")
    _required(move.note, "请填写答复内容。", "openness.note_required")
    if move.answer_type in ANSWERS_WITH_BASIS:
        _required(move.reason, f"“{AnswerType(move.answer_type).label}”须说明理由。",
                  "openness.reason_required")
        _required(move.legal_basis, "须写明法律依据（条例或其他法律、法规的名称及条款）。",
                  "openness.legal_basis_required")
    if move.answer_type == AnswerType.NOT_OURS:
        _required(move.reason, "“非本机关负责公开”须说明理由。", "openness.reason_required")


def read_uploads(uploaded: Sequence[Any]) -> list[tuple[str, bytes]]:
    """The files of a request, read only once their count and declared sizes are within the
    limits (a request of 50 files of 10 MB is refused before any is read into memory)."""
    if len(uploaded) > MAX_ATTACHMENTS:
        raise InvalidInput(f"答复附件最多{MAX_ATTACHMENTS}个，本次选择了{len(uploaded)}个。",
                           code="openness.attachment_count")
    for upload in uploaded:
        if (upload.size or 0) > uploads.MAX_BYTES:
            raise InvalidInput(f"附件“{(upload.name or '')[-60:]}”超过 10MB。",
                               code="case.upload_too_large", http_status=413)
    return [((upload.name or "附件")[-200:], upload.read()) for upload in uploaded]


def _attach(row: OpennessRequest, files: Files, user: User | None, now: dt.datetime
            ) -> list[str]:
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(f"答复附件最多{MAX_ATTACHMENTS}个。", code="openness.attachment_count")
    checked = [(name, uploads.check_upload(name, content, what="附件")) for name, content in files]
    names = []
    for name, item in checked:
        attachment = AnswerAttachment(request=row, original_name=(name or "附件")[-200:],
                                      added_at=now, added_by=user)
        attachment.keep(item)
        attachment.save()
        names.append(attachment.original_name)
    return names


def _answer(row: OpennessRequest, move: MoveIn, attempt: Attempt, actor: Actor
            ) -> dict[str, Any]:
    answer_check(move)
    kind = AnswerType(move.answer_type)
    row.answer_type, row.answer_text = kind, move.note.strip()
    row.answer_reason = move.reason.strip()
    row.legal_basis = move.legal_basis.strip() if kind in ANSWERS_WITH_BASIS else ""
    row.right_agency = move.right_agency.strip()[:200] if kind == AnswerType.NOT_OURS else ""
    row.answered_at = attempt.now
    row.answered_on_time = row.due_on is None or _today(attempt.now) <= row.due_on
    files = _attach(row, move.files, attempt.user, attempt.now)
    notice = _answer_notice(row, files, attempt.now)
    _tell(row, "政府信息公开申请已答复",
          f"您的申请（{row.number}）已答复：{kind.label}（{notice.number}）。", "answer")
    return {"answer_type": kind.value, "legal_basis": row.legal_basis,
            "right_agency": row.right_agency, "on_time": row.answered_on_time,
            "files": files, "notice": notice.number}


def _answer_notice(row: OpennessRequest, files: list[str], now: dt.datetime) -> RequestNotice:
    """The answer as the agency's numbered, signed notice (政府信息公开申请答复告知书)."""
    from zhengwu.openness.notices import notice_sealer

    content = {"answer_type": row.answer_type, "answer_text": row.answer_text,
               "reason": row.answer_reason, "legal_basis": row.legal_basis,
               "right_agency": row.right_agency, "information": row.information,
               "received_on": row.received_on.isoformat() if row.received_on else "",
               "due_on": row.due_on.isoformat() if row.due_on else "",
               "on_time": bool(row.answered_on_time), "files": files}
    return RequestNotice.issue(
        application=row, kind=RequestNoticeKind.ANSWER, prefix=row.department.document_prefix,
        mark=REQUEST_NOTICE_MARK[RequestNoticeKind.ANSWER], at=now, content=content,
        seal=notice_sealer(row))


def _lock(number: str, user: User | None) -> OpennessRequest:
    rows = OpennessRequest.objects.all()
    if user is not None:
        rows = rows.filter(visible_q(user))
    return rows.select_for_update(of=("self",)).select_related(
        "person", "department").get(number=number)


def visible_q(user: User) -> Q:
    """The requests `user` may see: their own; and, for staff, their agencies' (every one for
    电子监察)."""
    mine = Q(person_id=user.pk)
    if not user.is_staff:
        return mine
    condition = staff_q(user)
    return mine if condition is None else mine | condition


def _actor(user: User | None, row: OpennessRequest, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    if role == Role.PERSON:
        return Actor(user=user, label="申请人", role=role)
    base = actor_for(user)
    return Actor(user=user, label=base.label, role=role, department_id=base.department_id,
                 department_label=base.department_label)


def _record(row: OpennessRequest, step: Step) -> None:
    RequestEvent.of_move(application=row, action=step.action, before=step.before,
                         after=row.status, actor=step.actor, reason=step.reason,
                         data=step.data, at=step.at).save()
    audit_record(actor=step.actor, action=f"openness.request.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


def _text_check(move: MoveIn) -> None:
    for label, value in (("说明", move.note), ("理由", move.reason), ("法律依据", move.legal_basis),
                         ("批准人", move.approved_by), ("第三方", move.third_party),
                         ("负责公开的机关", move.right_agency)):
        if len(value) > TEXT_MAX:
            raise InvalidInput(f"{label}最多{TEXT_MAX}字。", code="openness.text")
        try:
            check_text(value, label=label, multiline=True)
        except TextError as error:
            raise InvalidInput(error.message + "。", code="openness.text") from error


REQUEST_PROCESS: Process[OpennessRequest, MoveIn] = Process(
    table=REQUEST_TABLE, handlers={
        "confirm": _confirm, "supplement_notice": _supplement_notice,
        "supplement_submit": _supplement_submit, "lapse": _lapse, "extend": _extend,
        "consult": _consult, "third_party_answer": _third_party_answer, "answer": _answer},
    lock=_lock, actor=_actor, record=_record, reason_of=lambda move: move.note.strip()[:500],
    action_of=lambda move: move.action, text_check=_text_check,
    role_order=(Role.OFFICER, Role.PERSON))


@uploads.discarded_on_failure()
def request_move(*, number: str, user: User | None, move: MoveIn,
                 now: dt.datetime | None = None) -> OpennessRequest:
    """One move of the process; a refused answer leaves none of its files behind."""
    with transaction.atomic():
        return engine.transition(REQUEST_PROCESS, number, user, move, now=now)


READ_PURPOSE = "办理政府信息公开申请"


@transaction.atomic
def request_read(*, row: OpennessRequest, user: User, purpose: str = READ_PURPOSE) -> None:
    """Staff opened the request with the requester's personal data: logged and audited."""
    actor = actor_for(user)
    RequestRead.objects.create(application=row, user=user, department_label=actor.department_label,
                               purpose=purpose[:40], at=clock.now())
    audit_record(actor=actor, action="openness.request_read", obj=row, reason=purpose)


# --- the sweep -----------------------------------------------------------------------------


def overdue_tell(now: dt.datetime) -> int:
    """Tell the agency's staff, once, of each request in progress past its due date (a sweep:
    `zhengwu sweep`), with the event on the request's timeline."""
    today = _today(now)
    told = 0
    pending = OpennessRequest.objects.filter(status=S.PROCESSING, due_on__lt=today,
                                             overdue_told_at__isnull=True)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            row = OpennessRequest.objects.select_for_update().get(pk=pk)
            if (row.status != S.PROCESSING or row.overdue_told_at is not None
                    or row.due_on is None or row.due_on >= today):
                continue
            row.overdue_told_at = now
            row.save(update_fields=["overdue_told_at"])
            reason = f"超过答复期限（{row.due_on:%Y年%m月%d日}）"
            RequestEvent.of_move(application=row, action="overdue", before=row.status,
                                 after=row.status, actor=SYSTEM, reason=reason, at=now).save()
            audit_record(actor=SYSTEM, action="openness.request.overdue", obj=row,
                         reason=reason)
            notify(recipients=officers(row.department_id),
                   title=f"政府信息公开申请已逾期：{row.number}",
                   body=f"申请 {row.number} 已{reason}，请尽快答复。", link=_staff_link(row),
                   category="openness", dedupe_key=f"openness:{row.pk}:overdue")
            told += 1
    return told


# --- the 主动公开 column ------------------------------------------------------------------


@dataclass
class EntryIn:
    category: str
    title: str
    department_id: int | None
    body: str = ""
    link: str = ""
    published_on: dt.date | None = None


def _link_check(link: str, problems: dict[str, str]) -> str:
    link = link.strip()
    internal = link.startswith("/") and not link.startswith("//")
    if link and not (internal or link.startswith("https://")):
        problems["link"] = "链接应为本平台页面（以 / 开头）或 https:// 开头的政府网站地址。"
    elif len(link) > 500:
        problems["link"] = "链接最多500字。"
    return link


@transaction.atomic
def column_add(*, data: EntryIn, user: User, now: dt.datetime | None = None) -> ColumnEntry:
    """Publish an entry of the 主动公开 column for one of the departments `user` answers for;
    a 事项清单 or 办事指南 entry may link to the catalogue's page instead of copying it."""
    now = now or clock.now()
    problems: dict[str, str] = {}
    if data.category not in ColumnCategory.values:
        problems["category"] = "请选择栏目。"
    title = field_text(data.title, label="标题", key="title", problems=problems, required=True,
                       most=200)
    body = field_text(data.body, label="内容", key="body", problems=problems, required=False,
                      most=20000)
    link = _link_check(data.link, problems)
    if not body and not link and "body" not in problems and "link" not in problems:
        problems["body"] = "请填写内容，或填写链接（如事项清单、办事指南页面）。"
    if data.department_id is None or data.department_id not in officer_department_ids(user):
        problems["department"] = "只能以本部门名义发布。"
    today = _today(now)
    published = data.published_on or today
    if published > today:
        problems["published_on"] = "发布日期不能晚于今天。"
    if problems:
        raise RequestInvalid(problems)
    assert data.department_id is not None
    entry = ColumnEntry.objects.create(
        category=data.category, title=title, body=body, link=link,
        department_id=data.department_id, published_on=published, created_by=user,
        created_at=now)
    audit_record(actor=actor_for(user), action="openness.column.add", obj=entry,
                 after={"category": entry.category, "title": title, "link": link,
                        "published_on": published.isoformat()})
    return entry


@transaction.atomic
def column_withdraw(*, pk: int, user: User, now: dt.datetime | None = None) -> ColumnEntry:
    """Take an entry off the column (kept, with when and by whom in the audit trail)."""
    entry = ColumnEntry.objects.select_for_update().get(
        pk=pk, department_id__in=officer_department_ids(user), withdrawn_at__isnull=True)
    entry.withdrawn_at = now or clock.now()
    entry.save(update_fields=["withdrawn_at"])
    audit_record(actor=actor_for(user), action="openness.column.withdraw", obj=entry,
                 before={"title": entry.title})
    return entry


def due_soon_tell(now: dt.datetime) -> int:
    """Warn the agency's officers of each request in progress whose answer is due within
    `WARN_WORKDAYS` working days (the official calendar; today not counted, the due day
    counted), once per due date: a due date moved later (an extension, a consultation) is
    warned of again when it nears. A sweep (`zhengwu sweep`), with an event on the timeline."""
    today = _today(now)
    calendar = calendar_get()
    told = 0
    # Five working days are at most a few weeks of calendar days (国庆, 春节); 31 is ample.
    pending = OpennessRequest.objects.filter(
        status=S.PROCESSING, due_on__gte=today,
        due_on__lte=today + dt.timedelta(days=31)).exclude(due_warned_for=F("due_on"))
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            row = OpennessRequest.objects.select_for_update().get(pk=pk)
            if (row.status != S.PROCESSING or row.due_on is None or row.due_on < today
                    or row.due_warned_for == row.due_on):
                continue
            remaining = calendar.workdays_between(today, row.due_on)
            if remaining > WARN_WORKDAYS:
                continue
            row.due_warned_for = row.due_on
            row.save(update_fields=["due_warned_for"])
            reason = (f"答复期限{row.due_on:%Y年%m月%d日}，剩余{remaining}个工作日"
                      if remaining else f"今天（{row.due_on:%Y年%m月%d日}）是答复期限的最后一天")
            RequestEvent.of_move(application=row, action="due_soon", before=row.status,
                                 after=row.status, actor=SYSTEM, reason=reason,
                                 data={"due_on": row.due_on.isoformat(),
                                       "workdays_left": remaining}, at=now).save()
            audit_record(actor=SYSTEM, action="openness.request.due_soon", obj=row,
                         reason=reason)
            notify(recipients=officers(row.department_id),
                   title=f"政府信息公开申请即将到期：{row.number}",
                   body=f"申请 {row.number} {reason}，请按期答复（政府信息公开条例第三十三条）。",
                   link=_staff_link(row), category="openness",
                   dedupe_key=f"openness:{row.pk}:due_soon:{row.due_on.isoformat()}")
            told += 1
    return told


def requests_recompute_provisional(year: int) -> int:
    """Compute again the provisional due dates of open requests once `year`'s official
    schedule is entered (a workdays.services.YEAR_ENTERED callback), each with its event."""
    changed = 0
    pending = OpennessRequest.objects.filter(
        status__in=[S.PROCESSING, S.SUPPLEMENT], due_provisional=True)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            row = OpennessRequest.objects.select_for_update().get(pk=pk)
            if not row.due_provisional or row.status not in (S.PROCESSING, S.SUPPLEMENT):
                continue
            before = row.due_on
            _due_recompute(row)
            row.save(update_fields=["due_on", "due_provisional"])
            data = {"old_due_on": before.isoformat() if before else None, **_dates(row)}
            reason = f"{year}年官方放假安排已录入，重新计算答复期限"
            RequestEvent.of_move(application=row, action="recompute_due", before=row.status,
                                 after=row.status, actor=SYSTEM, reason=reason,
                                 data=data).save()
            audit_record(actor=SYSTEM, action="openness.request.recompute_due", obj=row,
                         after=data, reason=reason)
            changed += 1
    return changed

"""Writes of 好差评: rating a service event (web, SMS token, API), and the moves of the 差评
rectification process (engine.transition), the contact read and the overdue sweep.

Rules held here, once:
- one rating per service event (the database's one-to-one, and a Conflict before it);
- only the person served rates, and only within the window after the service closed
  (rules.rate_until); anyone else finds no such event (404, quality.md #10);
- a 差评 (不满意/非常不满意) names at least one reason from the pack's code list, and opens
  its rectification, which the responsible department's 首席代表 is told of — without who
  rated (quality.md scorecard row 20);
- the SMS token is accepted once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from zhengwu.accounts.levels import RATE, level_refusal
from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock, idempotency
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from zhengwu.core.text import TextError, check_text
from zhengwu.evaluations import rules
from zhengwu.evaluations.events import token_hash
from zhengwu.evaluations.indicators import is_bad
from zhengwu.evaluations.models import (
    Channel,
    Complexity,
    ContactRead,
    InvalidKind,
    Invitation,
    Rating,
    Rectification,
    RectificationEvent,
    ServiceEvent,
)
from zhengwu.evaluations.models import RectificationStatus as S
from zhengwu.evaluations.selectors import rectification_visible_q
from zhengwu.evaluations.workflow import RECTIFICATION_TABLE, Role
from zhengwu.notifications.services import notify
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Process, Step
from zhengwu.workdays.selectors import calendar_get

TEXT_MAX = 500
RATER_LABEL = "评价人"  # how the rater appears on every record staff can read


@dataclass
class RatingIn:
    kind: str
    key: str
    level: int
    reasons: list[str] = field(default_factory=list)
    text: str = ""


def _clean(data: RatingIn) -> tuple[int, list[str], str]:
    if data.level not in rules.LEVELS:
        raise InvalidInput("请选择满意度（非常满意、满意、基本满意、不满意、非常不满意）。",
                           code="rating.level")
    known = rules.reasons()
    reasons = list(dict.fromkeys(data.reasons))
    unknown = [code for code in reasons if code not in known]
    if unknown:
        raise InvalidInput(f"未知的差评原因代码：{'、'.join(unknown)}。", code="rating.reason")
    if is_bad(data.level) and not reasons:
        raise InvalidInput("差评请至少选择一项原因，便于部门整改。", code="rating.reason_required")
    if not is_bad(data.level):
        reasons = []
    text = data.text.strip()
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"文字评价最多{TEXT_MAX}字。", code="rating.text")
    try:
        check_text(text, label="文字评价", multiline=True)
    except TextError as error:
        raise InvalidInput(error.message + "。", code="rating.text") from error
    return data.level, reasons, text


def event_for_rater(*, kind: str, key: str, user: User) -> ServiceEvent:
    """The service event `user` was served in; another's or none is absent (404)."""
    return ServiceEvent.objects.select_related("department").get(kind=kind, key=key,
                                                                 person=user)


def rateable_check(event: ServiceEvent, now: dt.datetime) -> None:
    """Conflict when the event is rated already or its window has closed."""
    if Rating.objects.filter(event=event).exists():
        raise Conflict("该服务已评价过，每次服务只能评价一次。", code="rating.already_rated")
    window_check(event, now)


def window_check(event: ServiceEvent, now: dt.datetime) -> None:
    if now > rules.rate_until(event.closed_at):
        raise Conflict(f"已超过评价期限（办结后{rules.window_days()}日内）。",
                       code="rating.window_closed")


def rater_actor(user: User | None) -> Actor:
    return Actor(user=user, label=RATER_LABEL, role=Role.RATER)


def _officers(department_id: int | None) -> list[User]:
    return [a.user for a in RoleAssignment.objects.filter(
        role=AccountRole.CHIEF_REPRESENTATIVE, department_id=department_id).select_related(
        "user")] if department_id is not None else []


def _reviewers() -> list[User]:
    return [a.user for a in RoleAssignment.objects.filter(
        role=AccountRole.SUPERVISOR).select_related("user")]


def _create(event: ServiceEvent, *, rater: User | None, level: int, reasons: list[str],
            text: str, channel: str, address: str | None, now: dt.datetime,
            key: str | None = None, digest: str = "") -> Rating:
    if Rating.objects.filter(event=event).exists():
        raise Conflict("该服务已评价过，每次服务只能评价一次。", code="rating.already_rated")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                event=event, rater=rater, level=level, reasons=reasons, text=text,
                channel=channel, rated_at=now, real_name=rater is not None,
                by_staff=bool(rater is not None and rater.is_staff), address=address or None,
                submitted_by=rater if key else None, idempotency_key=key or None,
                request_hash=digest)
    except IntegrityError as error:
        if key:  # the same key racing: the entry point asks again (core.idempotency)
            raise Conflict("同一 Idempotency-Key 的评价正在处理，请稍后查询。",
                           code="rating.idempotency_race") from error
        raise Conflict("该服务已评价过，每次服务只能评价一次。",
                       code="rating.already_rated") from error
    audit_record(actor=rater_actor(rater), action="evaluations.rate", obj=rating,
                 object_repr=f"{event.kind}评价#{rating.pk}",
                 after={"level": level, "reasons": reasons, "channel": channel})
    if is_bad(level):
        _rectification_open(rating, now)
    return rating


def _rectification_open(rating: Rating, now: dt.datetime) -> Rectification:
    event = rating.event
    row = Rectification.objects.create(rating=rating, department_id=event.department_id,
                                       created_at=now)
    RectificationEvent.of_move(rectification=row, action="open", before="", after=row.status,
                               actor=SYSTEM, reason="收到差评", at=now).save()
    audit_record(actor=SYSTEM, action="evaluations.rectification.open", obj=row,
                 after={"status": row.status})
    link = reverse("evaluations:staff_detail", args=[row.pk])
    notify(recipients=_officers(event.department_id) or _reviewers(),
           title=f"收到差评：{event.item_name}",
           body=f"“{event.item_name}”收到一条{rules.LEVELS[rating.level]}评价，请研判并按期整改。",
           link=link, category="evaluation", dedupe_key=f"rectification:{row.pk}:open")
    return row


@dataclass(frozen=True)
class Rated:
    rating: Rating
    created: bool  # False: the same Idempotency-Key and body again (the first rating)


@transaction.atomic
def rating_submit(*, user: User, data: RatingIn, channel: str = Channel.WEB,
                  address: str | None = None, idempotency_key: str | None = None) -> Rated:
    """Rate a service event as the person served (web page or API)."""
    refused = level_refusal(user, RATE)
    if refused is not None:
        raise NotAllowed(refused.message, code=refused.code)
    digest = idempotency.request_digest({"kind": data.kind, "key": data.key,
                                         "level": data.level, "reasons": data.reasons,
                                         "text": data.text})
    earlier = idempotency.replay(Rating.objects, submitted_by=user, key=idempotency_key,
                                 digest=digest, prefix="rating")
    if earlier is not None:
        return Rated(earlier, False)
    event = event_for_rater(kind=data.kind, key=data.key, user=user)
    now = clock.now()
    window_check(event, now)
    level, reasons, text = _clean(data)
    return Rated(_create(event, rater=user, level=level, reasons=reasons, text=text,
                         channel=channel, address=address, now=now, key=idempotency_key,
                         digest=digest), True)


def invitation_get(token: str) -> Invitation:
    """The invitation of an SMS link: absent (404) if unknown; a Conflict once used or late."""
    invitation = Invitation.objects.select_related("event").get(token_hash=token_hash(token))
    if invitation.used_at is not None or Rating.objects.filter(
            event=invitation.event).exists():
        raise Conflict("该评价链接已使用，每次服务只能评价一次。", code="rating.token_used")
    window_check(invitation.event, clock.now())
    return invitation


@transaction.atomic
def rating_by_token(*, token: str, data: RatingIn, address: str | None = None) -> Rating:
    """Rate through the SMS link, without signing in: the token stands for the person served
    and is accepted once."""
    invitation = Invitation.objects.select_for_update().get(token_hash=token_hash(token))
    invitation_get(token)
    event = invitation.event
    level, reasons, text = _clean(data)
    now = clock.now()
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    return _create(event, rater=event.person, level=level, reasons=reasons, text=text,
                   channel=Channel.SMS, address=address, now=now)


@transaction.atomic
def rating_at_pad(*, kind: str, key: str, data: RatingIn, address: str | None = None) -> Rating:
    """Rate at the window's rating pad (政务大厅平板电脑), right after the service: the pad
    stands for the person served (the hall decides which event it offers, hall.selectors
    .pad_ticket); once per event, within the window."""
    event = ServiceEvent.objects.select_for_update().get(kind=kind, key=key)
    now = clock.now()
    rateable_check(event, now)
    level, reasons, text = _clean(data)
    return _create(event, rater=event.person, level=level, reasons=reasons, text=text,
                   channel=Channel.PAD, address=address, now=now)


# --- the rectification process ------------------------------------------------------------


@dataclass
class MoveIn:
    action: str
    note: str = ""
    complexity: str = ""
    invalid_kind: str = ""
    workdays: int = 0
    level: int = 0


def _note(move: MoveIn, what: str) -> str:
    note = move.note.strip()
    if not note:
        raise InvalidInput(f"请填写{what}。", code="rectification.note_required")
    return note


def _deadlines(row: Rectification, move: MoveIn, now: dt.datetime) -> dict[str, Any]:
    if move.complexity not in Complexity.values:
        raise InvalidInput("请选择整改类型（简单：立行立改；复杂：限期整改）。",
                           code="rectification.complexity")
    calendar = calendar_get()
    row.complexity = move.complexity
    row.contact_due_at = calendar.deadline(now, rules.contact_workdays()).due
    row.rectify_due_at = calendar.deadline(now, rules.rectify_workdays(move.complexity)).due
    return {"complexity": move.complexity, "contact_due_at": row.contact_due_at.isoformat(),
            "rectify_due_at": row.rectify_due_at.isoformat()}


def _accept(row: Rectification, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    return _deadlines(row, move, attempt.now)


def _propose_invalid(row: Rectification, move: MoveIn, attempt: Attempt,
                     actor: Actor) -> dict[str, Any]:
    if move.invalid_kind not in InvalidKind.values:
        raise InvalidInput("请选择无效类型（误评或恶意差评）。", code="rectification.invalid_kind")
    row.invalid_kind, row.invalid_reason = move.invalid_kind, _note(move, "认定理由")
    row.proposed_by = attempt.user
    return {"invalid_kind": move.invalid_kind}


def _tell_rater(row: Rectification, title: str, body: str, key: str) -> None:
    rater = row.rating.rater
    if rater is not None:
        notify(recipients=[rater], title=title, body=body, link=reverse("evaluations:mine"),
               category="evaluation", dedupe_key=f"rectification:{row.pk}:{key}")


def _confirm_invalid(row: Rectification, move: MoveIn, attempt: Attempt,
                     actor: Actor) -> dict[str, Any]:
    row.confirmed_by, row.invalid_at = attempt.user, attempt.now
    _tell_rater(row, "您的评价被认定为无效差评",
                f"经两级复核，您对“{row.rating.event.item_name}”的评价被认定为"
                f"{InvalidKind(row.invalid_kind).label}：{row.invalid_reason}。如有异议，可在"
                f"{rules.appeal_days()}日内在“我的评价”中申诉。", "invalid")
    return {}


def _reject_invalid(row: Rectification, move: MoveIn, attempt: Attempt,
                    actor: Actor) -> dict[str, Any]:
    note = _note(move, "复核意见")
    row.invalid_kind, row.invalid_reason, row.proposed_by = "", "", None
    return {"note": note}


def _appeal(row: Rectification, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    row.appeal_text, row.appealed_at = _note(move, "申诉理由"), attempt.now
    notify(recipients=_reviewers(), title="无效差评申诉待复核",
           body=f"评价人对“{row.rating.event.item_name}”差评的无效认定提出申诉，请复核。",
           link=reverse("evaluations:staff_detail", args=[row.pk]), category="evaluation",
           dedupe_key=f"rectification:{row.pk}:appeal")
    return {}


def _uphold_appeal(row: Rectification, move: MoveIn, attempt: Attempt,
                   actor: Actor) -> dict[str, Any]:
    data = _deadlines(row, move, attempt.now)
    row.appeal_outcome, row.invalid_at = "upheld", None
    _tell_rater(row, "您的申诉成立", f"您对“{row.rating.event.item_name}”的差评申诉成立，"
                "责任部门将联系您并整改。", "upheld")
    return data


def _dismiss_appeal(row: Rectification, move: MoveIn, attempt: Attempt,
                    actor: Actor) -> dict[str, Any]:
    note = _note(move, "驳回理由")
    row.appeal_outcome = "dismissed"
    _tell_rater(row, "您的申诉未获支持", f"您对“{row.rating.event.item_name}”的差评申诉经复核"
                f"未获支持：{note}", "dismissed")
    return {"note": note}


def _contact(row: Rectification, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    row.contact_note, row.contacted_at = _note(move, "联系情况"), attempt.now
    return {"on_time": row.contact_due_at is None or attempt.now <= row.contact_due_at}


def _request_extension(row: Rectification, move: MoveIn, attempt: Attempt,
                       actor: Actor) -> dict[str, Any]:
    most = rules.extension_max_workdays()
    if not 1 <= move.workdays <= most:
        raise InvalidInput(f"延期天数应为1至{most}个工作日。", code="rectification.workdays")
    row.extension_reason = _note(move, "延期理由")
    row.extension_workdays, row.extension_state = move.workdays, "requested"
    notify(recipients=_reviewers(), title="差评整改延期待审批",
           body=f"“{row.rating.event.item_name}”差评整改申请延期{move.workdays}个工作日。",
           link=reverse("evaluations:staff_detail", args=[row.pk]), category="evaluation",
           dedupe_key=f"rectification:{row.pk}:extension")
    return {"workdays": move.workdays}


def _approve_extension(row: Rectification, move: MoveIn, attempt: Attempt,
                       actor: Actor) -> dict[str, Any]:
    assert row.rectify_due_at is not None
    before = row.rectify_due_at
    row.rectify_due_at = calendar_get().deadline(before, row.extension_workdays).due
    row.extension_state, row.warned_at, row.escalated_at = "approved", None, None
    return {"old_due_at": before.isoformat(), "rectify_due_at": row.rectify_due_at.isoformat()}


def _refuse_extension(row: Rectification, move: MoveIn, attempt: Attempt,
                      actor: Actor) -> dict[str, Any]:
    row.extension_state = "refused"
    return {"note": _note(move, "不予批准的理由")}


def _rectify(row: Rectification, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    row.rectify_note, row.rectified_at = _note(move, "整改情况"), attempt.now
    return {"on_time": row.rectify_due_at is None or attempt.now <= row.rectify_due_at}


def _callback(row: Rectification, move: MoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    if move.level not in rules.LEVELS:
        raise InvalidInput("请登记评价人对整改的满意度。", code="rectification.callback_level")
    row.callback_level, row.callback_at = move.level, attempt.now
    row.callback_note = _note(move, "回访情况")
    return {"callback_level": move.level}


def _request_change(row: Rectification, move: MoveIn, attempt: Attempt,
                    actor: Actor) -> dict[str, Any]:
    """The catalogue has no change-request object (its drafts are changes made by the 审改办
    itself): the request is this event, its audit row and a message to the catalogue admins."""
    note = _note(move, "变更建议")
    row.change_requested_at = attempt.now
    event = row.rating.event
    admins = [a.user for a in RoleAssignment.objects.filter(
        role=AccountRole.CATALOG_ADMIN).select_related("user")]
    notify(recipients=admins, title=f"事项变更建议：{event.item_name}",
           body=f"根据差评整改，建议修改事项“{event.item_name}”（{event.item_code}）：{note}",
           category="evaluation", dedupe_key=f"rectification:{row.pk}:change")
    return {"item_code": event.item_code, "note": note}


def _lock(pk: int, user: User | None) -> Rectification:
    rows = Rectification.objects.all()
    if user is not None:
        rows = rows.filter(rectification_visible_q(user))
    return rows.select_for_update(of=("self",)).select_related("rating__event").get(pk=pk)


def _actor(user: User | None, row: Rectification, role: str, subject: Any) -> Actor:
    if role == Role.RATER or user is None:
        return rater_actor(user) if user is not None else SYSTEM
    base = actor_for(user)
    return Actor(user=user, label=base.label, role=role, department_id=base.department_id,
                 department_label=base.department_label)


def _record(row: Rectification, step: Step) -> None:
    RectificationEvent.of_move(rectification=row, action=step.action, before=step.before,
                               after=row.status, actor=step.actor, reason=step.reason,
                               data=step.data, at=step.at).save()
    audit_record(actor=step.actor, action=f"evaluations.rectification.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


def _text_check(move: MoveIn) -> None:
    try:
        check_text(move.note, label="说明", multiline=True)
    except TextError as error:
        raise InvalidInput(error.message + "。", code="rectification.text") from error


RECTIFICATION_PROCESS: Process[Rectification, MoveIn] = Process(
    table=RECTIFICATION_TABLE, handlers={
        "accept": _accept, "propose_invalid": _propose_invalid,
        "confirm_invalid": _confirm_invalid, "reject_invalid": _reject_invalid,
        "appeal": _appeal, "uphold_appeal": _uphold_appeal, "dismiss_appeal": _dismiss_appeal,
        "contact": _contact, "request_extension": _request_extension,
        "approve_extension": _approve_extension, "refuse_extension": _refuse_extension,
        "rectify": _rectify, "callback": _callback, "request_change": _request_change},
    lock=_lock, actor=_actor, record=_record, reason_of=lambda move: move.note.strip(),
    action_of=lambda move: move.action, text_check=_text_check,
    role_order=(Role.OFFICER, Role.REVIEWER, Role.RATER))


@transaction.atomic
def rectification_move(*, pk: int, user: User | None, move: MoveIn,
                       now: dt.datetime | None = None) -> Rectification:
    return engine.transition(RECTIFICATION_PROCESS, pk, user, move, now=now)


@dataclass(frozen=True)
class Contact:
    service: str  # e.g. 办件 2026…
    name: str
    phone: str


CONTACT_STATES = frozenset({S.CONTACTING, S.RECTIFYING, S.CALLBACK, S.CLOSED})


def contact_refusal(user: User, row: Rectification) -> DomainError | None:
    """Why `user` may not read the rater's contact now (None: they may): only the
    rectification officer, and only once the 差评 is being handled as valid."""
    if Role.OFFICER not in RECTIFICATION_TABLE.roles_on(user, row):
        return NotAllowed("只有整改责任人（责任部门首席代表）可以查看评价人联系方式。",
                          code="rectification.contact_forbidden")
    if row.status not in CONTACT_STATES:
        return Conflict("认定为有效差评后才能查看评价人联系方式。",
                        code="rectification.contact_not_yet")
    return None


@transaction.atomic
def contact_read(*, pk: int, user: User, purpose: str = "差评回访") -> Contact:
    """The rater's contact for the rectification officer only (the 首席代表 of the
    department, while the 差评 is being handled): each read is logged as a read of personal
    data (ContactRead, quality.md #8) and audited. Others: absent (404) or refused (403)."""
    row = Rectification.objects.filter(rectification_visible_q(user)).select_related(
        "rating__event", "rating__rater").get(pk=pk)
    refused = contact_refusal(user, row)
    if refused is not None:
        raise refused
    actor = actor_for(user)
    ContactRead.objects.create(rectification=row, user=user,
                               department_label=actor.department_label, purpose=purpose[:40],
                               at=clock.now())
    audit_record(actor=actor, action="evaluations.contact_read", obj=row, reason=purpose)
    event, rater = row.rating.event, row.rating.rater
    return Contact(service=f"{event.kind}:{event.key}",
                   name=(rater.display_name if rater is not None else "") or "",
                   phone=event.contact_phone or (rater.phone or "" if rater else ""))


# --- the sweep ----------------------------------------------------------------------------


def _flag(row: Rectification, field_name: str, action: str, reason: str,
          now: dt.datetime) -> None:
    setattr(row, field_name, now)
    row.save(update_fields=[field_name])
    RectificationEvent.of_move(rectification=row, action=action, before=row.status,
                               after=row.status, actor=SYSTEM, reason=reason, at=now).save()
    audit_record(actor=SYSTEM, action=f"evaluations.rectification.{action}", obj=row,
                 reason=reason)


def rectifications_sweep(now: dt.datetime) -> tuple[int, int]:
    """Overdue is computed here, on the server: warn the officer once when the rectification
    has one working day left (the yellow card's threshold); when contact or rectification
    is overdue, tell the officer and escalate to 电子监察, once each. Idempotent."""
    from zhengwu.cases.caseclock import yellow_threshold
    from zhengwu.cases.deadlines import remaining_workdays

    calendar, threshold = calendar_get(), yellow_threshold()
    warned = escalated = 0
    open_rows = Rectification.objects.filter(status__in=[S.CONTACTING, S.RECTIFYING])
    for pk in open_rows.values_list("pk", flat=True):
        with transaction.atomic():
            row = Rectification.objects.select_for_update().select_related(
                "rating__event").get(pk=pk)
            if row.status not in (S.CONTACTING, S.RECTIFYING):
                continue
            item = row.rating.event.item_name
            link = reverse("evaluations:staff_detail", args=[row.pk])
            if (row.status == S.CONTACTING and row.contact_due_at is not None
                    and now > row.contact_due_at and row.contact_escalated_at is None):
                _flag(row, "contact_escalated_at", "escalate_contact",
                      "超过联系评价人期限", now)
                notify(recipients=_officers(row.department_id) + _reviewers(),
                       title=f"差评未按期联系评价人：{item}",
                       body=f"“{item}”差评未在{rules.contact_workdays()}个工作日内联系评价人，已督办。",
                       link=link, category="evaluation",
                       dedupe_key=f"rectification:{row.pk}:contact_overdue")
                escalated += 1
            due = row.rectify_due_at
            if due is None:
                continue
            if now > due and row.escalated_at is None:
                _flag(row, "escalated_at", "escalate", "超过整改期限", now)
                notify(recipients=_officers(row.department_id) + _reviewers(),
                       title=f"差评整改已逾期：{item}",
                       body=f"“{item}”差评整改已超过期限，已升级督办。",
                       link=link, category="evaluation",
                       dedupe_key=f"rectification:{row.pk}:overdue:{due.isoformat()}")
                escalated += 1
            elif (now <= due and row.warned_at is None
                  and remaining_workdays(calendar, now, due) <= threshold):
                _flag(row, "warned_at", "warn", "整改期限即将届满", now)
                notify(recipients=_officers(row.department_id),
                       title=f"差评整改即将到期：{item}",
                       body=f"“{item}”差评整改期限即将届满，请按期完成整改。",
                       link=link, category="evaluation",
                       dedupe_key=f"rectification:{row.pk}:warn:{due.isoformat()}")
                warned += 1
    return warned, escalated

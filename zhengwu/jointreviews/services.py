"""Writes of joint reviews [16][20]: one function per use case, one transaction each, with the
session's event row, the audit row and the notifications (outbox) in the same transaction, so
a refused request leaves nothing half-written (quality.md #3, #6).

Every write locks the session row first, so an answer, the lead department's close and the
deadline sweep never interleave on one session. The rules of the combined result and of the
deadline are in jointreviews.workflow and ADR 0008.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.accounts.services import actor_for
from zhengwu.cases.access import case_queryset_for
from zhengwu.core import clock, numbering
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.jointreviews import workflow
from zhengwu.jointreviews.access import Role, represented_departments, review_queryset_for
from zhengwu.jointreviews.models import (
    AbsenceKind,
    JointReview,
    JointReviewAbsence,
    JointReviewEvent,
    JointReviewParticipant,
    Opinion,
    ReviewKind,
)
from zhengwu.jointreviews.workflow import local
from zhengwu.notifications.services import notify
from zhengwu.notifications.tasks import deliver_outbox
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Process, Step
from zhengwu.workdays.calendar import SHANGHAI
from zhengwu.workdays.selectors import calendar_get

MAX_DEPARTMENTS = 50
MAX_TEXT = 5000
MAX_WORKDAYS = Decimal(60)
# How far ahead a session and its deadline may be: bounds the calendar arithmetic too.
MAX_AHEAD = dt.timedelta(days=731)
MAX_ANSWER_WINDOW = dt.timedelta(days=366)
BUNDLE_NUMBER = re.compile(r"[0-9A-Za-z-]{1,32}")
CASE_NUMBER = re.compile(r"\d{1,32}")
CATEGORY = "joint_review"
# The kind mark of a 联合审查意见's 文号: 耒政服联审〔2026〕3号.
RESULT_MARK = "联审"
ANSWERS = (Opinion.AGREE, Opinion.CONDITIONAL, Opinion.DISAGREE)


@dataclass(frozen=True)
class ScheduleIn:
    """What the lead department fixes when it schedules a session. The answer deadline is
    either a moment (`answer_due_at`) or a number of working days after the session day
    (`answer_workdays`, whole or half days, on the official calendar) — exactly one."""

    kind: str
    title: str
    lead_department_id: int
    required_department_ids: Sequence[int]
    place: str
    starts_at: dt.datetime
    optional_department_ids: Sequence[int] = ()
    answer_due_at: dt.datetime | None = None
    answer_workdays: Decimal | None = None
    description: str = ""
    case_number: str = ""
    bundle_number: str = ""


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment, SHANGHAI) if timezone.is_naive(moment) else moment


def _text(value: str, label: str, code: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", code=code)
    if len(value) > limit:
        raise InvalidInput(f"{label}过长（最多{limit}字）。", code=code)
    return value


def _unique_ids(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ids))


def _event(review: JointReview, *, action: str, before: str, actor: Actor, now: dt.datetime,
           department: Department | None = None, reason: str = "",
           data: dict[str, Any] | None = None) -> JointReviewEvent:
    event = JointReviewEvent.of_move(review=review, department=department, action=action,
                                     before=before, after=review.status, actor=actor,
                                     reason=reason, data=data, at=now)
    event.save(force_insert=True)
    after: dict[str, Any] = {"status": review.status, **(data or {})}
    if department is not None:
        after["department"] = department.name
    audit_record(actor=actor, action=f"jointreviews.{action}", obj=review,
                 before={"status": before}, after=after, reason=reason)
    return event


def _staff_of(department_ids: Iterable[int]) -> dict[int, list[User]]:
    """The reviewers and chief representatives of each department: who is told."""
    people: dict[int, list[User]] = {}
    for assignment in RoleAssignment.objects.filter(
            role__in=[AccountRole.REVIEWER, AccountRole.CHIEF_REPRESENTATIVE],
            department_id__in=list(department_ids), user__is_active=True
    ).select_related("user").order_by("id"):
        if assignment.department_id is not None:
            people.setdefault(assignment.department_id, []).append(assignment.user)
    return people


def deliver_soon() -> None:
    """Deliver the queued messages promptly after commit; the periodic sweep retries
    whatever this misses."""
    transaction.on_commit(deliver_outbox.enqueue)


@dataclass
class ReviewMoveIn:
    """One move on a session: `department_id` is the invited department a move of a party
    (attend, answer, default) is about."""

    action: str
    department_id: int | None = None
    opinion: str = ""
    conditions: str = ""
    reasons: str = ""
    attended: bool | None = None
    note: str = ""


def _lock(review_id: int, user: User | None) -> JointReview:
    """The session, locked for this transaction, with its participants (the guards read
    them); one the user may not see is a 404."""
    reviews = review_queryset_for(user) if user is not None else JointReview.objects.all()
    return reviews.select_related("lead_department").select_for_update(
        of=("self",)).prefetch_related(Prefetch(
            "participants", queryset=JointReviewParticipant.objects.select_related(
                "department").order_by("id"))).get(pk=review_id)


def _party(review: JointReview, move: ReviewMoveIn) -> JointReviewParticipant:
    return next(p for p in review.participants.all() if p.department_id == move.department_id)


def _actor(user: User | None, review: JointReview, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    department = next((p.department for p in review.participants.all()
                       if p.department_id == subject), None) \
        if role == Role.PARTICIPANT else review.lead_department
    return actor_for(user, role=role, department=department or review.lead_department)


def _record(review: JointReview, step: Step) -> None:
    department = next((p.department for p in review.participants.all()
                       if p.department_id == step.subject), None)
    _event(review, action=step.action, before=step.before, actor=step.actor,
           now=step.at or clock.now(),
           department=department, reason=step.reason, data=step.data)


# --- schedule -------------------------------------------------------------------------------


def _answer_deadline(data: ScheduleIn, starts_at: dt.datetime
                     ) -> tuple[dt.datetime, Decimal | None, bool]:
    if (data.answer_due_at is None) == (data.answer_workdays is None):
        raise InvalidInput("请指定答复截止时间，或答复时限（工作日），二者选一。",
                           code="joint_review.deadline_required")
    if data.answer_workdays is not None:
        try:
            days = Decimal(data.answer_workdays)
        except (InvalidOperation, TypeError, ValueError) as error:
            raise InvalidInput("答复时限应为工作日数。", code="joint_review.workdays") from error
        if not days.is_finite() or days <= 0 or days > MAX_WORKDAYS or (days * 2) % 1:
            raise InvalidInput(f"答复时限应为 0.5 到 {MAX_WORKDAYS} 个工作日（整天或半天）。",
                               code="joint_review.workdays")
        deadline = calendar_get().deadline(starts_at, days)
        return deadline.due, days, deadline.provisional
    assert data.answer_due_at is not None
    due = _aware(data.answer_due_at)
    if due <= starts_at:
        raise InvalidInput("答复截止时间应晚于会议时间。", code="joint_review.deadline_before_session")
    if due - starts_at > MAX_ANSWER_WINDOW:
        raise InvalidInput("答复截止时间不能晚于会议后一年。", code="joint_review.deadline_too_far")
    return due, None, False


@transaction.atomic
def joint_review_schedule(*, user: User, data: ScheduleIn) -> JointReview:
    """安排联合踏勘、联合审图或联合验收: the lead department invites the departments, fixes the
    place, the time and the answer deadline; every invited department's staff are told."""
    if data.kind not in ReviewKind.values:
        raise InvalidInput("联合审查类型无效：应为联合踏勘、联合审图或联合验收。",
                           code="joint_review.kind")
    title = _text(data.title, "项目名称", "joint_review.title", required=True, limit=200)
    place = _text(data.place, "地点", "joint_review.place", required=True, limit=200)
    description = _text(data.description, "审查内容", "joint_review.description",
                        required=False)
    lead = Department.objects.filter(pk=data.lead_department_id).first()
    if lead is None:
        raise InvalidInput("牵头部门不存在：牵头部门必须是平台登记的部门。",
                           code="joint_review.lead_department")
    if lead.pk not in represented_departments(user):
        raise NotAllowed("只有牵头部门的审批人员或首席代表可以安排联合审查。",
                         code="joint_review.forbidden")
    required = _unique_ids(data.required_department_ids)
    optional = _unique_ids(data.optional_department_ids)
    if not required:
        raise InvalidInput("请至少选择一个必须参加的部门。", code="joint_review.no_required")
    if set(required) & set(optional):
        raise InvalidInput("同一部门不能既是必须参加又是列席部门。",
                           code="joint_review.duplicate_department")
    if len(required) + len(optional) > MAX_DEPARTMENTS:
        raise InvalidInput(f"参加部门过多（最多{MAX_DEPARTMENTS}个）。",
                           code="joint_review.too_many_departments")
    departments = Department.objects.in_bulk(required + optional)
    unknown = [str(i) for i in required + optional if i not in departments]
    if unknown:
        raise InvalidInput("以下部门不存在：" + "、".join(unknown[:10]),
                           code="joint_review.unknown_department")
    now = clock.now()
    starts_at = _aware(data.starts_at)
    if starts_at <= now:
        raise InvalidInput("会议时间应晚于当前时间。", code="joint_review.session_in_past")
    if starts_at - now > MAX_AHEAD:
        raise InvalidInput("会议时间不能晚于两年后。", code="joint_review.session_too_far")
    due, workdays, provisional = _answer_deadline(data, starts_at)
    case = None
    if data.case_number.strip():
        number = data.case_number.strip()
        case = case_queryset_for(user).filter(number=number).first() \
            if CASE_NUMBER.fullmatch(number) else None
        if case is None:
            raise InvalidInput("关联办件不存在，或您无权查看。", code="joint_review.unknown_case")
    bundle_number = data.bundle_number.strip()
    if bundle_number and not BUNDLE_NUMBER.fullmatch(bundle_number):
        raise InvalidInput("一件事编号应为 1–32 位字母、数字或连字符。",
                           code="joint_review.bundle_number")

    year = now.astimezone(SHANGHAI).year
    review = JointReview.objects.create(
        number=numbering.joint_review_number(year), kind=data.kind,
        title=title, description=description, lead_department=lead, place=place,
        starts_at=starts_at, answer_due_at=due, answer_workdays=workdays,
        due_provisional=provisional, case=case, bundle_number=bundle_number,
        scheduled_by=user)
    JointReviewParticipant.objects.bulk_create(
        [JointReviewParticipant(review=review, department=departments[i], required=True)
         for i in required]
        + [JointReviewParticipant(review=review, department=departments[i], required=False)
           for i in optional])
    _event(review, action="schedule", before="", now=now,
           actor=actor_for(user, role=Role.LEAD.value, department=lead),
           data={"kind": review.kind, "starts_at": starts_at.isoformat(),
                 "answer_due_at": due.isoformat(), "place": place,
                 "required": [departments[i].name for i in required],
                 "optional": [departments[i].name for i in optional],
                 "case": case.number if case else "", "bundle": bundle_number})
    kind = ReviewKind(review.kind).label
    staff = _staff_of(required + optional)
    for department_id in required + optional:
        role = "必须参加" if department_id in required else "列席"
        notify(recipients=staff.get(department_id, []), title=f"{kind}邀请：{title}",
               body=f"{lead.name}邀请贵部门（{role}）参加{kind}：{title}。时间 {local(starts_at)}，"
                    f"地点 {place}。请于 {local(due)} 前签到并出具意见；必须参加的部门逾期未答复的，"
                    "视为无意见（缺席默认），并记入部门记录。",
               link=review.get_absolute_url(), category=CATEGORY,
               dedupe_key=f"jointreview:{review.pk}:invite:{department_id}")
    deliver_soon()
    return review


# --- the moves --------------------------------------------------------------------------------


def _attend(review: JointReview, move: ReviewMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    participant = _party(review, move)
    participant.attended = True
    participant.save(update_fields=["attended"])
    return {}


def _answer(review: JointReview, move: ReviewMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    participant = _party(review, move)
    opinion = move.opinion
    if opinion not in ANSWERS:
        raise InvalidInput("意见应为同意、有条件同意或不同意。", code="joint_review.opinion")
    conditions = _text(move.conditions, "同意的条件", "joint_review.conditions",
                       required=opinion == Opinion.CONDITIONAL)
    reasons = _text(move.reasons, "不同意的理由", "joint_review.reasons",
                    required=opinion == Opinion.DISAGREE)
    if move.attended and attempt.now < review.starts_at:
        raise InvalidInput("会议尚未开始，不能登记为到场；可先出具书面意见。",
                           code="joint_review.not_started")
    if move.attended is False and participant.attended:
        raise InvalidInput("本部门已签到，不能登记为未到场。", code="joint_review.attendance")
    if move.attended is not None:
        participant.attended = move.attended
    participant.opinion = opinion
    participant.conditions = conditions if opinion == Opinion.CONDITIONAL else ""
    participant.reasons = reasons if opinion == Opinion.DISAGREE else ""
    participant.answered_at, participant.answered_by = attempt.now, attempt.user
    participant.save(update_fields=["attended", "opinion", "conditions", "reasons",
                                    "answered_at", "answered_by"])
    return {"opinion": opinion, "attended": participant.attended}


def _default(review: JointReview, move: ReviewMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    """缺席默认: a silent required department is recorded as "no objection", with a
    JointReviewAbsence against it, and told."""
    participant = _party(review, move)
    participant.opinion, participant.defaulted = Opinion.NO_OBJECTION, True
    participant.save(update_fields=["opinion", "defaulted"])
    kind = AbsenceKind.NO_OPINION if participant.attended else AbsenceKind.ABSENT
    JointReviewAbsence.objects.bulk_create([JointReviewAbsence(
        review=review, participant=participant, department=participant.department, kind=kind,
        due_at=review.answer_due_at, recorded_at=attempt.now)], ignore_conflicts=True)
    notify(recipients=_staff_of([participant.department_id]).get(participant.department_id, []),
           title=f"逾期未答复，视为无意见：{review.title}",
           body=f"贵部门未在 {local(review.answer_due_at)} 前就{review.get_kind_display()}"
                f"“{review.title}”（{review.number}）出具意见，依缺席默认规则视为无意见，"
                "并已记入部门记录。",
           link=review.get_absolute_url(), category=CATEGORY,
           dedupe_key=f"jointreview:{review.pk}:default:{participant.department_id}")
    return {"opinion": Opinion.NO_OBJECTION, "absence": kind}


def _conclude(review: JointReview, move: ReviewMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    """出具联合审查意见: the combined outcome, a document number of the lead department, and a
    message to the lead department's staff."""
    participants = list(review.participants.all())
    review.outcome = workflow.combined_outcome([p.opinion for p in participants if p.opinion])
    year = attempt.now.astimezone(SHANGHAI).year
    review.result_number = numbering.document_number(
        review.lead_department.document_prefix, RESULT_MARK, year)
    review.concluded_at, review.conclusion_note = attempt.now, move.note
    notify(recipients=_staff_of([review.lead_department_id]).get(review.lead_department_id, []),
           title=f"联合审查意见已出具：{review.title}",
           body=f"{review.get_kind_display()}“{review.title}”（{review.number}）的联合审查意见"
                f"已出具，结论：{review.get_outcome_display()}（{review.result_number}）。",
           link=review.get_absolute_url(), category=CATEGORY,
           dedupe_key=f"jointreview:{review.pk}:concluded")
    return {"outcome": review.outcome, "result_number": review.result_number,
            "opinions": {p.department.name: p.opinion for p in participants if p.opinion}}


def _cancel(review: JointReview, move: ReviewMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    staff = _staff_of(p.department_id for p in review.participants.all())
    notify(recipients=[u for users in staff.values() for u in users],
           title=f"联合审查已取消：{review.title}",
           body=f"{review.lead_department.name}已取消{review.get_kind_display()}“{review.title}”"
                f"（{review.number}）：{move.note}",
           link=review.get_absolute_url(), category=CATEGORY,
           dedupe_key=f"jointreview:{review.pk}:cancelled")
    return {}


JOINT_REVIEW_PROCESS: Process[JointReview, ReviewMoveIn] = Process(
    table=workflow.JOINT_REVIEW_TABLE, lock=_lock, actor=_actor, record=_record,
    handlers={"attend": _attend, "answer": _answer, "default": _default,
              "conclude": _conclude, "cancel": _cancel},
    reason_of=lambda move: move.conditions or move.reasons or move.note,
    action_of=lambda move: move.action, subject_of=lambda move: move.department_id,
    role_order=(Role.PARTICIPANT, Role.LEAD, Role.SYSTEM))


def _move(review_id: int, user: User | None, move: ReviewMoveIn,
          now: dt.datetime | None = None) -> JointReview:
    return engine.transition(JOINT_REVIEW_PROCESS, review_id, user, move, now=now)


# --- a department answers -------------------------------------------------------------------


@transaction.atomic
def participant_attend(*, user: User, review_id: int, department_id: int) -> JointReview:
    """到场签到: the department was at the session (from its start until the deadline)."""
    return _move(review_id, user, ReviewMoveIn(action="attend", department_id=department_id))


@transaction.atomic
def participant_answer(*, user: User, review_id: int, department_id: int, opinion: str,
                       conditions: str = "", reasons: str = "",
                       attended: bool | None = None) -> JointReview:
    """出具意见: 同意, 有条件同意 (with its conditions) or 不同意 (with its reasons), once, by the
    deadline. `attended` records whether the department was at the session (None: leave as
    recorded). The last required answer issues the combined result at once."""
    now = clock.now()
    concluded = False

    def moves(review: JointReview) -> Iterator[ReviewMoveIn | engine.By[ReviewMoveIn]]:
        # One lock (engine.transitions): the result is weighed on the session as the
        # answer left it, and issued by the platform.
        nonlocal concluded
        yield ReviewMoveIn(action="answer", department_id=department_id, opinion=opinion,
                           conditions=conditions, reasons=reasons, attended=attended)
        if engine.refusal(workflow.JOINT_REVIEW_TABLE, review, None, "conclude",
                          now=now) is None:
            concluded = True
            yield engine.By(None, ReviewMoveIn(action="conclude"))

    review = engine.transitions(JOINT_REVIEW_PROCESS, review_id, user, moves, now=now)
    if concluded:
        deliver_soon()
    return review


# --- the deadline and the combined result ------------------------------------------------


def deadline_close(review_id: int, *, now: dt.datetime, user: User | None = None,
                   note: str = "") -> tuple[JointReview, int]:
    """Inside the caller's transaction, after the answer deadline: default every silent
    required department (缺席默认) and issue the combined result — as the platform (the
    sweep) or as the lead department. Returns the session and how many were defaulted.

    One lock for all the moves (engine.transitions): the silent departments are read from
    the session as locked, and each move is checked against it as the previous one left it."""
    silent: list[int] = []

    def moves(review: JointReview) -> list[ReviewMoveIn]:
        silent.extend(p.department_id for p in review.participants.all()
                      if p.required and not p.opinion)
        return [*(ReviewMoveIn(action="default", department_id=department_id)
                  for department_id in silent), ReviewMoveIn(action="conclude", note=note)]

    review = engine.transitions(JOINT_REVIEW_PROCESS, review_id, user, moves, now=now)
    return review, len(silent)


@transaction.atomic
def joint_review_close(*, user: User, review_id: int, note: str = "") -> JointReview:
    """The lead department issues the combined result without waiting for the sweep. Before
    the deadline every required department must have answered (a department's time is never
    cut short); after it, the silent ones are defaulted here exactly as the sweep would."""
    note = _text(note, "说明", "joint_review.note", required=False)
    review, _ = deadline_close(review_id, now=clock.now(), user=user, note=note)
    deliver_soon()
    return review


@transaction.atomic
def joint_review_cancel(*, user: User, review_id: int, reason: str) -> JointReview:
    """取消: the lead department calls the session off before the result, with a reason; the
    invited departments are told. No department is defaulted."""
    reason = _text(reason, "取消理由", "joint_review.reason", required=True)
    review = _move(review_id, user, ReviewMoveIn(action="cancel", note=reason))
    deliver_soon()
    return review

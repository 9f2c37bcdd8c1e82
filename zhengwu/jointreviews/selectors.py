"""Reads of joint reviews, always through the access-scoped queryset (jointreviews.access)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    Prefetch,
    Q,
    QuerySet,
    When,
    prefetch_related_objects,
)

from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.jointreviews import workflow
from zhengwu.jointreviews.access import (
    Role,
    is_supervisor,
    represented_departments,
    review_queryset_for,
    roles_on,
)
from zhengwu.jointreviews.models import (
    JointReview,
    JointReviewAbsence,
    JointReviewEvent,
    JointReviewParticipant,
    Opinion,
    ReviewStatus,
)
from zhengwu.process import engine


def review_get(*, user: User, review_id: int) -> JointReview:
    """One session the user may see; one they may not is a DoesNotExist (404)."""
    return review_queryset_for(user).select_related("scheduled_by").get(pk=review_id)


def review_list(*, user: User, status: str | None = None, kind: str | None = None,
                q: str | None = None) -> QuerySet[JointReview]:
    """我的联合审查: the sessions of the user's departments (all, for supervisors), the
    open ones with the nearest deadline first, then the rest newest first."""
    reviews = review_queryset_for(user)
    if status:
        reviews = reviews.filter(status=status)
    if kind:
        reviews = reviews.filter(kind=kind)
    if q:
        reviews = reviews.filter(Q(number__startswith=q) | Q(title__contains=q))
    open_due = Case(When(status=ReviewStatus.SCHEDULED, then=F("answer_due_at")), default=None,
                    output_field=DateTimeField())
    return reviews.alias(open_due=open_due).order_by(F("open_due").asc(nulls_last=True),
                                                     "-starts_at", "-id")


def review_participants(review: JointReview) -> list[JointReviewParticipant]:
    """The session's invited departments, read once and kept on `review`: the workflow's
    guards (what the viewer may do) read them from there, not once per department."""
    prefetch_related_objects([review], Prefetch(
        "participants", queryset=JointReviewParticipant.objects.select_related(
            "department", "answered_by").order_by("id")))
    return list(review.participants.all())


def review_timeline(review: JointReview) -> QuerySet[JointReviewEvent]:
    return review.events.select_related("department").order_by("id")


@dataclass(frozen=True)
class Progress:
    required: int
    answered: int  # required departments that answered themselves
    defaulted: int  # required departments recorded as no objection (缺席默认)
    pending: int  # required departments still awaited

    @property
    def complete(self) -> bool:
        return self.pending == 0


def review_progress(participants: list[JointReviewParticipant]) -> Progress:
    required = [p for p in participants if p.required]
    defaulted = sum(1 for p in required if p.defaulted)
    answered = sum(1 for p in required if p.opinion and not p.defaulted)
    return Progress(len(required), answered, defaulted, len(required) - answered - defaulted)


# The moves a department makes on a session for itself, in the page's order.
DEPARTMENT_MOVES = ("attend", "answer")


@dataclass(frozen=True)
class Abilities:
    """What the viewer may do on one session, for pages and the API."""

    lead: bool
    departments: list[int]  # invited departments the viewer answers for
    can_close: bool
    can_cancel: bool
    # What the viewer may do for each of those departments now ("attend", "answer").
    moves: dict[int, list[str]] = field(default_factory=dict)


def review_abilities(*, user: User, review: JointReview,
                     participants: list[JointReviewParticipant], now: dt.datetime
                     ) -> Abilities:
    """What the viewer may do, by the process engine's one predicate (ADR 0013): the same
    guards the services check, so a page never offers a move that is then refused."""
    table = workflow.JOINT_REVIEW_TABLE
    roles = roles_on(user, review)
    is_open = review.status == ReviewStatus.SCHEDULED
    mine = set(represented_departments(user)) if Role.PARTICIPANT in roles else set()
    departments = [p.department_id for p in participants if p.department_id in mine]
    silent = [p.department_id for p in participants if p.required and not p.opinion]
    # Closing defaults the silent required departments (after the deadline) and concludes.
    can_close = (engine.refusal(table, review, user, "conclude", now=now) is None
                 or (bool(silent) and all(engine.refusal(table, review, user, "default", now=now,
                                                         subject=d) is None for d in silent)))
    return Abilities(
        lead=Role.LEAD in roles, departments=departments if is_open else [],
        can_close=can_close,
        can_cancel=engine.refusal(table, review, user, "cancel", now=now) is None,
        moves={d: engine.moves_open(table, review, user, actions=DEPARTMENT_MOVES, now=now,
                                    subject=d) for d in departments})


def department_choices(*, user: User) -> list[Department]:
    """Departments that may be invited: those of the counties the user's departments are in
    (a joint review gathers one county's departments), by region and name."""
    mine = Department.objects.filter(pk__in=represented_departments(user))
    counties = {d.region_id[:6] for d in mine}
    if not counties:
        return []
    condition = Q()
    for county in counties:
        condition |= Q(region__code__startswith=county)
    return list(Department.objects.filter(condition).order_by("region_id", "name", "id"))


def lead_choices(*, user: User) -> list[Department]:
    """The departments the user may schedule for (as lead department)."""
    return list(Department.objects.filter(pk__in=represented_departments(user)).order_by("id"))


def absence_list(*, user: User, department: int | None = None,
                 since: dt.datetime | None = None) -> QuerySet[JointReviewAbsence]:
    """缺席默认 records: every one for supervisors, the user's own departments' otherwise."""
    absences = JointReviewAbsence.objects.select_related("department", "review")
    if not is_supervisor(user):
        absences = absences.filter(department_id__in=represented_departments(user))
    if department:
        absences = absences.filter(department_id=department)
    if since is not None:
        absences = absences.filter(recorded_at__gte=since)
    return absences.order_by("-recorded_at", "-id")


def absence_counts(absences: QuerySet[JointReviewAbsence]) -> list[dict[str, object]]:
    """Absences per department, the most first (电子监察)."""
    return list(absences.order_by().values("department_id", "department__name").annotate(
        count=Count("id")).order_by("-count", "department_id"))


OPINION_ORDER = {Opinion.DISAGREE: 0, Opinion.CONDITIONAL: 1, Opinion.AGREE: 2,
                 Opinion.NO_OBJECTION: 3, "": 4}


def result_rows(participants: list[JointReviewParticipant]) -> list[JointReviewParticipant]:
    """The departments of the combined result: objections first, then conditions, then the
    rest, required departments before optional ones."""
    return sorted(participants, key=lambda p: (OPINION_ORDER.get(p.opinion, 9),
                                               not p.required, p.pk))


def action_label(action: str) -> str:
    move = workflow.MOVES.get(action)
    return move.label if move is not None else {"schedule": workflow.SCHEDULE_LABEL}.get(
        action, action)


def participant_state(participant: JointReviewParticipant, review: JointReview) -> str:
    """Where one department stands, in words: its opinion, 缺席默认, or what is awaited."""
    if participant.defaulted:
        return "缺席默认（视为无意见）"
    if participant.opinion:
        return str(Opinion(participant.opinion).label)
    if review.status == ReviewStatus.SCHEDULED:
        return "待答复" if participant.required else "待答复（列席，可不答复）"
    if review.status == ReviewStatus.CANCELLED:
        return "未答复（已取消）"
    return "未答复（列席部门）"

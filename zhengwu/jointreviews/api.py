"""Joint review API: `/api/v1/joint-reviews/…` — schedule sessions, record attendance and
opinions, issue or cancel, follow the timeline, and the 缺席默认 records (电子监察).

Who sees a session is decided by jointreviews.access (through the selectors): a session the
caller may not see answers 404 exactly like an absent one (quality.md #10). Errors are
`{"code", "detail"}` with a 4xx status (config/api.py).
"""

# No `from __future__ import annotations` here: ninja resolves a view's annotations in the
# globals of the function it is given (see zhengwu/catalog/api.py).

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.schemas import PathId
from zhengwu.jointreviews import selectors, services
from zhengwu.jointreviews.access import is_supervisor, represented_departments
from zhengwu.jointreviews.models import (
    AbsenceKind,
    JointReview,
    JointReviewAbsence,
    JointReviewEvent,
    Opinion,
)
from zhengwu.jointreviews.schemas import (
    AbsenceFilter,
    AbsencePage,
    CancelBody,
    CloseBody,
    JointReviewEventPage,
    JointReviewPageQuery,
    OpinionBody,
    ReviewFilter,
    ReviewOut,
    ReviewPage,
    ScheduleBody,
)
from zhengwu.workdays.calendar import SHANGHAI

router = Router(tags=["joint-reviews"], auth=django_auth)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _summary(review: JointReview) -> dict[str, Any]:
    return {"id": review.pk, "number": review.number, "kind": review.kind,
            "kind_label": review.get_kind_display(), "title": review.title,
            "lead_department_id": review.lead_department_id,
            "lead_department": review.lead_department.name, "place": review.place,
            "starts_at": review.starts_at, "answer_due_at": review.answer_due_at,
            "due_provisional": review.due_provisional, "status": review.status,
            "status_label": review.get_status_display(), "outcome": review.outcome,
            "outcome_label": review.get_outcome_display() if review.outcome else "",
            "case_number": review.case.number if review.case is not None else "",
            "bundle_number": review.bundle_number}


def _review_out(review: JointReview, user: User) -> dict[str, Any]:
    participants = selectors.review_participants(review)
    progress = selectors.review_progress(participants)
    abilities = selectors.review_abilities(user=user, review=review,
                                           participants=participants, now=clock.now())
    return {
        **_summary(review), "description": review.description,
        "answer_workdays": review.answer_workdays, "result_number": review.result_number,
        "concluded_at": review.concluded_at, "conclusion_note": review.conclusion_note,
        "participants": [{
            "department_id": p.department_id, "department": p.department.name,
            "required": p.required, "attended": p.attended, "opinion": p.opinion,
            "opinion_label": Opinion(p.opinion).label if p.opinion else "",
            "conditions": p.conditions, "reasons": p.reasons, "answered_at": p.answered_at,
            "defaulted": p.defaulted, "state_label": selectors.participant_state(p, review),
        } for p in participants],
        "progress": {"required": progress.required, "answered": progress.answered,
                     "defaulted": progress.defaulted, "pending": progress.pending},
        "my_departments": abilities.departments, "can_close": abilities.can_close,
        "can_cancel": abilities.can_cancel,
    }


def _page(rows: QuerySet[Any], page: JointReviewPageQuery | ReviewFilter | AbsenceFilter,
          out: Any) -> dict[str, Any]:
    return {"items": [out(row) for row in rows[page.offset:page.offset + page.limit]],
            "count": rows.count()}


def _event_out(event: JointReviewEvent) -> dict[str, Any]:
    return {"id": event.pk, "action": event.action, "label": selectors.action_label(event.action),
            "department": event.department.name if event.department is not None else "",
            "actor_label": event.actor_label, "role": event.role,
            "department_label": event.department_label, "reason": event.reason,
            "data": event.data, "at": event.at}


def _absence_out(absence: JointReviewAbsence) -> dict[str, Any]:
    return {"id": absence.pk, "review_id": absence.review_id,
            "review_number": absence.review.number, "review_title": absence.review.title,
            "department_id": absence.department_id, "department": absence.department.name,
            "kind": absence.kind, "kind_label": AbsenceKind(absence.kind).label,
            "due_at": absence.due_at, "recorded_at": absence.recorded_at}


def _fresh(request: HttpRequest, review_id: int) -> dict[str, Any]:
    user = _user(request)
    return _review_out(selectors.review_get(user=user, review_id=review_id), user)


# --- lists ----------------------------------------------------------------------------------


@router.get("", response=ReviewPage)
def list_reviews(request: HttpRequest, filters: Query[ReviewFilter]) -> dict[str, Any]:
    """The sessions of the caller's departments (as lead or invited); all for supervisors.
    Open sessions first, the nearest answer deadline first."""
    reviews = selectors.review_list(user=_user(request), status=filters.status,
                                    kind=filters.kind, q=filters.q)
    return _page(reviews, filters, _summary)


@router.post("", response={201: ReviewOut})
def schedule_review(request: HttpRequest, body: ScheduleBody) -> Status[dict[str, Any]]:
    """安排联合踏勘、联合审图或联合验收, as the lead department (牵头部门). Every invited
    department's reviewers and chief representatives are told."""
    user = _user(request)
    review = services.joint_review_schedule(user=user, data=services.ScheduleIn(
        kind=body.kind, title=body.title, description=body.description,
        lead_department_id=body.lead_department_id,
        required_department_ids=body.required_department_ids,
        optional_department_ids=body.optional_department_ids, place=body.place,
        starts_at=body.starts_at, answer_due_at=body.answer_due_at,
        answer_workdays=body.answer_workdays, case_number=body.case_number,
        bundle_number=body.bundle_number))
    return Status(201, _fresh(request, review.pk))


@router.get("/absences", response=AbsencePage)
def list_absences(request: HttpRequest, filters: Query[AbsenceFilter]) -> dict[str, Any]:
    """缺席默认 records: departments that neither attended nor answered by the deadline (or
    attended without an opinion), counted as no objection. Supervisors see every department;
    reviewers and chief representatives their own departments'."""
    user = _user(request)
    if not is_supervisor(user) and not represented_departments(user):
        raise PermissionDenied("仅电子监察人员和部门审批人员可以查看缺席默认记录。")
    since = None
    if filters.since is not None:
        since = dt.datetime.combine(filters.since, dt.time.min, SHANGHAI)
    absences = selectors.absence_list(user=user, department=filters.department, since=since)
    return {**_page(absences, filters, _absence_out),
            "by_department": [{"department_id": row["department_id"],
                               "department": row["department__name"], "count": row["count"]}
                              for row in selectors.absence_counts(absences)]}


# --- one session ----------------------------------------------------------------------------


@router.get("/{review_id}", response=ReviewOut)
def get_review(request: HttpRequest, review_id: PathId) -> dict[str, Any]:
    """One session: its departments with their attendance and opinions (缺席默认 marked), the
    progress, the combined result once issued, and what the caller may do."""
    return _fresh(request, review_id)


@router.get("/{review_id}/events", response=JointReviewEventPage)
def list_review_events(request: HttpRequest, review_id: PathId,
                       page: Query[JointReviewPageQuery]) -> dict[str, Any]:
    """The timeline: every step, who made it, for which department, when and why."""
    review = selectors.review_get(user=_user(request), review_id=review_id)
    return _page(selectors.review_timeline(review), page, _event_out)


@router.post("/{review_id}/participants/{department_id}/attendance", response=ReviewOut)
def attend_review(request: HttpRequest, review_id: PathId,
                  department_id: PathId) -> dict[str, Any]:
    """到场签到 for an invited department the caller answers for (from the session's start
    until the answer deadline)."""
    services.participant_attend(user=_user(request), review_id=review_id,
                                department_id=department_id)
    return _fresh(request, review_id)


@router.post("/{review_id}/participants/{department_id}/opinion", response=ReviewOut)
def answer_review(request: HttpRequest, review_id: PathId, department_id: PathId,
                  body: OpinionBody) -> dict[str, Any]:
    """出具意见 for an invited department: 同意, 有条件同意 (conditions required) or 不同意
    (reasons required), once, by the deadline. The last required answer issues the result."""
    services.participant_answer(user=_user(request), review_id=review_id,
                                department_id=department_id, opinion=body.opinion,
                                conditions=body.conditions, reasons=body.reasons,
                                attended=body.attended)
    return _fresh(request, review_id)


@router.post("/{review_id}/close", response=ReviewOut)
def close_review(request: HttpRequest, review_id: PathId, body: CloseBody) -> dict[str, Any]:
    """出具联合审查意见 as the lead department: once every required department has answered,
    or after the deadline (the silent ones are then defaulted as no objection)."""
    services.joint_review_close(user=_user(request), review_id=review_id, note=body.note)
    return _fresh(request, review_id)


@router.post("/{review_id}/cancel", response=ReviewOut)
def cancel_review(request: HttpRequest, review_id: PathId, body: CancelBody) -> dict[str, Any]:
    """取消 as the lead department, with a reason, before the result is issued."""
    services.joint_review_cancel(user=_user(request), review_id=review_id, reason=body.reason)
    return _fresh(request, review_id)

"""The joint review life cycle as a table for the process engine (ADR 0008, ADR 0013): every
move, who may make it, and its guards. jointreviews.services makes the moves through
`engine.transition`; pages and the API list what a person may do with `engine.moves_open`.
The moves of an invited department (attend, answer, default) are about that department: the
attempt's `subject` is its id.

schedule → attend / answer (each invited department, until the answer deadline) →
conclude (issued by the platform once every required department has answered, or by the
sweep or the lead department after the deadline, defaulting the silent ones: 缺席默认) —
or cancel (the lead department, with a reason, before the result).
"""

from __future__ import annotations

import datetime as dt

from zhengwu.accounts.models import User
from zhengwu.jointreviews.access import Role, represented_departments, roles_on
from zhengwu.jointreviews.models import JointReview, JointReviewParticipant, Opinion, Outcome
from zhengwu.jointreviews.models import ReviewStatus as S
from zhengwu.process.spec import Attempt, Move, Refusal, Table
from zhengwu.workdays.calendar import SHANGHAI


def local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"


def _participant(review: JointReview, department_id: object) -> JointReviewParticipant | None:
    # The participants are loaded with the locked session (services._lock): no query here.
    return next((p for p in review.participants.all() if p.department_id == department_id),
                None)


# --- guards: the session row, its participants and the attempt -----------------------------


def _invited(review: JointReview, attempt: Attempt) -> Refusal | None:
    if _participant(review, attempt.subject) is None:
        # A department that was not invited sees the session as absent (quality.md #10).
        return Refusal("not_found", "该部门未受邀参加本次联合审查。",
                       absent=JointReviewParticipant.DoesNotExist)
    return None


def _for_own_department(review: JointReview, attempt: Attempt) -> Refusal | None:
    if attempt.user is not None and attempt.subject not in represented_departments(
            attempt.user):
        return Refusal("joint_review.forbidden",
                       "只有受邀部门的审批人员或首席代表可以为本部门签到或出具意见。", forbidden=True)
    return None


def _started(review: JointReview, attempt: Attempt) -> Refusal | None:
    if attempt.now < review.starts_at:
        return Refusal("joint_review.not_started",
                       f"会议尚未开始（{local(review.starts_at)}），不能签到。")
    return None


def _deadline_open(review: JointReview, attempt: Attempt) -> Refusal | None:
    if attempt.now > review.answer_due_at:
        return Refusal("joint_review.deadline_passed",
                       f"答复期限（{local(review.answer_due_at)}）已过：逾期未答复的必须参加部门"
                       "视为无意见（缺席默认）。")
    return None


def _not_attended(review: JointReview, attempt: Attempt) -> Refusal | None:
    participant = _participant(review, attempt.subject)
    if participant is not None and participant.attended:
        return Refusal("joint_review.already_attended", "本部门已签到。")
    return None


def _not_answered(review: JointReview, attempt: Attempt) -> Refusal | None:
    participant = _participant(review, attempt.subject)
    if participant is not None and participant.opinion:
        return Refusal("joint_review.already_answered", "本部门已出具意见，不能重复出具。")
    return None


def _silent_and_required(review: JointReview, attempt: Attempt) -> Refusal | None:
    participant = _participant(review, attempt.subject)
    if participant is not None and (participant.opinion or not participant.required):
        return Refusal("joint_review.not_silent", "只有逾期未答复的必须参加部门视为无意见。")
    return None


def _awaiting(review: JointReview) -> list[JointReviewParticipant]:
    return [p for p in review.participants.all() if p.required and not p.opinion]


def _deadline_passed(review: JointReview, attempt: Attempt) -> Refusal | None:
    # A department's time is never cut short: the silent ones are defaulted only after it.
    if attempt.now <= review.answer_due_at:
        names = "、".join(p.department.name for p in _awaiting(review)[:10])
        return Refusal("joint_review.awaiting_answers",
                       f"尚有必须参加的部门未答复（{names}），答复期限 {local(review.answer_due_at)} "
                       "前不能出具联合审查意见。")
    return None


def _all_required_answered(review: JointReview, attempt: Attempt) -> Refusal | None:
    awaiting = _awaiting(review)
    if awaiting:
        names = "、".join(p.department.name for p in awaiting[:10])
        return Refusal("joint_review.awaiting_answers",
                       f"尚有必须参加的部门未答复（{names}），答复期限 {local(review.answer_due_at)} "
                       "前不能出具联合审查意见。")
    return None


OPEN = frozenset({S.SCHEDULED})
INVITED = (_invited,)

MOVES: dict[str, Move] = {
    "attend": Move(OPEN, None, frozenset({Role.PARTICIPANT}), "到场签到",
                   scope=INVITED, guards=(_for_own_department, _started, _deadline_open,
                                          _not_attended)),
    "answer": Move(OPEN, None, frozenset({Role.PARTICIPANT}), "出具意见",
                   scope=INVITED, guards=(_for_own_department, _deadline_open,
                                          _not_answered)),
    "default": Move(OPEN, None, frozenset({Role.SYSTEM, Role.LEAD}),
                    "逾期未答复，视为无意见（缺席默认）",
                    scope=INVITED, guards=(_deadline_passed, _silent_and_required)),
    "conclude": Move(OPEN, S.CONCLUDED, frozenset({Role.SYSTEM, Role.LEAD}),
                     "出具联合审查意见", guards=(_all_required_answered,)),
    "cancel": Move(OPEN, S.CANCELLED, frozenset({Role.LEAD}), "取消联合审查"),
}
# The first event of every session; not a move (there is no state before it).
SCHEDULE_LABEL = "安排联合审查"


def _roles_on(user: User | None, review: JointReview) -> frozenset[str]:
    return frozenset(roles_on(user, review))


def _forbidden(move: Move) -> str:
    if Role.PARTICIPANT in move.roles:
        return "只有受邀部门的审批人员或首席代表可以为本部门签到或出具意见。"
    return "只有牵头部门的审批人员或首席代表可以办理此操作。"


JOINT_REVIEW_TABLE: Table[JointReview] = Table(
    name="joint_review", noun="联合审查", status_field="status",
    status_label=lambda status: str(S(status).label), moves=MOVES, roles_on=_roles_on,
    forbidden_message=_forbidden)


def combined_outcome(opinions: list[str]) -> Outcome:
    """联合审查意见: 不通过 if any department disagrees, 有条件通过 if any agrees with
    conditions, otherwise 通过 (agreements and no-objections alike)."""
    if Opinion.DISAGREE in opinions:
        return Outcome.FAILED
    if Opinion.CONDITIONAL in opinions:
        return Outcome.CONDITIONAL
    return Outcome.PASSED

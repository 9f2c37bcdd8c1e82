"""An appointment's lifecycle, and a queue number's (ADR 0020), as processes on the engine
(ADR 0013, ADR 0018):

    booked → checked_in → served
    booked → cancelled (the person, up to the cut-off; hall staff, until the start)
    booked → no_show (the platform's sweep, once the slot has ended)

Guards read only the row and the attempt (the clock, the policy in force); who holds which
role on an appointment is `roles_on`.
"""

from __future__ import annotations

from typing import Any

from zhengwu.hall import rules
from zhengwu.hall.models import Appointment, Ticket
from zhengwu.hall.models import AppointmentStatus as S
from zhengwu.hall.models import TicketStatus as T
from zhengwu.process.spec import Attempt, Move, Refusal, Table


class Role:
    PERSON = "person"  # the one booked for (their own account) or who booked it
    STAFF = "staff"  # window clerks and hall managers of the hall's region
    SYSTEM = "system"  # the platform: the kiosk's check-in, the no-show sweep


def _cut_off(row: Appointment, attempt: Attempt) -> Refusal | None:
    if Role.STAFF in attempt.roles:
        if attempt.now >= row.start:
            return Refusal("hall.cancel_too_late", "预约时段已开始，不能取消。")
        return None
    found = rules.cancel_refusal(now=attempt.now, start=row.start, rules=rules.policy())
    return None if found is None else Refusal(found.code, found.message)


def _check_in_window(row: Appointment, attempt: Attempt) -> Refusal | None:
    found = rules.check_in_refusal(now=attempt.now, start=row.start, end=row.end,
                                   rules=rules.policy())
    return None if found is None else Refusal(found.code, found.message)


def _ended(row: Appointment, attempt: Attempt) -> Refusal | None:
    if attempt.now < row.end:
        return Refusal("hall.not_ended", "预约时段尚未结束。")
    return None


def roles_on(user: Any, row: Appointment) -> frozenset[str]:
    if user is None:
        return frozenset({Role.SYSTEM})
    from zhengwu.hall.selectors import hall_staff_ids

    held = set()
    if user.pk in (row.person_id, row.submitted_by_id):
        held.add(Role.PERSON)
    if user.pk in hall_staff_ids(row.hall):
        held.add(Role.STAFF)
    return frozenset(held)


APPOINTMENT_TABLE: Table[Appointment] = Table(
    name="appointment", noun="预约", status_field="status",
    status_label=lambda status: str(S(status).label), roles_on=roles_on, moves={
        "cancel": Move(frozenset({S.BOOKED}), S.CANCELLED,
                       frozenset({Role.PERSON, Role.STAFF}), "取消预约", guards=(_cut_off,)),
        "check_in": Move(frozenset({S.BOOKED}), S.CHECKED_IN,
                         frozenset({Role.STAFF, Role.SYSTEM}), "签到",
                         guards=(_check_in_window,)),
        "serve": Move(frozenset({S.CHECKED_IN}), S.SERVED, frozenset({Role.STAFF}), "办理完毕"),
        "no_show": Move(frozenset({S.BOOKED}), S.NO_SHOW, frozenset({Role.SYSTEM}), "记为未到",
                        guards=(_ended,)),
    })

PAGE_ACTIONS = ("check_in", "serve", "cancel")


# --- the queue number (取号, ADR 0020) ---------------------------------------------------------
#
#     waiting → called (叫号; recalled any number of times) → serving → finished
#     called → passed (过号) → waiting (requeue, by staff, HALL_QUEUE_REQUEUE_LIMIT times)
#     waiting/called/serving → waiting at another window group (transfer)
#     waiting/called/passed → abandoned (staff; the day's sweep for those left over)


def _requeue_left(row: Ticket, attempt: Attempt) -> Refusal | None:
    found = rules.ticket_move_refusal(action="requeue", requeues=row.requeues,
                                      limit=rules.requeue_limit())
    return None if found is None else Refusal(found.code, found.message)


def ticket_roles_on(user: Any, row: Ticket) -> frozenset[str]:
    if user is None:
        return frozenset({Role.SYSTEM})
    from zhengwu.hall.selectors import hall_staff_ids

    return frozenset({Role.STAFF}) if user.pk in hall_staff_ids(row.hall) else frozenset()


TICKET_TABLE: Table[Ticket] = Table(
    name="ticket", noun="号码", status_field="status",
    status_label=lambda status: str(T(status).label), roles_on=ticket_roles_on, moves={
        "call": Move(frozenset({T.WAITING}), T.CALLED, frozenset({Role.STAFF}), "叫号"),
        "recall": Move(frozenset({T.CALLED}), None, frozenset({Role.STAFF}), "重呼"),
        "start": Move(frozenset({T.CALLED}), T.SERVING, frozenset({Role.STAFF}), "开始办理"),
        "pass": Move(frozenset({T.CALLED}), T.PASSED, frozenset({Role.STAFF}), "过号"),
        "requeue": Move(frozenset({T.PASSED}), T.WAITING, frozenset({Role.STAFF}), "重新排队",
                        guards=(_requeue_left,)),
        "transfer": Move(frozenset({T.WAITING, T.CALLED, T.SERVING}), T.WAITING,
                         frozenset({Role.STAFF}), "转窗口"),
        "finish": Move(frozenset({T.SERVING}), T.FINISHED, frozenset({Role.STAFF}), "办结"),
        "abandon": Move(frozenset({T.WAITING, T.CALLED, T.PASSED}), T.ABANDONED,
                        frozenset({Role.STAFF, Role.SYSTEM}), "放弃"),
    })

# What the window's calling page offers for its current number, and for a passed one.
WINDOW_ACTIONS = ("recall", "start", "pass", "transfer", "finish")

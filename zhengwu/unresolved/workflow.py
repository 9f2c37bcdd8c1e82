"""办不成事反映 as a process on the engine (ADR 0013, ADR 0021, docs/processes.md): its move
table and who holds which role on a ticket. What the moves do is in services.

Who answers a ticket: the responsible department's 首席代表 (accounts role
chief_representative scoped to the department — the hall app's 进驻 departments decide at
the window through them, hall.Residence.authorized); a department without one is answered
by the hall's managers (hall_manager), who run the 办不成事反映窗口 itself.

The centre's director (中心主任) has no role of its own on the platform; the closest are the
hall managers (大厅管理员, who run the centre) and 电子监察 (supervisor, who follows every
deadline): both see every ticket and are told when one is overdue (the escalation).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q

from zhengwu.accounts.models import RoleAssignment
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.process.spec import Move, Table
from zhengwu.unresolved.models import Ticket
from zhengwu.unresolved.models import TicketStatus as S


class Role(StrEnum):
    OFFICER = "officer"  # the department's 首席代表 (or the hall manager when it has none)
    DIRECTOR = "director"  # 中心主任: hall managers and 电子监察
    PERSON = "person"  # who opened it (signed in)
    SYSTEM = "system"


ROLE_LABELS = {Role.OFFICER: "首席代表", Role.DIRECTOR: "中心督办", Role.PERSON: "反映人",
               Role.SYSTEM: "系统"}

DIRECTOR_ROLES = (AccountRole.HALL_MANAGER, AccountRole.SUPERVISOR)


def department_has_chief(department_id: int) -> bool:
    return RoleAssignment.objects.filter(role=AccountRole.CHIEF_REPRESENTATIVE,
                                         department_id=department_id).exists()


def officer_q(user: Any) -> Q:
    """The tickets `user` answers as officer: their departments' as 首席代表, and — for a hall
    manager — those of departments without one."""
    assigned = RoleAssignment.objects.filter(user=user)
    found = Q(department_id__in=assigned.filter(
        role=AccountRole.CHIEF_REPRESENTATIVE).values("department_id"))
    if assigned.filter(role=AccountRole.HALL_MANAGER).exists():
        with_chief = RoleAssignment.objects.filter(
            role=AccountRole.CHIEF_REPRESENTATIVE, department__isnull=False).values(
            "department_id")
        found |= ~Q(department_id__in=with_chief)
    return found


def is_director(user: Any) -> bool:
    return bool(user.is_staff) and RoleAssignment.objects.filter(
        user=user, role__in=DIRECTOR_ROLES).exists()


def roles_on(user: Any, row: Ticket) -> frozenset[str]:
    if user is None:
        return frozenset({Role.SYSTEM})
    held: set[str] = set()
    if row.person_id is not None and row.person_id == user.pk:
        held.add(Role.PERSON)
    if user.is_staff:
        if Ticket.objects.filter(officer_q(user), pk=row.pk).exists():
            held.add(Role.OFFICER)
        if is_director(user):
            held.add(Role.DIRECTOR)
    return frozenset(held)


OFFICER, DIRECTOR = frozenset({Role.OFFICER}), frozenset({Role.DIRECTOR})
OPEN_STATES = frozenset({S.OPEN, S.CONTACTED})

MOVES = {
    # A ticket sent to the wrong department: the centre sends it on; the limits keep running
    # from the day it was opened (the person should not wait longer for the centre's error).
    "reassign": Move(OPEN_STATES, S.OPEN, DIRECTOR, "改派责任部门"),
    "contact": Move(frozenset({S.OPEN}), S.CONTACTED, OFFICER, "登记已联系反映人"),
    "resolve": Move(frozenset({S.CONTACTED}), S.CLOSED, OFFICER, "登记处理结果"),
}

TICKET_TABLE: Table[Ticket] = Table(
    name="ticket", noun="反映单", status_field="status",
    status_label=lambda status: str(S(status).label), moves=MOVES, roles_on=roles_on)

STAFF_ACTIONS = tuple(MOVES)

# The timeline's words for every action, the moves' and the platform's own.
ACTION_LABELS = {action: move.label for action, move in MOVES.items()} | {
    "open": "收到反映", "warn": "办结期限预警", "escalate": "办结逾期督办",
    "escalate_contact": "联系逾期督办"}

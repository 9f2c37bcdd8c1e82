"""Reads of 办不成事反映: who sees which ticket, the worklists, the person's own tickets, the
anonymous lookup by number and phone, and the monthly public list with its figures.

The public list is built here from the closed tickets only, with no name, phone, case number
or free text a person typed: the item, the officer's short public summary (masked again by
rules.anonymised), the outcome, the working days taken and whether that was on time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.departments.models import Department
from zhengwu.unresolved import rules
from zhengwu.unresolved.models import Outcome, Ticket
from zhengwu.unresolved.models import TicketStatus as S
from zhengwu.unresolved.workflow import is_director, officer_q
from zhengwu.workdays.selectors import calendar_get


def visible_q(user: User) -> Q:
    """Who may see a ticket: the person who opened it (signed in), the officer who answers
    it, the centre's director (hall managers, 电子监察); nobody else (absent, 404)."""
    if not user.is_staff:
        return Q(person=user)
    if is_director(user):
        return Q()
    return officer_q(user)


def _rows() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("department", "implementation__item")


def worklist(user: User, *, state: str = "") -> QuerySet[Ticket]:
    """The staff list: `state` "open" (not yet closed), "overdue" (past a limit, not closed),
    "closed", or every ticket the user may see."""
    rows = _rows().filter(visible_q(user))
    now = clock.now()
    if state == "open":
        rows = rows.exclude(status=S.CLOSED)
    elif state == "overdue":
        rows = rows.filter(overdue_q(now))
    elif state == "closed":
        rows = rows.filter(status=S.CLOSED)
    return rows.order_by("resolve_due_at", "pk")


def overdue_q(now: dt.datetime) -> Q:
    return (Q(status=S.OPEN, contact_due_at__lt=now)
            | Q(status__in=[S.OPEN, S.CONTACTED], resolve_due_at__lt=now))


def is_overdue(row: Ticket, now: dt.datetime) -> bool:
    if row.status == S.CLOSED:
        return False
    return now > row.resolve_due_at or (row.status == S.OPEN and now > row.contact_due_at)


def ticket_for(user: User, number: str) -> Ticket:
    return _rows().filter(visible_q(user)).get(number=number)


def mine(user: User) -> QuerySet[Ticket]:
    return _rows().filter(person=user).order_by("-opened_at")


def ticket_by_phone(number: str, phone: str) -> Ticket:
    """The anonymous lookup: the number and the phone given must both match (else absent)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not number.strip() or not digits:
        raise Ticket.DoesNotExist
    # Numbers are kept as digits (services._phone); +86 before a mobile number is dropped.
    return _rows().get(Q(phone=digits) | Q(phone=digits[-11:]), number=number.strip())


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of month "YYYY-MM" (Beijing time) and of the next; ValueError when
    `month` is not one."""
    year, number = (int(part) for part in month.split("-"))
    start = dt.datetime(year, number, 1, tzinfo=clock.SHANGHAI)
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=clock.SHANGHAI)
    return start, end


@dataclass(frozen=True)
class PublicRow:
    """One closed ticket as the public list shows it (no personal data)."""

    number: str
    department: str
    item: str
    summary: str
    outcome: str
    outcome_label: str
    days: int
    on_time: bool


@dataclass
class DepartmentFigures:
    department: str
    received: int = 0
    closed: int = 0
    on_time: int = 0
    solved: int = 0
    explained: int = 0
    rule_change: int = 0
    days: int = 0

    @property
    def average_days(self) -> str:
        return f"{self.days / self.closed:.1f}" if self.closed else "—"


def _public_row(row: Ticket) -> PublicRow:
    assert row.resolved_at is not None
    calendar = calendar_get()
    item = row.implementation.item.name if row.implementation else "其他事项"
    return PublicRow(
        number=row.number, department=row.department.short_name, item=item,
        summary=rules.anonymised(row.summary or item, names=(row.name,)),
        outcome=row.outcome, outcome_label=Outcome(row.outcome).label,
        days=rules.days_taken(calendar, row.opened_at, row.resolved_at),
        on_time=row.resolved_at <= row.resolve_due_at)


def monthly(month: str) -> tuple[list[PublicRow], list[DepartmentFigures]]:
    """The public list of `month` (tickets closed in it) and the figures per department
    (tickets received in it, and those closed in it)."""
    start, end = month_bounds(month)
    closed = [_public_row(row) for row in _rows().filter(
        status=S.CLOSED, resolved_at__gte=start, resolved_at__lt=end).order_by("resolved_at",
                                                                                "pk")]
    figures: dict[str, DepartmentFigures] = defaultdict(lambda: DepartmentFigures(""))
    for name in _rows().filter(opened_at__gte=start, opened_at__lt=end).values_list(
            "department__short_name", flat=True):
        figures[name].received += 1
    for public in closed:
        entry = figures[public.department]
        entry.closed += 1
        entry.on_time += public.on_time
        entry.days += public.days
        entry.solved += public.outcome == Outcome.SOLVED
        entry.explained += public.outcome == Outcome.EXPLAINED
        entry.rule_change += public.outcome == Outcome.RULE_CHANGE
    for name, entry in figures.items():
        entry.department = name
    return closed, sorted(figures.values(), key=lambda f: f.department)


@dataclass
class OverviewRow:
    department: str
    open: int = 0
    overdue: int = 0
    closed: int = 0


def overview(now: dt.datetime) -> list[OverviewRow]:
    """The director's overview: per department, open, overdue and closed tickets."""
    found: dict[str, OverviewRow] = {}
    for row in _rows().order_by("department__short_name"):
        entry = found.setdefault(row.department.short_name,
                                 OverviewRow(row.department.short_name))
        if row.status == S.CLOSED:
            entry.closed += 1
        else:
            entry.open += 1
        entry.overdue += is_overdue(row, now)
    return list(found.values())


def department_choices() -> list[tuple[str, str]]:
    """The departments a ticket may be sent to, as a form offers them: those that implement
    at least one item, the county's first (a village committee that handles nothing would
    only lengthen the list)."""
    rows = (Department.objects.filter(implementations__isnull=False).distinct()
            .order_by("region__code", "short_name").values_list("pk", "short_name"))
    return [(str(pk), name) for pk, name in rows]

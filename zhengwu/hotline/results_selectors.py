"""Reads for the 三率 (results.py): who may see which figures, and the facts built from the
work orders' events (WorkOrderEvent rows) and the few order fields the figures need — never
the caller. Also the orders of a month's ledger (ledger.py).

Scope: 12345 operators, 电子监察 and system admins see every department; department staff
(reviewer / chief representative scoped to a department, hotline.workflow.department_ids) see
the orders their departments have held, and only their own departments' rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from zhengwu.accounts.models import User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.accounts.selectors import holds
from zhengwu.departments.models import Department
from zhengwu.hotline import results, workflow
from zhengwu.hotline.models import Category, WorkOrder, WorkOrderEvent
from zhengwu.hotline.results import EventFact, OrderFact
from zhengwu.regions.models import Region

# Every department's figures.
ALL_ROLES = (AccountRole.HOTLINE_OPERATOR, AccountRole.SUPERVISOR, AccountRole.SYSTEM_ADMIN)


@dataclass(frozen=True)
class Scope:
    """What a user may see: every department (departments None) or these ones."""

    departments: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.departments is None


def scope_for(user: User | None) -> Scope | None:
    """The user's scope of the figures, or None when they may not see them at all."""
    if user is None or not user.is_authenticated or not user.is_staff:
        return None
    if holds(user, *ALL_ROLES):
        return Scope(None)
    mine = workflow.department_ids(user)
    return Scope(frozenset(mine)) if mine else None


def _orders_of(scope: Scope) -> QuerySet[WorkOrder]:
    orders = WorkOrder.objects.all()
    if scope.departments is None:
        return orders
    held = WorkOrderEvent.objects.filter(
        action__in=results.ASSIGN_ACTIONS,
        data__department_id__in=list(scope.departments)).values("order_id")
    return orders.filter(pk__in=held) | orders.filter(department_id__in=scope.departments)


def facts(scope: Scope, *, start: dt.datetime, end: dt.datetime,
          ) -> tuple[list[OrderFact], list[EventFact]]:
    """The facts of every order in `scope` with an event from `start` (included) to `end`
    (excluded), with all their events (earlier ones say who held the order)."""
    touched = WorkOrderEvent.objects.filter(at__gte=start, at__lt=end).values("order_id")
    orders = (_orders_of(scope).filter(pk__in=touched)
              .select_related("category").only("number", "category__code", "category__name",
                                                 "region_code", "due_at", "status"))
    order_list = list(orders)
    regions = dict(Region.objects.filter(
        code__in={o.region_code for o in order_list if o.region_code}).values_list(
        "code", "name"))
    order_facts = [OrderFact(
        number=o.number, category_code=o.category.code if o.category else "",
        category_name=o.category.name if o.category else "", region_code=o.region_code,
        region_name=regions.get(o.region_code, o.region_code), due_at=o.due_at,
        status=o.status) for o in order_list]
    numbers = {o.pk: o.number for o in order_list}
    events = [EventFact(number=numbers[order_id], action=action, at=at, data=data or {})
              for order_id, action, at, data in WorkOrderEvent.objects.filter(
                  order_id__in=list(numbers)).order_by("at", "pk").values_list(
                  "order_id", "action", "at", "data")]
    return order_facts, events


def department_names(ids: set[str]) -> dict[str, str]:
    wanted = [int(i) for i in ids if i.isdigit()]
    return {str(pk): name for pk, name in
            Department.objects.filter(pk__in=wanted).values_list("pk", "name")}


def category_names(codes: set[str]) -> dict[str, str]:
    return dict(Category.objects.filter(code__in=codes).values_list("code", "name"))


def ledger_orders(scope: Scope, *, start: dt.datetime, end: dt.datetime,
                  ) -> QuerySet[WorkOrder]:
    """The ledger's orders: accepted (受理) from `start` to `end`, oldest first."""
    return (_orders_of(scope).filter(accepted_at__gte=start, accepted_at__lt=end)
            .select_related("category", "department").order_by("accepted_at", "number"))

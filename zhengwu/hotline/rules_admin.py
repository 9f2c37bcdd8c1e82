"""A new version of the routing rules (派单规则), written whole by the hotline admin from CSV
(`region_code,category_code,department,priority`): every row checked first — nothing is
written when one is wrong — then the new version is made the active one and the old ones are
kept unchanged (RoutingVersion, one active at a time). One transaction with its audit row.

Here (not in routing) because the pages' part of issue 13 needed it before the routing module
had one; routing.suggest reads whatever version is active.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import audit_record
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.hotline.models import Category, RoutingRule, RoutingVersion
from zhengwu.hotline.workflow import is_admin

HEADER = ("region_code", "category_code", "department", "priority")
MAX_ROWS = 5000
REGION_PREFIX = re.compile(r"^\d{2,12}$")


class RulesInvalid(InvalidInput):
    """Bad rows: `errors` lists each (line number and what is wrong); nothing was written."""

    code = "rules.invalid"

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors[:20]) + ("……" if len(errors) > 20 else ""))
        self.errors = errors


@dataclass(frozen=True)
class RuleRow:
    region_code: str
    category: Category | None
    department: Department
    priority: int


def _department(name: str) -> Department | None:
    return Department.objects.filter(Q(name=name) | Q(short_name=name)).first()


def rules_parse(text: str) -> list[RuleRow]:
    """The rows of `text` (CSV, a header line optional), or RulesInvalid naming each bad
    line."""
    lines = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(
        cell.strip() for cell in row)]
    if lines and tuple(cell.strip().lower() for cell in lines[0][:4]) == HEADER:
        lines = lines[1:]
        start = 2
    else:
        start = 1
    if not lines:
        raise RulesInvalid(["规则表为空：至少需要一条规则。"])
    if len(lines) > MAX_ROWS:
        raise RulesInvalid([f"规则最多{MAX_ROWS}条。"])
    categories = {c.code: c for c in Category.objects.all()}
    errors: list[str] = []
    rows: list[RuleRow] = []
    for number, cells in enumerate(lines, start=start):
        cells = [cell.strip() for cell in cells] + [""] * (4 - len(cells))
        if len(cells) > 4 and any(cells[4:]):
            errors.append(f"第{number}行：多于4列。")
            continue
        region, code, name, priority = cells[:4]
        problems: list[str] = []
        if region and not REGION_PREFIX.match(region):
            problems.append(f"区划编码前缀“{region[:12]}”应为2至12位数字")
        category = categories.get(code) if code else None
        if code and category is None:
            problems.append(f"没有编码为“{code[:20]}”的诉求分类")
        department = _department(name) if name else None
        if not name:
            problems.append("未填写承办部门")
        elif department is None:
            problems.append(f"没有名为“{name[:40]}”的部门")
        try:
            rank = int(priority or "0")
        except ValueError:
            problems.append(f"优先级“{priority[:10]}”应为整数")
            rank = 0
        if problems:
            errors.append(f"第{number}行：" + "，".join(problems) + "。")
        elif department is not None:
            rows.append(RuleRow(region_code=region, category=category, department=department,
                                priority=rank))
    if errors:
        raise RulesInvalid(errors)
    return rows


@transaction.atomic
def rules_publish(*, user: Any, text: str, note: str = "") -> RoutingVersion:
    """A new active version of the routing rules from CSV `text` (module docstring)."""
    if not is_admin(user):
        raise NotAllowed("只有12345热线管理员可以发布派单规则。", code="rules.forbidden")
    rows = rules_parse(text)
    # The active version is locked: two admins publishing at once get consecutive numbers.
    list(RoutingVersion.objects.select_for_update().filter(active=True))
    number = (RoutingVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    RoutingVersion.objects.filter(active=True).update(active=False)
    version = RoutingVersion.objects.create(number=number, created_at=clock.now(),
                                            created_by=user, note=note.strip()[:200],
                                            active=True)
    RoutingRule.objects.bulk_create([
        RoutingRule(version=version, region_code=row.region_code, category=row.category,
                    department=row.department, priority=row.priority) for row in rows])
    audit_record(actor=actor_for(user), action="hotline.rules_publish", obj=version,
                 after={"number": number, "rules": len(rows)}, reason=version.note)
    return version

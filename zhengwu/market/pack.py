"""Loading a pack's market/ folder (docs/market.md): the demo of the 中介超市, all marked
示例 — intermediary service types (catalogue items marked 中介服务事项, created only when the
catalogue has none of that name), agencies already verified with their 资质 (one of them
expired, so it is not selectable), and one project whose registration has closed with three
qualified agencies registered, ready for a 随机抽取; a 评审专家库 of six experts (demo staff
accounts, one with a conflict declared) for 综合评分 projects.

Loading twice changes nothing: each record is created only when missing.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from zhengwu.accounts.models import User
from zhengwu.catalog.codes import make_basic_code
from zhengwu.catalog.models import ServiceItem
from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.numbering import next_value
from zhengwu.market.models import (
    Agency,
    AgencyStatus,
    Expert,
    ExpertConflict,
    Method,
    Project,
    Qualification,
    Registration,
)
from zhengwu.market.projects import owner_departments

PREFIX = "43"  # 湖南省


def market_load(pack: Path, *, actor: Actor) -> tuple[int, int]:
    """Load market/market.json if the pack has one: (agencies, projects) created."""
    path = pack / "market" / "market.json"
    if not path.exists():
        return (0, 0)
    spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    items: dict[int, ServiceItem] = {}
    for row in spec.get("service_types", []):
        item = ServiceItem.objects.filter(name=row["name"]).first()
        if item is None:
            item = ServiceItem.objects.create(
                basic_code=make_basic_code(prefix=PREFIX, item_type="20", main_seq=row["seq"]),
                name=row["name"], item_type="20", is_intermediary=True,
                legal_basis="示例：中介服务事项清单（演示数据）")
        items[row["seq"]] = item
    now = clock.now()
    agencies = 0
    for row in spec.get("agencies", []):
        if Agency.objects.filter(uscc=row["uscc"]).exists():
            continue
        agency = Agency.objects.create(
            uscc=row["uscc"], name=row["name"], staff_count=row["staff_count"],
            fee_description=row["fee"], status=AgencyStatus.LISTED, submitted_at=now,
            listed_at=now, illustrative=True)
        agency.service_types.set([items[s] for s in row["service_types"]])
        for name, level, number, start, end in row["qualifications"]:
            Qualification.objects.create(agency=agency, name=name, level=level,
                                         certificate_number=number,
                                         valid_from=dt.date.fromisoformat(start),
                                         valid_to=dt.date.fromisoformat(end))
        audit_record(actor=actor, action="market.pack_agency", obj=agency,
                     after={"uscc": agency.uscc, "illustrative": True})
        agencies += 1
    _experts(spec.get("experts", []), items, actor=actor)
    made = 0
    project = spec.get("project")
    if project and not Project.objects.filter(title=project["title"]).exists():
        owner = User.objects.filter(username=project["owner"]).first()
        departments = owner_departments(owner)
        if owner is not None and departments:
            department = departments[0]
            today = clock.today()
            row = Project.objects.create(
                number=f"ZJ{today.year}{next_value(f'market.project.{today.year}'):05d}",
                owner=owner, owner_name=department.name,
                department=department, service_type=items[project["service_type"]],
                title=project["title"], budget=Decimal(project["budget"]),
                requirements=project["requirements"],
                service_workdays=project["service_workdays"],
                registration_closes=today - dt.timedelta(days=1), method=Method.RANDOM,
                posted_at=now, illustrative=True)
            for uscc in project["registrations"]:
                Registration.objects.create(project=row, agency=Agency.objects.get(uscc=uscc),
                                            registered_at=now)
            audit_record(actor=actor, action="market.pack_project", obj=row,
                         after={"number": row.number, "illustrative": True})
            made = 1
    return (agencies, made)


def _experts(rows: list[dict[str, Any]], items: dict[int, ServiceItem], *,
             actor: Actor) -> None:
    """The 评审专家库 (示例): each expert once, on a demo account that exists."""
    now = clock.now()
    for row in rows:
        user = User.objects.filter(username=row["username"]).first()
        if user is None or Expert.objects.filter(code=row["code"]).exists() or \
                Expert.objects.filter(user=user).exists():
            continue
        departments = owner_departments(user)
        expert = Expert.objects.create(code=row["code"], user=user, employer=row["employer"],
                                       department=departments[0] if departments else None,
                                       registered_at=now, illustrative=True)
        expert.specialties.set([items[s] for s in row["specialties"]])
        for uscc, reason, note in row.get("conflicts", []):
            ExpertConflict.objects.create(expert=expert, uscc=uscc, reason=reason, note=note,
                                          declared_at=now, declared_by=user)
        audit_record(actor=actor, action="market.pack_expert", obj=expert,
                     after={"code": expert.code, "illustrative": True})

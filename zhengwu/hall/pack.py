"""Loading a pack's halls.json (docs/pack-format.md, docs/hall.md): the city centre as the
file describes it, and a 便民服务中心 for every street, town and township of regions.csv.

A department named in `residences` moves in with its items implemented at the hall's region
that support appointments (at its window group); a township centre is run by the township's
own government (the department named like the region) and handles the items implemented
there. Loading twice changes nothing: every row is upserted by its natural key. Windows,
hours and dates invented for the demo are marked illustrative (Hall.illustrative).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import InvalidInput
from zhengwu.departments.models import Department
from zhengwu.hall.models import (
    Hall,
    HallKind,
    OpeningHours,
    QueueGroup,
    Residence,
    Service,
    Window,
    WindowKind,
    Zone,
)
from zhengwu.regions.models import Region


class HallPackError(InvalidInput):
    code = "packs.invalid"


def _department(short_name: str, where: str) -> Department:
    found = Department.objects.filter(short_name=short_name).first()
    if found is None:
        raise HallPackError(f"halls.json {where}：部门“{short_name}”不在 departments.csv 中")
    return found


def _time(value: str, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise HallPackError(f"halls.json {where}：时间“{value}”应为 HH:MM") from None


def _hours(hall: Hall, rows: list[dict[str, str]], where: str) -> None:
    if hall.hours.exists():
        return  # the hall's managers own its hours once loaded
    OpeningHours.objects.bulk_create(OpeningHours(
        hall=hall, day_type=r["day_type"], kind=r["kind"], start=_time(r["start"], where),
        end=_time(r["end"], where)) for r in rows)


def _windows(hall: Hall, rows: list[dict[str, str]], where: str) -> None:
    for row in rows:
        if row["kind"] not in WindowKind.values:
            raise HallPackError(f"halls.json {where}：窗口类别“{row['kind']}”无效")
        zone = Zone.objects.get_or_create(hall=hall, name=row["zone"])[0] \
            if row.get("zone") else None
        owner = _department(row["department"], where) if row.get("department") else None
        Window.objects.get_or_create(hall=hall, number=row["number"], defaults={
            "kind": row["kind"], "group": row["group"], "zone": zone, "department": owner})


def _prefixes(hall: Hall, prefixes: dict[str, str], illustrative: bool, where: str) -> None:
    """The window groups' number prefixes (取号: A012); a manager's later edit is kept."""
    for group, prefix in prefixes.items():
        if not (1 <= len(prefix) <= 2 and prefix.isascii() and prefix.isalpha()):
            raise HallPackError(f"halls.json {where}：叫号前缀“{prefix}”应为一到两个字母")
        QueueGroup.objects.get_or_create(hall=hall, group=group, defaults={
            "prefix": prefix.upper(), "illustrative": illustrative})


def _services(hall: Hall, department: Department, group: str, after_hours: set[str]) -> int:
    made = 0
    for implementation in ItemImplementation.objects.filter(
            department=department, region_id=hall.region_id, appointment=True).select_related(
            "item"):
        _, created = Service.objects.get_or_create(
            hall=hall, implementation=implementation, defaults={
                "window_group": group, "hall_only": True,
                "after_hours": implementation.item.name in after_hours})
        made += created
    return made


def _hall(entry: dict[str, Any], defaults: dict[str, Any]) -> tuple[Hall, bool]:
    region = Region.objects.filter(code=entry["region_code"]).first()
    if region is None:
        raise HallPackError(f"halls.json {entry['code']}：区划“{entry['region_code']}”不存在")
    operator = Department.objects.filter(short_name=entry.get("operator", "")).first()
    return Hall.objects.update_or_create(code=entry["code"], defaults={
        "name": entry["name"], "kind": entry["kind"], "region": region, "operator": operator,
        "address": entry.get("address", ""), "phone": entry.get("phone", ""),
        "illustrative": bool(entry.get("illustrative", defaults.get("illustrative"))),
        "slot_minutes": entry.get("slot_minutes", 30), "per_window": entry.get("per_window", 2),
        "note": defaults.get("note", "")})


def halls_load(pack: Path, *, region_code: str, actor: Actor) -> int:
    """Load halls.json if the pack has one; returns the halls created. Inside the pack
    load's transaction."""
    path = pack / "halls.json"
    if not path.exists():
        return 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise HallPackError(f"halls.json 不是有效的 JSON：{error}") from error
    created = 0
    note = data.get("note", "")
    for entry in data.get("halls", []):
        where = entry.get("code", "?")
        try:
            hall, made = _hall(entry, {"note": note})
        except KeyError as error:
            raise HallPackError(f"halls.json {where}：缺少 {error}") from None
        created += made
        _hours(hall, entry.get("hours", data.get("hours", [])), where)
        for zone in entry.get("zones", []):
            Zone.objects.get_or_create(hall=hall, name=zone["name"],
                                       defaults={"floor": zone.get("floor", "")})
        _windows(hall, entry.get("windows", []), where)
        _prefixes(hall, entry.get("queue_prefixes", {}), bool(entry.get("illustrative")),
                  where)
        after_hours = set(entry.get("after_hours_items", []))
        for row in entry.get("residences", []):
            department = _department(row["department"], where)
            Residence.objects.get_or_create(hall=hall, department=department, defaults={
                "since": dt.date.fromisoformat(row["since"]),
                "authorized": bool(row.get("authorized"))})
            _services(hall, department, row.get("window_group", "综合受理"), after_hours)
    townships = data.get("townships")
    if townships:
        home = Region.objects.filter(code=region_code).first()
        regions = Region.objects.filter(level__in=townships["levels"])
        if home is not None:
            regions = regions.filter(parent=home)
        since = dt.date.fromisoformat(townships["since"])
        for region in regions.order_by("code"):
            government = Department.objects.filter(short_name=region.name).first()
            entry = {"code": f"{townships['code_prefix']}{region.code}",
                     "name": f"{region.name}{townships['name_suffix']}",
                     "kind": HallKind.TOWNSHIP, "region_code": region.code,
                     "operator": region.name, "illustrative": townships.get("illustrative")}
            hall, made = _hall(entry, {"note": note})
            created += made
            _hours(hall, townships["hours"], entry["code"])
            _windows(hall, townships["windows"], entry["code"])
            _prefixes(hall, townships.get("queue_prefixes", {}),
                      bool(townships.get("illustrative")), entry["code"])
            if government is not None:
                Residence.objects.get_or_create(hall=hall, department=government,
                                                defaults={"since": since, "authorized": True})
                _services(hall, government, "综合受理", set())
    if created:
        audit_record(actor=actor, action="hall.pack.load", object_type="hall.Hall",
                     object_id="*", object_repr="服务大厅", after={"created": created})
    return created

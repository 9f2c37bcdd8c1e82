"""The 一件事 files of a data pack (docs/pack-format.md "Bundles") turned into bundle
definitions and published, inside the pack's transaction: every bad row or definition is
reported with its file, row and reason, and nothing is loaded unless all of it is good."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhengwu.bundles.services import DefinitionInvalid, bundle_publish, material_identities_replace
from zhengwu.catalog.models import ServiceItem
from zhengwu.core.audit import Actor
from zhengwu.core.errors import InvalidInput
from zhengwu.regions.models import Region

# Pack shorthands for "the township's own government / community": resolved by the region
# where the bundle is handled, not by a named department.
BY_REGION = ("各乡镇人民政府", "乡镇人民政府", "街道办事处", "·")
ANSWER_LABELS = {"yes": "是", "no": "否"}


@dataclass
class BundleLoad:
    published: int = 0
    unchanged: int = 0
    identities: int = 0


def _read(pack: Path, name: str) -> list[dict[str, str]]:
    path = pack / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(handle)]


def _answer(text: str) -> dict[str, str]:
    """`yes`, `no`, or `value:label` (e.g. `low:低压（380伏及以下）`)."""
    value, _, label = text.partition(":")
    value = value.strip()
    return {"value": value, "label": label.strip() or ANSWER_LABELS.get(value, value)}


def _condition(text: str) -> dict[str, str]:
    condition = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, _, value = part.partition("=")
        condition[key.strip()] = value.strip()
    return condition


def _kind(key: str) -> str:
    if key.endswith("id_number"):
        return "id_number"
    if key.endswith("phone"):
        return "phone"
    if key.endswith("uscc") or key.endswith("credit_code"):
        return "uscc"
    if key.endswith("_count") or key.endswith("capital") or key.endswith("_area"):
        return "number"
    if key.endswith("_date"):
        return "date"
    if key in ("business_scope", "description"):
        return "long_text"
    return "text"


def _department(name: str, hall_level: str) -> str:
    if hall_level == "township" or any(mark in name for mark in BY_REGION):
        return ""
    return name


def definitions(pack: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """(code, definition JSON) per bundle, and every row problem found."""
    codes = dict(ServiceItem.objects.values_list("name", "basic_code"))
    problems: list[str] = []
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    questions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    fields: dict[str, list[dict[str, Any]]] = defaultdict(list)
    promises: dict[str, list[dict[str, Any]]] = defaultdict(list)
    bundles = _read(pack, "bundles.csv")
    levels = {row["code"]: row["hall_level"] for row in bundles}
    for number, row in enumerate(_read(pack, "bundle_members.csv"), start=2):
        code = codes.get(row["item_name"])
        if code is None:
            problems.append(f"bundle_members.csv 第{number}行：事项“{row['item_name']}”不在 items.csv 中")
            continue
        depends = [codes.get(name, name) for name in row["depends_on"].split(";") if name]
        members[row["bundle_code"]].append({
            "item": code, "item_name": row["item_name"],
            "department": _department(row["department"], levels.get(row["bundle_code"], "")),
            # Empty: the item's own promised limit (filled in at publication).
            "promised_workdays": row["promised_workdays"] or None, "depends_on": depends,
            "when": _condition(row["when"]), "position": int(row["position"] or 0)})
    for row in _read(pack, "bundle_questions.csv"):
        questions[row["bundle_code"]].append({
            "key": row["key"], "text": row["question"],
            "answers": [_answer(v) for v in row["answers"].split(";") if v],
            "shows_if": _condition(row["shows_if"]), "help": row.get("help", "")})
    for number, row in enumerate(_read(pack, "bundle_fields.csv"), start=2):
        maps_to = []
        for pair in filter(None, row["maps_to"].split(";")):
            item_name, _, key = pair.rpartition(":")
            if item_name not in codes:
                problems.append(f"bundle_fields.csv 第{number}行：事项“{item_name}”不在 items.csv 中")
                continue
            maps_to.append({"item": codes[item_name], "field": key})
        fields[row["bundle_code"]].append({
            "key": row["field"], "label": row["label"], "required": row["required"] != "no",
            "kind": row.get("kind") or _kind(row["field"]), "maps_to": maps_to,
            "meaning": row.get("meaning") or ""})
    for row in _read(pack, "bundle_promises.csv"):
        promises[row["bundle_code"]].append({"when": _condition(row["when"]),
                                             "workdays": row["promised_workdays"]})
    result = []
    for row in bundles:
        code = row["code"]
        own = members.get(code, [])
        # Without its own promise a bundle promises its members' longest dependency chain.
        promised = row["promised_workdays"] or _longest(own)
        result.append((code, {
            "name": row["name"], "audience": row["audience"], "theme": row["theme"],
            "hall_level": row["hall_level"], "lead_department": row["lead_department"],
            "promised_workdays": promised, "promises": promises.get(code, []),
            "steps_limit": int(row["steps_limit"]) if row["steps_limit"] else None,
            "materials_limit": int(row["materials_limit"]) if row["materials_limit"] else None,
            "questions": questions.get(code, []), "members": own,
            "fields": fields.get(code, []), "source": row.get("source", "")[:4000],
            "illustrative": row.get("illustrative", "") == "yes",
            "plan_measure": row.get("plan_measure", "")}))
    return result, problems


def _longest(members: list[dict[str, Any]]) -> str:
    from decimal import Decimal

    from zhengwu.bundles.definition import DefinitionError, Member, critical_path

    try:
        path = critical_path(Member.model_validate(m) for m in members)
    except (ValueError, DefinitionError):
        return "1"
    return f"{max(path, Decimal(1)).normalize():f}"


def bundles_load(pack: Path, *, region_code: str, actor: Actor) -> BundleLoad:
    """Load (or update) every bundle of the pack; raises InvalidInput listing all problems."""
    report = BundleLoad()
    if not (pack / "bundles.csv").exists():
        return report
    report.identities = material_identities_replace(rows=[
        (row["identity"], [n for n in row["names"].split(";") if n])
        for row in _read(pack, "material_identities.csv")], actor=actor)
    rows, problems = definitions(pack)
    region = Region.objects.get(code=region_code)
    for code, data in rows:
        try:
            _, made = bundle_publish(code=code, data=data, region=region, actor=actor,
                                     note="数据包加载")
        except DefinitionInvalid as error:
            problems.append(f"bundles.csv {code}：{error.message}")
            continue
        if made:
            report.published += 1
        else:
            report.unchanged += 1
    if problems:
        raise InvalidInput("数据包一件事有误：" + "；".join(problems[:20])
                           + (f"……共 {len(problems)} 处" if len(problems) > 20 else ""),
                           code="packs.invalid")
    return report

"""The Leiyang pack's action plan as data (packs/leiyang/plan/measures.csv, issue 14 §3):
the plan's 32 measures in its 8 groups, each with its lead units and completion date as the
plan states them (packs/leiyang/tools/build_plan.py reads them from the plan's text)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

PACK = Path(__file__).resolve().parents[3] / "packs" / "leiyang"
# Units the plan names that are not one department of the pack: collectives, and one unit of
# the prefecture (衡阳市住房公积金管理中心耒阳市管理部).
COLLECTIVE = {"市直各相关单位", "各乡镇(街道)", "各乡镇人民政府", "街道办事处", "市政公用服务单位",
              "衡阳市住房公积金管理中心耒阳市管理部"}


def rows() -> list[dict[str, str]]:
    with open(PACK / "plan" / "measures.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_plan_has_its_32_measures_in_8_groups() -> None:
    measures = rows()
    assert [int(r["number"]) for r in measures] == list(range(1, 33))
    assert sorted({int(r["group_number"]) for r in measures}) == list(range(1, 9))
    assert measures[25]["title"].startswith("加快12345政务服务便民热线")  # measure 26
    assert measures[31]["group"] == "稳步推进惠企政策落地"  # measure 32


def test_every_measure_has_a_lead_and_a_date_or_is_ongoing() -> None:
    for row in rows():
        assert row["lead"], row["number"]
        if row["deadline"]:
            day = dt.date.fromisoformat(row["deadline"])
            assert day.year == 2021 and (day + dt.timedelta(days=1)).day == 1  # a month's end
        else:
            assert row["deadline_text"] == "长期坚持", row["number"]


def test_every_unit_named_is_a_department_of_the_pack_or_a_collective() -> None:
    with open(PACK / "departments.csv", encoding="utf-8", newline="") as handle:
        departments = {r["short_name"] for r in csv.DictReader(handle)}
    for row in rows():
        for unit in filter(None, [*row["lead"].split("、"), *row["co"].split("、")]):
            assert unit in departments or unit in COLLECTIVE, (row["number"], unit)

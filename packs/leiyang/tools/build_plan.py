#!/usr/bin/env python3
"""The action plan as data (issue 14 §3): its 32 measures, read from the plan's own text.

Source: 《耒阳市2021年优化营商环境“政务服务便利化”攻坚行动方案》 (耒阳市人民政府办公室,
LYDR202101006, 2021-08-09), the text in shared/mission/leiyang-2021-action-plan.txt. Every
field below is the plan's, not this project's: the measure's number, its group (（一）…（八）
of 二、主要举措), its first sentence as the title, the whole paragraph, the lead units (before
“牵头”), the co-operating units (after it, up to “按职责分工负责”) and the completion date
(“2021年底前完成” → 2021-12-31, “2021年8月底前完成” → 2021-08-31; “长期坚持” → none).
The text as stored lost some characters (“20218月底” for “2021年8月底”, quotation marks); the
dates are read either way and the paragraphs are kept as stored.

Units are named as the plan names them (short names, e.g. 市审改办); those that are one of
the pack's departments (departments.csv short_name) are checked to be; collective ones
(市直各相关单位, 各乡镇(街道) …) are kept as written.

Writes packs/leiyang/plan/measures.csv:
`number,group_number,group,title,lead,co,deadline,deadline_text,text,source`
(lead and co joined by “、”).

And packs/leiyang/plan/tasks.csv: the measures the plan's 任务分解表 (附件) splits into parts
(“一是由市政务服务中心制定…；二是由市自然资源局制定…”), one row per part, its lead the unit
the part names (“由X制定” or “X制定”), its co-operating units and date the measure's:
`measure,number,text,lead,co,deadline,deadline_text`.

    python3 packs/leiyang/tools/build_plan.py PLAN.txt          # (re)write measures.csv
    python3 packs/leiyang/tools/build_plan.py PLAN.txt --check  # verify it is up to date
"""

from __future__ import annotations

import argparse
import calendar
import csv
import io
import re
import sys
from pathlib import Path

PACK = Path(__file__).resolve().parent.parent
OUT = PACK / "plan" / "measures.csv"
TASKS_OUT = PACK / "plan" / "tasks.csv"
SOURCE = "耒阳市人民政府办公室 LYDR202101006（2021-08-09）二、主要举措"
COLUMNS = ["number", "group_number", "group", "title", "lead", "co", "deadline",
           "deadline_text", "text", "source"]
NUMERALS = "一二三四五六七八九十"
GROUP = re.compile(r"^\s*[（(]([一二三四五六七八九十]+)[)）]\s*(.+?)\s*$", re.M)
MEASURE = re.compile(r"^\s*(\d{1,2})[.．]\s*(.+?)\s*$", re.M)
TASK_COLUMNS = ["measure", "number", "text", "lead", "co", "deadline", "deadline_text"]
PART = re.compile(r"[一二三四五六七八九十]是")
PART_LEAD = re.compile(r"^(?:由)?(市[^，,。；;由]+?)(?:制定|组织|牵头|负责)")
DATE = re.compile(r"(20\d\d)年?(?:(\d{1,2})月)?底前完成")


def _tail(paragraph: str) -> tuple[str, str]:
    """(text, responsibility): the last parenthesised group of the paragraph, parentheses
    inside it (各乡镇(街道)) balanced."""
    body = paragraph.rstrip()
    if not body or body[-1] not in ")）":
        raise ValueError(f"no responsibility at the end: {body[-40:]}")
    depth = 0
    for index in range(len(body) - 1, -1, -1):
        char = body[index]
        if char in ")）":
            depth += 1
        elif char in "(（":
            depth -= 1
            if depth == 0:
                return body[:index].rstrip(), body[index + 1:-1]
    raise ValueError("unbalanced parentheses")


def _units(text: str) -> list[str]:
    return [u.strip() for u in re.split(r"[、,，]", text) if u.strip()]


def _deadline(text: str) -> tuple[str, str]:
    found = DATE.search(text)
    if found is None:
        if "长期坚持" in text:
            return "", "长期坚持"
        raise ValueError(f"no completion date: {text}")
    year = int(found[1])
    month = int(found[2]) if found[2] else 12
    day = calendar.monthrange(year, month)[1]
    words = f"{year}年{month}月底前完成" if found[2] else f"{year}年底前完成"
    return f"{year}-{month:02d}-{day:02d}", words


def measures(plan: str) -> list[dict[str, str]]:
    start = plan.index("二、主要举措")
    end = plan.index("三、保障措施")
    body = plan[start:end]
    groups = [(m.start(), NUMERALS.index(m[1][0]) + 1 if len(m[1]) == 1 else 10, m[2])
              for m in GROUP.finditer(body)]
    rows = []
    for found in MEASURE.finditer(body):
        paragraph = found[2]
        text, duty = _tail(paragraph)
        lead_part, _, rest = duty.partition("牵头")
        if not rest:  # measure 18 names its units without a lead: the units named lead it
            lead_part = re.split(r"(?:等相关涉及部门)?按照?职责分工负责", duty)[0]
            rest = ""
        co_part = re.split(r"(?:等相关涉及部门)?按照?职责分工负责", rest)[0]
        deadline, deadline_text = _deadline(duty)
        group_number, group = next((n, g) for at, n, g in reversed(groups)
                                   if at < found.start())
        rows.append({
            "number": found[1], "group_number": str(group_number), "group": group,
            "title": text.split("。", 1)[0].rstrip("。"),
            "lead": "、".join(_units(lead_part)),
            "co": "、".join(_units(co_part.lstrip(",，"))),
            "deadline": deadline, "deadline_text": deadline_text, "text": paragraph,
            "source": SOURCE})
    numbers = [int(r["number"]) for r in rows]
    if numbers != list(range(1, 33)):
        raise ValueError(f"expected measures 1–32, found {numbers}")
    return rows


def tasks(plan: str, measure_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The parts of the measures the annex's 主要任务 splits (一是…二是…), in order."""
    annex = plan[plan.index("任务分解表", plan.index("三、保障措施")):]
    by_number = {r["number"]: r for r in measure_rows}
    rows: list[dict[str, str]] = []
    number = ""
    for line in (line.strip() for line in annex.splitlines()):
        if line.isdigit():
            number = line
        if not line.startswith("一是") or number not in by_number:
            continue
        measure = by_number[number]
        parts = [p.strip().rstrip("；;。") for p in PART.split(line) if p.strip()]
        for index, part in enumerate(parts, start=1):
            lead = PART_LEAD.match(part)
            if lead is None:
                raise ValueError(f"measure {number} part {index} names no lead: {part[:30]}")
            rows.append({"measure": number, "number": str(index),
                         "text": part + "。", "lead": lead[1],
                         "co": measure["co"], "deadline": measure["deadline"],
                         "deadline_text": measure["deadline_text"]})
    return rows


def render(rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("plan", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    plan = args.plan.read_text(encoding="utf-8")
    measure_rows = measures(plan)
    task_rows = tasks(plan, measure_rows)
    outputs = {OUT: render(measure_rows), TASKS_OUT: render(task_rows, TASK_COLUMNS)}
    if args.check:
        for path, text in outputs.items():
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                sys.exit(f"{path} is out of date: run {Path(__file__).name} without --check")
            print(f"{path} is up to date")
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: 32 measures; {TASKS_OUT}: {len(task_rows)} parts")


if __name__ == "__main__":
    main()

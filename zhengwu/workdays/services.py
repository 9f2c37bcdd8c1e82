"""Entering a year's official schedule (国务院办公厅 notice) from a small file, validated.

When a year is entered, provisional deadlines reaching into it must be recomputed; the apps
that hold deadlines register a callback in YEAR_ENTERED (cases registers one).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.workdays.models import DayKind, ScheduleDay, ScheduleYear

YEAR_ENTERED: list[Callable[[int], int]] = []
KIND_WORDS = {"holiday": DayKind.HOLIDAY, "放假": DayKind.HOLIDAY, "休": DayKind.HOLIDAY,
              "workday": DayKind.MAKEUP_WORKDAY, "上班": DayKind.MAKEUP_WORKDAY,
              "班": DayKind.MAKEUP_WORKDAY, "调休上班": DayKind.MAKEUP_WORKDAY}


@dataclass(frozen=True)
class DayRow:
    date: dt.date
    kind: str
    name: str


def parse_schedule(text: str) -> list[DayRow]:
    """Rows `date,kind[,name]` (kind: holiday/放假 or workday/上班); a header line is optional;
    `#` starts a comment. Every bad line is reported with its number."""
    rows: list[DayRow] = []
    problems: list[str] = []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in record]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() in {"date", "日期"}:
            continue
        if len(cells) < 2:
            problems.append(f"第{number}行：应为“日期,类型[,节日]”")
            continue
        try:
            day = dt.date.fromisoformat(cells[0])
        except ValueError:
            problems.append(f"第{number}行：日期“{cells[0]}”无效，应为 YYYY-MM-DD")
            continue
        kind = KIND_WORDS.get(cells[1].lower())
        if kind is None:
            problems.append(f"第{number}行：类型“{cells[1]}”无效，应为“放假”或“上班”")
            continue
        if kind == DayKind.MAKEUP_WORKDAY and day.weekday() < 5:
            problems.append(f"第{number}行：{day} 是工作日，不能再设为调休上班")
            continue
        rows.append(DayRow(day, kind, cells[2] if len(cells) > 2 else ""))
    if problems:
        raise InvalidInput("放假安排有误：" + "；".join(problems), code="workdays.invalid")
    return rows


@transaction.atomic
def schedule_year_enter(*, year: int, rows: list[DayRow], document: str,
                        actor: Actor) -> ScheduleYear:
    """Record a year's official schedule; refuses a year already entered (delete it first)."""
    if not document.strip():
        raise InvalidInput("必须写明依据文件（国务院办公厅通知文号）。", code="workdays.document_required")
    if not rows:
        raise InvalidInput("放假安排为空。", code="workdays.empty")
    wrong = [r.date.isoformat() for r in rows if r.date.year != year]
    if wrong:
        raise InvalidInput(f"以下日期不在{year}年：{'、'.join(wrong[:5])}", code="workdays.wrong_year")
    dates = [r.date for r in rows]
    if len(set(dates)) != len(dates):
        raise InvalidInput("同一日期出现多次。", code="workdays.duplicate")
    if ScheduleYear.objects.filter(year=year).exists():
        raise Conflict(f"{year}年的放假安排已录入。", code="workdays.year_exists")
    schedule = ScheduleYear.objects.create(year=year, document=document.strip(),
                                           entered_by=actor.user)
    ScheduleDay.objects.bulk_create(ScheduleDay(schedule=schedule, date=r.date, kind=r.kind,
                                                name=r.name) for r in rows)
    audit_record(actor=actor, action="workdays.year_enter", obj=schedule,
                 after={"year": year, "document": document, "days": len(rows)})
    for callback in YEAR_ENTERED:
        transaction.on_commit(lambda cb=callback: cb(year))  # type: ignore[misc]
    return schedule

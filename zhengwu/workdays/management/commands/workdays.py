"""`zhengwu workdays add DATE N`, `zhengwu workdays between DATE DATE`,
`zhengwu workdays import YEAR FILE --document "…"`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.audit import Actor
from zhengwu.core.errors import DomainError
from zhengwu.workdays.calendar import SHANGHAI
from zhengwu.workdays.selectors import calendar_get
from zhengwu.workdays.services import parse_schedule, schedule_year_enter


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"日期“{value}”无效，应为 YYYY-MM-DD") from error


class Command(BaseCommand):
    help = "工作日计算：add 计算期限届满日，between 统计两日之间的工作日，import 录入年度放假安排。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="DATE 之后第 N 个工作日（起始日不计）")
        add.add_argument("date")
        add.add_argument("n")
        between = sub.add_parser("between", help="A 之后至 B（含）的工作日数")
        between.add_argument("start")
        between.add_argument("end")
        load = sub.add_parser("import", help="录入某年官方放假安排（CSV：日期,类型[,节日]）")
        load.add_argument("year", type=int)
        load.add_argument("file")
        load.add_argument("--document", required=True, help="国务院办公厅通知文号")

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = calendar_get()
        if options["action"] == "add":
            try:
                amount = Decimal(options["n"])
            except InvalidOperation as error:
                raise CommandError(f"工作日数“{options['n']}”无效") from error
            if amount < 0 or (amount * 2) % 1:
                raise CommandError("工作日数应为非负的整数或半天（如 0.5）")
            start = dt.datetime.combine(_date(options["date"]), dt.time(9, 0), SHANGHAI)
            self.stdout.write(calendar.deadline(start, amount).as_text())
        elif options["action"] == "between":
            first, last = _date(options["start"]), _date(options["end"])
            count = calendar.workdays_between(first, last)
            official = calendar.range_is_official(first, last)
            self.stdout.write(f"{count}" + ("" if official else " provisional"))
        else:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"文件不存在：{path}")
            try:
                rows = parse_schedule(path.read_text(encoding="utf-8-sig"))
                schedule_year_enter(year=options["year"], rows=rows,
                                    document=options["document"],
                                    actor=Actor(label="命令行", role="system_admin"))
            except DomainError as error:
                raise CommandError(error.message) from error
            self.stdout.write(f"已录入{options['year']}年放假安排：{len(rows)} 天")

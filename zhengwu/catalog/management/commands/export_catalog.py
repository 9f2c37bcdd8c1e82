"""`zhengwu export-catalog [--list KIND] [--format csv|xlsx] [-o FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhengwu.catalog import export, selectors


class Command(BaseCommand):
    help = "导出事项目录（可按清单），格式与导入相同，可修改后再导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", choices=sorted(selectors.LISTS), default=None)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("-o", "--output", help="输出文件；省略则写到标准输出（仅 csv）")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = selectors.implementation_list(list_kind=options["list"]).prefetch_related(
            "materials", "item__themes")
        data = export.to_csv(rows) if options["format"] == "csv" else export.to_xlsx(rows)
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"已导出到 {options['output']}")
        else:
            sys.stdout.buffer.write(data)

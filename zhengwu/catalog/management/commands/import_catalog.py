"""`zhengwu import-catalog FILE`: import a catalogue file (xlsx/csv/json), all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.catalog.importing import import_file
from zhengwu.core.audit import Actor


def _bar(phase: str, done: int, total: int) -> None:
    label = {"validating": "校验", "writing": "写入"}.get(phase, phase)
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()


class Command(BaseCommand):
    help = "导入事项目录文件（.xlsx/.csv/.json）。任一行有误则全部不导入，并列出每个错误。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        result = import_file(file_name=path.name, content=path.read_bytes(),
                             actor=Actor(label="命令行导入", role="catalog_admin"), progress=_bar)
        sys.stderr.write("\n")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem.as_text())
            raise CommandError(f"导入失败：{len(result.problems)} 处错误，未写入任何数据。")
        self.stdout.write(f"导入完成：新增 {result.created}，更新 {result.updated}，"
                          f"未变 {result.unchanged}")

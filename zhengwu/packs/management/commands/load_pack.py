"""`zhengwu load-pack DIR`: load a deployment's data pack (idempotent)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.errors import DomainError
from zhengwu.packs.loader import pack_load


def progress_bar(phase: str, done: int, total: int) -> None:
    """Redraw only when the bar moves, so a log file stays readable."""
    if total > 1 and done not in (1, total) and (done * 30 // total) == ((done - 1) * 30 // total):
        return
    if total <= 1:
        sys.stderr.write(f"\r加载{phase}…" + " " * 40)
    else:
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r加载{phase} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()


class Command(BaseCommand):
    help = "加载数据包（区划、部门、事项目录、同义词、演示账号）。重复加载不会重复写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="数据包目录，如 packs/leiyang")
        parser.add_argument("--no-people", action="store_true", help="不创建演示账号")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = pack_load(options["path"], progress=progress_bar,
                               with_people=not options["no_people"])
        except DomainError as error:
            raise CommandError(error.message) from error
        sys.stderr.write("\n")
        self.stdout.write(report.summary())

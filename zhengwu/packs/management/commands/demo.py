"""`zhengwu demo`: load the default pack (Leiyang) — idempotent; `--if-empty` skips a loaded DB."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.errors import DomainError
from zhengwu.packs.loader import pack_load
from zhengwu.packs.management.commands.load_pack import progress_bar


class Command(BaseCommand):
    help = "加载默认数据包（耒阳市演示数据）。可重复执行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库已有事项时什么也不做（make run 使用）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and ItemImplementation.objects.exists():
            self.stdout.write("数据库已有数据，跳过加载。")
            return
        try:
            report = pack_load(settings.ZHENGWU_DEFAULT_PACK, progress=progress_bar)
        except DomainError as error:
            raise CommandError(error.message) from error
        sys.stderr.write("\n")
        self.stdout.write(report.summary())

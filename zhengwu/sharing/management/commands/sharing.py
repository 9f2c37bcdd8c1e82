"""`zhengwu sharing verify-log`: walk the data-use log's SM3 chain (sharing.uselog) and report
every changed, deleted or reordered row; `zhengwu sharing items`: list the sharing catalogue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.sharing.selectors import catalogue
from zhengwu.sharing.uselog import uselog_verify


class Command(BaseCommand):
    help = "数据共享：verify-log 校验“谁用了我的证照/数据”记录的 SM3 哈希链；items 列出共享数据目录。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify-log", help="校验数据使用记录的哈希链，发现篡改、删除、重排或截断")
        sub.add_parser("items", help="列出共享数据目录")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "items":
            for item in catalogue():
                self.stdout.write(f"{item.code}\t{item.name}\t{item.provider.name}\t"
                                  f"{item.get_subject_kind_display()}")
            return
        problems = uselog_verify()
        for problem in problems:
            self.stdout.write(f"{problem.stream}#{problem.seq}: {problem.reason}")
        if problems:
            raise CommandError(f"数据使用记录校验失败：{len(problems)} 处问题")
        self.stdout.write("数据使用记录哈希链完整 (data-use log intact)")

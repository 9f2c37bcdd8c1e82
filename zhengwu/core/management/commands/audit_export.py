"""`zhengwu audit-export DIR`: copy the signed checkpoints and the trusted public keys into a
folder an auditor keeps away from the platform, to run `zhengwu audit-verify --checkpoints
DIR/checkpoints.jsonl --public-key …` later (ADR 0010)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhengwu.core import checkpoints


class Command(BaseCommand):
    help = "导出审计检查点文件和验签公钥，交审计方另行保存。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", help="导出到的目录")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in checkpoints.checkpoints_export(options["destination"]):
            self.stdout.write(str(path))

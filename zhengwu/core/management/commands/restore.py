"""`zhengwu restore SRC [--force]`: put a backup made by `zhengwu backup` into this data dir
(and database); refuses a data dir that is not empty unless forced. Run `zhengwu audit-verify`
afterwards (docs/deploy.md, the drill)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.backup import backup_restore
from zhengwu.core.errors import DomainError


class Command(BaseCommand):
    help = "从 zhengwu backup 生成的目录恢复到空的数据目录；非空时需 --force。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="备份目录")
        parser.add_argument("--force", action="store_true", help="覆盖非空的数据目录和数据库")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(options["source"], force=options["force"])
        except DomainError as error:
            raise CommandError(error.message) from error
        heads = "，".join(f"{h['stream']}@{h['seq']}" for h in manifest["heads"])
        self.stdout.write(f"已恢复 {manifest['created_at']} 的备份：{len(manifest['files'])} 个上传文件，"
                          f"审计链头 {heads}。请运行 zhengwu audit-verify 核对。")

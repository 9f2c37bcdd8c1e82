"""`zhengwu backup DEST [--include-secrets]`: a consistent copy of the database, the uploads
and the signed audit checkpoints while the platform runs (core.backup, docs/deploy.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.backup import backup_create
from zhengwu.core.errors import DomainError


class Command(BaseCommand):
    help = "备份数据库、上传文件和审计检查点到一个新目录（运行中亦可）。默认不含签名私钥。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", help="备份目录（不存在或为空）")
        parser.add_argument("--include-secrets", action="store_true",
                            help="同时备份审计签名私钥和 Django 密钥（备份须按密钥保管）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(options["destination"],
                                     include_secrets=options["include_secrets"])
        except DomainError as error:
            raise CommandError(error.message) from error
        heads = "，".join(f"{h['stream']}@{h['seq']}" for h in manifest["heads"])
        self.stdout.write(f"已备份到 {options['destination']}：{manifest['engine']} 数据库，"
                          f"{len(manifest['files'])} 个上传文件，审计链头 {heads}"
                          + ("，含密钥" if manifest["secrets_included"] else "，不含签名私钥"))

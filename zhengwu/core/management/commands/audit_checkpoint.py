"""`zhengwu audit-checkpoint [--force]`: seal pending journal rows and append an SM2-signed
checkpoint of every audit stream's head now (the sweep does it every
ZHENGWU_AUDIT_CHECKPOINT_SECONDS)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhengwu.core import checkpoints


class Command(BaseCommand):
    help = "立即封存待封存记录并写入一个 SM2 签名的审计检查点。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="审计链无变化时也写入")

    def handle(self, *args: Any, **options: Any) -> None:
        written = checkpoints.checkpoint_write(force=options["force"])
        if written is None:
            self.stdout.write("审计链自上一个检查点以来无变化，未写入。")
            return
        heads = "，".join(f"{h['stream']}@{h['seq']}" for h in written.heads)
        self.stdout.write(f"签名检查点 #{written.number}：{heads} → {checkpoints.checkpoints_path()}")

"""`zhengwu audit-verify`: check the audit trail — the SM3 hash chain, the sealed journals
(timelines, staff reads) and the SM2-signed checkpoints (ADR 0005, ADR 0010)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core import checkpoints
from zhengwu.core.audit import audit_verify


class Command(BaseCommand):
    help = "校验审计日志：SM3 哈希链、封存的时间线与查阅记录、SM2 签名检查点，发现篡改、删除、截断或重算。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--checkpoints", help="检查点文件（默认为数据目录中的文件，可用审计方导出的副本）")
        parser.add_argument("--public-key", action="append", dest="public_keys",
                            help="受信任的 SM2 公钥（十六进制 x‖y，可重复；默认取 ZHENGWU_AUDIT_PUBLIC_KEYS 或密钥目录）")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify(checkpoints=options["checkpoints"],
                                public_keys=options["public_keys"])
        for problem in problems:
            self.stdout.write(f"{problem.stream}#{problem.seq}: {problem.reason}")
        if problems:
            raise CommandError(f"审计链校验失败：{len(problems)} 处问题")
        last = checkpoints.checkpoint_last(options["checkpoints"])
        pending = checkpoints.unsealed_count()
        if last is None:
            self.stdout.write("注意：尚无签名检查点，只校验了哈希链自身（运行 zhengwu audit-checkpoint）。")
        else:
            heads = "，".join(f"{h['stream']}@{h['seq']}" for h in last.heads)
            self.stdout.write(f"签名检查点 #{last.number}（{last.signed_at.isoformat()}）：{heads}")
        self.stdout.write(f"待封存的时间线与查阅记录：{pending} 条（下一个检查点封存）")
        self.stdout.write("审计链完整 (audit chain intact)")

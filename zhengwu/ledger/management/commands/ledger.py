"""`zhengwu ledger verify` checks the whole transparency log offline (ledger.verify);
`zhengwu ledger checkpoint` signs a tree head now (the sweep `ledger.checkpoint` does it
whenever the log has grown)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.ledger.services import checkpoint_sign, signer_get
from zhengwu.ledger.verify import ledger_verify


class Command(BaseCommand):
    help = "透明日志：verify 校验全部条目、树节点与签名检查点；checkpoint 立即签发检查点。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument("--public-key", action="append", dest="public_keys",
                            help="受信任的日志 SM2 公钥（十六进制 x‖y，可重复；默认取本机日志密钥的公钥）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            made = checkpoint_sign()
            self.stdout.write(f"已签发检查点：{made.size} 条，树根 {made.root}")
            return
        try:
            keys = [bytes.fromhex(k) for k in options["public_keys"] or []]
        except ValueError:
            raise CommandError("--public-key 应为十六进制（64 字节 x‖y）") from None
        if not keys:
            signer = signer_get()
            existing = getattr(signer, "existing_public_key", None)
            own = existing() if callable(existing) else signer.public_key()
            if own is None:
                raise CommandError("本机没有日志密钥：请用 --public-key 给出受信任的日志公钥。")
            keys = [own]
        report = ledger_verify(keys)
        for problem in report.problems:
            self.stdout.write(f"{problem.where}：{problem.reason}")
        if report.problems:
            raise CommandError(f"透明日志校验失败：{len(report.problems)} 处问题")
        if report.latest is None:
            self.stdout.write(f"注意：{report.size} 个条目，尚无签名检查点（运行 zhengwu ledger checkpoint）。")
        else:
            self.stdout.write(f"最新检查点：{report.latest.size} 条，树根 {report.latest.root}")
        self.stdout.write(f"透明日志完整：{report.size} 个条目，{report.checkpoints} 个检查点 (ledger intact)")

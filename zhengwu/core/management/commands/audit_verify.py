"""`zhengwu audit-verify`: check the SM3 hash chain of the audit trail."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhengwu.core.audit import audit_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链（SM3），发现篡改、删除或重排的记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        for problem in problems:
            self.stdout.write(f"{problem.stream}#{problem.seq}: {problem.reason}")
        if problems:
            raise CommandError(f"审计链校验失败：{len(problems)} 处问题")
        self.stdout.write("审计链完整 (audit chain intact)")

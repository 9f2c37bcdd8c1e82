"""`zhengwu demo_logins`: print the demo accounts of the default pack (printed by make run)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from zhengwu.accounts.roles import Role


class Command(BaseCommand):
    help = "列出默认数据包的演示账号。"

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.ZHENGWU_DEFAULT_PACK) / "people.csv"
        if not path.exists():
            return
        self.stdout.write("==> 演示账号 Demo logins (用户名或手机号 / 密码):")
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                label = Role(row["role"]).label
                self.stdout.write(f"    {row['username']:<12} {row['phone']:<12} "
                                  f"{row['password']:<10} {label}（{row['display_name']}）")

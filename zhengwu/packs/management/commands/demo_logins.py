"""`zhengwu demo_logins`: print the demo accounts of the default pack (printed by make run)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from zhengwu.accounts.roles import SECOND_FACTOR_ROLES, Role


class Command(BaseCommand):
    help = "列出默认数据包的演示账号。"

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.ZHENGWU_DEFAULT_PACK) / "people.csv"
        if not path.exists():
            return
        self.stdout.write("==> 演示账号 Demo logins (用户名或手机号 / 密码):")
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                role = Role(row["role"])
                totp = " *" if role in SECOND_FACTOR_ROLES else ""
                self.stdout.write(f"    {row['username']:<12} {row['phone']:<12} "
                                  f"{row['password']:<10} {role.label}（{row['display_name']}）{totp}")
        self.stdout.write("    * 须使用动态口令（TOTP）：首次登录时用认证器扫码绑定，并保存恢复码。"
                          " Needs TOTP: enrol with an authenticator app at first sign-in.")

"""`zhengwu hotline_import FILE.json`: import 12345 work orders from another platform (上级平台
转办, 好差评差评 …), idempotent by (channel, external_id), all or nothing.

The file is a JSON list of orders, or {"orders": [...]}; each order has the fields of the API's
OrderIn plus `external_id` (required) and `channel` (default upstream). `--user` names the
operator recorded as having accepted them (default: the platform itself)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError
from zhengwu.hotline import services


class Command(BaseCommand):
    help = "导入12345工单（JSON）。同一来源编号重复导入只生成一张工单；任一行有误则全部不导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--user", default="", help="记录为受理人的话务员账号（默认：系统）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"文件不是有效的 UTF-8 JSON：{error}") from error
        rows = data.get("orders") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise CommandError("文件应为工单列表，或形如 {\"orders\": [...]} 的对象。")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有账号“{options['user']}”。")
        try:
            result = services.order_import(user=user, rows=rows)
        except services.ImportInvalid as error:
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(f"导入失败：{len(error.errors)} 行有误，未写入任何工单。") from error
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"导入完成：新增 {len(result.created)}，已存在 {len(result.existing)}")

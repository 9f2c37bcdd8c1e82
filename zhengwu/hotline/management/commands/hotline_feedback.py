"""`zhengwu hotline_feedback [--after N] [--limit N] [--output FILE] [--ack-through N]`: the
反馈 to the upstream (provincial) platform for a file-based exchange (a 前置机 that carries
files both ways): the JSON `GET /api/v1/hotline/upstream/feedback` answers, written to FILE
(or standard output); `--ack-through` marks as delivered everything up to an id once the
file has been taken (hotline.upstream)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from zhengwu.core.audit import SYSTEM
from zhengwu.hotline import upstream


class Command(BaseCommand):
    help = "导出待反馈上级12345平台的工单办理情况（JSON），或确认已送达。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--after", type=int, default=0, help="从该编号之后开始（默认 0）")
        parser.add_argument("--limit", type=int, default=upstream.PAGE_MAX,
                            help=f"最多导出条数（1–{upstream.PAGE_MAX}）")
        parser.add_argument("--output", default="", help="写入的文件（默认：标准输出）")
        parser.add_argument("--ack-through", type=int, default=0,
                            help="确认已送达至该编号（含），之后不再导出")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ack_through"]:
            if options["ack_through"] < 1:
                raise CommandError("--ack-through 应为正整数。")
            count = upstream.acknowledge(through=options["ack_through"], actor=SYSTEM)
            self.stdout.write(f"已确认送达 {count} 条反馈。")
            return
        if not 1 <= options["limit"] <= upstream.PAGE_MAX or options["after"] < 0:
            raise CommandError(f"--limit 应在 1–{upstream.PAGE_MAX} 之间，--after 不能为负数。")
        rows = upstream.pending(after=options["after"], limit=options["limit"])
        text = json.dumps({"items": [upstream.item(row) for row in rows],
                           "next_after": rows[-1].pk if rows else options["after"]},
                          cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"已导出 {len(rows)} 条反馈至 {options['output']}。")
        else:
            self.stdout.write(text)

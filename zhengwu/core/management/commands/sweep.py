"""`zhengwu sweep [--now ISO8601]`: run every registered periodic sweep once, as of a moment."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core import clock, sweeps


class Command(BaseCommand):
    help = "执行一次全部定时任务（如超时默认、事项回头看），可指定“当前时间”。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="按此时刻执行（ISO 8601，如 2026-12-01T09:00:00+08:00）")
        parser.add_argument("--every", type=int, default=0,
                            help="每隔多少秒重复执行（zhengwu serve 使用；0 表示只执行一次）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["every"] > 0:
            if options["now"]:
                raise CommandError("--every 不能与 --now 同时使用。")
            while True:  # stopped by the parent process (zhengwu serve) or Ctrl-C
                self._run_once(clock.now())  # a failed sweep is logged; the next run retries
                time.sleep(options["every"])
        try:
            now = clock.parse_instant(options["now"]) if options["now"] else clock.now()
        except ValueError as error:
            raise CommandError(f"--now 不是有效的 ISO 8601 时间：{options['now']}") from error
        failed = self._run_once(now)
        if failed:
            raise CommandError(f"{len(failed)} 项定时任务失败：{'、'.join(failed)}（详见日志）")

    def _run_once(self, now: dt.datetime) -> list[str]:
        results, failed = sweeps.run_each(now)
        if not results:
            self.stdout.write(f"{now.isoformat()}：没有已登记的定时任务。")
        for name, summary in results:
            self.stdout.write(f"{name}: {summary}")
        return failed

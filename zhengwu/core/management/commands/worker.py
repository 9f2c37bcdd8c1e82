"""`zhengwu worker`: the background task worker (django-tasks database backend)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动后台任务处理进程。"

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("db_worker", interval=1.0, reload=False)

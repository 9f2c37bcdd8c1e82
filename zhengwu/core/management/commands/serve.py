"""`zhengwu serve [--host H] [--port P]`: the web server (gunicorn), one task worker and the
periodic sweeps (`zhengwu sweep --every ZHENGWU_SWEEP_INTERVAL`: deadlines, notifications,
signed audit checkpoints …).

All are child processes; Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from zhengwu.core import public_url

# Address, time, method, path (never the query string), status, bytes, milliseconds, agent:
# no query string and no referer, which could carry personal data (ADR 0011).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


def gunicorn_argv(app: str, *, host: str, port: str, workers: str,
                  hooks: bool = False) -> list[str]:
    """The web server's command line; `hooks`: the platform's server hooks
    (config.gunicorn_hooks: each worker builds the search index before serving)."""
    return [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"{host}:{port}", "--workers", str(workers),
        "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT, "--timeout", "60",
        # Paths and agents are the client's text: escaped, so that a %0A in a URL cannot
        # forge a log line (core.gunicorn_log).
        "--logger-class", "zhengwu.core.gunicorn_log.AccessLogger",
        # gunicorn's control socket defaults to one path per home directory: two
        # deployments (or a test server) on one host would share it. Nothing uses it.
        "--no-control-socket",
        *(["--config", "python:config.gunicorn_hooks"] if hooks else []),
    ]


class Command(BaseCommand):
    help = "启动网站（gunicorn）和后台任务进程。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", default=os.environ.get("ZHENGWU_WEB_WORKERS", "2"))
        parser.add_argument("--no-worker", action="store_true",
                            help="不启动后台任务进程和定时任务进程")

    def handle(self, *args: Any, **options: Any) -> None:
        warning = public_url.problem(served=f"http://{options['host']}:{options['port']}")
        if warning:
            self.stderr.write(f"注意：{warning}")
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
        env.setdefault("PYTHONUNBUFFERED", "1")  # children's logs appear as they happen
        # Several gunicorn workers: /metrics must add up every worker's counters.
        metrics_dir = Path(settings.DATA_DIR) / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
        web = subprocess.Popen(  # noqa: S603 — fixed argv, no shell
            gunicorn_argv("config.wsgi:application", host=options["host"],
                          port=options["port"], workers=options["workers"], hooks=True),
            env=env)
        children = [web]
        if not options["no_worker"]:
            children.append(subprocess.Popen(
                [sys.executable, "-m", "config.cli", "worker"], env=env))
            interval = str(int(os.environ.get("ZHENGWU_SWEEP_INTERVAL", "60")))
            children.append(subprocess.Popen(  # noqa: S603 — fixed argv, no shell
                [sys.executable, "-m", "config.cli", "sweep", "--every", interval], env=env))

        def stop(signum: int, frame: object) -> None:
            for child in children:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop(signal.SIGTERM, None)
            for child in children:
                child.wait(timeout=20)

"""Does a restart make a citizen wait for the search index? (issue 16: "right after a restart,
searches wait ~1 s (p99 1.06 s over the first 10 s of load) while each gunicorn worker builds its
own index").

    .venv/bin/python bench/restart.py [--data-dir DIR] [--quick] [--seconds 10]

On a generated province catalogue (bench/province.py; made in DIR first if DIR holds none), the
real server (`zhengwu serve --no-worker`, gunicorn with config.gunicorn_hooks, 2 workers) is
started; one client then sends searches (GET /api/v1/search, realistic queries) and, between
them, GET /healthz, back to back:

- a graceful reload: load for 3 s, `kill -HUP` the gunicorn master, load for `--seconds` more —
  the p99 of the searches after the signal, against /healthz in the same window and the searches
  before it;
- a cold start: the time from starting the server to its first answered search (the index is
  built before any worker is forked: the one wait left), then the p99 of the first `--seconds`
  of load after it.

The figures are printed and written to bench/results/restart.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import summary_ms  # noqa: E402 — bench/ on the path first

QUERIES = ["营业执照", "社保卡", "开饭店", "yyzz", "身份证补办", "结婚登记", "公积金提取", "退休",
           "户口迁移", "食品经营许可", "shebaoka", "生孩子", "医保", "驾驶证", "不动产登记"]


def env_for(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(ZHENGWU_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings.dev",
               DJANGO_DEBUG="0", ZHENGWU_LOG_LEVEL="WARNING", PYTHONHASHSEED="0")
    return env


def prepare(data_dir: Path, quick: bool) -> None:
    marker = data_dir / "province-generated"
    if marker.exists():
        return
    subprocess.run([sys.executable, "-c", (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); import province; "
        f"province.generate(province.{'QUICK' if quick else 'FULL'}, say=print)")],
        env={**env_for(data_dir), "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"}, check=True,
        cwd=ROOT)
    marker.write_text("1")


def get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        assert response.status == 200, url
    return time.perf_counter() - started


def load(base: str, seconds: float, offset: int = 0) -> tuple[list[float], list[float]]:
    """Searches and /healthz, alternately, for `seconds`: their latencies."""
    searches, health = [], []
    until = time.monotonic() + seconds
    number = offset
    while time.monotonic() < until:
        query = urllib.request.quote(QUERIES[number % len(QUERIES)])
        searches.append(get(f"{base}/api/v1/search?q={query}&limit=10"))
        health.append(get(f"{base}/healthz"))
        number += 1
    return searches, health


def start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    log = (data_dir / "restart-server.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "config.cli", "serve", "--no-worker", "--port", str(port),
         "--workers", "2"], env={**env_for(data_dir), "ZHENGWU_LOG_LEVEL": "INFO"}, cwd=ROOT,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)


def gunicorn_master(server: subprocess.Popen[bytes]) -> int:
    found = subprocess.run(["pgrep", "-P", str(server.pid), "-f", "gunicorn"],
                           capture_output=True, text=True, check=True).stdout.split()
    return int(found[0])


def first_search(base: str, deadline: float) -> float:
    """Seconds until a search is answered (connection refused counts as not yet)."""
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        try:
            get(f"{base}/api/v1/search?q=%E7%A4%BE%E4%BF%9D%E5%8D%A1&limit=10")
            return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("no search answered")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/zhengwu-bench-restart"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=28731)
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    (args.data_dir / "static").mkdir(exist_ok=True)
    prepare(args.data_dir, args.quick)
    base = f"http://127.0.0.1:{args.port}"
    result: dict[str, Any] = {}

    # -- a cold start ----------------------------------------------------------------------
    server = start(args.data_dir, args.port)
    try:
        result["cold_start_first_search_s"] = first_search(base, 600)
        searches, health = load(base, args.seconds)
        result["after_cold_start"] = {"search": summary_ms(searches),
                                      "healthz": summary_ms(health)}
        # -- a graceful reload (HUP) -------------------------------------------------------
        before, _ = load(base, 3)
        os.kill(gunicorn_master(server), signal.SIGHUP)
        searches, health = load(base, args.seconds, offset=7)
        result["reload"] = {"search_before": summary_ms(before), "search": summary_ms(searches),
                            "healthz": summary_ms(health)}
    finally:
        stop(server)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results" / "restart.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

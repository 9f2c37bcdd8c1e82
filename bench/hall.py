"""Service-hall benchmarks (issue 12, "Benchmark"): `make bench-hall [QUICK=1]`, i.e.
`.venv/bin/python bench/run.py --hall [--quick]`.

Phase `hall_prepare` migrates a fresh SQLite database and loads the Leiyang pack (its halls,
windows and queue prefixes among it) once; phase `hall_http` runs on a copy of it:

The clock is frozen on a working-day morning (Tuesday 1 December 2026, 10:00 Beijing): numbers
are taken only while the hall serves walk-ins, and the run must not depend on when it starts.

1. In-process (Django's test client): the SQL statements of one poll of the hall screen's
   state (`GET /hall/display/<hall>/state.json`) with the state cached and after a move (the
   cache's version changed), of taking a number (`POST /api/v1/hall/tickets`, hall staff for
   a caller: 电话取号) and of calling, serving and finishing one (`POST .../call-next`, `POST
   /api/v1/hall/tickets/{id}/start`, `.../finish`).
2. The real server as `make run` starts it (`zhengwu serve`, DEBUG off) with ONE gunicorn
   worker, on loopback, in rounds, each side measured in the same round:
   - the display endpoint against `GET /healthz` (a trivial view: `SELECT 1`), both with wrk
     (else the Python load generator), 8 connections;
   - the write path against `GET /healthz`, both with the Python load generator (one
     keep-alive connection per thread, 8 threads): taking numbers (each request a different
     caller's phone and its own Idempotency-Key), and calling them — 4 windows, one thread
     each, call-next, start, finish (a call is the three requests);
3. The hall screens: 50 screens polling the display endpoint every 2 s (each on its own
   connection, their ticks spread over the 2 s) for 60 s (12 s with --quick), while a clerk
   calls and finishes a number every second — so the queue's version moves and polls after a
   move miss the cache, as in a working hall. Goal: p99 ≤ 50 ms.

Taking and calling have no goal of their own in the issue: they are reported as ratios to
/healthz in the same run. run.py writes bench/results/hall.json and latest-hall.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

from cases import say

PREPARE = "hall_prepare"
PHASES = ("hall_http",)
HALL = "LY-ZWFW"  # the pack's city centre (耒阳市政务服务中心)
GROUP = "综合受理"
WINDOWS = ("A01", "A02", "A03", "A04")  # its 综合受理 windows
CLERK = "clerk"  # a window clerk of the demo pack (hall staff of the city centre)
PASSWORD = "demo-2026"
HALL_MORNING = "2026-12-01T10:00:00+08:00"  # a Tuesday, a working day of the 2026 calendar
SCREENS = 50
POLL_SECONDS = 2.0
SCREEN_P99_GOAL_MS = 50.0
# (full, --quick)
ROUNDS = (3, 2)
SECONDS = (10, 3)
SCREEN_SECONDS = (60, 12)
INPROCESS = (40, 10)
CONNECTIONS = 8


def _scale(pair: tuple[int, int], args: argparse.Namespace) -> int:
    return pair[1] if args.quick else pair[0]


def phase_hall_prepare(args: argparse.Namespace) -> dict[str, Any]:
    import cases

    started = time.perf_counter()
    result = cases._setup()
    result["seconds"] = time.perf_counter() - started
    return result


def _on_duty() -> Any:
    """The clerk on duty today at the 综合受理 windows of the city centre."""
    from zhengwu.accounts.models import User
    from zhengwu.core import clock
    from zhengwu.hall.models import Duty, Window

    clerk = User.objects.get(username=CLERK)
    for window in Window.objects.filter(hall__code=HALL, number__in=WINDOWS):
        Duty.objects.get_or_create(window=window, date=clock.today(), user=clerk)
    return clerk


def _csrf_headers(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": cookies["csrftoken"], "Content-Type": "application/json"}


def _take_body(number: int) -> bytes:
    return json.dumps({"hall": HALL, "group": GROUP, "name": f"来电群众{number}",
                       "phone": f"139{number:08d}"}, ensure_ascii=False).encode()


def _inprocess(args: argparse.Namespace) -> dict[str, Any]:
    """Statements and in-process times of a poll (cached, after a move), a take, a call."""
    import engine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from run import summary_ms

    from zhengwu.accounts.models import User

    clerk = User.objects.get(username=CLERK)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(clerk)
    state = reverse("hall:display_state", args=[HALL])
    take = "/api/v1/hall/tickets"
    call = f"/api/v1/hall/windows/{HALL}/{WINDOWS[0]}/call-next"

    def take_one(number: int) -> Any:
        response = client.post(take, _take_body(number), content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY=f"bench-inprocess-{number}")
        if response.status_code not in (200, 201):
            raise SystemExit(f"POST {take}: {response.status_code} {response.content[:300]!r}")
        return response.json()

    def call_finish() -> None:
        called = client.post(call, content_type="application/json")
        if called.status_code != 200:
            raise SystemExit(f"POST {call}: {called.status_code} {called.content[:300]!r}")
        for action in ("start", "finish"):
            done = client.post(f"/api/v1/hall/tickets/{called.json()['id']}/{action}",
                               content_type="application/json")
            if done.status_code != 200:
                raise SystemExit(f"{action}: {done.status_code} {done.content[:300]!r}")

    counts: dict[str, Any] = {}
    with CaptureQueriesContext(connection) as queries:
        take_one(1)
    counts["take"] = queries.captured_queries
    client.get(state)
    with CaptureQueriesContext(connection) as queries:
        client.get(state)
    counts["poll_cached"] = queries.captured_queries
    with CaptureQueriesContext(connection) as queries:
        call_finish()
    counts["call_finish"] = queries.captured_queries
    with CaptureQueriesContext(connection) as queries:
        client.get(state)
    counts["poll_after_move"] = queries.captured_queries
    times: dict[str, list[float]] = {"poll_cached": [], "take": [], "call_finish": []}
    for number in range(_scale(INPROCESS, args)):
        began = time.perf_counter()
        take_one(100 + number)
        times["take"].append(time.perf_counter() - began)
        began = time.perf_counter()
        client.get(state)
        times["poll_cached"].append(time.perf_counter() - began)
        began = time.perf_counter()
        call_finish()
        times["call_finish"].append(time.perf_counter() - began)
    return {"sql": {name: len(engine.data_statements([q["sql"] for q in captured]))
                    for name, captured in counts.items()},
            "sql_breakdown": {name: engine.breakdown([q["sql"] for q in captured])
                              for name, captured in counts.items()},
            "times": {name: summary_ms(samples) for name, samples in times.items()}}


def _calls(port: int, cookies: dict[str, str], seconds: float) -> dict[str, Any]:
    """One thread per window: call the next number, finish it; for `seconds`."""
    from run import percentile

    headers = _csrf_headers(cookies)
    latencies: list[list[float]] = [[] for _ in WINDOWS]
    failures = [0] * len(WINDOWS)
    empty = [0] * len(WINDOWS)
    deadline = time.perf_counter() + seconds

    def post(connection: HTTPConnection, path: str) -> tuple[int, bytes]:
        connection.request("POST", path, body=b"{}", headers=headers)
        response = connection.getresponse()
        return response.status, response.read()

    def worker(index: int) -> None:
        connection = HTTPConnection("127.0.0.1", port, timeout=10)
        call = f"/api/v1/hall/windows/{HALL}/{WINDOWS[index]}/call-next"
        try:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                status, body = post(connection, call)
                if status == 409 and b"hall.queue_empty" in body:
                    empty[index] += 1
                    break
                if status != 200:
                    failures[index] += 1
                    continue
                number = json.loads(body)["id"]
                status, _ = post(connection, f"/api/v1/hall/tickets/{number}/start")
                if status == 200:
                    status, _ = post(connection, f"/api/v1/hall/tickets/{number}/finish")
                if status != 200:
                    failures[index] += 1
                    continue
                latencies[index].append(time.perf_counter() - began)
        finally:
            connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(WINDOWS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    samples = [x for part in latencies for x in part]
    if not samples:
        raise SystemExit("no number was called and finished")
    return {"calls": len(samples), "requests": 3 * len(samples), "seconds": elapsed,
            "per_s": len(samples) / elapsed, "requests_per_s": 3 * len(samples) / elapsed,
            "failed": sum(failures), "queue_emptied": sum(empty),
            "p50_ms": percentile(samples, 0.5) * 1000, "p99_ms": percentile(samples, 0.99) * 1000}


def _screens(port: int, path: str, cookies: dict[str, str], seconds: float) -> dict[str, Any]:
    """SCREENS pollers, each on its own connection, every POLL_SECONDS (ticks spread over the
    period), while the clerk calls and finishes a number every second."""
    from run import percentile

    latencies: list[list[float]] = [[] for _ in range(SCREENS)]
    failures = [0] * SCREENS
    late = [0] * SCREENS
    start = time.perf_counter() + 0.5
    deadline = start + seconds

    def screen(index: int) -> None:
        connection: HTTPConnection | None = None
        tick = start + POLL_SECONDS * index / SCREENS
        while tick < deadline:
            pause = tick - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            else:
                late[index] += 1  # the previous poll took longer than the period
            began = time.perf_counter()
            try:
                if connection is None:
                    connection = HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                if connection is not None:
                    connection.close()
                connection = None
            latencies[index].append(time.perf_counter() - began)
            failures[index] += 0 if ok else 1
            tick += POLL_SECONDS
        if connection is not None:
            connection.close()

    moves = [0]

    def clerk() -> None:
        headers = _csrf_headers(cookies)
        connection = HTTPConnection("127.0.0.1", port, timeout=10)
        call = f"/api/v1/hall/windows/{HALL}/{WINDOWS[0]}/call-next"
        try:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                connection.request("POST", call, body=b"{}", headers=headers)
                response = connection.getresponse()
                body = response.read()
                if response.status == 200:
                    number = json.loads(body)["id"]
                    for action in ("start", "finish"):
                        connection.request("POST", f"/api/v1/hall/tickets/{number}/{action}",
                                           body=b"{}", headers=headers)
                        connection.getresponse().read()
                    moves[0] += 3
                time.sleep(max(0.0, 1.0 - (time.perf_counter() - began)))
        finally:
            connection.close()

    threads = [threading.Thread(target=screen, args=(n,)) for n in range(SCREENS)]
    threads.append(threading.Thread(target=clerk))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    samples = [x for part in latencies for x in part]
    return {"screens": SCREENS, "period_s": POLL_SECONDS, "seconds": seconds,
            "polls": len(samples), "failed": sum(failures), "late": sum(late),
            "moves": moves[0], "p50_ms": percentile(samples, 0.5) * 1000,
            "p90_ms": percentile(samples, 0.9) * 1000, "p99_ms": percentile(samples, 0.99) * 1000,
            "max_ms": max(samples) * 1000, "mean_ms": statistics.fmean(samples) * 1000}


def _round(name: str, figures: dict[str, Any], number: int) -> None:
    say(f"  round {number + 1}: {name:16} {figures['per_s']:8,.1f}/s  p50 "
        f"{figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  failed "
        f"{figures['failed']}")


def phase_hall_http(args: argparse.Namespace) -> dict[str, Any]:
    from run import _django_setup

    # Numbers are taken only while the hall serves walk-ins (rules.take_refusal): the run, in
    # process and in the server, happens on a working-day morning whenever it is started.
    os.environ["ZHENGWU_NOW"] = HALL_MORNING
    os.environ["ZHENGWU_ALLOW_FROZEN_CLOCK"] = "1"
    _django_setup()
    import engine
    from django.conf import settings
    from django.db import connection
    from django.urls import reverse

    _on_duty()
    result: dict[str, Any] = {"inprocess": _inprocess(args)}
    sql = result["inprocess"]["sql"]
    say(f"  in-process SQL: poll cached {sql['poll_cached']}, after a move "
        f"{sql['poll_after_move']}; take {sql['take']}; call + finish {sql['call_finish']}")
    state = reverse("hall:display_state", args=[HALL])
    connection.close()  # the server writes this database now

    os.environ["ZHENGWU_WEB_WORKERS"] = "1"
    workdir = Path(settings.DATA_DIR) / "http"
    workdir.mkdir(exist_ok=True)
    use_wrk = shutil.which("wrk") is not None
    generator = "python-threads (http.client; wrk not installed)"
    if use_wrk:
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        generator = (version.stdout or version.stderr).splitlines()[0].strip() or "wrk"
    rounds, seconds = _scale(ROUNDS, args), _scale(SECONDS, args)
    say(f"  load generator for GETs: {generator}; writes: Python threads; {rounds} × "
        f"{seconds} s; one gunicorn worker")
    server = engine.Server(Path(settings.DATA_DIR))
    runs: dict[str, list[dict[str, Any]]] = {"healthz": [], "display": [], "healthz_py": [],
                                             "take": [], "call": []}
    try:
        cookies = engine.sign_in(server.port, CLERK, PASSWORD)
        headers = _csrf_headers(cookies)

        def take(thread: int, counter: int) -> tuple[bytes | None, dict[str, str]]:
            number = 1_000_000 + thread * 100_000 + counter + 10_000 * len(runs["take"])
            return _take_body(number), {**headers, "Idempotency-Key": f"bench-take-{number}"}

        for number in range(rounds):
            for name, target in (("healthz", engine.HEALTHZ), ("display", state)):
                if use_wrk:
                    figures = engine._wrk(server.port, engine.WRK_GET_LUA.format(path=target),
                                          seconds, workdir, f"{name}-{number}")
                else:
                    figures = engine._python_load(server.port, "GET", target, seconds,
                                                  lambda n, c: (None, {}))
                runs[name].append(figures)
                _round(name, figures, number)
            figures = engine._python_load(server.port, "GET", engine.HEALTHZ, seconds,
                                          lambda n, c: (None, {}))
            runs["healthz_py"].append(figures)
            _round("healthz (python)", figures, number)
            figures = engine._python_load(server.port, "POST", "/api/v1/hall/tickets", seconds,
                                          take)
            runs["take"].append(figures)
            _round("take a number", figures, number)
            figures = _calls(server.port, cookies, seconds)
            runs["call"].append(figures)
            _round("call + finish", figures, number)
        # Numbers for the clerk to call while the screens poll.
        for extra in range(int(_scale(SCREEN_SECONDS, args)) + 5):
            status, _, body = engine.request("POST", server.port, "/api/v1/hall/tickets",
                                             _take_body(9_000_000 + extra),
                                             {**headers, "Idempotency-Key": f"bench-s-{extra}"})
            if status not in (200, 201):
                raise SystemExit(f"take: {status} {body[:300]!r}")
        screens = _screens(server.port, state, cookies, _scale(SCREEN_SECONDS, args))
        say(f"  {SCREENS} screens every {POLL_SECONDS:g} s for {screens['seconds']} s: "
            f"{screens['polls']} polls, p50 {screens['p50_ms']:.1f} ms, p99 "
            f"{screens['p99_ms']:.1f} ms, max {screens['max_ms']:.1f} ms; failed "
            f"{screens['failed']}, late {screens['late']}; the clerk called {screens['moves']}")
    finally:
        server.stop()
    for name, parts in runs.items():
        result[name] = {"per_s": statistics.median(r["per_s"] for r in parts),
                        "p50_ms": statistics.median(r["p50_ms"] for r in parts),
                        "p99_ms": statistics.median(r["p99_ms"] for r in parts),
                        "failed": sum(r["failed"] for r in parts)}
    result.update(load_generator=generator, connections=CONNECTIONS, rounds=rounds,
                  seconds_per_round=seconds, workers=1, runs=runs, screens=screens,
                  server_log_tail=server.tail(5))
    failed = {name: result[name]["failed"] for name in runs if result[name]["failed"]}
    if failed or screens["failed"]:
        raise SystemExit(f"failed requests: {failed}, screens {screens['failed']}:\n"
                         f"{server.tail()}")
    return result


PHASE_FUNCTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    PREPARE: phase_hall_prepare, "hall_http": phase_hall_http}


# --- hall.json and the table ---------------------------------------------------------------------


def summary(facts: dict[str, Any], results: dict[str, dict[str, Any]],
            args: argparse.Namespace) -> dict[str, Any]:
    http = results["hall_http"]
    screens = http["screens"]
    met = screens["p99_ms"] <= SCREEN_P99_GOAL_MS
    out: dict[str, Any] = {
        "quick": bool(args.quick),
        "display_per_s": round(http["display"]["per_s"], 1),
        "healthz_per_s": round(http["healthz"]["per_s"], 1),
        "display_vs_healthz": round(http["display"]["per_s"] / http["healthz"]["per_s"], 3),
        "take_per_s": round(http["take"]["per_s"], 1),
        "call_per_s": round(http["call"]["per_s"], 1),
        "healthz_python_per_s": round(http["healthz_py"]["per_s"], 1),
        "take_vs_healthz": round(http["take"]["per_s"] / http["healthz_py"]["per_s"], 3),
        "call_requests_vs_healthz": round(
            3 * http["call"]["per_s"] / http["healthz_py"]["per_s"], 3),
        "screens_p99_ms": round(screens["p99_ms"], 2),
        "screens_p50_ms": round(screens["p50_ms"], 2),
        "screens_polls": screens["polls"],
        "sql": http["inprocess"]["sql"],
        "load_generator": http["load_generator"],
    }
    out["goals"] = {"screens_p99_ms": {
        "value": round(screens["p99_ms"], 2), "goal": f"≤ {SCREEN_P99_GOAL_MS:g} ms", "met": met,
        "missed_by": "" if met else f"{screens['p99_ms'] - SCREEN_P99_GOAL_MS:.1f} ms"}}
    out["goals_met"] = met
    out["details"] = {k: v for k, v in http.items() if k != "runs"}
    out["facts"] = facts
    return out


def render(facts: dict[str, Any], results: dict[str, dict[str, Any]],
           args: argparse.Namespace) -> str:
    data = summary(facts, results, args)
    http = results["hall_http"]
    screens, sql = http["screens"], http["inprocess"]["sql"]
    goal = data["goals"]["screens_p99_ms"]
    verdict = "met" if goal["met"] else f"**missed** ({goal['missed_by']})"
    health, health_py = http["healthz"], http["healthz_py"]
    rows = [
        f"# Service-hall benchmarks — {time.strftime('%Y-%m-%d %H:%M')}"
        f"{' (--quick)' if args.quick else ''}", "",
        f"Machine: {facts['cpus']} CPUs ({facts['cpus_usable']} usable, {facts['cpu_model']}), "
        f"{facts['memory']} RAM, shared and noisy: load average at start "
        f"{facts['load_average']}; Python {facts['python']}, Django {facts['django']}. One "
        f"gunicorn worker; each side in the same round, {http['rounds']} rounds × "
        f"{http['seconds_per_round']} s (medians of the rounds).", "",
        "| benchmark | ratio (same run) | result | minimal endpoint (same run) | goal | verdict |",
        "|---|---|---|---|---|---|",
        f"| {SCREENS} hall screens polling `GET /hall/display/<hall>/state.json` every "
        f"{POLL_SECONDS:g} s for {screens['seconds']} s, while a clerk calls a number every "
        f"second ({screens['moves']} moves) | — | {screens['polls']:,} polls, p50 "
        f"{screens['p50_ms']:.1f} ms, p99 {screens['p99_ms']:.1f} ms, max "
        f"{screens['max_ms']:.1f} ms | — | p99 ≤ {SCREEN_P99_GOAL_MS:g} ms | {verdict} |",
        f"| the display endpoint at full load ({http['load_generator']}, {CONNECTIONS} "
        f"connections) | {data['display_vs_healthz']:.3f}× /healthz | "
        f"{http['display']['per_s']:,.0f} req/s, p99 {http['display']['p99_ms']:.1f} ms | "
        f"`GET /healthz` {health['per_s']:,.0f} req/s | — | reported |",
        f"| taking a number (`POST /api/v1/hall/tickets`, 电话取号 by hall staff; Python "
        f"threads, {CONNECTIONS}) | {data['take_vs_healthz']:.3f}× /healthz | "
        f"{http['take']['per_s']:,.1f} numbers/s, p99 {http['take']['p99_ms']:.1f} ms | "
        f"`GET /healthz` (same generator) {health_py['per_s']:,.0f} req/s | — | reported |",
        f"| calling a number (call-next, start, finish: 3 requests; {len(WINDOWS)} windows) | "
        f"{data['call_requests_vs_healthz']:.3f}× /healthz (requests) | "
        f"{http['call']['per_s']:,.1f} numbers/s ({3 * http['call']['per_s']:,.1f} req/s), "
        f"p99 {http['call']['p99_ms']:.1f} ms per number | `GET /healthz` (same generator) "
        f"{health_py['per_s']:,.0f} req/s | — | reported |",
        "",
        f"SQL data statements (in-process): a poll with the state cached {sql['poll_cached']}, "
        f"after a move {sql['poll_after_move']}; taking a number {sql['take']}; calling and "
        f"finishing one {sql['call_finish']}.",
    ]
    return "\n".join(rows) + "\n"

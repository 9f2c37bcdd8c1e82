"""Process-engine benchmarks (issue 9, section 2): `make bench-engine`, i.e.
`.venv/bin/python bench/run.py --engine [--quick]`. Each phase runs in its own process on its
own throw-away copy of one database into which the Leiyang pack was loaded once (SQLite; with
--database-url each phase loads it into its own scratch database):

- engine_flow: SQL statements per user step (CaptureQueriesContext, without BEGIN, COMMIT,
  SAVEPOINT, RELEASE) over the service calls as a user makes them — case_submit (online, the
  required materials as small PDFs), case_transition accept (window), review_pass (承办, a
  reviewer), review_pass (审核, a second reviewer), grant (批准), close and deliver (window),
  and refuse (不予受理, window) on another case — with each step's statements and where they go
  (statement kind × table); the 告知承诺 submission through POST /api/v1/cases in-process (the
  test client) with its statements and time. Then the one-item flow submit → accept → 承办 →
  审核 → 批准 (grant) against SpiffWorkflow 3.2 running bench/bpmn/single.bpmn, reloading the
  workflow from JSON, completing the task and saving it at every user step
  (bench/bundles_spiff.py --process single in .venv-bench), interleaved in blocks.
- engine_bundle: bench/bundles.py's phase (the 6-member 企业开办 bundle against SpiffWorkflow
  on bench/bpmn/bundle.bpmn, same blocks).
- engine_deem: bench/cases.py's cases_sweep (set-based deem_overdue over N open cases, 1 in 100
  overdue; 1,000,000 at full scale).
- engine_http: the real server as `make run` starts it (`zhengwu serve`: gunicorn, its task
  worker and sweeper; DEBUG off; loopback; this phase's own data directory), an applicant
  (张三) signed in through the login page, then a bounded load generator with 8 connections:
  GET /healthz and POST /api/v1/cases (a 告知承诺 item, one small PDF, the rest of the
  materials by commitment, a distinct Idempotency-Key per request), alternately, 3 rounds of
  10 s each (--quick: 3 of 3 s). wrk (Debian, `make bench-env` installs it as root) with a Lua
  script; without wrk a Python load generator (threads over http.client); engine.json says
  which.

run.py writes the figures to bench/results/engine.json (summary() below: the keys the issue
names, ratios and goals with met/missed) and the table to bench/results/latest-engine.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

# What every case benchmark shares is bench/cases.py's, in one place: the repository root, the
# reviewer's department, the application form, the small PDF, the statements that are not
# data (BEGIN, COMMIT …), the goals of quality.md and the output helpers.
from cases import (
    CONTROL,
    DEEM_RATE_GOAL,
    FORM,
    MARKET,
    PDF,
    ROOT,
    SQL_PER_STEP_GOAL,
    _scale,
    say,
)
from cases import _one_line as _short_line

PHASES = ("engine_flow", "engine_bundle", "engine_deem", "engine_http")
PREPARE = "engine_prepare"  # migrate and load the pack once; the phases copy its data dir
API_CASES = "/api/v1/cases"
HEALTHZ = "/healthz"
LOGIN = "/accounts/login/"

# Goals (issue 9, section 2; quality.md "Performance goals"); those bench/cases.py checks too
# are its own.
STEP_GOAL = SQL_PER_STEP_GOAL  # statements per user step
SUBMIT_GOAL = 10  # statements per submission, plus one per uploaded file
SPIFF_GOAL = 3.0  # × SpiffWorkflow's reload-and-save rate
DEEM_GOAL = DEEM_RATE_GOAL  # cases/s over 1,000,000 open cases
DEEM_FULL_OPEN = 1_000_000
HTTP_RATIO_GOAL = 0.25  # submissions ÷ /healthz, requests/s
HTTP_P99_GOAL_MS = 35.0
CONNECTIONS = 8
GOAL_STEPS = ("accept", "review_pass", "review_pass_2", "grant", "refuse", "deliver")

# Full / --quick scale.
SINGLE_CASES = (300, 30)
SPIFF_SINGLE = (500, 60)
HTTP_ROUNDS = (3, 3)
HTTP_SECONDS = (10, 3)
HTTP_INPROCESS = (30, 10)
BLOCKS = 5
# The bundle and sweep phases at --quick (bench/bundles.py's and bench/cases.py's own --quick
# are larger): small enough for `make bench-engine QUICK=1` to stay under 3 minutes.
BUNDLE_QUICK = {"BUNDLES": 6, "BUNDLES_MOST": 2, "SINGLES": 5, "SINGLES_SAME": 5,
                "SPIFF_WORKFLOWS": 15}
DEEM_QUICK = {"SWEEP_OPEN": 20_000, "SWEEP_OVERDUE": 1_000}

CHAIN = ["承办", "审核", "批准"]
# Online, an applicant applies under the name and ID number recorded on the account (FORM's).
APPLICANT = "zhangsan"
PASSWORD = "demo-2026"  # the demo pack's (README.md)
SQL_WIDTH = 300  # engine.json keeps longer statements than bench/cases.py's table


def _one_line(sql: str) -> str:
    return _short_line(sql, SQL_WIDTH)


def data_statements(statements: list[str]) -> list[str]:
    """The statements that read or write rows: not BEGIN/COMMIT/SAVEPOINT/RELEASE."""
    return [sql for sql in statements if not sql.lstrip().upper().startswith(CONTROL)]


_TABLE = re.compile(r'(?:\bFROM|\bINTO|^UPDATE|^DELETE FROM)\s+"?([A-Za-z_][\w.]*)"?', re.I)


def statement_shape(sql: str) -> str:
    """'SELECT cases_case', 'INSERT core_auditevent' …: what a statement does, to which table."""
    text = sql.lstrip()
    kind = text.split(None, 1)[0].upper() if text else "?"
    match = _TABLE.search(text)
    return f"{kind} {match.group(1) if match else '?'}"


def breakdown(statements: list[str]) -> dict[str, int]:
    shapes: dict[str, int] = {}
    for sql in data_statements(statements):
        shape = statement_shape(sql)
        shapes[shape] = shapes.get(shape, 0) + 1
    return dict(sorted(shapes.items(), key=lambda kv: (-kv[1], kv[0])))


# --- the phase that prepares the database every other phase copies -------------------------------


def phase_engine_prepare(args: argparse.Namespace) -> dict[str, Any]:
    import cases

    started = time.perf_counter()
    result = cases._setup()
    result["seconds"] = time.perf_counter() - started
    return result


# --- phase 1: SQL per step, and the one-item flow against SpiffWorkflow ---------------------------


def _market_implementation() -> Any:
    from zhengwu.catalog.models import ItemImplementation

    impl = ItemImplementation.objects.filter(
        department__short_name=MARKET, status="published", online_depth__gte=2,
        commitment_allowed=False, deemed_approval=False).select_related("item").order_by(
        "code").first()
    if impl is None:
        raise SystemExit(f"no online implementation of {MARKET} in the pack")
    # Benchmark data only: the default chain 承办 → 审核 → 批准, whatever the pack says.
    ItemImplementation.objects.filter(pk=impl.pk).update(approval_chain=CHAIN)
    impl.refresh_from_db()
    return impl


def commitment_implementation() -> tuple[Any, list[Any]]:
    """A published online 告知承诺 item whose required applicant materials are one to upload
    and at least one the catalogue marks 告知承诺替代 (`cases.commitment.replaceable`), and
    those materials, the upload first."""
    from zhengwu.cases.commitment import given_by_applicant, replaceable
    from zhengwu.catalog.models import ItemImplementation

    for impl in ItemImplementation.objects.filter(
            status="published", online_depth__gte=2, commitment_allowed=True).select_related(
            "item", "department").order_by("code"):
        required = [m for m in impl.materials.filter(required=True).order_by("id")
                    if given_by_applicant(m)]
        uploads = [m for m in required if not replaceable(m)]
        committed = [m for m in required if replaceable(m)]
        if len(uploads) == 1 and committed:
            return impl, uploads + committed
    raise SystemExit("no online 告知承诺 implementation with one material to upload and one "
                     "marked 告知承诺替代 in the pack")


def submission_body(impl: Any, required: list[Any]) -> tuple[dict[str, Any], str]:
    """The JSON payload of POST /api/v1/cases (the first required material uploaded as the
    file part "f1", the others — each 告知承诺替代 — by commitment) and that file part's name."""
    from zhengwu.cases.tests.conftest import sample_answers

    materials = [{"name": m.name, "kind": "upload", "file_field": "f1"} if n == 0
                 else {"name": m.name, "kind": "commitment"} for n, m in enumerate(required)]
    return {"implementation_id": impl.pk, "form": dict(FORM), "channel": "online",
            "answers": sample_answers(impl), "materials": materials}, "f1"


def multipart(payload: dict[str, Any], field: str) -> tuple[bytes, str]:
    """A multipart/form-data body: the payload part and one small PDF."""
    boundary = "zhengwu-bench-" + uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="payload"\r\n'
        f"Content-Type: application/json; charset=utf-8\r\n\r\n".encode()
        + json.dumps(payload, ensure_ascii=False).encode() + b"\r\n",
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode() + PDF + b"\r\n",
        f"--{boundary}--\r\n".encode()]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def phase_engine_flow(args: argparse.Namespace) -> dict[str, Any]:
    import bundles
    import cases

    result = cases._setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from run import summary_ms

    from zhengwu.accounts.models import User
    from zhengwu.cases.models import Case, CaseStatus, MaterialKind
    from zhengwu.cases.services import MaterialIn, MoveIn, case_submit, case_transition

    # Valid answers to the item's own form, made as the tests make them (issue 10).
    from zhengwu.cases.tests.conftest import sample_answers
    from zhengwu.catalog.models import MaterialSource

    users = {name: User.objects.get(username=name)
             for name in (APPLICANT, "clerk", "reviewer", "chief")}
    impl = _market_implementation()
    answers = sample_answers(impl)
    uploads = [MaterialIn(name=m.name, kind=MaterialKind.UPLOAD, file_name="scan.pdf",
                          content=PDF)
               for m in impl.materials.filter(source=MaterialSource.APPLICANT, required=True)]
    # (label, action, who, extra MoveIn fields): as a user makes them. Consecutive approval
    # steps need different people (reviewer, then chief, then reviewer).
    moves = [("accept", "accept", "clerk", {}), ("review_pass", "review_pass", "reviewer", {}),
             ("review_pass_2", "review_pass", "chief", {}), ("grant", "grant", "reviewer", {})]
    after = [("close", "close", "clerk", {}),
             ("deliver", "deliver", "clerk", {"delivery_method": "electronic"})]

    def call(label: str, function: Callable[[], Any], timings: dict[str, list[float]] | None,
             capture: dict[str, list[str]] | None) -> Any:
        started = time.perf_counter()
        if capture is not None:
            with CaptureQueriesContext(connection) as queries:
                value = function()
            capture[label] = [q["sql"] for q in queries.captured_queries]
        else:
            value = function()
        if timings is not None:
            timings.setdefault(label, []).append(time.perf_counter() - started)
        return value

    def submit(timings: dict[str, list[float]] | None = None,
               capture: dict[str, list[str]] | None = None) -> Any:
        return call("submit", lambda: case_submit(
            implementation_id=impl.pk, submitted_by=users[APPLICANT], form_data=dict(FORM),
            materials=uploads, answers=answers).case, timings, capture)

    def run(case: Any, plan: list[tuple[str, str, str, dict[str, Any]]],
            timings: dict[str, list[float]] | None = None,
            capture: dict[str, list[str]] | None = None) -> None:
        for label, action, who, extra in plan:
            call(label, lambda a=action, w=who, e=extra: case_transition(
                case_id=case.pk, user=users[w], move=MoveIn(action=a, **e)), timings, capture)

    def one_case(timings: dict[str, list[float]] | None = None) -> None:
        run(submit(timings), moves, timings)

    for _ in range(3):  # warm: imports, calendar, counters
        one_case()
        run(submit(), [("refuse", "refuse", "clerk", {"reason": "材料不符合法定形式"})])
    # -- the statements of each step, one case through to delivery, another refused -------
    captured: dict[str, list[str]] = {}
    case = submit(capture=captured)
    run(case, moves + after, capture=captured)
    run(submit(), [("refuse", "refuse", "clerk", {"reason": "材料不符合法定形式"})],
        capture=captured)
    result["implementation"] = {"code": impl.code, "name": impl.item.name, "chain": CHAIN,
                                "files": len(uploads)}
    result["sql_statements"] = {k: [_one_line(s) for s in v] for k, v in captured.items()}
    result["sql_per_step"] = {k: len(data_statements(v)) for k, v in captured.items()}
    result["sql_all_per_step"] = {k: len(v) for k, v in captured.items()}
    result["sql_breakdown"] = {k: breakdown(v) for k, v in captured.items()}
    say("  SQL per step: " + ", ".join(f"{k} {v}" for k, v in result["sql_per_step"].items()))

    # -- the 告知承诺 submission through the API, in-process ----------------------------------
    commit_impl, required = commitment_implementation()
    payload, field = submission_body(commit_impl, required)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(users[APPLICANT])
    body, content_type = multipart(payload, field)

    def post(key: str) -> Any:
        response = client.generic("POST", API_CASES, body, content_type=content_type,
                                  HTTP_IDEMPOTENCY_KEY=key)
        if response.status_code != 201:
            raise SystemExit(f"POST {API_CASES}: {response.status_code} "
                             f"{response.content[:300]!r}")
        return response

    for n in range(3):
        post(f"bench-warm-{n}")
    with CaptureQueriesContext(connection) as queries:
        post("bench-captured")
    http_statements = [q["sql"] for q in queries.captured_queries]
    samples = []
    for n in range(_scale(HTTP_INPROCESS, args)):
        started = time.perf_counter()
        post(f"bench-inprocess-{n}")
        samples.append(time.perf_counter() - started)
    result["commitment_item"] = {"code": commit_impl.code, "name": commit_impl.item.name,
                                 "materials": len(required), "files": 1}
    result["sql_statements"]["submit_http"] = [_one_line(s) for s in http_statements]
    result["sql_per_step"]["submit_http"] = len(data_statements(http_statements))
    result["sql_all_per_step"]["submit_http"] = len(http_statements)
    result["sql_breakdown"]["submit_http"] = breakdown(http_statements)
    result["http_inprocess"] = summary_ms(samples)
    say(f"  POST {API_CASES} in-process (告知承诺, 1 file): "
        f"{result['sql_per_step']['submit_http']} SQL, median "
        f"{result['http_inprocess']['median_ms']:.1f} ms")

    # -- the one-item flow against SpiffWorkflow, interleaved -----------------------------
    count = _scale(SINGLE_CASES, args)
    spiff = bundles.Spiff(_scale(SPIFF_SINGLE, args), process="single")
    timings: dict[str, list[float]] = {}
    seconds = 0.0
    for block in range(BLOCKS):
        started = time.perf_counter()
        for _ in range(bundles._share(count, block)):
            one_case(timings)
        seconds += time.perf_counter() - started
        spiff.block(block)
        say(f"  block {block + 1}/{BLOCKS} done")
    steps = 1 + len(moves)
    result["single"] = {"cases": count, "seconds": seconds, "cases_per_s": count / seconds,
                        "user_steps_per_case": steps, "user_steps_per_s": count * steps / seconds,
                        "steps": {k: summary_ms(v) for k, v in timings.items()}}
    result["spiff"] = spiff.result()
    say(f"  single: {count} cases in {seconds:.1f}s = {count / seconds:,.1f} cases/s")
    decided = Case.objects.filter(status=CaseStatus.DECIDED, implementation=impl).count()
    if decided != count + 3:
        raise SystemExit(f"expected {count + 3} granted cases, found {decided}")
    return result


# --- phases 2 and 3: bench/bundles.py's and bench/cases.py's, at the engine suite's scale --------


def _quick_scale(module: Any, quick: dict[str, int], args: argparse.Namespace) -> None:
    """At --quick, the engine suite's small scale for a phase borrowed from another suite:
    each (full, quick) pair of `module` gets the quick value given here."""
    if args.quick:
        for name, value in quick.items():
            setattr(module, name, (getattr(module, name)[0], value))


def phase_engine_bundle(args: argparse.Namespace) -> dict[str, Any]:
    import bundles

    _quick_scale(bundles, BUNDLE_QUICK, args)
    result: dict[str, Any] = bundles.phase_bundles(args)
    return result


def phase_engine_deem(args: argparse.Namespace) -> dict[str, Any]:
    import cases

    _quick_scale(cases, DEEM_QUICK, args)
    result: dict[str, Any] = cases.phase_cases_sweep(args)
    return result


# --- phase 4: the real server over HTTP ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`zhengwu serve` (as `make run` starts it) on loopback, its output in a log file."""

    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.log = data_dir / "serve.log"
        zhengwu = ROOT / ".venv" / "bin" / "zhengwu"
        command = ([str(zhengwu)] if zhengwu.exists() else [sys.executable, "-m", "config.cli"])
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.dev", DJANGO_DEBUG="0",
                   ZHENGWU_DEBUG="0")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*command, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = request("GET", self.port, HEALTHZ)
                if status == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"the server did not answer {HEALTHZ}:\n{self.tail()}")
            time.sleep(0.2)

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # serve stops its children
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def request(method: str, port: int, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, list[str]], bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        got: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            got.setdefault(name.lower(), []).append(value)
        return response.status, got, response.read()
    finally:
        connection.close()


def _cookies(headers: dict[str, list[str]]) -> dict[str, str]:
    return {part.split("=", 1)[0].strip(): part.split("=", 1)[1].split(";", 1)[0]
            for part in headers.get("set-cookie", []) if "=" in part}


def sign_in(port: int, username: str, password: str) -> dict[str, str]:
    """Sign in through the login page, as a browser does; the cookies of the session."""
    status, headers, page = request("GET", port, LOGIN)
    cookies = _cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or match is None or "csrftoken" not in cookies:
        raise SystemExit(f"GET {LOGIN}: {status}, no CSRF token")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1).decode(),
                                   "username": username, "password": password}).encode()
    status, headers, page = request("POST", port, LOGIN, form, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookies['csrftoken']}"})
    cookies.update(_cookies(headers))
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"POST {LOGIN} as {username}: {status} (not signed in)")
    return cookies


WRK_LUA = """-- POST /api/v1/cases with a distinct Idempotency-Key per request (bench/engine.py)
local body_file = io.open("{body}", "rb")
local body = body_file:read("*a")
body_file:close()
local counter, number = 0, 0
local threads = {{}}
function setup(thread)
  number = number + 1
  thread:set("tid", number)
  table.insert(threads, thread)
end
function init(args)
  tid = tid or 0
end
function request()
  counter = counter + 1
  local headers = {{}}
  headers["Content-Type"] = "{content_type}"
  headers["Cookie"] = "{cookie}"
  headers["X-CSRFToken"] = "{csrf}"
  headers["Idempotency-Key"] = string.format("{prefix}-%d-%d", tid, counter)
  return wrk.format("POST", "{path}", headers, body)
end
"""
WRK_GET_LUA = """-- GET with the same client (bench/engine.py)
function request()
  return wrk.format("GET", "{path}")
end
"""
WRK_DONE_LUA = """
function done(summary, latency, requests)
  local out = io.open("{out}", "w")
  out:write(string.format('{{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {{"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}, ' ..
    '"latency_us": {{"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %f}}}}',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
  out:close()
end
"""


def _wrk(port: int, script: str, seconds: int, workdir: Path, name: str) -> dict[str, Any]:
    lua = workdir / f"{name}.lua"
    out = workdir / f"{name}.json"
    lua.write_text(script + WRK_DONE_LUA.format(out=out), encoding="utf-8")
    threads = min(CONNECTIONS, max(1, os.cpu_count() or 1))
    completed = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout",
         "10s", "-s", str(lua), f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=False)
    if completed.returncode != 0 or not out.exists():
        raise SystemExit(f"wrk failed ({completed.returncode}): {completed.stderr[-800:]}")
    raw = json.loads(out.read_text(encoding="utf-8"))
    seconds_run = raw["duration_us"] / 1e6
    errors = sum(raw["errors"].values())
    return {"requests": raw["requests"], "seconds": seconds_run,
            "per_s": raw["requests"] / seconds_run, "errors": raw["errors"],
            "failed": errors, "p50_ms": raw["latency_us"]["p50"] / 1000,
            "p90_ms": raw["latency_us"]["p90"] / 1000, "p99_ms": raw["latency_us"]["p99"] / 1000,
            "max_ms": raw["latency_us"]["max"] / 1000, "mean_ms": raw["latency_us"]["mean"] / 1000}


def _python_load(port: int, method: str, path: str, seconds: int,
                 make: Callable[[int, int], tuple[bytes | None, dict[str, str]]]) -> dict[str, Any]:
    """CONNECTIONS threads, each a keep-alive http.client connection (reopened when the server
    closes it), requests back to back for `seconds`."""
    from run import percentile

    latencies: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    failures = [0] * CONNECTIONS
    deadline = time.perf_counter() + seconds

    def worker(number: int) -> None:
        connection: HTTPConnection | None = None
        counter = 0
        while time.perf_counter() < deadline:
            counter += 1
            body, headers = make(number, counter)
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = 200 <= response.status < 400
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except OSError:
                ok = False
                if connection is not None:
                    connection.close()
                connection = None
            latencies[number].append(time.perf_counter() - started)
            failures[number] += 0 if ok else 1
        if connection is not None:
            connection.close()

    began = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(CONNECTIONS)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - began
    samples = [x for part in latencies for x in part]
    return {"requests": len(samples), "seconds": elapsed, "per_s": len(samples) / elapsed,
            "errors": {"status_or_socket": sum(failures)}, "failed": sum(failures),
            "p50_ms": percentile(samples, 0.5) * 1000, "p90_ms": percentile(samples, 0.9) * 1000,
            "p99_ms": percentile(samples, 0.99) * 1000, "max_ms": max(samples) * 1000,
            "mean_ms": statistics.fmean(samples) * 1000}


def phase_engine_http(args: argparse.Namespace) -> dict[str, Any]:
    import cases

    result = cases._setup()
    from django.conf import settings
    from django.db import connection

    from zhengwu.cases.models import Case

    # No collectstatic (`make run` runs it): neither /healthz nor the API serves static files,
    # and compressing them all takes ~30 s here.
    impl, required = commitment_implementation()
    payload, field = submission_body(impl, required)
    body, content_type = multipart(payload, field)
    connection.close()  # the server writes this database now
    workdir = Path(settings.DATA_DIR) / "http"
    workdir.mkdir(exist_ok=True)
    (workdir / "body.bin").write_bytes(body)
    use_wrk = shutil.which("wrk") is not None
    generator = "wrk" if use_wrk else "python-threads (http.client; wrk not installed)"
    if use_wrk:
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        generator = (version.stdout or version.stderr).splitlines()[0].strip() or "wrk"
    prefix = "bench-" + uuid.uuid4().hex[:12]
    rounds, seconds = _scale(HTTP_ROUNDS, args), _scale(HTTP_SECONDS, args)
    say(f"  load generator: {generator}; {CONNECTIONS} connections, {rounds} × {seconds} s; "
        f"item {impl.code} {impl.item.name} (告知承诺, {len(required)} materials, 1 file)")
    server = Server(Path(settings.DATA_DIR))
    runs: dict[str, list[dict[str, Any]]] = {"healthz": [], "submit": []}
    try:
        cookies = sign_in(server.port, APPLICANT, PASSWORD)
        cookie = f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}"
        headers = {"Content-Type": content_type, "Cookie": cookie,
                   "X-CSRFToken": cookies["csrftoken"]}
        status, _, answer = request("POST", server.port, API_CASES, body,
                                    {**headers, "Idempotency-Key": f"{prefix}-check"})
        if status != 201:
            raise SystemExit(f"POST {API_CASES}: {status} {answer[:400]!r}")
        for _ in range(2):  # warm both workers
            request("GET", server.port, HEALTHZ)
        for number in range(rounds):
            for name in ("healthz", "submit"):
                if use_wrk:
                    script = (WRK_GET_LUA.format(path=HEALTHZ) if name == "healthz" else
                              WRK_LUA.format(body=workdir / "body.bin",
                                             content_type=content_type, cookie=cookie,
                                             csrf=cookies["csrftoken"], path=API_CASES,
                                             prefix=f"{prefix}-r{number}"))
                    figures = _wrk(server.port, script, seconds, workdir, f"{name}-{number}")
                elif name == "healthz":
                    figures = _python_load(server.port, "GET", HEALTHZ, seconds,
                                           lambda n, c: (None, {}))
                else:
                    figures = _python_load(
                        server.port, "POST", API_CASES, seconds,
                        lambda n, c, r=number: (body, {
                            **headers, "Idempotency-Key": f"{prefix}-r{r}-{n}-{c}"}))
                runs[name].append(figures)
                say(f"  round {number + 1}: {name:7} {figures['per_s']:8,.1f} req/s  p50 "
                    f"{figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
                    f"failed {figures['failed']}")
    finally:
        server.stop()
    log_tail = server.tail(5)
    made = Case.objects.filter(idempotency_key__startswith=f"{prefix}-r").count()
    submitted = sum(r["requests"] - r["failed"] for r in runs["submit"])
    result.update(
        load_generator=generator, connections=CONNECTIONS, rounds=rounds,
        seconds_per_round=seconds, item={"code": impl.code, "name": impl.item.name,
                                         "materials": len(required), "files": 1},
        workers=os.environ.get("ZHENGWU_WEB_WORKERS", "2"), runs=runs,
        cases_created=made, submissions_answered_2xx=submitted, server_log_tail=log_tail)
    for name, parts in runs.items():
        middle = sorted(parts, key=lambda r: r["per_s"])[len(parts) // 2]
        result[name] = {"per_s": statistics.median(r["per_s"] for r in parts),
                        "p50_ms": statistics.median(r["p50_ms"] for r in parts),
                        "p99_ms": statistics.median(r["p99_ms"] for r in parts),
                        "p99_ms_worst": max(r["p99_ms"] for r in parts),
                        "failed": sum(r["failed"] for r in parts), "median_round": middle}
    say(f"  cases created over HTTP: {made:,} ({submitted:,} answered 2xx)")
    # The load generator stops at the deadline with up to one request per connection in
    # flight, which the server still completes: at most that many more cases than answers.
    if not submitted <= made <= submitted + CONNECTIONS * rounds:
        raise SystemExit(f"{submitted} submissions answered 2xx but {made} cases were created")
    if result["submit"]["failed"] or result["healthz"]["failed"]:
        raise SystemExit(f"failed requests: submit {result['submit']['failed']}, healthz "
                         f"{result['healthz']['failed']}:\n{server.tail()}")
    return result


PHASE_FUNCTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    PREPARE: phase_engine_prepare, "engine_flow": phase_engine_flow,
    "engine_bundle": phase_engine_bundle, "engine_deem": phase_engine_deem,
    "engine_http": phase_engine_http}


# --- engine.json and the table -------------------------------------------------------------------


def _goal(value: float, goal: float, *, at_most: bool = False, unit: str = "",
          note: str = "") -> dict[str, Any]:
    met = value <= goal if at_most else value >= goal
    entry: dict[str, Any] = {"value": round(value, 3), "goal": f"{'≤' if at_most else '≥'} "
                             f"{goal:g}{unit}", "met": met}
    if not met and at_most:
        entry["missed_by"] = f"{value - goal:,.4g}{unit} over, {value / goal:.2f}× the goal"
    elif not met:
        entry["missed_by"] = (f"{goal - value:,.4g}{unit} short, {goal / value:.1f}× below "
                              f"the goal" if value > 0 else "nothing measured")
    if note:
        entry["note"] = note
    return entry


def summary(facts: dict[str, Any], results: dict[str, dict[str, Any]],
            args: argparse.Namespace) -> dict[str, Any]:
    """engine.json: the figures the issue asks for, their ratios, and the goals met/missed."""
    flow, bundle, deem, http = (results[p] for p in PHASES)
    spiff_single = flow["spiff"]["modes"]["reload"]["workflows_per_s"] \
        if flow["spiff"].get("installed") else None
    spiff_bundle = bundle["spiff"]["modes"]["reload"]["workflows_per_s"] \
        if bundle["spiff"].get("installed") else None
    single = flow["single"]["cases_per_s"]
    bundles_per_s = bundle["runs"]["bundle"]["per_s"]
    sweep = deem["sweep"]
    per_step = flow["sql_per_step"]
    files = flow["implementation"]["files"]
    out: dict[str, Any] = {
        "quick": bool(args.quick),
        "sql_per_step": per_step,
        "sql_files_per_submission": {"submit": files, "submit_http": 1},
        "single_cases_per_s": round(single, 2),
        "spiff_single_per_s": spiff_single and round(spiff_single, 2),
        "single_vs_spiff": spiff_single and round(single / spiff_single, 3),
        "bundle_per_s": round(bundles_per_s, 3),
        "spiff_bundle_per_s": spiff_bundle and round(spiff_bundle, 3),
        "bundle_vs_spiff": spiff_bundle and round(bundles_per_s / spiff_bundle, 3),
        "deem_per_s": round(sweep["cases_per_s"], 1),
        "deem_open_cases": deem["data"]["total"], "deem_decided": sweep["decided"],
        "http_submit_per_s": round(http["submit"]["per_s"], 1),
        "http_healthz_per_s": round(http["healthz"]["per_s"], 1),
        "http_submit_vs_healthz": round(http["submit"]["per_s"] / http["healthz"]["per_s"], 4),
        "http_submit_p50_ms": round(http["submit"]["p50_ms"], 2),
        "http_submit_p99_ms": round(http["submit"]["p99_ms"], 2),
        "http_submit_p99_ms_worst_round": round(http["submit"]["p99_ms_worst"], 2),
        "http_healthz_p50_ms": round(http["healthz"]["p50_ms"], 2),
        "http_healthz_p99_ms": round(http["healthz"]["p99_ms"], 2),
        "http_load_generator": http["load_generator"],
        "http_connections": http["connections"],
        "http_rounds": f"{http['rounds']} × {http['seconds_per_round']} s (median round)",
        "http_submit_in_process_ms": round(flow["http_inprocess"]["median_ms"], 2),
    }
    steps = {name: _goal(per_step[name], STEP_GOAL, at_most=True) for name in GOAL_STEPS}
    steps["submit"] = _goal(per_step["submit"], SUBMIT_GOAL + files, at_most=True,
                            note=f"{SUBMIT_GOAL} + {files} files")
    goals: dict[str, Any] = {"sql_per_step": steps}
    if spiff_single:
        goals["single_vs_spiff"] = _goal(single / spiff_single, SPIFF_GOAL, unit="×")
    if spiff_bundle:
        goals["bundle_vs_spiff"] = _goal(bundles_per_s / spiff_bundle, SPIFF_GOAL, unit="×")
    goals["deem_per_s"] = _goal(sweep["cases_per_s"], DEEM_GOAL, unit=" cases/s", note=(
        f"over {deem['data']['total']:,} open cases"
        + ("" if deem["data"]["total"] >= DEEM_FULL_OPEN else " (not the full 1,000,000)")))
    goals["http_submit_vs_healthz"] = _goal(out["http_submit_vs_healthz"], HTTP_RATIO_GOAL,
                                            unit="×")
    goals["http_submit_p99_ms"] = _goal(http["submit"]["p99_ms"], HTTP_P99_GOAL_MS,
                                        at_most=True, unit=" ms",
                                        note=f"{CONNECTIONS} connections")
    out["goals"] = goals
    out["goals_met"] = all(g["met"] for g in steps.values()) and all(
        g["met"] for k, g in goals.items() if k != "sql_per_step")
    out["sql_breakdown"] = flow["sql_breakdown"]
    out["sql_statements"] = flow["sql_statements"]
    out["details"] = {
        "implementation": flow["implementation"], "commitment_item": flow["commitment_item"],
        "single": flow["single"], "spiff_single": flow["spiff"], "bundle": bundle["runs"],
        "spiff_bundle": bundle["spiff"], "bundle_sql_totals": bundle["sql_totals"],
        "deem": {"sweep": sweep,
                 "data": deem["data"], "baseline": deem["baseline"], "check": deem["check"]},
        "http": {k: v for k, v in http.items() if k != "facts"},
        "database": flow["facts"], "phase_seconds": {p: results[p].get("phase_seconds")
                                                    for p in PHASES},
    }
    out["facts"] = facts
    return out


def _mark(entry: dict[str, Any]) -> str:
    return "met" if entry["met"] else f"**missed** ({entry['missed_by']})"


def render(facts: dict[str, Any], results: dict[str, dict[str, Any]],
           args: argparse.Namespace) -> str:
    data = summary(facts, results, args)
    goals, steps = data["goals"], data["goals"]["sql_per_step"]
    flow, http = results["engine_flow"], results["engine_http"]
    lines = [
        f"# Process-engine benchmarks — {time.strftime('%Y-%m-%d %H:%M')}"
        f"{' (--quick)' if args.quick else ''}", "",
        f"Machine: {facts['cpus']} CPUs ({facts['cpus_usable']} usable, {facts['cpu_model']}), "
        f"{facts['memory']} RAM, load average at start {facts['load_average']}; Python "
        f"{facts['python']}, Django {facts['django']}; {flow['facts']['database']} "
        f"({flow['facts']['database_settings']}).", "",
        "| benchmark | result | baseline (same run) | ratio | goal | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for name in ("submit", "submit_http", *GOAL_STEPS, "close"):
        if name not in data["sql_per_step"]:
            continue
        entry = steps.get(name)  # submit_http (the whole request) and close: information
        lines.append(f"| SQL statements, {name} | {data['sql_per_step'][name]} | — | — | "
                     f"{entry['goal'] if entry else '—'} | "
                     f"{_mark(entry) if entry else 'info'} |")
    if "single_vs_spiff" in goals:
        lines.append(f"| one item, submit → accept → 承办 → 审核 → 批准 | "
                     f"{data['single_cases_per_s']:,.1f} cases/s | SpiffWorkflow reload + save: "
                     f"{data['spiff_single_per_s']:,.1f} workflows/s | "
                     f"{data['single_vs_spiff']:.3f}× | ≥ {SPIFF_GOAL:g}× | "
                     f"{_mark(goals['single_vs_spiff'])} |")
    if "bundle_vs_spiff" in goals:
        lines.append(f"| 企业开办 bundle, 6 members | {data['bundle_per_s']:,.2f} bundles/s | "
                     f"SpiffWorkflow reload + save: {data['spiff_bundle_per_s']:,.2f} "
                     f"workflows/s | {data['bundle_vs_spiff']:.3f}× | ≥ {SPIFF_GOAL:g}× | "
                     f"{_mark(goals['bundle_vs_spiff'])} |")
    if "single_vs_spiff" not in goals or "bundle_vs_spiff" not in goals:
        message = (flow["spiff"].get("message") or results["engine_bundle"]["spiff"].get(
            "message", ""))
        lines.append(f"| SpiffWorkflow | {message} | — | — | ≥ {SPIFF_GOAL:g}× | not measured |")
    lines += [
        f"| deemed approval, {data['deem_decided']:,} of {data['deem_open_cases']:,} open "
        f"cases | {data['deem_per_s']:,.0f} cases/s | raw UPDATE + INSERT: "
        f"{results['engine_deem']['baseline']['cases_per_s']:,.0f} cases/s | — | ≥ "
        f"{DEEM_GOAL:,.0f} cases/s | {_mark(goals['deem_per_s'])} |",
        f"| POST {API_CASES} (告知承诺, 1 PDF), {CONNECTIONS} connections | "
        f"{data['http_submit_per_s']:,.1f} req/s, p50 {data['http_submit_p50_ms']:.1f} ms, p99 "
        f"{data['http_submit_p99_ms']:.1f} ms | GET {HEALTHZ}: {data['http_healthz_per_s']:,.1f} "
        f"req/s, p99 {data['http_healthz_p99_ms']:.1f} ms | {data['http_submit_vs_healthz']:.3f}× "
        f"| ≥ {HTTP_RATIO_GOAL:g}× | {_mark(goals['http_submit_vs_healthz'])} |",
        f"| the same, p99 | {data['http_submit_p99_ms']:.1f} ms (worst round "
        f"{data['http_submit_p99_ms_worst_round']:.1f} ms) | — | — | ≤ {HTTP_P99_GOAL_MS:g} ms | "
        f"{_mark(goals['http_submit_p99_ms'])} |",
        "", f"Load generator: {http['load_generator']}; {http['rounds']} rounds of "
        f"{http['seconds_per_round']} s each, /healthz and submissions alternately; "
        f"{http['cases_created']:,} cases created over HTTP. In-process (test client) the "
        f"submission takes {data['http_submit_in_process_ms']:.1f} ms median.", "",
        "Where the statements go (statement × table, without BEGIN/COMMIT/SAVEPOINT/RELEASE):",
        "", "| step | statements | breakdown |", "|---|---|---|"]
    for name, shapes in data["sql_breakdown"].items():
        lines.append(f"| {name} | {sum(shapes.values())} | "
                     + ", ".join(f"{shape} × {n}" if n > 1 else shape
                                 for shape, n in shapes.items()) + " |")
    lines += ["", "The statements of each step:", ""]
    for name, statements in data["sql_statements"].items():
        lines.append(f"- **{name}** ({len(data_statements(statements))} / {len(statements)}):")
        lines += [f"  {n}. `{sql.replace('`', chr(39))}`"
                  for n, sql in enumerate(statements, start=1)]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit("run the engine benchmarks with bench/run.py --engine (make bench-engine)")

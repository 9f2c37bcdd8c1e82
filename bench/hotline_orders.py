"""12345 work-order benchmarks (issue 13, "Benchmark"): routing per order and taking an order
over HTTP. `make bench-hotline [QUICK=1]` runs them after bench/hotline.py (the model alone),
i.e. `.venv/bin/python bench/run.py --hotline [--quick]`.

Phase `hotline_prepare` migrates a fresh SQLite database, loads the Leiyang pack (its 12345
categories, routing rules and departments among it) and trains the routing model on every
labelled order into the data directory's HOTLINE_MODEL_PATH (<data dir>/hotline/model.joblib,
a temporary directory), as `make run` does; phase `hotline_http` runs on a copy of it:

1. In-process: `routing.suggest(text, region, category)` — the rule table, then the model —
   once per labelled order of the pack (its text, region and category columns), order by
   order (1 pass with --quick, 2 without), after one warm-up call that loads the model:
   median and p99 in µs. The same with the model file moved away (rules only, one pass),
   for scale.
2. The real server as `make run` starts it (`zhengwu serve`, DEBUG off) with ONE gunicorn
   worker, on loopback, in rounds, both sides with the Python load generator (one keep-alive
   connection per thread, 8 threads) in the same round: `GET /healthz` (a trivial view:
   `SELECT 1`) and `POST /api/v1/hotline/orders` as the operator (吴热线, `hotline`), each
   request a different caller and text. Creation has no goal in the issue:
   it is reported as a ratio to /healthz.

run.py writes bench/results/hotline-orders.json and latest-hotline-orders.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cases import say

PREPARE = "hotline_prepare"
PHASES = ("hotline_http",)
OPERATOR = "hotline"  # 吴热线, hotline_operator of the demo pack (packs/leiyang/people.csv)
PASSWORD = "demo-2026"
ORDERS = Path(__file__).resolve().parent.parent / "packs" / "leiyang" / "hotline" / "orders.csv"
# (full, --quick)
ROUNDS = (3, 2)
SECONDS = (10, 3)
PASSES = (2, 1)  # with the model; rules only: one pass
KINDS = {"consult", "help", "complaint", "report", "suggestion", "praise"}


def _scale(pair: tuple[int, int], args: argparse.Namespace) -> int:
    return pair[1] if args.quick else pair[0]


def _orders() -> list[dict[str, str]]:
    with ORDERS.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if (row.get("text") or "").strip()]


def phase_hotline_prepare(args: argparse.Namespace) -> dict[str, Any]:
    import cases

    started = time.perf_counter()
    result = cases._setup()
    from zhengwu.hotline import classifier

    trained = time.perf_counter()
    model = classifier.train(classifier.read_orders(ORDERS))
    path = classifier.save(model, classifier.model_path())
    result["train_seconds"] = time.perf_counter() - trained
    result["model_path"] = str(path)
    result["seconds"] = time.perf_counter() - started
    # The timed phases run on a copy of this data directory: they read the training time here.
    (path.parent / "train.json").write_text(json.dumps({"seconds": result["train_seconds"]}),
                                            encoding="utf-8")
    say(f"  model trained in {result['train_seconds']:.1f}s into {path}")
    return result


def _per_order_us(function: Callable[[dict[str, str]], Any], rows: list[dict[str, str]],
                  passes: int) -> dict[str, float]:
    from run import percentile

    times: list[float] = []
    for _ in range(passes):
        for row in rows:
            started = time.perf_counter_ns()
            function(row)
            times.append((time.perf_counter_ns() - started) / 1000)
    return {"orders": len(rows), "calls": len(times), "p50_us": statistics.median(times),
            "p99_us": percentile(times, 0.99), "mean_us": statistics.fmean(times)}


def _routing(args: argparse.Namespace) -> dict[str, Any]:
    from zhengwu.hotline import classifier, routing

    rows = _orders()
    passes = _scale(PASSES, args)

    def suggest(row: dict[str, str]) -> Any:
        return routing.suggest(row["text"], row.get("region_code") or "",
                               row.get("category_code") or "")

    path = classifier.model_path()
    if not path.exists():
        raise SystemExit(f"no model at {path}")
    warm = suggest(rows[0])
    by_model = sum(1 for row in rows[:200] for s in suggest(row) if s.by == "model")
    if not any(s.by == "model" for s in warm) and not by_model:
        raise SystemExit("the model made no suggestion: is it loaded?")
    with_model = _per_order_us(suggest, rows, passes)
    aside = path.with_suffix(".aside")
    path.rename(aside)
    try:
        suggest(rows[0])
        rules_only = _per_order_us(suggest, rows, 1)
    finally:
        aside.rename(path)
    return {"with_model": with_model, "rules_only": rules_only, "passes": passes,
            "with_category": sum(1 for row in rows if row.get("category_code")),
            "with_region": sum(1 for row in rows if row.get("region_code"))}


def _csrf_headers(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": cookies["csrftoken"], "Content-Type": "application/json"}


def _order_body(row: dict[str, str], number: int) -> bytes:
    kind = row.get("kind") if row.get("kind") in KINDS else "consult"
    return json.dumps({"kind": kind, "title": row["text"][:30], "content": row["text"],
                       "caller_name": f"来电群众{number % 1000}",
                       "caller_phone": f"139{number:08d}",
                       "category_code": row.get("category_code") or "",
                       "region_code": row.get("region_code") or ""},
                      ensure_ascii=False).encode()


def _round(name: str, figures: dict[str, Any], number: int) -> None:
    say(f"  round {number + 1}: {name:16} {figures['per_s']:8,.1f}/s  p50 "
        f"{figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  failed "
        f"{figures['failed']}")


def phase_hotline_http(args: argparse.Namespace) -> dict[str, Any]:
    from run import _django_setup

    _django_setup()
    import engine
    from django.conf import settings
    from django.db import connection

    from zhengwu.hotline import classifier

    trained = json.loads((classifier.model_path().parent / "train.json").read_text("utf-8"))
    result: dict[str, Any] = {"routing": _routing(args), "train_seconds": trained["seconds"]}
    for name, figures in result["routing"].items():
        if isinstance(figures, dict):
            say(f"  routing.suggest ({name}): p50 {figures['p50_us']:.0f} µs, p99 "
                f"{figures['p99_us']:.0f} µs over {figures['calls']} calls")
    connection.close()  # the server writes this database now

    os.environ["ZHENGWU_WEB_WORKERS"] = "1"
    rows = _orders()
    rounds, seconds = _scale(ROUNDS, args), _scale(SECONDS, args)
    say(f"  load generator: Python threads; {rounds} × {seconds} s; one gunicorn worker")
    server = engine.Server(Path(settings.DATA_DIR))
    runs: dict[str, list[dict[str, Any]]] = {"healthz": [], "create": []}
    try:
        cookies = engine.sign_in(server.port, OPERATOR, PASSWORD)
        headers = _csrf_headers(cookies)

        def create(thread: int, counter: int) -> tuple[bytes | None, dict[str, str]]:
            number = 1_000_000 + thread * 100_000 + counter + 10_000 * len(runs["create"])
            row = rows[number % len(rows)]
            return _order_body(row, number), {**headers,
                                              "Idempotency-Key": f"bench-order-{number}"}

        status, _, body = engine.request("POST", server.port, "/api/v1/hotline/orders",
                                         *create(99, 0))
        if status != 201:
            raise SystemExit(f"POST /api/v1/hotline/orders: {status} {body[:300]!r}")
        for number in range(rounds):
            figures = engine._python_load(server.port, "GET", engine.HEALTHZ, seconds,
                                          lambda n, c: (None, {}))
            runs["healthz"].append(figures)
            _round("healthz", figures, number)
            figures = engine._python_load(server.port, "POST", "/api/v1/hotline/orders",
                                          seconds, create)
            runs["create"].append(figures)
            _round("create an order", figures, number)
    finally:
        server.stop()
    for name, parts in runs.items():
        result[name] = {"per_s": statistics.median(r["per_s"] for r in parts),
                        "p50_ms": statistics.median(r["p50_ms"] for r in parts),
                        "p99_ms": statistics.median(r["p99_ms"] for r in parts),
                        "failed": sum(r["failed"] for r in parts)}
    result.update(load_generator="python-threads (http.client)",
                  connections=engine.CONNECTIONS, rounds=rounds, seconds_per_round=seconds,
                  workers=1, runs=runs, server_log_tail=server.tail(5))
    failed = {name: result[name]["failed"] for name in runs if result[name]["failed"]}
    if failed:
        raise SystemExit(f"failed requests: {failed}:\n{server.tail()}")
    return result


PHASE_FUNCTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    PREPARE: phase_hotline_prepare, "hotline_http": phase_hotline_http}


def summary(facts: dict[str, Any], results: dict[str, dict[str, Any]],
            args: argparse.Namespace) -> dict[str, Any]:
    http = results["hotline_http"]
    return {
        "when": time.strftime("%Y-%m-%d %H:%M", time.localtime()), "quick": args.quick,
        "machine": {k: facts.get(k) for k in ("cpus", "cpu_model", "memory", "python",
                                                  "django", "load_average")},
        "train_seconds_all": round(http["train_seconds"], 2),
        "routing_us": http["routing"],
        "healthz_per_s": round(http["healthz"]["per_s"], 1),
        "create_per_s": round(http["create"]["per_s"], 1),
        "create_vs_healthz": round(http["create"]["per_s"] / http["healthz"]["per_s"], 3),
        "create_p50_ms": round(http["create"]["p50_ms"], 1),
        "create_p99_ms": round(http["create"]["p99_ms"], 1),
        "connections": http["connections"], "rounds": http["rounds"],
        "seconds_per_round": http["seconds_per_round"], "workers": 1,
    }


def render(facts: dict[str, Any], results: dict[str, dict[str, Any]],
           args: argparse.Namespace) -> str:
    data = summary(facts, results, args)
    http = results["hotline_http"]
    model, rules = data["routing_us"]["with_model"], data["routing_us"]["rules_only"]
    health, create = http["healthz"], http["create"]
    return "\n".join([
        f"12345 work orders — {data['when']}, {facts.get('cpus')} CPUs ({facts.get('cpu_model')}), "
        f"Python {facts.get('python')}, load {facts.get('load_average')}"
        + (" (QUICK)" if args.quick else ""),
        "",
        "| measure | result | same-run reference | goal | verdict |",
        "|---|---|---|---|---|",
        f"| training the routing model, all labelled orders (prepare phase) "
        f"| {data['train_seconds_all']:.1f} s | — | — | reported |",
        f"| `routing.suggest` (rules + model) per order, {model['orders']} pack orders × "
        f"{data['routing_us']['passes']} | p50 {model['p50_us']:,.0f} µs, p99 "
        f"{model['p99_us']:,.0f} µs | rules only (no model file): p50 {rules['p50_us']:,.0f} µs, "
        f"p99 {rules['p99_us']:,.0f} µs | — | reported |",
        f"| `POST /api/v1/hotline/orders` as the operator (1 worker, {data['connections']} "
        f"threads) | {create['per_s']:,.1f} orders/s, p50 {create['p50_ms']:.1f} ms, p99 "
        f"{create['p99_ms']:.1f} ms = {data['create_vs_healthz']:.3f}× /healthz "
        f"| `GET /healthz` (same generator) {health['per_s']:,.0f} req/s, p50 "
        f"{health['p50_ms']:.1f} ms | — | reported |",
        "",
        f"{data['rounds']} rounds × {data['seconds_per_round']} s, medians of the rounds; "
        "SQLite, `zhengwu serve` with one gunicorn worker on loopback.",
    ])

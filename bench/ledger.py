"""Transparency-log benchmarks (issue 15 §2, "Benchmarks"): `make bench-ledger [QUICK=1]`,
i.e. `.venv/bin/python bench/ledger.py [--quick]`.

Goals from the issue: appends ≥ 1,000/s, inclusion and consistency proofs < 1 ms each at
1,000,000 entries, each against a raw SM3 loop measured in the same run.

0. Baseline: a raw SM3 loop (`hashlib.new("sm3", x).digest()` over 64-byte inputs), hashes/s,
   measured three times in the run (at the start, before the database part, at the end); the
   ratios use the median of the three.
1. In memory: `merkle.MerkleLog().append` of 1,000,000 canonical-JSON entries (~150 bytes,
   made by `services.entry_bytes` in chunks, outside the timing), appends/s and SM3-hashes'
   worth per append (an append hashes its leaf and, amortised, one parent: ~2 SM3).
2. Proofs in memory at 1,000,000 entries: `inclusion_proof` and `consistency_proof` from the
   MerkleLog, against the whole tree and against random older sizes: median and p99 in µs, and
   in SM3-hashes' worth. Latencies (here and in 4.) are timed with the cyclic garbage collector
   off, as timeit does.
3. The database is populated for those 1,000,000 entries without `ledger_append` (that would
   take a quarter of an hour): the nodes computed in memory and bulk-inserted (LedgerEntry,
   LedgerNode, LedgerHead), then the MerkleLog is freed.
4. Proofs from the database: `services.inclusion(index, size)` and `services.consistency(first,
   second)`, median and p99 in ms, each checked equal to the in-memory proof, and the same of
   the process's CPU time per call (the wall-clock p99 on a shared machine is mostly time
   spent waiting for a core). Goal < 1 ms.
5. Appends through `services.ledger_append(kind=…, data=…)` to that 1,000,000-entry log, one
   transaction each as the platform makes them, and 100 per transaction, against a raw INSERT
   of a row of the same shape per transaction on the same database in the same run.
   Goal ≥ 1,000/s.

Django runs on a throw-away SQLite database (`config.settings.dev`, a temporary
ZHENGWU_DATA_DIR, `migrate`; WAL, synchronous=NORMAL as deployed), DEBUG off. --quick: 20,000
entries, fewer samples (a smoke check, a minute or so).

Writes bench/results/ledger.json and bench/results/latest-ledger.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

APPEND_GOAL_PER_S = 1_000
PROOF_GOAL_MS = 1.0
CHUNK = 10_000
KINDS = ("credit.event", "draw.commit", "draw.reveal", "draw.result", "sanction",
         "inspection.draw")
START = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def say(message: str) -> None:
    print(message, flush=True)


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile (as bench/run.py)."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def machine_facts() -> dict[str, Any]:
    """The machine, Python, Django and the database as bench/run.py reports them."""
    import platform

    import django
    from django.db import connection

    cpu_model, memory = "", ""
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        cpu_model = next((line.split(":", 1)[1].strip() for line in handle
                          if line.startswith("model name")), "")
    with open("/proc/meminfo", encoding="ascii") as handle:
        kib = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    facts = {"cpus_usable": len(os.sched_getaffinity(0)), "cpu_model": cpu_model,
             "memory": memory, "python": platform.python_version(),
             "django": django.get_version(), "os": platform.platform(),
             "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()")
        facts["database"] = f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0], "?")
        facts["database_settings"] = f"journal_mode={mode}, synchronous={sync}"
    return facts


def rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        return next(int(line.split()[1]) // 1024 for line in handle if line.startswith("VmRSS:"))


# --- the baseline --------------------------------------------------------------------------


def sm3_rate(count: int) -> float:
    """Raw SM3 hashes/s over 64-byte inputs (best of 3 passes of `count`)."""
    inputs = [os.urandom(64) for _ in range(1024)]
    new = hashlib.new
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        for i in range(count):
            new("sm3", inputs[i & 1023]).digest()
        best = max(best, count / (time.perf_counter() - started))
    return best


# --- entries -------------------------------------------------------------------------------


def entry_data(i: int) -> tuple[str, dict[str, Any]]:
    """Entry i's kind and data: what the marketplace and credit supervision log, ~150 bytes
    as canonical JSON."""
    kind = KINDS[i % len(KINDS)]
    x = (i * 2654435761) & 0xFFFFFFFF
    data: dict[str, Any] = {"agency": f"91430481MA4L{x % 1000000:06d}",
                            "project": f"ZJ-2026-{i % 100000:05d}", "seq": i}
    if kind == "credit.event":
        data.update(score=-(x % 7), reason="逾期")
    elif kind in ("draw.commit", "draw.reveal"):
        data.update(party=("owner", "platform", "supervisor")[x % 3], h=f"{x:08x}" * 2)
    else:
        data.update(result=f"{x % 97:02d}")
    return kind, data


def entries(first: int, count: int) -> Iterator[list[bytes]]:
    """The canonical bytes of entries [first, first + count), in chunks."""
    from zhengwu.ledger.services import entry_bytes

    for start in range(first, first + count, CHUNK):
        yield [entry_bytes(*entry_data(i), START + dt.timedelta(seconds=i))
               for i in range(start, min(first + count, start + CHUNK))]


# --- Django --------------------------------------------------------------------------------


def django_setup(data_dir: Path) -> float:
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings.dev", ZHENGWU_DATA_DIR=str(data_dir),
                      DJANGO_DEBUG="0", ZHENGWU_LOG_LEVEL="WARNING")
    for name in ("DATABASE_URL", "ZHENGWU_NOW", "ZHENGWU_LEDGER_SIGNER"):
        os.environ.pop(name, None)
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    return time.perf_counter() - started


# --- in memory -----------------------------------------------------------------------------


def timed_us(call: Callable[[int, int], object], pairs: list[tuple[int, int]]) -> list[float]:
    for a, b in pairs[:50]:  # warm-up
        call(a, b)
    times = []
    gc.collect()
    gc.disable()  # as timeit: a latency, not the collector's pauses over the log's 2n nodes
    try:
        for a, b in pairs:
            started = time.perf_counter()
            call(a, b)
            times.append((time.perf_counter() - started) * 1e6)
    finally:
        gc.enable()
    return times


def stats_us(times: list[float], sm3_us: float) -> dict[str, float]:
    median, p99 = statistics.median(times), percentile(times, 0.99)
    return {"median_us": round(median, 2), "p99_us": round(p99, 2),
            "max_us": round(max(times), 1), "n": len(times),
            "median_sm3": round(median / sm3_us, 1), "p99_sm3": round(p99 / sm3_us, 1)}


def pairs_for(kind: str, size: int, count: int, rng: random.Random) -> dict[str, list[tuple[int, int]]]:
    """(index, size) for inclusion or (first, second) for consistency: against the whole
    tree, and against random older sizes."""
    if kind == "inclusion":
        whole = [(rng.randrange(size), size) for _ in range(count)]
        older = []
        for _ in range(count):
            n = rng.randint(2, size)
            older.append((rng.randrange(n), n))
    else:
        whole = [(rng.randint(1, size - 1), size) for _ in range(count)]
        older = []
        for _ in range(count):
            n = rng.randint(3, size)
            older.append((rng.randint(1, n - 1), n))
    return {"whole": whole, "older": older}


# --- the database --------------------------------------------------------------------------


def populate(nodes: dict[tuple[int, int], bytes], size: int) -> dict[str, Any]:
    """LedgerEntry, LedgerNode and LedgerHead rows for the first `size` entries, bulk-inserted
    (a statement per chunk, a transaction per 100,000 rows)."""
    from django.db import connection, transaction
    from django.db.models import JSONField

    from zhengwu.ledger.models import LedgerEntry, LedgerHead, LedgerNode

    started = time.perf_counter()
    node_table, entry_table = LedgerNode._meta.db_table, LedgerEntry._meta.db_table
    quote = connection.ops.quote_name
    private = JSONField().get_db_prep_save({}, connection)
    node_sql = (f"INSERT INTO {quote(node_table)} ({quote('level')}, {quote('position')}, "
                f"{quote('hash')}) VALUES (%s, %s, %s)")
    entry_sql = (f"INSERT INTO {quote(entry_table)} ({quote('index')}, {quote('kind')}, "
                 f"{quote('entry')}, {quote('leaf_hash')}, {quote('ref')}, {quote('private')}, "
                 f"{quote('appended_at')}) VALUES (%s, %s, %s, %s, %s, %s, %s)")
    items = iter(nodes.items())
    while node_rows := [(level, position, value.hex())
                   for (level, position), value in itertools.islice(items, 100_000)]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(node_sql, node_rows)
    adapt = connection.ops.adapt_datetimefield_value
    index = 0
    for chunk in entries(0, size):
        rows: list[tuple[Any, ...]] = []
        for content in chunk:
            kind, _ = entry_data(index)
            rows.append((index, kind, content, nodes[(0, index)].hex(), "", private,
                         adapt(START + dt.timedelta(seconds=index))))
            index += 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(entry_sql, rows)
    LedgerHead.objects.update_or_create(pk=1, defaults={"size": size})
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 1), "nodes": len(nodes),
            "entries": size}


def db_timed_ms(call: Callable[[int, int], list[bytes]], pairs: list[tuple[int, int]],
                expected: list[list[bytes]]) -> dict[str, Any]:
    for a, b in pairs[:50]:  # warm-up
        call(a, b)
    times, cpu = [], []
    gc.collect()
    gc.disable()
    try:
        for (a, b), want in zip(pairs, expected, strict=True):
            started, started_cpu = time.perf_counter(), time.thread_time()
            proof = call(a, b)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            times.append((time.perf_counter() - started) * 1000)
            assert proof == want, (a, b)
    finally:
        gc.enable()
    median, p99 = statistics.median(times), percentile(times, 0.99)
    # The process's own CPU time per call: what is left when the shared machine's other
    # processes (and waits for the disk) are taken out of the wall-clock time.
    return {"median_ms": round(median, 3), "p99_ms": round(p99, 3),
            "max_ms": round(max(times), 2), "n": len(times),
            "cpu_median_ms": round(statistics.median(cpu), 3),
            "cpu_p99_ms": round(percentile(cpu, 0.99), 3),
            "over_1ms": sum(t >= PROOF_GOAL_MS for t in times)}


class Counter:
    """SQL statements through Django's execute wrapper."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool,
                 context: dict[str, Any]) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def db_appends(count: int, batch: int) -> dict[str, Any]:
    """`count` ledger_append calls: each its own transaction (batch 1) or `batch` per one."""
    from django.db import connection, transaction

    from zhengwu.ledger import services

    first = services.size()
    contents = [entry_data(i) for i in range(first, first + count)]
    counter = Counter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        if batch == 1:  # ledger_append's own atomic() is the transaction
            for kind, data in contents:
                services.ledger_append(kind=kind, data=data)
        else:  # the caller's transaction, ledger_append's atomic() a savepoint in it
            for start in range(0, count, batch):
                with transaction.atomic():
                    for kind, data in contents[start:start + batch]:
                        services.ledger_append(kind=kind, data=data)
    seconds = time.perf_counter() - started
    return {"appends": count, "per_transaction": batch, "seconds": round(seconds, 2),
            "per_s": round(count / seconds, 1), "statements_per_append": counter.count / count}


def raw_inserts(count: int) -> dict[str, Any]:
    """Baseline: one INSERT of an entry-shaped row per transaction, same database."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_ledger_raw")
        cursor.execute("CREATE TABLE bench_ledger_raw (id integer PRIMARY KEY, kind varchar(40), "
                       "entry blob, leaf_hash varchar(64))")
    rows = [(i, kind, json.dumps(data).encode(), "0" * 64)
            for i, (kind, data) in enumerate(map(entry_data, range(count)))]
    started = time.perf_counter()
    for row in rows:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_ledger_raw VALUES (%s, %s, %s, %s)", row)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_ledger_raw")
    return {"inserts": count, "seconds": round(seconds, 2), "per_s": round(count / seconds, 1)}


# --- the run -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--entries", type=int, default=0, help="log size (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    size = args.entries or (20_000 if args.quick else 1_000_000)
    memory_samples = 2_000 if args.quick else 10_000
    db_samples = 300 if args.quick else 2_000
    appends = 500 if args.quick else 5_000
    sm3_count = 100_000 if args.quick else 500_000
    rng = random.Random(15)
    run_started = time.perf_counter()
    result: dict[str, Any] = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": args.quick,
                              "entries": size}

    data_dir = Path(tempfile.mkdtemp(prefix="zhengwu-bench-ledger-"))
    try:
        result["migrate_s"] = round(django_setup(data_dir), 1)
        say(f"  migrated a fresh database in {result['migrate_s']} s ({data_dir})")
        from zhengwu.ledger import merkle, services

        result["machine"] = machine_facts()

        rates = [sm3_rate(sm3_count)]
        say(f"  raw SM3 (64 bytes): {rates[0]:,.0f} hashes/s")

        # 1. appends in memory
        log = merkle.MerkleLog()
        append_s = 0.0
        entry_bytes_total = 0
        for chunk in entries(0, size):
            entry_bytes_total += sum(map(len, chunk))
            started = time.perf_counter()
            for content in chunk:
                log.append(content)
            append_s += time.perf_counter() - started
        memory_rate = size / append_s
        result["memory_append"] = {"per_s": round(memory_rate), "seconds": round(append_s, 2),
                                   "mean_entry_bytes": round(entry_bytes_total / size, 1),
                                   "nodes": len(log.nodes),
                                   "rss_mb": rss_mb()}
        say(f"  in memory: {size:,} appends in {append_s:.1f} s = {memory_rate:,.0f}/s "
            f"(entries {entry_bytes_total / size:.0f} bytes; {len(log.nodes):,} nodes, "
            f"RSS {result['memory_append']['rss_mb']} MB)")

        # 2. proofs in memory
        memory_proofs: dict[str, Any] = {}
        sm3_us = 1e6 / rates[0]
        calls: dict[str, Callable[[int, int], list[bytes]]] = {
            "inclusion": log.inclusion_proof, "consistency": log.consistency_proof}
        for kind in ("inclusion", "consistency"):
            for which, pairs in pairs_for(kind, size, memory_samples, rng).items():
                memory_proofs[f"{kind}_{which}"] = timed_us(calls[kind], pairs)
        # the database's samples and the proofs they must give, from the MerkleLog
        db_pairs = {f"{kind}_{which}": pairs for kind in ("inclusion", "consistency")
                    for which, pairs in pairs_for(kind, size, db_samples, rng).items()}
        expected = {name: [calls[name.split("_")[0]](a, b) for a, b in pairs]
                    for name, pairs in db_pairs.items()}
        # spot checks: the proofs verify as RFC 9162 says
        for a, b in db_pairs["inclusion_whole"][:20]:
            assert merkle.verify_inclusion(log.nodes[(0, a)], a, b, log.inclusion_proof(a, b),
                                           log.root(b))
        for a, b in db_pairs["consistency_older"][:20]:
            assert merkle.verify_consistency(a, b, log.root(a), log.root(b),
                                             log.consistency_proof(a, b))

        # 3. the database, populated from the MerkleLog's nodes; then the log is freed
        say("  populating the database …")
        result["populate"] = populate(log.nodes, size)
        say(f"  populated {size:,} entries and {len(log.nodes):,} nodes in "
            f"{result['populate']['seconds']} s")
        del log, calls
        gc.collect()
        result["populate"]["database_mb"] = round(sum(
            p.stat().st_size for p in data_dir.glob("zhengwu.sqlite3*")) / 2**20)

        rates.append(sm3_rate(sm3_count))
        say(f"  raw SM3 (64 bytes): {rates[-1]:,.0f} hashes/s")

        # 4. proofs from the database
        db_calls: dict[str, Callable[[int, int], list[bytes]]] = {
            "inclusion": lambda i, n: services.inclusion(i, n).proof,
            "consistency": services.consistency}
        db_proofs = {}
        counter = Counter()
        from django.db import connection

        with connection.execute_wrapper(counter):
            db_calls["inclusion"](*db_pairs["inclusion_whole"][0])
            statements_inclusion = counter.count
            db_calls["consistency"](*db_pairs["consistency_whole"][0])
            statements_consistency = counter.count - statements_inclusion
        for name, pairs in db_pairs.items():
            db_proofs[name] = db_timed_ms(db_calls[name.split("_")[0]], pairs, expected[name])
            say(f"  database {name}: median {db_proofs[name]['median_ms']} ms, "
                f"p99 {db_proofs[name]['p99_ms']} ms")
        # where the time goes: the node query alone, and the entry query
        keys = [merkle.inclusion_keys(i, n) for i, n in db_pairs["inclusion_whole"]]
        node_times = []
        for wanted in keys:
            started = time.perf_counter()
            services.nodes_get(wanted)
            node_times.append((time.perf_counter() - started) * 1000)
        db_proofs["nodes_get_inclusion_whole"] = {
            "median_ms": round(statistics.median(node_times), 3),
            "p99_ms": round(percentile(node_times, 0.99), 3),
            "keys_median": statistics.median(len(k) for k in keys)}
        db_proofs["statements"] = {"inclusion": statements_inclusion,
                                   "consistency": statements_consistency}

        # 5. appends through the database
        result["db_append"] = {
            "one_per_transaction": db_appends(appends, 1),
            "100_per_transaction": db_appends(appends, 100),
            "raw_insert_per_transaction": raw_inserts(appends)}
        for name, row in result["db_append"].items():
            say(f"  database appends, {name}: {row['per_s']:,.0f}/s")

        rates.append(sm3_rate(sm3_count))
        say(f"  raw SM3 (64 bytes): {rates[-1]:,.0f} hashes/s")
    finally:
        if args.keep:
            say(f"  kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    sm3 = statistics.median(rates)
    sm3_us = 1e6 / sm3
    result["sm3"] = {"per_s": [round(r) for r in rates], "median_per_s": round(sm3),
                     "us_per_hash": round(sm3_us, 3)}
    result["memory_append"]["sm3_per_append"] = round(sm3 / memory_rate, 2)
    result["memory_append"]["ratio_to_sm3_rate"] = round(memory_rate / sm3, 3)
    result["memory_proofs"] = {name: stats_us(times, sm3_us)
                               for name, times in memory_proofs.items()}
    result["db_proofs"] = db_proofs
    for name in ("one_per_transaction", "100_per_transaction"):
        row = result["db_append"][name]
        row["ratio_to_sm3_rate"] = round(row["per_s"] / sm3, 4)
        row["ratio_to_raw_insert"] = round(
            row["per_s"] / result["db_append"]["raw_insert_per_transaction"]["per_s"], 3)
    one = result["db_append"]["one_per_transaction"]["per_s"]
    worst_db = max(db_proofs[name]["p99_ms"] for name in db_pairs)
    worst_memory = max(v["p99_us"] for v in result["memory_proofs"].values()) / 1000
    result["goals"] = {
        "appends >= 1,000/s (ledger_append, one per transaction)": one >= APPEND_GOAL_PER_S,
        "appends >= 1,000/s (in memory)": memory_rate >= APPEND_GOAL_PER_S,
        "proofs < 1 ms (in memory, p99)": worst_memory < PROOF_GOAL_MS,
        "proofs < 1 ms (database, p99)": worst_db < PROOF_GOAL_MS,
        "proofs < 1 ms (database, median)": max(
            db_proofs[name]["median_ms"] for name in db_pairs) < PROOF_GOAL_MS,
        "proofs < 1 ms (database, p99 of CPU time)": max(
            db_proofs[name]["cpu_p99_ms"] for name in db_pairs) < PROOF_GOAL_MS}
    result["seconds"] = round(time.perf_counter() - run_started)

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ledger.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    lines = render(result)
    (RESULTS / "latest-ledger.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    if not all(result["goals"].values()) and not args.quick:
        sys.exit(1)


def render(r: dict[str, Any]) -> list[str]:
    m = r["machine"]
    sm3 = r["sm3"]
    ma = r["memory_append"]
    lines = [f"# Transparency log ({r['when']}, {r['entries']:,} entries, whole run "
             f"{r['seconds']} s)", "",
             f"{m['cpus_usable']} × {m['cpu_model']}, {m['memory']}, Python {m['python']}, "
             f"Django {m['django']}, {m['database']} ({m['database_settings']}), load average "
             f"at the end {m['load_average']}", "",
             f"Raw SM3 over 64-byte inputs (baseline, 3 times in the run): "
             f"{', '.join(f'{x:,}' for x in sm3['per_s'])} hashes/s; median "
             f"{sm3['median_per_s']:,}/s = {sm3['us_per_hash']} µs a hash.", "",
             "| measure | result | against raw SM3 (same run) | goal | verdict |",
             "|---|---|---|---|---|",
             f"| appends in memory (`MerkleLog.append`, {r['entries']:,} entries of "
             f"{ma['mean_entry_bytes']:.0f} bytes) | {ma['per_s']:,}/s | "
             f"{ma['ratio_to_sm3_rate']}× the SM3 rate ({ma['sm3_per_append']} hashes' worth "
             f"an append) | ≥ 1,000/s | {'met' if ma['per_s'] >= 1000 else '**missed**'} |"]
    for name, label in (("one_per_transaction", "one per transaction"),
                        ("100_per_transaction", "100 per transaction")):
        row = r["db_append"][name]
        lines.append(
            f"| appends to the database at {r['entries']:,} (`ledger_append`, {label}, "
            f"{row['appends']:,}) | {row['per_s']:,.0f}/s ({row['statements_per_append']:.0f} "
            f"statements each) | {row['ratio_to_sm3_rate']}× the SM3 rate; "
            f"{row['ratio_to_raw_insert']}× a raw INSERT per transaction | ≥ 1,000/s | "
            f"{'met' if row['per_s'] >= 1000 else '**missed**'} |")
    raw = r["db_append"]["raw_insert_per_transaction"]
    lines.append(f"| raw INSERT of an entry-shaped row, one per transaction (database baseline) | "
                 f"{raw['per_s']:,.0f}/s | — | — | — |")
    labels = {"whole": f"against the whole tree ({r['entries']:,})",
              "older": "against random older sizes"}
    for kind in ("inclusion", "consistency"):
        for which in ("whole", "older"):
            v = r["memory_proofs"][f"{kind}_{which}"]
            lines.append(
                f"| {kind} proof in memory, {labels[which]} | median {v['median_us']} µs, "
                f"p99 {v['p99_us']} µs | {v['median_sm3']} / {v['p99_sm3']} hashes' worth | "
                f"< 1 ms | {'met' if v['p99_us'] < 1000 else '**missed**'} |")
    for kind, call in (("inclusion", "services.inclusion(index, size)"),
                       ("consistency", "services.consistency(first, second)")):
        for which in ("whole", "older"):
            v = r["db_proofs"][f"{kind}_{which}"]
            lines.append(
                f"| {kind} proof from the database (`{call}`), {labels[which]} | median "
                f"{v['median_ms']} ms, p99 {v['p99_ms']} ms ({v['over_1ms']} of {v['n']} ≥ 1 ms; "
                f"CPU time median {v['cpu_median_ms']} ms, p99 {v['cpu_p99_ms']} ms) | "
                f"{v['median_ms'] * 1000 / sm3['us_per_hash']:.0f} hashes' worth (median) | "
                f"< 1 ms | {'met' if v['p99_ms'] < 1 else '**missed**'} |")
    ng = r["db_proofs"]["nodes_get_inclusion_whole"]
    st = r["db_proofs"]["statements"]
    p = r["populate"]
    lines += ["",
              f"- `nodes_get` alone for an inclusion proof against the whole tree "
              f"({ng['keys_median']} nodes): median {ng['median_ms']} ms, p99 {ng['p99_ms']} ms; "
              f"statements: inclusion {st['inclusion']}, consistency {st['consistency']}",
              f"- database populated ({p['entries']:,} entries, {p['nodes']:,} nodes) in "
              f"{p['seconds']} s, {p['database_mb']} MB; in-memory log RSS {ma['rss_mb']} MB",
              f"- goals: {r['goals']}"]
    return lines


if __name__ == "__main__":
    main()

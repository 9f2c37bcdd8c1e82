"""12345 routing-model benchmarks (issue 13 §2, "Benchmark"): `make bench-hotline [QUICK=1]`,
i.e. `.venv/bin/python bench/hotline.py [--quick]`.

Offline and without a database: the model is pure (zhengwu/hotline/classifier.py).

1. Accuracy: top-1 / top-3 (and how often the model abstains below the threshold, 0.30) on the
   seeded 20 % held-out split of the pack's labelled orders (packs/leiyang/hotline/orders.csv),
   the model trained on the other 80 %; and, with the same model, on the hand-written orders
   in phrasings the generator does not produce (hotline/orders_unseen.csv). Goals (issue 13):
   ≥ 85 % / ≥ 95 % on the held-out split.
2. Training time: on the 80 % split and on every order (what `zhengwu hotline_train` and
   `make run` do), best of N runs (N = 3, 1 with --quick).
3. Prediction: one `model.top(text, 3)` per order, timed order by order over the held-out texts
   (5 passes, 1 with --quick): median and p99 in µs, against scikit-learn's own
   `predict_proba` on the same texts in the same run (the reference the fast path is tested
   equal to).
4. The saved model: file size, and `load` (read, SHA-256 check, unpickle) in ms.

Writes bench/results/hotline.json and bench/results/latest-hotline.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zhengwu.hotline import classifier  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PACK = ROOT / "packs" / "leiyang"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed_train(rows, runs):
    best = None
    model = None
    for _ in range(runs):
        started = time.perf_counter()
        model = classifier.train(rows)
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return model, best


def per_order_us(function, texts, passes):
    times = []
    for _ in range(passes):
        for text in texts:
            started = time.perf_counter_ns()
            function(text)
            times.append((time.perf_counter_ns() - started) / 1000)
    return statistics.median(times), percentile(times, 99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs, passes = (1, 1) if args.quick else (3, 5)

    rows = classifier.read_orders(PACK / "hotline" / "orders.csv")
    unseen = classifier.read_orders(PACK / "hotline" / "orders_unseen.csv")
    train_rows, held_out = classifier.split(rows)
    model, train_seconds = timed_train(train_rows, runs)
    _, full_seconds = timed_train(rows, runs)
    held = classifier.evaluate(model, held_out)
    other = classifier.evaluate(model, unseen)

    texts = [text for text, _ in held_out]
    fast_p50, fast_p99 = per_order_us(lambda t: model.top(t, 3), texts, passes)
    vectorizer, estimator = model.vectorizer, model.estimator
    ref_p50, ref_p99 = per_order_us(
        lambda t: estimator.predict_proba(vectorizer.transform([t])), texts, passes)

    with tempfile.TemporaryDirectory() as directory:
        path = classifier.save(model, Path(directory) / "model.joblib")
        size = path.stat().st_size
        loads = []
        for _ in range(max(runs, 3)):
            started = time.perf_counter()
            assert classifier.load(path) is not None
            loads.append((time.perf_counter() - started) * 1000)

    facts = {
        "when": time.strftime("%Y-%m-%d %H:%M", time.localtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "quick": args.quick,
        "orders": len(rows), "departments": len({d for _, d in rows}),
        "train_rows": len(train_rows),
        "held_out": {"orders": held.orders, "top1": held.top1, "top3": held.top3,
                     "abstained": held.abstained,
                     "goal": {"top1": 0.85, "top3": 0.95},
                     "met": held.top1 >= 0.85 and held.top3 >= 0.95},
        "unseen": {"orders": other.orders, "top1": other.top1, "top3": other.top3,
                   "abstained": other.abstained},
        "train_seconds_80": train_seconds, "train_seconds_all": full_seconds,
        "predict_us": {"p50": fast_p50, "p99": fast_p99},
        "predict_us_sklearn": {"p50": ref_p50, "p99": ref_p99},
        "model_bytes": size, "load_ms": min(loads),
    }
    pct = lambda v: f"{v * 100:.1f} %"  # noqa: E731
    table = "\n".join([
        f"12345 routing model — {facts['when']}, {facts['machine']}, load {facts['load_average']:.1f}"
        + (" (QUICK)" if args.quick else ""),
        "",
        "| measure | result | same-run reference | goal | verdict |",
        "|---|---|---|---|---|",
        f"| held-out 20 % ({held.orders} orders, {facts['departments']} departments) top-1 / top-3 "
        f"| {pct(held.top1)} / {pct(held.top3)} (abstains on {pct(held.abstained)}) | — "
        f"| ≥ 85 % / ≥ 95 % | {'met' if facts['held_out']['met'] else 'missed'} |",
        f"| hand-written orders in new phrasings ({other.orders}) top-1 / top-3 "
        f"| {pct(other.top1)} / {pct(other.top3)} (abstains on {pct(other.abstained)}) | — | — | reported |",
        f"| training, {len(train_rows)} orders (80 %) | {train_seconds:.1f} s | — | — | reported |",
        f"| training, all {len(rows)} orders (`hotline_train`, `make run`) | {full_seconds:.1f} s "
        f"| — | — | reported |",
        f"| one order's top 3 (`model.top`) | p50 {fast_p50:.0f} µs, p99 {fast_p99:.0f} µs "
        f"| scikit-learn `predict_proba`: p50 {ref_p50:.0f} µs, p99 {ref_p99:.0f} µs "
        f"({ref_p50 / fast_p50:.1f}× slower) | — | reported |",
        f"| the saved model: size, `load` (SHA-256 check + unpickle) | {size / 1e6:.1f} MB, "
        f"{min(loads):.0f} ms | — | — | reported |",
    ])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hotline.json").write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    (RESULTS / "latest-hotline.md").write_text(table + "\n", encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""惠企政策 eligibility benchmarks (issue 14 §1, "Benchmark"): `make bench-policies [QUICK=1]`,
i.e. `.venv/bin/python bench/policies.py [--quick]`.

Offline and without a database: the rules are pure (zhengwu/policies/eligibility.py,
matching.py). A seeded corpus of enterprises (the generator of
zhengwu/policies/tests/test_matching.py, facts missing, stale and of the wrong kind included)
× benefits drawn from three rule shapes with varied thresholds.

1. Matching every enterprise against every benefit: the column path (FactTable built once per
   day, then `match` per benefit) against the baseline measured in the same run — evaluating
   each enterprise on its own in Python (`eligibility.evaluate`), on a sample of enterprises
   scaled up (the full baseline would take minutes). Goal (issue 14): ≥ 10× faster and the
   whole 10,000 × 100 under 1 s here. Both answers are checked equal on the sample.
2. One enterprise's explanation of one benefit (`evaluate`): median and p99 in ms. Goal < 20 ms.

Writes bench/results/policies.json and bench/results/latest-policies.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zhengwu.policies.eligibility import Benefit, evaluate  # noqa: E402
from zhengwu.policies.matching import STATUS_OF, FactTable, match  # noqa: E402
from zhengwu.policies.tests.test_matching import ON, RULES, corpus  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def benefits(count: int) -> list[Benefit]:
    """`count` benefits: the three rule shapes with their numeric thresholds varied."""
    made = []
    for i in range(count):
        version = RULES[i % len(RULES)]
        conditions = tuple(
            dataclasses.replace(c, value=c.value + (i % 7) * 50)
            if c.op in ("gte", "lt") else c for c in version.conditions)
        made.append(Benefit(code=f"B{i:03d}", name=f"奖补{i}", versions=(
            dataclasses.replace(version, conditions=conditions),)))
    return made


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    enterprises = 2_000 if args.quick else 10_000
    count = 20 if args.quick else 100
    sample = 200 if args.quick else 500
    subjects = corpus(enterprises)
    items = benefits(count)

    start = time.perf_counter()
    table = FactTable.build(subjects, on=ON)
    built = time.perf_counter() - start
    start = time.perf_counter()
    codes = [match(b.version_on(ON), table) for b in items]
    matched = time.perf_counter() - start
    column_total = built + matched

    keys = table.ids[:sample]
    start = time.perf_counter()
    alone = [[evaluate(b, subjects[key], on=ON).status for key in keys] for b in items]
    baseline_sample = time.perf_counter() - start
    baseline_total = baseline_sample * enterprises / sample
    for row, b in enumerate(items):
        assert [STATUS_OF[int(c)] for c in codes[row][:sample]] == alone[row], b.code

    one = subjects[keys[0]]
    times = []
    for _ in range(200 if args.quick else 2_000):
        t0 = time.perf_counter()
        evaluate(items[0], one, on=ON)
        times.append((time.perf_counter() - t0) * 1000)

    result = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": args.quick,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "enterprises": enterprises, "benefits": count, "baseline_sample": sample,
        "table_build_s": round(built, 3), "match_s": round(matched, 3),
        "column_total_s": round(column_total, 3),
        "baseline_estimated_s": round(baseline_total, 2),
        "speedup": round(baseline_total / column_total, 1),
        "explain_median_ms": round(statistics.median(times), 3),
        "explain_p99_ms": round(percentile(times, 99), 3),
        "conditions_per_benefit": round(statistics.mean(
            len(b.versions[0].conditions) for b in items), 1),
    }
    result["goals"] = {
        "speedup >= 10": result["speedup"] >= 10,
        "column_total < 1 s": column_total < 1.0,
        "explain < 20 ms": result["explain_p99_ms"] < 20,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "policies.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    lines = [f"# 惠企政策 matching ({result['when']}, {result['machine']})", "",
             f"- {enterprises:,} enterprises × {count} benefits: table built in "
             f"{built * 1000:.0f} ms, matched in {matched * 1000:.0f} ms, total "
             f"{column_total:.3f} s",
             f"- baseline (each enterprise alone in Python, {sample} measured and scaled): "
             f"{baseline_total:.1f} s → {result['speedup']}× faster",
             f"- one enterprise's explanation: median {result['explain_median_ms']} ms, p99 "
             f"{result['explain_p99_ms']} ms",
             f"- goals: {result['goals']}"]
    (RESULTS / "latest-policies.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    if not all(result["goals"].values()) and not args.quick:
        sys.exit(1)


if __name__ == "__main__":
    main()

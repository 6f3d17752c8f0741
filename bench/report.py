"""How a benchmark script hands its figures to `bench/run`, which prints them in one table.

A script calls `record(...)` once per measured page, API list or job. Run by hand (no
BENCH_RESULTS in the environment) it records nothing and prints what it prints; run by
`bench/run`, each call appends one JSON line to the file BENCH_RESULTS names, and the runner
puts scale 1 and scale 100 side by side:

    from report import record   # bench/ is the script's own folder, so this import works
    record("cases: changelist", median_ms=97.3, queries=6, baseline_ms=2.4)
"""

import json
import os


def record(
    name: str,
    *,
    median_ms: float,
    queries: int | None = None,
    baseline_ms: float | None = None,
    **extra,
) -> None:
    """One row: the median of the app's runs, its query count, and the bare baseline's median."""
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        return
    row = {
        "name": name,
        "median_ms": round(float(median_ms), 3),
        "queries": queries,
        "baseline_ms": None if baseline_ms is None else round(float(baseline_ms), 3),
    } | extra
    with open(path, "a", encoding="utf-8") as results:
        results.write(json.dumps(row, ensure_ascii=False) + "\n")

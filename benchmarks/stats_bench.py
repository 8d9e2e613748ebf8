"""Benchmark: every measure for every year on national-size synthetic data, on DuckDB.

Usage: python benchmarks/stats_bench.py [--las 15] [--copies 10] [--years 2017-2026] [--work DIR]
                                        [--save FILE.parquet] [--compare FILE.parquet]

Synthesises `--las` councils (once; reused if DIR already holds them) and loads them `--copies`
times under different council codes, so 15 x 10 gives a national-size store (150 councils x
10 years) in a few minutes instead of a full national synthesis. Then, in a fresh process each
time, it times the whole statistics run (import, open the store, compute every measure for every
council and year into an Arrow table): once with an empty SQL cache (compile) and twice with the
cache filled. Target: under 10 s (issue 4). Each run reports wall seconds by stage, CPU seconds
(user+sys, all threads), peak RSS and the 1-minute load average: on a shared machine CPU seconds
are the honest measure. `--save` keeps the full results table of a warm run; `--compare` checks a
run against a saved table row for row (a speed change must not change a figure). The last line
is one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIMED = """
import json, os, resource, sys, time
started, cpu = time.perf_counter(), time.process_time()
from carestat.stats.compute import compute
from carestat.store import open_store
imported = time.perf_counter()
with open_store(sys.argv[1]) as store:
    tables = store.current()
    opened = time.perf_counter()
    results = compute(tables)
done = time.perf_counter()
if len(sys.argv) > 2:
    import pyarrow.parquet as pq
    pq.write_table(results, sys.argv[2])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"import": imported - started, "open": opened - imported,
                  "compute": done - opened, "whole": done - started,
                  "cpu": time.process_time() - cpu, "user+sys": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mb": usage.ru_maxrss / 1024, "load_1min": os.getloadavg()[0],
                  "figures": results.num_rows}))
"""


def main() -> None:
    """Build the store if needed, time the statistics runs, print the measurements."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--las", type=int, default=15)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--years", default="2017-2026")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--save", type=Path, default=None, help="write the results table here")
    parser.add_argument("--compare", type=Path, default=None, help="a saved results table")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="carestat-stats-bench-"))
    data, db = work / "synth", work / f"bench-{args.copies}.duckdb"
    measured: dict[str, object] = {"councils": args.las * args.copies, "years": args.years}
    if not (data / "population.csv").exists():
        command = [str(Path(sys.executable).parent / "carestat"), "synth", str(data),
                   "--las", str(args.las), "--years", args.years, "--seed", "903"]  # fmt: skip
        measured["synth (s)"] = _seconds(lambda: subprocess.run(command, check=True))
    if not db.exists():
        measured["load (s)"] = _seconds(lambda: build_store(data, db, args.copies))
    cache = work / "sql-cache"
    out = args.save or (work / "results.parquet" if args.compare else None)
    runs = [_timed_run(db, cache, fresh=(i == 0), out=out if i == 1 else None) for i in range(3)]
    measured["cold (compile)"] = runs[0]
    measured["warm"] = runs[1:]
    if args.compare and out:
        measured["identical to " + str(args.compare)] = same_results(out, args.compare)
    measured.update(_summary(db))
    print(json.dumps(measured))


def build_store(data: Path, db: Path, copies: int) -> None:
    """Load every synthetic return `copies` times, each copy under other council codes."""
    from carestat.readers import read_return
    from carestat.stats.geography import council_lookup
    from carestat.store import open_store, read_population_csv

    folders = sorted(p.parent for p in data.glob("*/*/header.csv"))
    originals = sorted({f.parent.name for f in folders})
    spare = [c for c in council_lookup()["la"].to_pylist() if c not in originals]
    codes = {(la, 0): la for la in originals}
    codes |= {(la, k): spare.pop(0) for k in range(1, copies) for la in originals}
    population = read_population_csv(data / "population.csv")
    with open_store(str(db)) as store:
        for folder in folders:
            ret = read_return([folder])
            store.load_returns(
                [(dataclasses.replace(ret, la=codes[ret.la, k]), []) for k in range(copies)]
            )
        for k in range(copies):
            la = [codes[str(v), k] for v in population["la"].to_pylist()]
            store.load_population(population.set_column(0, "la", _strings(la)))


def _strings(values: list[str]) -> Any:
    """Council codes as an Arrow string array."""
    import pyarrow as pa

    return pa.array(values, pa.string())


def same_results(new: Path, old: Path) -> bool:
    """Whether two saved results tables hold the same rows in the same order (printing the first
    differences if not)."""
    import pyarrow.parquet as pq

    a, b = pq.read_table(new), pq.read_table(old)
    if a.equals(b):
        return True
    left, right = a.to_pandas(), b.to_pandas()
    if list(left.columns) == list(right.columns):
        both = left.merge(right, how="outer", indicator=True, on=list(left.columns))
        print(both[both["_merge"] != "both"].head(20).to_string(), flush=True)
    return False


def _timed_run(db: Path, cache: Path, fresh: bool, out: Path | None = None) -> dict[str, float]:
    """One statistics run in a fresh process; `fresh` empties the SQL cache first."""
    if fresh and cache.exists():
        for item in cache.iterdir():
            item.unlink()
    env = {"CARESTAT_CACHE_DIR": str(cache)}
    import os

    run = subprocess.run(
        [sys.executable, "-c", TIMED, str(db), *([str(out)] if out else [])],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    # DuckDB may draw a progress bar on the same stream, even on the same line
    timings = json.loads(run.stdout[run.stdout.rindex('{"import"') :].splitlines()[0])
    print(("cold: " if fresh else "warm: ") + json.dumps(timings), flush=True)
    return {k: round(v, 2) for k, v in timings.items()}


def _summary(db: Path) -> dict[str, object]:
    """Episodes held and the national headline figures of the last year."""
    from carestat.stats.compute import compute
    from carestat.store import open_store

    with open_store(str(db)) as store:
        tables = store.current()
        episodes = int(tables["Episodes"].count().execute())
        results = compute(tables).to_pandas()
    national = results[(results.geographic_level == "National") & (results.category == "Total")]
    last = national[national.year == national.year.max()]
    headline = {
        m: float(last[last.measure == m].numerator.iloc[0])
        for m in ("looked_after_31_march", "started_during_year", "ceased_during_year")
        if (last.measure == m).any()
    }
    return {"episodes": episodes, "figures": len(results), "national last year": headline}


def _seconds(action: Callable[[], object]) -> float:
    """Seconds `action` took."""
    start = time.perf_counter()
    action()
    return round(time.perf_counter() - start, 2)


if __name__ == "__main__":
    main()

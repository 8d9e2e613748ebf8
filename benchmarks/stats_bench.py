"""Benchmark: every measure for every year on national synthetic data, on DuckDB.

Usage: python benchmarks/stats_bench.py [--las 150] [--years 2017-2026] [--work DIR]
Synthesises the returns (once; reused if DIR already holds them), loads them into a DuckDB store,
then times `carestat.stats.compute.compute` (all measures, all councils, all years) and the
publication step. Target: compute in under 10 s (issue 4).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    """Run the benchmark and print the timings and headline national figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--las", type=int, default=150)
    parser.add_argument("--years", default="2017-2026")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="carestat-stats-bench-"))
    data, db = work / "synth", work / "bench.duckdb"
    carestat = [str(Path(sys.executable).parent / "carestat")]
    if not (data / "population.csv").exists():
        _timed("synth", lambda: subprocess.run([*carestat, "synth", str(data), "--las", str(args.las),
                                                "--years", args.years, "--seed", "903"], check=True))  # fmt: skip
    if not db.exists():
        _timed(
            "load",
            lambda: subprocess.run([*carestat, "load", str(data), "--db", str(db)], check=True),
        )
    from carestat.privacy import publish, suppression_summary
    from carestat.stats.compute import compute
    from carestat.store import open_store

    with open_store(str(db)) as store:
        tables = store.current()
        episodes = tables["Episodes"].count().execute()
        results = _timed("compute all measures, all years", lambda: compute(tables))
    published = _timed("publish (suppression and rounding)", lambda: publish(results))
    print(
        f"episodes: {episodes}; figures: {results.num_rows}; suppression: {suppression_summary(published)}"
    )
    national = published[
        (published["geographic_level"] == "National") & (published["breakdown"] == "total")
    ]
    for measure in ("looked_after_31_march", "looked_after_31_march_rate", "started_during_year",
                    "ceased_during_year", "adopted_during_year"):  # fmt: skip
        row = national[national["measure"] == measure].set_index("year")["value"].to_dict()
        print(measure, row)
    MEASURED.update(episodes=episodes, figures=results.num_rows, **suppression_summary(published))
    print(json.dumps(MEASURED))


MEASURED: dict[str, object] = {}


def _timed(label, action):  # type: ignore[no-untyped-def]
    """Run `action`, print how long it took, record it, return its result."""
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    MEASURED[f"{label} (s)"] = round(seconds, 2)
    print(f"{label}: {seconds:.2f} s", flush=True)
    return result


if __name__ == "__main__":
    main()

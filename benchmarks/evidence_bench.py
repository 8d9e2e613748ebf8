"""Benchmark: the full evidence suite on national-size synthetic data (target < 60 s, issue 5).

Usage: python -m benchmarks.evidence_bench [--las 15] [--copies 10] [--years 2017-2026] [--work DIR]

Builds (or reuses) the same national-size store as the statistics benchmark (15 synthesised
councils loaded 10 times under different codes: 150 councils x 10 years), then, in a fresh
process, times import, building the inputs from the store, the five analyses and the HTML page.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TIMED = """
import json, sys, time
started = time.perf_counter()
from carestat.evidence.analyses import run_all
from carestat.evidence.inputs import build_inputs
from carestat.reports.html import render_page
from carestat.store import open_store
imported = time.perf_counter()
with open_store(sys.argv[1]) as store:
    inputs = build_inputs(store.current())
built = time.perf_counter()
sections = run_all(inputs)
analysed = time.perf_counter()
page = render_page(sections)
done = time.perf_counter()
print(json.dumps({"import": imported - started, "inputs": built - imported,
                  "analyses": analysed - built, "html": done - analysed,
                  "whole": done - started, "starts": len(inputs.starts),
                  "periods": len(inputs.periods), "html_bytes": len(page)}))
"""


def main() -> None:
    """Build the store if needed (via the statistics benchmark's helper), time one evidence run."""
    from benchmarks.stats_bench import build_store

    parser = argparse.ArgumentParser()
    parser.add_argument("--las", type=int, default=15)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--years", default="2017-2026")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="carestat-evidence-bench-"))
    data, db = work / "synth", work / f"bench-{args.copies}.duckdb"
    measured: dict[str, object] = {"councils": args.las * args.copies, "years": args.years}
    if not (data / "population.csv").exists():
        command = [str(Path(sys.executable).parent / "carestat"), "synth", str(data),
                   "--las", str(args.las), "--years", args.years, "--seed", "903"]  # fmt: skip
        subprocess.run(command, check=True)
    if not db.exists():
        started = time.perf_counter()
        build_store(data, db, args.copies)
        measured["load (s)"] = round(time.perf_counter() - started, 1)
    done = subprocess.run([sys.executable, "-c", TIMED, str(db)], capture_output=True, text=True,
                          check=True)  # fmt: skip
    measured |= json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(measured))


if __name__ == "__main__":
    main()

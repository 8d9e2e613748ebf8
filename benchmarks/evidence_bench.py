"""Benchmark: the full evidence suite on national-size synthetic data (target < 60 s, issue 5).

Usage: python -m benchmarks.evidence_bench [--las 15] [--copies 10] [--years 2017-2026] [--work DIR]
       [--runs 1]

Builds (or reuses) the same national-size store as the statistics benchmark (15 synthesised
councils loaded 10 times under different codes: 150 councils x 10 years). Then it times
`carestat evidence --format html` on it as a user runs it (a fresh process: all five analysis
families from the opened store, the HTML page with its charts written), reporting wall seconds,
CPU seconds (user + system, all threads) and peak RSS of that process, with the load average
before and after (the machine may be shared: CPU seconds are the steadier figure). Last, a second
fresh process times the stages (import, inputs from the store, each analysis, the page).
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = """
import json, sys, time
laps, last = {}, [time.perf_counter(), time.process_time()]
def lap(name):
    now = [time.perf_counter(), time.process_time()]
    laps[name] = {"wall": round(now[0] - last[0], 2), "cpu": round(now[1] - last[1], 2)}
    last[:] = now
from carestat.evidence import analyses
from carestat.evidence.inputs import build_inputs
from carestat.reports.html import render_page
from carestat.store import open_store
lap("import")
with open_store(sys.argv[1]) as store:
    inputs = build_inputs(store.current())
lap("inputs")
sections = []
for family in (analyses.babies, analyses.ethnicity, analyses.council_variation,
               analyses.legal_pathways, analyses.time_in_care):
    sections.append(family(inputs))
    lap(family.__name__)
page = render_page(sections)
lap("html")
print(json.dumps({"stages": laps, "starts": len(inputs.starts), "periods": len(inputs.periods),
                  "spells": len(inputs.spells)}))
"""


def main() -> None:
    """Build the store if needed (via the statistics benchmark's helper), time the evidence run."""
    from benchmarks.stats_bench import build_store

    parser = argparse.ArgumentParser()
    parser.add_argument("--las", type=int, default=15)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--years", default="2017-2026")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=1, help="timed runs of the command")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="carestat-evidence-bench-"))
    data, db = work / "synth", work / f"bench-{args.copies}.duckdb"
    measured: dict[str, object] = {"councils": args.las * args.copies, "years": args.years}
    if not (data / "population.csv").exists():
        command = [_carestat(), "synth", str(data), "--las", str(args.las), "--years", args.years,
                   "--seed", "903"]  # fmt: skip
        subprocess.run(command, check=True)
    if not db.exists():
        started = time.perf_counter()
        build_store(data, db, args.copies)
        measured["load (s)"] = round(time.perf_counter() - started, 1)
    measured["command"] = [_timed_command(db, work / "out") for _ in range(args.runs)]
    done = subprocess.run([sys.executable, "-c", STAGES, str(db)], capture_output=True, text=True,
                          check=True)  # fmt: skip
    measured |= json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(measured))


def _carestat() -> str:
    """The carestat command of this virtualenv."""
    return str(Path(sys.executable).parent / "carestat")


# Runs the command as its own child, so that its CPU and peak RSS are not mixed with earlier
# children of the benchmark (synth) in RUSAGE_CHILDREN.
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, capture_output=True)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss}))
"""


def _timed_command(db: Path, out: Path) -> dict[str, object]:
    """`carestat evidence --format html` in a fresh process: wall, CPU, peak RSS, load average."""
    before_load = os.getloadavg()[0]
    command = [_carestat(), "evidence", "--db", str(db), "--format", "html", "--out", str(out)]
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], check=True,
                          capture_output=True, text=True)  # fmt: skip
    usage = json.loads(done.stdout.strip().splitlines()[-1])
    result = {
        "wall (s)": round(usage["wall"], 1),
        "cpu (s)": round(usage["cpu"], 1),
        "peak rss (MB)": round(usage["rss"] / 1024),  # ru_maxrss is in kilobytes on Linux
        "load before": round(before_load, 2),
        "load after": round(os.getloadavg()[0], 2),
        "html bytes": (out / "evidence.html").stat().st_size,
    }
    print("evidence command: " + json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()

"""Whole-process wall time, CPU time and peak memory of `carestat validate` and of the reference.

Same synthetic returns for both (`carestat synth --children N`, with the previous year and the
provider list): 1k and 10k children for both, 100k for carestat alone (the reference takes about
13 minutes there). Each run is a fresh process measured by /usr/bin/time: wall seconds, CPU
seconds (user + system) and peak resident memory. carestat runs once untimed (the rule SQL and
postcode caches are filled, as after installation) and then `--repeat` times (default 3): half
of them before the reference's run and half after, so that both sides are timed in the same
stretch of a machine whose speed drifts; the best run is reported, with every run's seconds in
the order run. The reference runs once (minutes per run).

The machine may be shared: the load average (`uptime`) is recorded before and after each size,
and CPU seconds, which load inflates far less than wall time, are reported beside wall time.
Each run's major page faults are recorded too: pages of the libraries read back from disk. A
machine that reclaims idle page cache (this VM's DAMON pages out what is unused for a minute)
makes a run after the reference's minute start cold, ~100 faults and 0.1-0.5 s slower.
Human lines first, then one JSON line. Options: `--sizes 1000,10000,100000`, `--repeat N`,
`--no-reference`, `--out DIR` (default benchmarks/results/validate-work, ignored by git).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CARESTAT = Path(sys.executable).parent / "carestat"
REF_PYTHON = ROOT / ".venv-ref" / "bin" / "python"
HARNESS = ROOT / "tools" / "reference" / "run_reference.py"
YEAR = 2026
REFERENCE_UP_TO = 10_000  # children; beyond this the reference takes many minutes
TIME_FORMAT = "wall=%e user=%U system=%S peak_kb=%M major=%F"


def load_average() -> float:
    """The one-minute load average (how busy the machine was)."""
    return round(os.getloadavg()[0], 2)


def measure(command: list[str]) -> dict[str, float]:
    """Run `command` under /usr/bin/time: wall and CPU seconds, peak memory in MB, exit code."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", TIME_FORMAT, *command], capture_output=True,
                          text=True, check=False)  # fmt: skip
    wall = time.perf_counter() - started
    found = re.findall(r"wall=\S+ user=(\S+) system=(\S+) peak_kb=(\d+) major=(\d+)", done.stderr)
    user, system, peak, major = found[-1] if found else ("-1", "0", "-1024", "-1")
    return {"seconds": round(wall, 2), "cpu_seconds": round(float(user) + float(system), 2),
            "peak_mb": round(int(peak) / 1024, 1), "major_faults": int(major),
            "exit_code": done.returncode, "load": load_average()}  # fmt: skip


def make_returns(out: Path, children: int) -> Path:
    """One council's returns for YEAR-1 and YEAR with about `children` looked after."""
    folder = out / f"c{children}"
    if not (folder / "truth.json").exists():
        subprocess.run([str(CARESTAT), "synth", str(folder), "--las", "1", "--years",
                        f"{YEAR - 1}-{YEAR}", "--children", str(children), "--seed", "903"],
                       check=True, capture_output=True)  # fmt: skip
    return next(p for p in folder.iterdir() if p.is_dir())


def best_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest (by wall time) of some runs, with every run's times in the order run."""
    chosen: dict[str, Any] = dict(min(runs, key=lambda r: r["seconds"]))
    chosen["runs"] = [r["seconds"] for r in runs]
    chosen["cpu_runs"] = [r["cpu_seconds"] for r in runs]
    chosen["major_fault_runs"] = [r["major_faults"] for r in runs]
    return chosen


def bench_size(out: Path, children: int, reference: bool, repeat: int = 3) -> dict[str, Any]:
    """Time both validators on one size."""
    council = make_returns(out, children)
    current, previous = council / str(YEAR), council / str(YEAR - 1)
    providers = council.parent / "providers.xlsx"
    records = sum(len(p.read_bytes().splitlines()) - 1 for p in current.glob("*.csv"))
    load_before = load_average()
    ours = [str(CARESTAT), "validate", str(current), "--year", str(YEAR), "--la", council.name,
            "--previous", str(previous), "--providers", str(providers), "--format", "json",
            "--output", str(out / f"c{children}.carestat.json")]  # fmt: skip
    measure(ours)  # fills the compiled-rule and postcode caches, as any run after installing
    # Half of carestat's timed runs before the reference's, half after: a shared machine's speed
    # drifts over the minutes the reference takes, and both are then timed in the same stretch.
    runs = [measure(ours) for _ in range((max(repeat, 1) + 1) // 2)]
    result: dict[str, Any] = {"children": children, "records": records, "load_before": load_before}
    if reference and children <= REFERENCE_UP_TO and REF_PYTHON.exists():
        theirs = measure([str(REF_PYTHON), str(HARNESS), str(current), "--year", str(YEAR),
                          "--la", council.name, "--previous", str(previous), "--providers",
                          str(providers), "--output", str(out / f"c{children}.reference.json")])  # fmt: skip
        result["reference"] = theirs
    runs += [measure(ours) for _ in range(max(repeat, 1) // 2)]
    result["carestat"] = best = best_run(runs)
    if "reference" in result:
        theirs = result["reference"]
        result["speedup"] = round(theirs["seconds"] / best["seconds"], 1)
        result["cpu_speedup"] = round(theirs["cpu_seconds"] / max(best["cpu_seconds"], 0.01), 1)
        result["memory_ratio"] = round(theirs["peak_mb"] / max(best["peak_mb"], 1), 1)
    result["load_after"] = load_average()
    return result


def describe(r: dict[str, Any]) -> str:
    """One human line for a size."""
    c = r["carestat"]
    line = (f"{r['children']:>7} children ({r['records']} records, load {r['load_before']}"
            f"->{r['load_after']}): carestat {c['seconds']} s wall, {c['cpu_seconds']} s CPU "
            f"(runs {c['runs']}, major page faults {c['major_fault_runs']}) {c['peak_mb']} MB")  # fmt: skip
    if "reference" in r:
        ref = r["reference"]
        line += (f"; reference {ref['seconds']} s wall, {ref['cpu_seconds']} s CPU, "
                 f"{ref['peak_mb']} MB; {r['speedup']}x faster ({r['cpu_speedup']}x in CPU), "
                 f"{r['memory_ratio']}x less memory")  # fmt: skip
    return line


def main(argv: list[str] | None = None) -> int:
    """Run every size, print one line each, then the JSON of all measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3, help="timed carestat runs per size")
    parser.add_argument("--no-reference", dest="reference", action="store_false")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "validate-work"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    # As installed: bytecode exists (this environment may set PYTHONDONTWRITEBYTECODE).
    compileall.compile_dir(str(ROOT / "src" / "carestat"), quiet=1)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        r = bench_size(args.out, size, args.reference, args.repeat)
        print(describe(r), flush=True)
        results.append(r)
    print(json.dumps({"validate": results, "cores": os.cpu_count()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

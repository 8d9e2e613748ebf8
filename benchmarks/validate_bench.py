"""Whole-process wall time and peak memory of `carestat validate` and of the reference validator.

Same synthetic returns for both (`carestat synth --children N`, with the previous year and the
provider list): 1k and 10k children for both, 100k for carestat alone (the reference takes about
13 minutes there). Each run is a fresh process measured by /usr/bin/time -v (peak resident
memory of the process); carestat runs `--repeat` times (default 3) and the median run is
reported, the reference (minutes per run) once. Human lines first, then one JSON line. Options:
`--sizes 1000,10000`, `--repeat N`, `--no-reference`, `--out DIR` (default
benchmarks/results/validate-work, ignored by git).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARESTAT = Path(sys.executable).parent / "carestat"
REF_PYTHON = ROOT / ".venv-ref" / "bin" / "python"
HARNESS = ROOT / "tools" / "reference" / "run_reference.py"
YEAR = 2026
REFERENCE_UP_TO = 10_000  # children; beyond this the reference takes many minutes


def measure(command: list[str]) -> dict[str, float]:
    """Run `command` under /usr/bin/time -v: wall seconds, peak memory in MB, exit code."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True,
                          check=False)  # fmt: skip
    wall = time.perf_counter() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return {"seconds": round(wall, 2), "peak_mb": round(int(peak.group(1)) / 1024, 1) if peak else -1,
            "exit_code": done.returncode}  # fmt: skip


def make_returns(out: Path, children: int) -> Path:
    """One council's returns for YEAR-1 and YEAR with about `children` looked after."""
    folder = out / f"c{children}"
    if not (folder / "truth.json").exists():
        subprocess.run([str(CARESTAT), "synth", str(folder), "--las", "1", "--years",
                        f"{YEAR - 1}-{YEAR}", "--children", str(children), "--seed", "903"],
                       check=True, capture_output=True)  # fmt: skip
    return next(p for p in folder.iterdir() if p.is_dir())


def median_run(command: list[str], repeat: int) -> dict[str, object]:
    """The median (by wall time) of `repeat` runs, with every run's seconds."""
    runs = sorted((measure(command) for _ in range(max(repeat, 1))), key=lambda r: r["seconds"])
    chosen: dict[str, object] = dict(runs[len(runs) // 2])
    chosen["runs"] = [r["seconds"] for r in runs]
    return chosen


def bench_size(out: Path, children: int, reference: bool, repeat: int = 3) -> dict[str, object]:
    """Time both validators on one size."""
    council = make_returns(out, children)
    current, previous = council / str(YEAR), council / str(YEAR - 1)
    providers = council.parent / "providers.xlsx"
    records = sum(len(p.read_bytes().splitlines()) - 1 for p in current.glob("*.csv"))
    ours = median_run([str(CARESTAT), "validate", str(current), "--year", str(YEAR), "--la",
                    council.name, "--previous", str(previous), "--providers", str(providers),
                    "--format", "json", "--output", str(out / f"c{children}.carestat.json")],
                      repeat)  # fmt: skip
    result: dict[str, object] = {"children": children, "records": records, "carestat": ours}
    if reference and children <= REFERENCE_UP_TO and REF_PYTHON.exists():
        theirs = measure([str(REF_PYTHON), str(HARNESS), str(current), "--year", str(YEAR),
                          "--la", council.name, "--previous", str(previous), "--providers",
                          str(providers), "--output", str(out / f"c{children}.reference.json")])  # fmt: skip
        result["reference"] = theirs
        result["speedup"] = round(theirs["seconds"] / float(ours["seconds"]), 1)  # type: ignore[arg-type]
        result["memory_ratio"] = round(theirs["peak_mb"] / max(float(ours["peak_mb"]), 1), 1)  # type: ignore[arg-type]
    return result


def main(argv: list[str] | None = None) -> int:
    """Run every size, print one line each, then the JSON of all measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3, help="carestat runs per size")
    parser.add_argument("--no-reference", dest="reference", action="store_false")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "validate-work"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        r = bench_size(args.out, size, args.reference, args.repeat)
        c = r["carestat"]
        line = (f"{size:>7} children ({r['records']} records): carestat {c['seconds']} s "  # type: ignore[index]
                f"(runs {c['runs']}) {c['peak_mb']} MB")  # type: ignore[index]  # fmt: skip
        if "reference" in r:
            ref = r["reference"]
            line += (f"; reference {ref['seconds']} s {ref['peak_mb']} MB"  # type: ignore[index]
                     f"; {r['speedup']}x faster, {r['memory_ratio']}x less memory")  # fmt: skip
        print(line, flush=True)
        results.append(r)
    print(json.dumps({"validate": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

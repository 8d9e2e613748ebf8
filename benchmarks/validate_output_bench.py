"""Whole-process time and peak memory of `carestat validate` per output format (json vs xlsx).

The same synthetic return (`carestat synth --children N --errors 0.02`, so there are failing
cells to mark, with the previous year beside it) is validated with `--format json` and
`--format xlsx --output FILE`; the difference is the cost of the workbook. Human lines first,
then one JSON line. Options: `--sizes 1000,10000`, `--out DIR` (default
benchmarks/results/validate-output-work, ignored by git).
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
YEAR = 2026


def measure(command: list[str]) -> dict[str, float]:
    """Run `command` under /usr/bin/time -v: wall and CPU seconds, peak memory in MB."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True,
                          check=False)  # fmt: skip
    wall = time.perf_counter() - started

    def number(label: str) -> float:
        found = re.search(rf"{label}: ([\d.]+)", done.stderr)
        return float(found.group(1)) if found else -1.0

    cpu = number(r"User time \(seconds\)") + number(r"System time \(seconds\)")
    return {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
            "peak_mb": round(number(r"Maximum resident set size \(kbytes\)") / 1024, 1),
            "exit_code": done.returncode}  # fmt: skip


def make_return(out: Path, children: int) -> Path:
    """One council's YEAR return (YEAR-1 beside it) with about `children` looked after."""
    folder = out / f"c{children}"
    if not (folder / "truth.json").exists():
        subprocess.run([str(CARESTAT), "synth", str(folder), "--las", "1", "--years",
                        f"{YEAR - 1}-{YEAR}", "--children", str(children), "--seed", "903",
                        "--errors", "0.02"], check=True, capture_output=True)  # fmt: skip
    council = next(p for p in folder.iterdir() if p.is_dir())
    return council / str(YEAR)


def bench_size(out: Path, children: int) -> dict[str, object]:
    """Validate one return as JSON and as a workbook."""
    folder = make_return(out, children)
    results: dict[str, object] = {}
    for fmt in ("json", "xlsx"):
        target = out / f"c{children}.{fmt}"
        results[fmt] = measure([str(CARESTAT), "validate", str(folder), "--format", fmt,
                                "--output", str(target)])  # fmt: skip
    json_run, xlsx_run = results["json"], results["xlsx"]
    assert isinstance(json_run, dict) and isinstance(xlsx_run, dict)
    results["workbook_seconds"] = round(xlsx_run["seconds"] - json_run["seconds"], 2)
    results["workbook_cpu_seconds"] = round(xlsx_run["cpu_seconds"] - json_run["cpu_seconds"], 2)
    results["workbook_mb"] = round((out / f"c{children}.xlsx").stat().st_size / 2**20, 1)
    return results


def main(argv: list[str] | None = None) -> None:
    """Measure each size and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                        "validate-output-work")  # fmt: skip
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {"benchmark": "validate_output"}
    for size in (int(s) for s in args.sizes.split(",")):
        found = bench_size(args.out, size)
        report[f"c{size}"] = found
        print(f"{size} children: json {found['json']}, xlsx {found['xlsx']}; the workbook "
              f"adds {found['workbook_seconds']} s ({found['workbook_cpu_seconds']} CPU s), "
              f"{found['workbook_mb']} MB")  # fmt: skip
    print(json.dumps(report))


if __name__ == "__main__":
    main()

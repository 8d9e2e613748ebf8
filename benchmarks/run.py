"""Run every benchmark script in this folder, each in its own process, and print what they measured.

Each benchmark is a module `benchmarks/<name>.py` with a `main()` that prints human-readable lines and,
as its last line, one JSON object of measurements. Select some with `python -m benchmarks.run NAME...`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results"


def scripts(selected: list[str]) -> list[Path]:
    """The benchmark modules to run, all when none is named."""
    found = sorted(p for p in HERE.glob("*.py") if p.stem not in {"run", "__init__"})
    return [p for p in found if not selected or p.stem in selected]


def run_one(path: Path) -> dict:
    """Run one benchmark in a fresh interpreter (so imports and memory are counted honestly)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{path.stem}"],
        capture_output=True, text=True, cwd=HERE.parent, check=False,
    )  # fmt: skip
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr[-4000:])
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {}
    result.update(
        exit_code=done.returncode, wall_seconds_total=round(time.perf_counter() - started, 2)
    )
    return result


def main() -> int:
    """Run the benchmarks and keep their results under benchmarks/results/."""
    RESULTS.mkdir(exist_ok=True)
    results = {}
    for path in scripts(sys.argv[1:]):
        print(f"== {path.stem}", flush=True)
        results[path.stem] = run_one(path)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return int(any(r["exit_code"] for r in results.values()))


if __name__ == "__main__":
    raise SystemExit(main())

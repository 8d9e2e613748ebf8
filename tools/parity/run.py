"""`make parity`: run carestat and the reference validator on one corpus and print their agreement.

    .venv/bin/python -m tools.parity.run [--out parity-output] [--las 2] [--children 80]
        [--errors 0.02] [--seed 7] [--workers 2] [--no-messy] [--reuse]

The corpus: synthetic returns (`carestat synth`, planted faults, previous years, provider list)
for a few councils x 2023-2027, and messy copies of them (tools/parity/messy.py). The reference
runs in .venv-ref (tools/reference/setup.sh), many returns per process. Writes
OUT/summary.json and OUT/summary.md; prints one line per year and the disagreeing rules.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from carestat.parity.known import return_facts
from carestat.parity.summary import ReturnResult, by_year, markdown, to_dict
from tools.parity.messy import MIXES, make_messy
from tools.parity.reference_cases import capture
from tools.parity.reference_cases import jobs as reference_jobs

ROOT = Path(__file__).resolve().parents[2]
CARESTAT = Path(sys.executable).parent / "carestat"
REF_PYTHON = ROOT / ".venv-ref" / "bin" / "python"
HARNESS = ROOT / "tools" / "reference" / "run_reference.py"
YEARS = range(2023, 2028)


def build_corpus(out: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Write the corpus under `out` and return one job per return (current year with previous)."""
    synth = out / "synthetic"
    if not (args.reuse and (synth / "truth.json").exists()):
        subprocess.run([str(CARESTAT), "synth", str(synth), "--las", str(args.las), "--years",
                        f"{YEARS[0] - 1}-{YEARS[-1]}", "--children", str(args.children),
                        "--errors", str(args.errors), "--seed", str(args.seed)], check=True)  # fmt: skip
    providers = synth / "providers.xlsx"
    jobs = []
    councils = sorted(p for p in synth.iterdir() if p.is_dir())
    for council in councils:
        for year in YEARS:
            jobs.append(_job("synthetic", council / str(year), council, year, providers))
    if args.messy:
        for year in YEARS:
            for number, (mix, variants) in enumerate(MIXES.items()):
                council = councils[number % len(councils)]
                folder = make_messy(council / str(year), out / "messy" / mix / council.name /
                                    str(year), variants, args.seed + year)  # fmt: skip
                jobs.append(_job(f"messy-{mix}", folder, council, year, providers))
    return jobs


def _job(part: str, folder: Path, council: Path, year: int, providers: Path) -> dict[str, Any]:
    """One return to validate: its folder, the clean previous year beside it and the providers."""
    name = f"{part}/{council.name}/{year}"
    stem = name.replace("/", "_")
    return {"name": name, "part": part, "folder": str(folder), "year": year, "la": council.name,
            "previous": str(council / str(year - 1)), "providers": str(providers),
            "output": f"{stem}.reference.json", "carestat_output": f"{stem}.carestat.json"}  # fmt: skip


def run_reference(jobs: list[dict[str, Any]], results: Path, workers: int) -> None:
    """Run the reference harness on the jobs in `workers` processes."""
    # The reference keeps every postcode letter it has loaded and merges each return against all
    # of them, so the tiny per-rule test cases run first, before the big returns load the country.
    ordered = sorted(jobs, key=lambda job: "rules" not in job)
    chunks = [ordered[i::workers] for i in range(workers)]
    procs = []
    for number, chunk in enumerate(c for c in chunks if c):
        spec = [dict(job, output=str(results / job["output"])) for job in chunk]
        path = results / f"jobs-{number}.json"
        path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
        procs.append(subprocess.Popen([str(REF_PYTHON), str(HARNESS), "--jobs", str(path)]))
    for proc in procs:
        proc.wait()


def run_carestat(job: dict[str, Any], results: Path) -> float:
    """`carestat validate --format json` on one job; seconds taken."""
    started = time.perf_counter()
    command = [str(CARESTAT), "validate", job["folder"], "--year", str(job["year"]), "--la",
               job["la"], "--format", "json", "--output", str(results / job["carestat_output"])]  # fmt: skip
    for option in ("previous", "providers", "rules"):
        if job.get(option):
            command += [f"--{option}", str(job[option])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode == 2:
        print(f"carestat refused {job['name']}: {done.stdout}{done.stderr}", file=sys.stderr)
    return time.perf_counter() - started


def validate_in_process(job: dict[str, Any], results: Path) -> None:
    """carestat on one small reference test case, in this process (hundreds of them)."""
    from carestat.model import InputError
    from carestat.readers import read_return
    from carestat.rules.engine import validate

    try:
        ret = read_return([Path(job["folder"])], year=job["year"], la=job["la"])
        report = validate(ret, codes=[job["rules"]]).to_dict()
    except (InputError, ValueError) as error:
        print(f"carestat refused {job['name']}: {error}", file=sys.stderr)
        return
    (results / job["carestat_output"]).write_text(json.dumps(report), encoding="utf-8")


def implemented(year: int) -> frozenset[str]:
    """Rule codes carestat declares for `year`."""
    done = subprocess.run([str(CARESTAT), "rules", "--year", str(year), "--format", "json"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return frozenset(rule["rule"] for rule in json.loads(done.stdout)["rules"])


def _read(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def ran(report: dict[str, Any] | None, declared: frozenset[str]) -> frozenset[str]:
    """Rules carestat ran or skipped on a return (its registry may have grown since it ran)."""
    if report is None:
        return declared
    summary = report.get("summary", {})
    skipped = [s["rule"] if isinstance(s, dict) else s for s in summary.get("rules_skipped", [])]
    return frozenset(summary.get("rows_examined", {})) | frozenset(skipped)


def collect(jobs: list[dict[str, Any]], results: Path) -> list[ReturnResult]:
    """Both sides' outputs for every job."""
    codes = {year: implemented(year) for year in {job["year"] for job in jobs}}
    out = []
    for job in jobs:
        ours = _read(results / job["carestat_output"])
        theirs = _read(results / job["output"]) or {"error": "no output"}
        rules = ran(ours, codes[job["year"]])
        facts = return_facts(Path(job["folder"]), job["year"], job["la"], job["part"],
                             Path(job["previous"]) if job.get("previous") else None)  # fmt: skip
        out.append(ReturnResult(job["name"], job["part"], job["year"], ours, theirs, rules, facts))
    return out


def main(argv: list[str] | None = None) -> int:
    """Build the corpus, run both validators, write and print the per-year agreement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "parity-output")
    parser.add_argument("--las", type=int, default=2)
    parser.add_argument("--children", type=int, default=80)
    parser.add_argument("--errors", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-messy", dest="messy", action="store_false")
    parser.add_argument("--no-reference-tests", dest="reference_tests", action="store_false")
    parser.add_argument("--reuse", action="store_true", help="keep corpus and reference results")
    parser.add_argument("--summary-only", action="store_true",
                        help="only summarise the returns already run by both sides")  # fmt: skip
    args = parser.parse_args(argv)
    if args.summary_only:
        return summarise(args.out, finished(args.out / "results"))
    if not REF_PYTHON.exists():
        subprocess.run([str(ROOT / "tools" / "reference" / "setup.sh")], check=True)
    results = args.out / "results"
    results.mkdir(parents=True, exist_ok=True)
    jobs = build_corpus(args.out / "corpus", args)
    if args.reference_tests:
        captured = args.out / "corpus" / "reference-tests-captured"
        capture(captured, REF_PYTHON, ROOT / "tools" / "reference" / "capture_tests.py")
        cases = reference_jobs(captured, args.out / "corpus" / "reference-tests")
        for case in cases:
            validate_in_process(case, results)
        jobs += cases
    started = time.perf_counter()
    with ThreadPoolExecutor(1) as pool:  # carestat runs beside the reference processes
        ours = pool.map(
            lambda job: run_carestat(job, results), [j for j in jobs if "rules" not in j]
        )
        todo = [j for j in jobs if not (args.reuse and (results / j["output"]).exists())]
        run_reference(todo, results, args.workers)
        seconds = sum(ours)
    print(f"{len(jobs)} returns; carestat {seconds:.1f} s in all; both done in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    return summarise(args.out, jobs)


def finished(results: Path) -> list[dict[str, Any]]:
    """The jobs of earlier runs that both sides have finished."""
    jobs = [job for path in sorted(results.glob("jobs-*.json"))
            for job in json.loads(path.read_text(encoding="utf-8"))]  # fmt: skip
    return [
        j for j in jobs if Path(j["output"]).exists() and (results / j["carestat_output"]).exists()
    ]


def summarise(out: Path, jobs: list[dict[str, Any]]) -> int:
    """Write OUT/summary.json and OUT/summary.md for the jobs, and print the markdown."""
    years = by_year(collect(jobs, out / "results"))
    (out / "summary.json").write_text(json.dumps(to_dict(years), indent=1), encoding="utf-8")
    text = markdown(years)
    (out / "summary.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

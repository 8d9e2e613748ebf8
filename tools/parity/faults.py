"""Fault truth check: does each planted fault kind fire exactly the rules the catalogue names?

    .venv/bin/python -m tools.parity.faults [--out parity-output/faults] [--children 150]
        [--workers 2] [--no-reference]

For each collection year 2023-2027 a clean synthetic return gets one fault of every kind that
applies (each on a different child), and both validators run on the clean and the faulted return
(with the previous year and the provider list). A fault's rules are those flagging its child in
the faulted return but not in the clean one. Prints, per side, every kind whose rules differ from
`expected_rules` (carestat only for rules it implements); writes OUT/faults.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from carestat.parity.faults import check, flags_by_child, one_of_each
from carestat.readers import read_return
from carestat.synth.faults import Fault, kinds_for_year, plant
from carestat.writers.csv import write_csv_return
from tools.parity.run import CARESTAT, ROOT, YEARS, implemented, run_carestat, run_reference


def _children(folder: Path, year: int, la: str) -> dict[tuple[str, int], str]:
    """(table, row) -> CHILD for a return folder, as carestat reads it."""
    ret = read_return([folder], year=year, la=la)
    return {(name, row): child for name, table in ret.tables.items() if "CHILD" in table.column_names
            for row, child in zip(table.column("_row").to_pylist(),
                                  table.column("CHILD").to_pylist(), strict=True)}  # fmt: skip


def prepare(out: Path, children: int) -> tuple[list[dict[str, Any]], dict[int, list[Fault]]]:
    """Clean synthetic returns and their one-fault-per-kind copies; jobs for both validators."""
    clean = out / "clean"
    if not (clean / "truth.json").exists():
        subprocess.run([str(CARESTAT), "synth", str(clean), "--las", "1", "--years",
                        f"{YEARS[0] - 1}-{YEARS[-1]}", "--children", str(children)], check=True)  # fmt: skip
    council = next(p for p in clean.iterdir() if p.is_dir())
    jobs, faults = [], {}
    for year in YEARS:
        ret = read_return([council / str(year)], year=year, la=council.name)
        chosen = one_of_each(ret, kinds_for_year(year))
        bad, faults[year] = plant(ret, chosen, np.random.default_rng(year))
        write_csv_return(bad, out / "faulted" / council.name / str(year))
        for part, folder in (("clean", council / str(year)),
                             ("faulted", out / "faulted" / council.name / str(year))):  # fmt: skip
            stem = f"{part}_{year}"
            jobs.append({"name": stem, "part": part, "folder": str(folder), "year": year,
                         "la": council.name, "previous": str(council / str(year - 1)),
                         "providers": str(clean / "providers.xlsx"),
                         "output": f"{stem}.reference.json",
                         "carestat_output": f"{stem}.carestat.json"})  # fmt: skip
    return jobs, faults


def _triples(side: str, path: Path) -> list[list[Any]]:
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if side == "carestat":
        return [[i["rule"], i["table"], i["row"]] for i in data.get("issues", [])]
    return data.get("flagged", [])


def _ran(path: Path) -> frozenset[str] | None:
    """Rules the reference ran on a return: those in force that did not raise."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(data.get("codes", [])) - frozenset(data.get("raised", []))


def main(argv: list[str] | None = None) -> int:
    """Plant, validate, compare with the catalogue; print and write the mismatches."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "parity-output" / "faults")
    parser.add_argument("--children", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-reference", dest="reference", action="store_false")
    args = parser.parse_args(argv)
    results = args.out / "results"
    results.mkdir(parents=True, exist_ok=True)
    jobs, faults = prepare(args.out, args.children)
    for job in jobs:
        run_carestat(job, results)
    if args.reference:
        run_reference(jobs, results, args.workers)
    report: dict[str, Any] = {}
    for year in YEARS:
        by_part = {j["part"]: j for j in jobs if j["year"] == year}
        children = {p: _children(Path(j["folder"]), year, j["la"]) for p, j in by_part.items()}
        codes = implemented(year)
        for side, output, rules in (("carestat", "carestat_output", codes),
                                    ("reference", "output", _ran(results / by_part["faulted"]["output"])
                                     )):  # fmt: skip
            if side == "reference" and not args.reference:
                continue
            flags = [flags_by_child(_triples(side, results / by_part[p][output]), children[p])
                     for p in ("clean", "faulted")]  # fmt: skip
            bad = check(faults[year], flags[0], flags[1], rules, children["faulted"])
            report[f"{side} {year}"] = {"kinds": len(faults[year]), "mismatches": bad}
            print(f"{side} {year}: {len(faults[year]) - len(bad)}/{len(faults[year])} kinds fire "
                  "exactly their expected rules")  # fmt: skip
            for b in bad:
                print(f"  {b['kind']}: missing {b['missing']} extra {b['extra']}")
    (args.out / "faults.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

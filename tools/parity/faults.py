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
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from carestat.readers import read_return
from carestat.synth.faults import Fault, FaultKind, kinds_for_year, plant
from carestat.writers.csv import write_csv_return
from tools.parity.run import CARESTAT, ROOT, YEARS, implemented, run_carestat, run_reference

Flags = dict[str, set[str]]  # child -> rules flagging one of its records


def one_of_each(ret: Any, kinds: Iterable[FaultKind]) -> list[tuple[FaultKind, int]]:
    """One (kind, row) per kind that has an eligible record, each on a child not used yet."""
    chosen, used = [], set()
    for kind in kinds:
        children = ret.tables[kind.table].column("CHILD").to_pylist()
        for row in np.flatnonzero(kind.eligible(ret)):
            if children[row] not in used:
                used.add(children[row])
                chosen.append((kind, int(row)))
                break
    return chosen


def _children(folder: Path, year: int, la: str) -> dict[tuple[str, int], str]:
    """(table, row) -> CHILD for a return folder, as carestat reads it."""
    ret = read_return([folder], year=year, la=la)
    return {(name, row): child for name, table in ret.tables.items() if "CHILD" in table.column_names
            for row, child in zip(table.column("_row").to_pylist(),
                                  table.column("CHILD").to_pylist(), strict=True)}  # fmt: skip


def flags_by_child(
    triples: Iterable[Iterable[Any]], children: Mapping[tuple[str, int], str]
) -> Flags:
    """Rules flagging each child's current-year records."""
    out: Flags = defaultdict(set)
    for rule, table, row in triples:
        child = children.get((str(table), int(row))) if row is not None else None
        if child is not None:
            out[child].add(str(rule))
    return out


def check(
    faults: list[Fault],
    clean: Flags,
    faulted: Flags,
    rules: frozenset[str] | None,
    where: Mapping[tuple[str, int], str] = {},
) -> list[dict]:
    """Kinds whose new rules differ from expected (expected limited to `rules` when given).

    A fault's child is the one it names and, for edits of CHILD itself, the record's new child.
    """
    bad = []
    for fault in faults:
        child = fault.child or ""
        ids = {child, where.get((fault.table, fault.row), child)}
        new = set().union(*(faulted.get(c, set()) for c in ids))
        new -= set().union(*(clean.get(c, set()) for c in ids))
        expected = set(fault.expected_rules)
        if rules is not None:
            expected &= rules
            new &= rules
        if new != expected:
            bad.append({"kind": fault.kind, "year": fault.year, "table": fault.table,
                        "row": fault.row, "child": child, "expected": sorted(expected),
                        "missing": sorted(expected - new), "extra": sorted(new - expected)})  # fmt: skip
    return bad


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
                                    ("reference", "output", None)):  # fmt: skip
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

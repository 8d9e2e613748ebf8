"""Benchmark: 150 councils × 10 years (2017-2026) of synthetic returns — time, memory, national counts.

Run with `python benchmarks/synth_national.py [OUT]`; with OUT the CSV files are written too.
Targets (DESIGN.md §6): looked after at 31 March ~82,000 ±10%, starts ~33,000 ±10% (first start in
the year per child), under-1 share of starts 12-20%, ceased ~34,000, adopted ~3,000.
"""

from __future__ import annotations

import resource
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from carestat.model import Return
from carestat.synth import generate, write


def counts(ret: Return) -> dict[str, int]:
    """The national publication's headline counts for one return."""
    e = ret.tables["Episodes"]
    start = date(ret.year - 1, 4, 1)
    header = ret.tables["Header"]
    dob = dict(zip(header["CHILD"].to_pylist(), header["DOB"].to_pylist(), strict=True))
    open_children = set(e.filter(pc.is_null(e["DEC"]))["CHILD"].to_pylist())
    starts = e.filter(pc.and_(pc.equal(e["RNE"], "S"), pc.greater_equal(e["DECOM"], start)))
    first: dict[str, date] = {}
    for child, day in zip(starts["CHILD"].to_pylist(), starts["DECOM"].to_pylist(), strict=True):
        first[child] = min(day, first.get(child, day))
    infants = sum(1 for c, d in first.items() if (d - dob[c]).days < 365)
    ceased = e.filter(pc.and_(pc.is_valid(e["DEC"]), pc.not_equal(e["REC"], "X1")))
    adopted = (
        ceased.filter(pc.is_in(ceased["REC"], pa.array(["E11", "E12"])))
        if ceased.num_rows
        else ceased
    )
    return {"looked_after_31_march": len(open_children), "starts": len(first), "starts_under_1": infants,
            "ceased": len(set(ceased["CHILD"].to_pylist())), "adopted": len(set(adopted["CHILD"].to_pylist()))}  # fmt: skip


def main() -> None:
    """Generate (and optionally write) the national set and print the measurements."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    began = time.perf_counter()
    synthetic = generate(las=150, years=range(2017, 2027), seed=2026)
    national: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if out:
        write(synthetic, out)
    for ret in synthetic.returns():
        for key, value in counts(ret).items():
            national[ret.year][key] += value
    seconds = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    print(
        f"150 councils x 10 years: {seconds:.0f} s wall, {cpu:.0f} s CPU, peak memory {peak:.0f} MB"
    )
    print("year  looked_after  starts  under_1_%  ceased  adopted")
    for year, c in sorted(national.items()):
        share = 100 * c["starts_under_1"] / max(1, c["starts"])
        print(f"{year}  {c['looked_after_31_march']:12d}  {c['starts']:6d}  {share:9.1f}  "
              f"{c['ceased']:6d}  {c['adopted']:7d}")  # fmt: skip


if __name__ == "__main__":
    main()

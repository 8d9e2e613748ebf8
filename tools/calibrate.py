"""Calibration study of the evidence methods (`make calibrate`): coverage and false-positive rates.

Usage: python tools/calibrate.py [--seeds 200] [--frailty 0.0] [--records 5] [--out FILE.csv]
Prints one line per rate with its Monte Carlo standard error and the JSON summary last:
`<check>_covered` (95% CI covers the planted value), `<check>_right_sign`, `<check>_significant`
(CI excludes the null) for trend, interaction, ethnicity and outlier (a council's step of x1.3-1.7
from the 5th year, by its step-change ratio); `null_<check>_fp` (null draws flagged at 5%);
`outlier_found_*` (a x2.5 council above the last year's funnel limits) and funnel flag shares.
See carestat.evidence.calibration for the design (count-level simulation from synth's model) and
carestat.evidence.calibration_records for the check through records and a store (`--records`
seeds of `--records-las` councils x 2021-2026).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from carestat.evidence.calibration import run, summarise
from carestat.evidence.calibration_records import records_seed, summarise_records


def main(argv: list[str] | None = None) -> int:
    """Run the study and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--frailty", type=float, default=0.0, help="gamma noise per council-year")
    parser.add_argument("--records", type=int, default=None,
                        help="seeds run through records (default 5; 0 with --frailty)")  # fmt: skip
    parser.add_argument("--records-las", type=int, default=10, help="councils in those seeds")
    parser.add_argument("--out", type=Path, default=None, help="CSV of per-seed results")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    rows = pd.DataFrame(list(run(seeds, args.frailty)))
    summary = summarise(rows)
    if args.records is None:  # the records path has no frailty: nothing new to check there
        args.records = 0 if args.frailty > 0 else 5
    if args.records > 0:
        chosen = range(args.first_seed, args.first_seed + args.records)
        records = pd.DataFrame([records_seed(s, args.records_las) for s in chosen])
        summary |= summarise_records(records)
        rows = rows.merge(records, on="seed", how="left")
    if args.out is not None:
        rows.to_csv(args.out, index=False)
    summary |= {"frailty": args.frailty, "seconds": round(time.perf_counter() - started, 1)}
    for key, value in summary.items():
        if not key.endswith("_mc_se"):
            se = summary.get(f"{key}_mc_se")
            print(f"{key:28} {value}" + (f"  (MC se {se})" if se is not None else ""))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The reference validator's own per-rule test cases as returns both validators can read.

tools/reference/capture_tests.py (inside .venv-ref) saves the frames each reference rule test
passes to its rule. Those frames hold only the columns the rule reads; here each becomes a CSV
file named as the spec names it, with the spec's other columns present and blank, so carestat's
reader recognises the table. One job per case runs that rule alone on both sides.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path
from typing import Any

from carestat.spec import load_spec

ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?")
LA = "E09000001"  # a council code for the cases, which name none


def capture(out: Path, ref_python: Path, script: Path) -> None:
    """Run the capture script in the reference's environment (once)."""
    if not out.exists():
        subprocess.run([str(ref_python), str(script), str(out)], check=True,
                       stderr=subprocess.DEVNULL)  # fmt: skip


def pad(case: Path, folder: Path, year: int) -> bool:
    """Write the case's tables with every spec column; False when a table is not in the spec."""
    spec = load_spec(year)
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(case.glob("*.csv")):
        if path.stem not in spec.tables:
            return False
        table = spec.tables[path.stem]
        with path.open(encoding="utf-8", newline="") as handle:
            # csv.reader keeps the empty lines a one-column frame writes for a missing value
            names, *values = list(csv.reader(handle))
        rows = [dict(zip(names, v or [""] * len(names), strict=True)) for v in values]
        columns = [c.name for c in table.columns]
        dates = {c.name for c in table.columns if c.type.value == "date"}
        with (folder / table.file).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([[_cell(row.get(c), c in dates) for c in columns] for row in rows])
    for name in ("Header", "Episodes"):  # carestat requires both, each with a record
        path = folder / spec.tables[name].file
        if not path.exists():  # one stand-in child, in a table the tested rule does not read
            columns = [c.name for c in spec.tables[name].columns]
            path.write_text(",".join(columns) + "\n" + "STANDIN" + "," * (len(columns) - 1) + "\n")
    return True


def _cell(value: str | None, is_date: bool) -> str:
    """A captured value as the return's text: a test's own Timestamps become DfE dates."""
    # Some tests build their frames with pandas Timestamps, which the capture writes as ISO text;
    # the rule received dates, so the return gets the same dates in the DfE form.
    found = ISO_DATE.fullmatch(value or "") if is_date else None
    return f"{found[3]}/{found[2]}/{found[1]}" if found else value or ""


def jobs(captured: Path, out: Path) -> list[dict[str, Any]]:
    """One job per captured case that fits the spec: the rule alone, on the padded tables."""
    found = []
    for meta in sorted(captured.glob("*/*/case.json")):
        case = json.loads(meta.read_text(encoding="utf-8"))
        year, rule = int(case["year"]), str(case["rule"])
        folder = out / str(year) / rule
        if not case["tables"] or not pad(meta.parent, folder, year):
            continue
        stem = f"reftest_{year}_{rule}"
        found.append({"name": f"reference-tests/{year}/{rule}", "part": "reference-tests",
                      "folder": str(folder), "year": year, "la": LA, "rules": rule,
                      "output": f"{stem}.reference.json",
                      "carestat_output": f"{stem}.carestat.json"})  # fmt: skip
    return found

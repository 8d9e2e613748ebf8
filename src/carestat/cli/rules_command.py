"""`carestat rules`: the validation rules in force in a collection year."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from carestat.cli.options import YearOption, fail, out_console
from carestat.spec import SUPPORTED_YEARS


def rules_command(
    year: YearOption = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List the DfE rules in force in a year: code, severity, tables, fields, needs, message."""
    if output_format not in ("table", "json"):
        fail(f"--format {output_format}: choose table or json")
    year = year or SUPPORTED_YEARS[-1]
    if year > SUPPORTED_YEARS[-1]:
        fail(f"--year {year}: not supported (latest {SUPPORTED_YEARS[-1]})")
    from carestat.rules.registry import rules_for, severity

    rows = [
        {
            "rule": r.code,
            "severity": severity(r.code),
            "tables": list(r.tables),
            "fields": list(r.fields),
            "years": r.year_range,
            "needs": list(r.needs),
            "message": r.message,
        }
        for r in rules_for(year)
    ]
    if output_format == "json":
        text = json.dumps({"year": year, "rules": rows}, indent=2)
    else:
        text = "\n".join(
            f"{r['rule']:<10} {r['severity']:<8} {','.join(r['tables']):<28} {r['message']}"
            + (f" [needs {', '.join(r['needs'])}]" if r["needs"] else "")
            for r in rows
        )
        text += f"\n{len(rows)} rules in force in {year}"
    out_console.print(text, markup=False, highlight=False, soft_wrap=True)

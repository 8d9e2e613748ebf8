"""`carestat spec`: print the tables, columns and code lists of a collection year."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from carestat.cli.options import YearOption, fail, out_console
from carestat.spec import SUPPORTED_YEARS, Spec, load_spec


def spec_as_dict(spec: Spec) -> dict:
    """The specification as plain data."""
    return {
        "year": spec.year,
        "tables": {
            t.name: {
                "file": t.file,
                "columns": [
                    {"name": c.name, "type": c.type.value, "blank_allowed": c.blank_allowed,
                     "codes": c.codelist}
                    for c in t.columns
                ],
            }
            for t in spec.tables.values()
        },
        "codelists": {name: dict(codes) for name, codes in spec.codelists.items()},
    }  # fmt: skip


def spec_command(
    year: YearOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Print the tables, columns and code lists of a collection year."""
    year = year or SUPPORTED_YEARS[-1]
    try:
        spec = load_spec(year)
    except ValueError as error:
        fail(str(error))
    if as_json:
        print(json.dumps(spec_as_dict(spec), indent=2))
        return
    for table in spec.tables.values():
        from rich.table import Table as RichTable

        view = RichTable(title=f"{table.name} ({table.file}), {year}", title_justify="left")
        for heading in ("column", "type", "blank allowed", "codes"):
            view.add_column(heading)
        for c in table.columns:
            codes = ", ".join(c.codes) if c.codes else ""
            view.add_row(c.name, c.type.value, "yes" if c.blank_allowed else "no", codes)
        out_console.print(view)

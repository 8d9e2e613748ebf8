"""`carestat stats`: the DfE children-looked-after measures from the store, with DfE privacy rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from carestat.cli.options import DbOption, LaOption, OutDirOption, YearOption, fail, out_console

if TYPE_CHECKING:  # pandas is imported only when the command runs, not at CLI start-up
    import pandas as pd

FORMATS = ("csv", "xlsx", "json")
FILE_NAMES = {"csv": "children_looked_after.csv", "xlsx": "children_looked_after.xlsx",
              "json": "children_looked_after.json"}  # fmt: skip


def stats_command(
    db: DbOption = None,
    year: YearOption = None,
    la: LaOption = None,
    output_format: Annotated[str, typer.Option("--format", help="csv, xlsx or json.")] = "csv",
    out: OutDirOption = None,
    threshold: Annotated[
        int, typer.Option("--threshold", help="Council counts from 1 to this are suppressed (c).")
    ] = 5,
) -> None:
    """Compute every measure for every council, region and England; publish with suppression."""
    if output_format not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    if output_format == "xlsx" and out is None:
        fail("--format xlsx writes a workbook: give a folder with --out")
    published = _published(db, year, la, threshold)
    from carestat.stats import output

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    target = None if out is None else out / FILE_NAMES[output_format]
    if output_format == "csv":
        text = output.write_csv(published, target)
    elif output_format == "json":
        text = output.to_json(published)
        if target is not None:
            target.write_text(text, encoding="utf-8")
            text = None
    else:
        assert target is not None
        output.write_xlsx(published, target)
        text = None
    if text is not None:
        typer.echo(text, nl=False)
    else:
        out_console.print(f"wrote {target}", markup=False, highlight=False)


def _published(db: str | None, year: int | None, la: str | None, threshold: int) -> pd.DataFrame:
    """Open the store, compute and publish the figures (exit 2 with a message on failure)."""
    from carestat.model import InputError
    from carestat.privacy import publish
    from carestat.stats.compute import compute
    from carestat.store import StoreError, open_store

    try:
        store = open_store(db)
    except (StoreError, InputError) as error:
        fail(str(error))
    with store:
        tables = store.current()
        if tables["Header"].count().execute() == 0:
            fail(
                f"the store {db or ''} holds no returns: load some with `carestat load`".replace(
                    "  ", " "
                )
            )
        results = compute(tables, years=None if year is None else [year], la=la)
    if results.num_rows == 0:
        fail(f"no figures for year {year}" + (f" and council {la}" if la else ""))
    return publish(results, threshold=threshold)

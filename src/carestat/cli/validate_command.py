"""`carestat validate`: read a return, check it against the DfE rules, report what fails."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carestat.cli.options import LaOption, OutputFileOption, YearOption, fail, out_console
from carestat.model import InputError, Return
from carestat.readers import read_return

FORMATS = ("table", "json", "csv")


def validate_command(
    paths: Annotated[
        list[Path], typer.Argument(help="A return folder, its CSV files or one XML file.")
    ],
    year: YearOption = None,
    la: LaOption = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="The previous year's return (default: the sibling <YYYY-1> folder, if any).",
        ),
    ] = None,
    providers: Annotated[
        list[Path] | None,
        typer.Option(
            "--providers", help="Ofsted provider lists (Excel), for rules that need them."
        ),
    ] = None,
    rules: Annotated[
        str | None, typer.Option("--rules", help="Only these rule codes, comma-separated.")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    output: OutputFileOption = None,
) -> None:
    """Validate a return; exit 0 if no error-severity issue, 1 if some, 2 if unusable."""
    if output_format not in FORMATS:
        fail(f"--format {output_format}: choose {', '.join(FORMATS)}")
    for path in providers or []:
        if not path.is_file():
            fail(f"--providers {path}: no such file")
    try:
        ret = read_return(paths, year=year, la=la)
        last, last_path = _previous(paths, ret, previous)
    except InputError as error:
        fail(str(error))
    from carestat.rules.engine import validate
    from carestat.rules.render import render

    codes = [c for c in rules.split(",") if c.strip()] if rules else None
    report = validate(ret, previous=last, providers=providers, codes=codes)
    report.previous = str(last_path) if last_path else None
    text = render(report, output_format)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        out_console.print(text, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(0 if report.valid else 1)


def _previous(
    paths: list[Path], ret: Return, given: Path | None
) -> tuple[Return | None, Path | None]:
    """The previous year's return: as given, else the sibling `<YYYY-1>` folder if it exists."""
    if given is None:
        folder = paths[0] if paths[0].is_dir() else paths[0].parent
        sibling = folder.parent / str(ret.year - 1)
        if folder.name != str(ret.year) or not sibling.is_dir():
            return None, None
        given = sibling
    return read_return([given], year=ret.year - 1, la=ret.la), given

"""`carestat validate`: read a return and report every problem found in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from carestat.cli.options import LaOption, OutputFileOption, YearOption, fail, out_console
from carestat.model import InputError
from carestat.readers import read_return
from carestat.rules.report import Report


def validate_command(
    paths: Annotated[
        list[Path], typer.Argument(help="A return folder, its CSV files or one XML file.")
    ],
    year: YearOption = None,
    la: LaOption = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    output: OutputFileOption = None,
) -> None:
    """Validate a return; exit 0 if no error-severity issue, 1 if some, 2 if unusable."""
    if output_format not in ("table", "json", "csv"):
        fail(f"--format {output_format}: choose table, json or csv")
    try:
        ret = read_return(paths, year=year, la=la)
    except InputError as error:
        fail(str(error))
    report = Report(
        year=ret.year, la=ret.la, rows=ret.rows(), read_problems=[str(p) for p in ret.problems]
    )
    text = render(report, output_format)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        out_console.print(text, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(0 if report.valid else 1)


def render(report: Report, output_format: str) -> str:
    """The report as text in the chosen format."""
    if output_format == "json":
        return json.dumps(report.to_dict(), indent=2)
    if output_format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["rule", "severity", "table", "row", "line", "child", "fields", "message"])
        for i in report.issues:
            writer.writerow(
                [i.rule, i.severity, i.table, i.row, i.line, i.child, " ".join(i.fields), i.message]
            )
        return buffer.getvalue()
    lines = [
        f"Return {report.la or '(council unknown)'} {report.year}: "
        + ", ".join(f"{n} {t}" for t, n in report.rows.items() if n)
    ]
    lines += [f"  note: {p}" for p in report.read_problems]
    lines.append(f"{len(report.issues)} issues; {'valid' if report.valid else 'NOT valid'}")
    return "\n".join(lines)

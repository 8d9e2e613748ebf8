"""`carestat validate`: read a return, check it against the DfE rules, report what fails.

`--format xlsx --output FILE` writes a workbook of the council's tables with failing cells
marked; `--child ID` shows one child's timeline with its issues (text, or JSON).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carestat.cli.options import (
    LaOption,
    OutputFileOption,
    YearOption,
    err_console,
    fail,
    is_terminal,
    out_console,
)
from carestat.model import InputError, Return
from carestat.readers import read_return
from carestat.readers.normalise import defer_pandas
from carestat.readers.providers import read_providers
from carestat.rules.report import Report

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = ("table", "json", "csv", "xlsx")
CHILD_FORMATS = ("table", "json")


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
    child: Annotated[
        str | None,
        typer.Option("--child", help="Show this child's whole timeline with its issues."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="table, json, csv or xlsx (xlsx needs --output).")
    ] = "table",
    output: OutputFileOption = None,
) -> None:
    """Validate a return; exit 0 if no error-severity issue, 1 if some, 2 if unusable."""
    _check_arguments(output_format, output, child, providers)
    _return_freed_memory()
    try:
        ret, last, last_path, provider_list = _read_returns(paths, year, la, previous, providers)
    except InputError as error:
        fail(str(error))
    from carestat.rules.engine import validate
    from carestat.rules.timeline import has_child

    child = child.strip() if child is not None else None
    if child is not None and not has_child(ret, child):
        fail(f"child {child!r} has no record in the {ret.year} return of {ret.la or 'the council'}")
    codes = [c for c in rules.split(",") if c.strip()] if rules else None
    given = [provider_list] if provider_list is not None else None
    report = validate(ret, previous=last, providers=given, codes=codes)
    report.previous = str(last_path) if last_path else None
    try:
        if child is not None:
            raise typer.Exit(_show_child(ret, report, child, output_format, output))
        _write_report(report, ret, output_format, output)
    except OSError as error:  # e.g. the workbook is open in Excel, or the disk is full
        fail(f"--output {output}: cannot write it ({error.strerror or error})")
    raise typer.Exit(0 if report.valid else 1)


def _return_freed_memory() -> None:
    """Let Arrow give freed memory back at once (the C library's allocator).

    Arrow's default allocator (mimalloc) keeps the pages that reading freed: at 100k children
    the process then peaked at 0.95-1.05 GB, against 0.7 GB with this one, in the same time.
    """
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


def _write_report(report: Report, ret: Return, output_format: str, output: Path | None) -> None:
    """The report as text (to --output or standard output), or as a workbook (to --output)."""
    if output_format != "xlsx" or output is None:
        from carestat.rules.render import render

        _emit(render(report, output_format), output)
        return
    from carestat.rules.xlsx_report import write_xlsx

    if is_terminal():  # a national workbook takes a while: say what is happening
        with err_console.status(f"Writing {output}"):
            write_xlsx(report, ret, output)
    else:
        write_xlsx(report, ret, output)


def _check_arguments(
    output_format: str, output: Path | None, child: str | None, providers: list[Path] | None
) -> None:
    """Exit 2 with a clear message on arguments that cannot work, before reading anything."""
    if output_format not in FORMATS:
        fail(f"--format {output_format}: choose {', '.join(FORMATS)}")
    if output_format == "xlsx" and output is None:
        fail("--format xlsx writes a workbook: name it with --output FILE.xlsx")
    if child is not None and output_format not in CHILD_FORMATS:
        fail(f"--child shows a timeline as {' or '.join(CHILD_FORMATS)}, not {output_format}")
    if output is not None and not output.parent.is_dir():
        fail(f"--output {output}: the folder {output.parent} does not exist")
    for path in providers or []:
        if not path.is_file():
            fail(f"--providers {path}: no such file")


def _show_child(
    ret: Return, report: Report, child: str, output_format: str, output: Path | None
) -> int:
    """Print (or write) one child's timeline; the exit code is 1 if the child has errors."""
    from carestat.rules.render import render_timeline, styled_timeline
    from carestat.rules.timeline import child_timeline

    timeline = child_timeline(ret, report, child)
    if output_format == "json":
        _emit(json.dumps(timeline.to_dict(), indent=2), output)
    elif output:
        _emit(render_timeline(timeline), output)
    else:  # styles show on a terminal only; piped, the text is plain
        out_console.print(styled_timeline(render_timeline(timeline)), soft_wrap=True)
    return 0 if timeline.valid else 1


def _emit(text: str, output: Path | None) -> None:
    """Text to the --output file, else to standard output."""
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        out_console.print(text, markup=False, highlight=False, soft_wrap=True)


def _read_returns(
    paths: list[Path], year: int | None, la: str | None, previous: Path | None,
    providers: list[Path] | None = None,
) -> tuple[Return, Return | None, Path | None, pa.Table | None]:  # fmt: skip
    """This year's return, the previous year's (see `_previous`) and the provider lists, read
    at once if the years are known (an unreadable file of any is an InputError)."""
    defer_pandas()  # before any thread builds an Arrow array (importing the engine does)
    last_path = previous or (_sibling(paths, year) if year is not None else None)
    if year is None or la is None or last_path is None:
        ret = read_return(paths, year=year, la=la)
        provider_list = read_providers(providers) if providers else None
        return ret, *_previous(paths, ret, previous), provider_list
    # Both are known before reading: read them side by side (the readers mostly release the
    # GIL), ~0.7 s less at 100k children. Which of last year's tables to read is looked up on
    # the same thread (it loads the compiled rules: 40 ms before either read could start).
    # DuckDB is imported and opened, and the year's rule macros attached, meanwhile: 1k and 10k
    # children ~2-3% sooner. Should that fail, the validation opens it and reports why.
    with ThreadPoolExecutor(3) as pool:
        last = pool.submit(_read_previous, last_path, year, la)
        pool.submit(_open_database, year)
        listed = pool.submit(read_providers, providers) if providers else None
        ret = read_return(paths, year=year, la=la)
        return ret, last.result(), last_path, listed.result() if listed else None


def _open_database(year: int) -> None:
    """Open the validation's database (imports DuckDB: ~0.1 s) before it is needed."""
    from carestat.rules.engine import open_database

    open_database(year)


def _read_previous(path: Path, year: int, la: str | None) -> Return:
    """Last year's return, only the tables the rules of `year` read."""
    return read_return([path], year=year - 1, la=la, only=_used(year))


def _previous(
    paths: list[Path], ret: Return, given: Path | None
) -> tuple[Return | None, Path | None]:
    """The previous year's return: as given, else the sibling `<YYYY-1>` folder if it exists."""
    given = given or _sibling(paths, ret.year)
    if given is None:
        return None, None
    return _read_previous(given, ret.year, ret.la), given


def _used(year: int) -> frozenset[str]:
    """Last year's tables the rules of `year` read: reading the others is wasted (half the bytes)."""
    from carestat.rules.compile import previous_tables

    return previous_tables(year)


def _sibling(paths: list[Path], year: int) -> Path | None:
    """The `<YYYY-1>` folder beside a `<YYYY>` return folder, if there is one."""
    folder = paths[0] if paths[0].is_dir() else paths[0].parent
    sibling = folder.parent / str(year - 1)
    return sibling if folder.name == str(year) and sibling.is_dir() else None

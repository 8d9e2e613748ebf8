"""Read a return from CSV tables or a DfE XML file into a typed `Return`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from carestat.model import InputError, ReadProblem, Return, empty_table
from carestat.readers.csv import CsvTable, read_csv_table
from carestat.readers.locate import (
    XML_SUFFIXES,
    check_la,
    input_files,
    la_from_path,
    year_from_path,
)
from carestat.readers.normalise import build_table
from carestat.spec import SUPPORTED_YEARS, load_spec

REQUIRED_TABLES = ("Header", "Episodes")


def resolve_year(paths: Sequence[Path], year: int | None) -> int:
    """The collection year: given, else from the `<GSS>/<YYYY>` path; InputError if neither."""
    year = year or year_from_path(paths[0])
    if year is None:
        raise InputError(
            f"{paths[0]}: cannot tell the collection year; pass --year (2026 = 2025-26) "
            "or keep the return in a folder named <GSS code>/<YYYY>"
        )
    if year > SUPPORTED_YEARS[-1] or year < 2000:
        raise InputError(
            f"{paths[0]}: collection year {year} is not supported "
            f"(supported: {SUPPORTED_YEARS[0]}-{SUPPORTED_YEARS[-1]}, and earlier in the "
            f"{SUPPORTED_YEARS[0]} layout)"
        )
    return year


def read_return(
    paths: Sequence[Path | str],
    year: int | None = None,
    la: str | None = None,
    only: Collection[str] | None = None,
) -> Return:
    """Read one council's return for one year; InputError when the input is unusable.

    With `only`, CSV tables not named there are recognised but not read, and left out of the
    return (a validation reads a few of last year's tables); an XML return is read whole.
    """
    where = [Path(p) for p in paths]
    files = input_files(where)
    year = resolve_year(where, year)
    la = check_la(la) or la_from_path(where[0])
    if files[0].suffix.lower() in XML_SUFFIXES:
        from carestat.readers.xml import read_xml_return

        return read_xml_return(files[0], year, la)
    return _read_csv_return(files, year, la, only)


def _read_csv_return(
    files: list[Path], year: int, la: str | None, only: Collection[str] | None
) -> Return:
    spec = load_spec(year)
    read: dict[str, CsvTable] = {}
    # Two files at a time: Arrow's parser and the numpy passes release the GIL (a national
    # return's year reads ~0.15 s sooner); the first unreadable file in order is the one reported.
    with ThreadPoolExecutor(2) as pool:
        found = pool.map(lambda path: read_csv_table(path, spec, only), files)
        for path, table in zip(files, found, strict=True):
            if table.table in read:
                raise InputError(
                    f"{path}: holds the {table.table} table, as {read[table.table].path} does; "
                    "give each table once"
                )
            read[table.table] = table
    wanted = [name for name in spec.tables if only is None or name in only]
    for name in REQUIRED_TABLES:
        if name in wanted and (name not in read or read[name].num_rows == 0):
            folder = files[0].parent
            raise InputError(
                f"{folder}: the return has no {name} table (a file with columns "
                f"{', '.join(spec.table(name).column_names)}); it is required"
            )
    ret = Return(year=year, la=la, tables={})
    for name in wanted:
        if name not in read:
            ret.tables[name] = empty_table(spec, name)
            continue
        source = read[name]
        table, tolerated = build_table(
            spec, name, source.columns, source.lines, source.num_rows, source.rows
        )
        ret.tables[name] = table
        ret.sources[name] = str(source.path)
        ret.problems += source.problems
        ret.problems += [
            ReadProblem(str(source.path), f"{t.column}: {t.what}", table=name) for t in tolerated
        ]
        if source.extras:
            import pyarrow as pa

            ret.extras[name] = pa.table(source.extras)
    return ret

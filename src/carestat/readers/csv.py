"""Read one CSV file of a 903 table, recognised by its columns, keeping each record's line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from carestat.model import InputError, ReadProblem
from carestat.readers.text import read_text
from carestat.spec import Spec


@dataclass
class CsvTable:
    """The text of one CSV file: its recognised table, columns by spec name and source lines."""

    path: Path
    table: str
    columns: dict[str, pa.Array]
    lines: list[int]
    extras: dict[str, pa.Array] = field(default_factory=dict)
    problems: list[ReadProblem] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        """Number of records read."""
        return len(self.lines)


def normalise_header(name: str) -> str:
    """A column heading as carestat compares it: no BOM, no surrounding space, upper case."""
    return name.replace("\ufeff", "").strip().strip('"').strip().upper()


def recognise(path: Path, headers: list[str], spec: Spec) -> str:
    """The canonical table whose columns the file has; InputError naming what is missing."""
    present = set(headers)
    complete = [t for t in spec.tables.values() if set(t.column_names) <= present]
    if complete:
        return max(complete, key=lambda t: len(t.column_names)).name
    by_name = [t for t in spec.tables.values() if Path(t.file).stem == path.stem.lower()]
    nearest = (
        by_name[0]
        if by_name
        else max(spec.tables.values(), key=lambda t: len(set(t.column_names) & present))
    )
    missing = [c for c in nearest.column_names if c not in present]
    if len(missing) == len(nearest.column_names) or (not by_name and len(missing) > 2):
        raise InputError(
            f"{path}: its columns ({', '.join(headers) or 'none'}) match no 903 table of "
            f"{spec.year}"
        )
    raise InputError(
        f"{path}: looks like the {nearest.name} table but has no column {', '.join(missing)}"
    )


def _header_row(path: Path, text: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text)), None)
    if first is None or not any(cell.strip() for cell in first):
        raise InputError(f"{path}: the file is empty")
    headers = [normalise_header(h) for h in first]
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicated:
        raise InputError(f"{path}: the column {', '.join(duplicated)} appears more than once")
    return headers


def _content_lines(text: str) -> list[int]:
    """Source line numbers (1-based) of the non-blank lines after the header."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() and n > 1]


def _parse(path: Path, text: str, width: int) -> pa.Table:
    names = [f"c{i}" for i in range(width)]
    try:
        return pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 26),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as error:
        detail = str(error).split("\n")[0]
        raise InputError(f"{path}: is not a well-formed CSV table ({detail})") from None


def _blank_rows(table: pa.Table) -> pa.Array:
    """Which rows have nothing but whitespace in every cell."""
    blank = pa.array([True] * table.num_rows, pa.bool_())
    for column in table.columns:
        if not pc.any(blank).as_py():
            break  # every row has a value already (the usual case after the first column)
        cell_blank = pc.equal(pc.utf8_trim_whitespace(column), "")
        blank = pc.and_(blank, cell_blank)
    return blank


def _lines_for(text: str, table: pa.Table) -> list[int]:
    """Source lines of parsed rows; exact unless a quoted value spans lines."""
    lines = _content_lines(text)
    if len(lines) == table.num_rows:
        return lines
    # A quoted value holding a line break: count physical lines record by record.
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    starts = []
    for _ in reader:
        starts.append(reader.line_num)
    return starts[: table.num_rows]


def read_csv_table(path: Path, spec: Spec) -> CsvTable:
    """Read one CSV file; InputError if it is not a readable 903 table."""
    text, notes = read_text(path)
    headers = _header_row(path, text)
    name = recognise(path, headers, spec)
    parsed = _parse(path, text, len(headers))
    lines = _lines_for(text, parsed)
    keep = pc.invert(_blank_rows(parsed))
    parsed = parsed.filter(keep)
    lines = [line for line, kept in zip(lines, keep.to_pylist(), strict=True) if kept]
    wanted = set(spec.table(name).column_names)
    columns = {h: parsed.column(i).combine_chunks() for i, h in enumerate(headers) if h in wanted}
    extras = {
        h or f"column {i + 1}": parsed.column(i).combine_chunks()
        for i, h in enumerate(headers)
        if h not in wanted
    }
    problems = [ReadProblem(str(path), note, table=name) for note in notes]
    if extras:
        problems.append(ReadProblem(
            str(path), f"extra columns kept aside: {', '.join(extras)}", table=name
        ))  # fmt: skip
    return CsvTable(path, name, columns, lines, extras, problems)

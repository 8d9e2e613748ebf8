"""Read one CSV file of a 903 table, recognised by its columns, keeping each record's line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from carestat import kernels as pc
from carestat.model import InputError, ReadProblem
from carestat.readers.normalise import defer_pandas
from carestat.readers.text import read_text
from carestat.spec import Spec


@dataclass
class CsvTable:
    """The text of one CSV file: its recognised table, columns by spec name and source lines."""

    path: Path
    table: str
    columns: dict[str, pa.Array]
    lines: np.ndarray
    extras: dict[str, pa.Array] = field(default_factory=dict)
    problems: list[ReadProblem] = field(default_factory=list)
    rows: np.ndarray | None = None  # 0-based position of each record among the file's rows

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


def _physical_lines(text: str) -> Iterator[str]:
    """The text's lines (ending LF, CR LF or CR), cut only as far as a reader asks."""
    start = 0
    for found in _LINE_BREAK.finditer(text):
        yield text[start : found.end()]
        start = found.end()
    if start < len(text):
        yield text[start:]


def _header_row(path: Path, text: str) -> list[str]:
    try:
        first = next(csv.reader(_physical_lines(text)), None)
    except csv.Error as error:
        raise InputError(f"{path}: the header row is not well-formed CSV ({error})") from None
    if first is None or not any(cell.strip() for cell in first):
        raise InputError(f"{path}: the file is empty")
    headers = [normalise_header(h) for h in first]
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicated:
        raise InputError(f"{path}: the column {', '.join(duplicated)} appears more than once")
    return headers


_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_WHITESPACE = b" \t\n\r\x0b\x0c"


def _content_lines(data: bytes) -> np.ndarray:
    """Source line numbers (1-based) of the non-blank lines after the header, from UTF-8 bytes.

    Lines end at LF, CR LF or a lone CR; a line is blank when it holds only ASCII whitespace.
    Vectorised: a Python loop over the lines of a national episodes file takes about a second.
    """
    codes = np.frombuffer(data, np.uint8)
    if codes.size == 0:
        return np.zeros(0, np.int64)
    ends = codes == 10
    lone_cr = codes == 13
    lone_cr[:-1] &= codes[1:] != 10
    ends |= lone_cr
    starts = np.concatenate(([0], np.flatnonzero(ends) + 1))
    starts = starts[starts < codes.size]  # each line, terminator included, is never empty
    filled = np.maximum.reduceat(codes, starts) > 32  # a byte above space: not blank
    stops = np.append(starts[1:], codes.size)
    for i in np.flatnonzero(~filled):  # the few others may still hold a control character
        filled[i] = bool(data[starts[i] : stops[i]].strip(_WHITESPACE))
    numbers = np.flatnonzero(filled) + 1
    return numbers[numbers > 1].astype(np.int64)


def _parse(path: Path, data: bytes, width: int) -> pa.Table:
    names = [f"c{i}" for i in range(width)]
    # One 64 MB block holds any table of a national return, and a block is parsed on one
    # thread: Arrow's thread pool only adds its overhead (a year of 10k children alone: 0.085 s,
    # not 0.115 s; with last year's read beside it, as `carestat validate` does, about even).
    read = pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 26, use_threads=False)
    try:
        return pacsv.read_csv(
            io.BytesIO(data),
            read_options=read,
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
    blank = pa.array([True] * table.num_rows, pa.bool_()) if not table.num_columns else None
    for column in table.columns:
        cell_blank = pc.equal(pc.utf8_trim_whitespace(column), "")
        blank = cell_blank if blank is None else pc.and_(blank, cell_blank)
        if not pc.any(blank).as_py():
            break  # every row has a value already (the usual case after the first column)
    return blank


def _lines_for(text: str, data: bytes, table: pa.Table) -> np.ndarray:
    """Source lines of parsed rows; exact unless a quoted value spans lines."""
    lines = _content_lines(data)
    if len(lines) == table.num_rows:
        return lines
    # A quoted value holding a line break: count physical lines record by record.
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    starts = []
    for _ in reader:
        starts.append(reader.line_num)
    return np.array(starts[: table.num_rows], np.int64)


def read_csv_table(path: Path, spec: Spec, only: Collection[str] | None = None) -> CsvTable:
    """Read one CSV file; InputError if it is not a readable 903 table.

    A table not in `only` is recognised but not parsed: its `CsvTable` has no records.
    """
    defer_pandas()
    text, notes = read_text(path)
    headers = _header_row(path, text)
    name = recognise(path, headers, spec)
    if only is not None and name not in only:
        return CsvTable(path, name, {}, np.zeros(0, np.int64))
    data = text.encode("utf-8")
    parsed = _parse(path, data, len(headers))
    lines = _lines_for(text, data, parsed)
    keep = pc.invert(_blank_rows(parsed))
    rows = None
    if not pc.all(keep).as_py():
        # A row of empty cells (`,,,`) is no record, but it keeps its place: the row numbers of
        # the records after it are their positions in the file, as DfE's tools count them.
        mask = keep.to_numpy(zero_copy_only=False)
        parsed, lines, rows = pc.filter(parsed, keep), lines[mask], np.flatnonzero(mask)
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
    return CsvTable(path, name, columns, lines, extras, problems, rows)

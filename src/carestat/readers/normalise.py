"""Turn columns of source text into the typed columns of a `Return` table, vectorised with Arrow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carestat.model import LINE, RAW_SUFFIX, ROW, table_schema
from carestat.spec import Spec
from carestat.spec.model import Column, ColumnType

_DMY = r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"
_ISO = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
_SERIAL = r"^\d{5}(?:\.0+)?$"
_EXCEL_EPOCH_DAYS = -25569  # 1899-12-30, Excel's day zero, as days from 1970-01-01
_WHOLE_FLOAT = r"^(\d+)\.0+$"


@dataclass(frozen=True)
class Tolerated:
    """A count of values read in a tolerated but non-standard form."""

    column: str
    count: int
    what: str


def clean_text(values: pa.Array) -> pa.Array:
    """Strip surrounding whitespace and turn empty strings into nulls."""
    stripped = pc.utf8_trim_whitespace(values.cast(pa.string()))
    return pc.if_else(pc.equal(stripped, ""), None, stripped)


def _strict_dates(day: pa.Array, month: pa.Array, year: pa.Array) -> pa.Array:
    """Dates from day/month/year text; null where the calendar has no such day."""
    canonical = pc.binary_join_element_wise(
        pc.utf8_lpad(day, 2, "0"), pc.utf8_lpad(month, 2, "0"), year, "/"
    )
    parsed = pc.strptime(canonical, format="%d/%m/%Y", unit="s", error_is_null=True)
    # strptime rolls 31/02 over into March; a changed day or month marks no such date.
    # (Comparing parts is ~4x faster than formatting the dates back to text.)
    valid = pc.is_valid(parsed)
    day_number, month_number = (
        pc.cast(pc.if_else(valid, x, None), pa.int64()) for x in (day, month)
    )
    same = pc.and_(pc.equal(pc.day(parsed), day_number), pc.equal(pc.month(parsed), month_number))
    return pc.if_else(same, parsed.cast(pa.date32()), None)


def _parts(values: pa.Array, pattern: str) -> tuple[pa.Array, pa.Array, pa.Array]:
    parts = pc.extract_regex(values, pattern)
    return parts.field("d"), parts.field("m"), parts.field("y")


def parse_dates(values: pa.Array) -> tuple[pa.Array, pa.Array, list[str]]:
    """Parse dates written dd/mm/YYYY (or, tolerated, ISO or Excel serial numbers).

    Returns the dates, the original text where it was not a date (else null), and notes on
    tolerated forms.
    """
    notes: list[str] = []
    dates = _strict_dates(*_parts(values, _DMY))
    unread = pc.and_(pc.is_valid(values), pc.is_null(dates))
    if not pc.any(unread).as_py():
        return dates, pa.nulls(len(values), pa.string()), notes
    values = pc.if_else(unread, values, None)  # the other forms are looked for only here
    iso = _strict_dates(*_parts(values, _ISO))
    if pc.any(pc.is_valid(iso)).as_py():
        notes.append(f"{pc.count(iso).as_py()} written YYYY-MM-DD were read as dates")
        dates = pc.coalesce(dates, iso)
    is_serial = pc.fill_null(pc.match_substring_regex(values, _SERIAL), False)
    if pc.any(is_serial).as_py():
        numbers = pc.cast(pc.if_else(is_serial, values, None), pa.float64())
        days = pc.add(pc.cast(numbers, pa.int32()), pa.scalar(_EXCEL_EPOCH_DAYS, pa.int32()))
        serial = days.view(pa.date32())
        notes.append(
            f"{pc.sum(is_serial).as_py()} written as Excel serial numbers were read as dates"
        )
        dates = pc.coalesce(dates, serial)
    unread = pc.if_else(pc.and_(pc.is_valid(values), pc.is_null(dates)), values, None)
    return dates, unread, notes


def _whole_numbers(values: pa.Array) -> pa.Array:
    """`1234.0` (as spreadsheets write ids and codes) becomes `1234`."""
    if not pc.any(pc.match_substring(values, ".")).as_py():
        return values  # the usual case; a substring search costs far less than the regex
    return pc.replace_substring_regex(values, _WHOLE_FLOAT, r"\1")


def normalise_column(column: Column, values: pa.Array) -> tuple[dict[str, pa.Array], list[str]]:
    """Typed column(s) for one spec column from its text, and notes on tolerated forms."""
    values = clean_text(values)
    if column.type is ColumnType.DATE:
        dates, unread, notes = parse_dates(values)
        return {column.name: dates, column.name + RAW_SUFFIX: unread}, notes
    if column.type in (ColumnType.ID, ColumnType.CODE, ColumnType.INTEGER):
        values = _whole_numbers(values)
    if column.type in (ColumnType.CODE, ColumnType.POSTCODE, ColumnType.TEXT):
        values = pc.utf8_upper(values)
    return {column.name: values}, []


def build_table(
    spec: Spec,
    name: str,
    text_columns: Mapping[str, pa.Array],
    lines: Sequence[int | None] | np.ndarray | pa.Array | None,
    num_rows: int,
) -> tuple[pa.Table, list[Tolerated]]:
    """A `Return` table from source text by spec column; absent columns become all-null."""
    schema = table_schema(spec, name)
    arrays: dict[str, pa.Array] = {
        ROW: pa.array(np.arange(num_rows, dtype=np.int64)),
        LINE: pa.nulls(num_rows, pa.int64()) if lines is None else pa.array(lines, pa.int64()),
    }
    tolerated: list[Tolerated] = []
    for column in spec.table(name).columns:
        text = text_columns.get(column.name)
        if text is None:
            text = pa.nulls(num_rows, pa.string())
        typed, notes = normalise_column(column, text)
        arrays.update(typed)
        tolerated += [Tolerated(column.name, 0, note) for note in notes]
    return pa.table([arrays[f.name] for f in schema], schema=schema), tolerated

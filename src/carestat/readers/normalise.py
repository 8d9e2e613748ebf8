"""Turn columns of source text into the typed columns of a `Return` table, vectorised with Arrow."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.abc import Loader
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

import numpy as np
import pyarrow as pa

from carestat import kernels as pc
from carestat.arrays import from_numpy
from carestat.model import LINE, RAW_SUFFIX, ROW, table_schema
from carestat.spec import Spec
from carestat.spec.model import Column, ColumnType

_DMY = r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"
_ISO = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
_SERIAL = r"^\d{5}(?:\.0+)?$"
_EXCEL_EPOCH_DAYS = -25569  # 1899-12-30, Excel's day zero, as days from 1970-01-01
_WHOLE_FLOAT = r"^(\d+)\.0+$"


def defer_pandas() -> None:
    """Keep pyarrow from importing pandas (~0.3 s of start-up) when readers build arrays.

    pyarrow imports pandas on its first `pa.array` or `pa.scalar`, only to ask whether the
    value is a pandas object; the readers never pass one. When pandas is not loaded yet, that
    first question is answered with pandas refused, so pyarrow records "no pandas"; if pandas
    is imported later, pyarrow is told at once (`_PandasWatch`), so pandas objects convert
    as usual afterwards (and `to_pandas` / `from_pandas` import it on demand anyway).
    """
    if "pandas" in sys.modules or _PandasWatch.deferred:
        return
    _PandasWatch.deferred = True
    sys.meta_path.insert(0, _PandasWatch)
    try:
        pa.scalar(0)
    finally:
        _PandasWatch.refuse = False  # from now on it only watches for pandas' import


class _PandasWatch:
    """Import finder: refuses pandas during `defer_pandas`, then tells pyarrow when it loads."""

    deferred = False
    refuse = True

    @classmethod
    def find_spec(cls, name: str, *_: object) -> ModuleSpec | None:
        """The spec of pandas with a loader that tells pyarrow once pandas has loaded."""
        if name != "pandas":
            return None
        if cls.refuse:
            raise ModuleNotFoundError("pandas is deferred", name=name)
        sys.meta_path.remove(cls)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _TellPyarrow(spec.loader)
        return spec


class _TellPyarrow(Loader):
    """Loads pandas with its own loader, then lets pyarrow import it (pyarrow retries)."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        """As the wrapped loader does."""
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        """Run pandas' own loader, then let pyarrow record that pandas is here."""
        self.loader.exec_module(module)
        pa.lib._pandas_api.pd  # noqa: B018  # a pandas-requiring call: pyarrow imports it

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


@dataclass(frozen=True)
class Tolerated:
    """A count of values read in a tolerated but non-standard form."""

    column: str
    count: int
    what: str


def clean_text(values: pa.Array) -> pa.Array:
    """Strip surrounding whitespace and turn empty strings into nulls."""
    stripped = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
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
    return pc.if_else(same, pc.cast(parsed, pa.date32()), None)


def _parts(values: pa.Array, pattern: str) -> tuple[pa.Array, pa.Array, pa.Array]:
    parts = pc.extract_regex(values, pattern)
    return parts.field("d"), parts.field("m"), parts.field("y")


def _standard_dates(values: pa.Array) -> pa.Array:
    """Dates of the values written exactly dd/mm/YYYY (null elsewhere), read from the bytes.

    What nearly every file holds; numpy on the string buffers is ~5x faster than a regular
    expression and `strptime` at national scale. Other forms are left to `_strict_dates`.
    """
    values = pc.cast(values, pa.string())
    size = len(values)
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int32, size + 1, values.offset * 4)
    data = (
        np.frombuffer(data_buffer, np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    )
    candidate = np.diff(offsets) == 10
    if values.null_count:
        candidate &= pc.is_valid(values).to_numpy(zero_copy_only=False)
    where = np.flatnonzero(candidate)
    chars = data[offsets[where][:, None] + np.arange(10)]
    digit = chars.astype(np.int32) - 48
    shaped = (chars[:, 2] == 47) & (chars[:, 5] == 47)
    shaped &= (
        (digit[:, [0, 1, 3, 4, 6, 7, 8, 9]] >= 0) & (digit[:, [0, 1, 3, 4, 6, 7, 8, 9]] <= 9)
    ).all(1)
    day = digit[:, 0] * 10 + digit[:, 1]
    month = digit[:, 3] * 10 + digit[:, 4]
    year = digit[:, 6] * 1000 + digit[:, 7] * 100 + digit[:, 8] * 10 + digit[:, 9]
    shaped &= (month >= 1) & (month <= 12) & (day >= 1)
    months = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    shaped &= day <= ((months + 1).astype("datetime64[D]") - first).astype(np.int64)
    days = np.zeros(size, np.int32)
    days[where] = (first - np.datetime64(0, "D")).astype(np.int64) + day - 1
    found = np.zeros(size, bool)
    found[where] = shaped
    return from_numpy(days, pa.int32(), valid=found).view(pa.date32())


def parse_dates(values: pa.Array) -> tuple[pa.Array, pa.Array, list[str]]:
    """Parse dates written dd/mm/YYYY (or, tolerated, ISO or Excel serial numbers).

    Returns the dates, the original text where it was not a date (else null), and notes on
    tolerated forms.
    """
    notes: list[str] = []
    dates = _standard_dates(values)
    unread = pc.and_(pc.is_valid(values), pc.is_null(dates))
    if not pc.any(unread).as_py():
        return dates, pa.nulls(len(values), pa.string()), notes
    values = pc.if_else(unread, values, None)  # the other forms are looked for only here
    dates = pc.coalesce(dates, _strict_dates(*_parts(values, _DMY)))  # d/m/YYYY
    unread = pc.and_(pc.is_valid(values), pc.is_null(dates))
    if not pc.any(unread).as_py():
        return dates, pa.nulls(len(values), pa.string()), notes
    values = pc.if_else(unread, values, None)
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
    lines: np.ndarray | None,
    num_rows: int,
    rows: np.ndarray | None = None,
) -> tuple[pa.Table, list[Tolerated]]:
    """A `Return` table from source text by spec column; absent columns become all-null."""
    defer_pandas()
    schema = table_schema(spec, name)
    arrays: dict[str, pa.Array] = {
        ROW: from_numpy(np.arange(num_rows) if rows is None else rows, pa.int64()),
        LINE: pa.nulls(num_rows, pa.int64()) if lines is None else from_numpy(lines, pa.int64()),
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

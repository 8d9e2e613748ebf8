"""The in-memory return: typed Arrow tables with each record's position in its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from carestat.spec import Spec, load_spec
from carestat.spec.model import ColumnType

ROW = "_row"  # 0-based position of the record in its table as read
LINE = "_line"  # 1-based source line (the CSV header is line 1); null for XML
RAW_SUFFIX = "__raw"  # companion column keeping the text of a date that could not be read


@dataclass(frozen=True)
class ReadProblem:
    """Something wrong or tolerated in the input, found while reading it."""

    file: str
    message: str
    severity: Literal["error", "warning"] = "warning"
    table: str | None = None
    row: int | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.table:
            where.append(self.table)
        if self.line is not None:
            where.append(f"line {self.line}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(self.field)
        return f"{', '.join(where)}: {self.message}"


class InputError(Exception):
    """Input that cannot be read at all; the message names the file and what is wrong."""


@dataclass
class Return:
    """One council's 903 return for one collection year, as typed Arrow tables."""

    year: int
    la: str | None
    tables: dict[str, pa.Table]
    sources: dict[str, str] = field(default_factory=dict)
    problems: list[ReadProblem] = field(default_factory=list)
    extras: dict[str, pa.Table] = field(default_factory=dict)
    # The UASC flag of each Header record as a DfE XML return gave it (trimmed text, null where
    # blank or absent); None for a return read from CSV files, whose tables carry no flag. The
    # tables say UASC status by a UASC record; rules 105, 205C and 303 check the flag itself.
    uasc_flags: pa.Array | None = None

    @property
    def spec(self) -> Spec:
        """The specification of this return's collection year."""
        return load_spec(self.year)

    def rows(self) -> dict[str, int]:
        """Number of records in each table."""
        return {name: t.num_rows for name, t in self.tables.items()}

    def data(self, name: str) -> pa.Table:
        """A table's spec columns only, without positions or raw companions."""
        return self.tables[name].select(list(self.spec.table(name).column_names))


def arrow_type(column_type: ColumnType) -> pa.DataType:
    """The Arrow type a spec column is held in."""
    return pa.date32() if column_type is ColumnType.DATE else pa.string()


def table_schema(spec: Spec, name: str) -> pa.Schema:
    """The Arrow schema of a table in a `Return`: positions, spec columns, raw date companions."""
    table = spec.table(name)
    fields = [pa.field(ROW, pa.int64(), nullable=False), pa.field(LINE, pa.int64())]
    fields += [pa.field(c.name, arrow_type(c.type)) for c in table.columns]
    fields += [pa.field(c + RAW_SUFFIX, pa.string()) for c in table.date_columns]
    return pa.schema(fields)


def empty_table(spec: Spec, name: str) -> pa.Table:
    """A table with no records, in the `Return` schema."""
    return table_schema(spec, name).empty_table()


def empty_return(year: int, la: str | None = None) -> Return:
    """A return of `year` with every table of its specification and no records."""
    spec = load_spec(year)
    return Return(year=year, la=la, tables={name: empty_table(spec, name) for name in spec.tables})

"""Hand-made records in an in-memory DuckDB, in the shape `Store.current()` gives the statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from carestat.spec import ColumnType, load_spec

LATEST = 2027
Tables = Mapping[str, ir.Table]


def d(text: str) -> dt.date:
    """A date from 'YYYY-MM-DD'."""
    return dt.date.fromisoformat(text)


def _arrow(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows (each with la, year and some spec columns) as an Arrow table in the store's shape."""
    spec = load_spec(LATEST).table(name)
    fields = [
        pa.field("la", pa.string()),
        pa.field("year", pa.int32()),
        pa.field("_row", pa.int64()),
    ]
    fields += [
        pa.field(c.name, pa.date32() if c.type is ColumnType.DATE else pa.string())
        for c in spec.columns
    ]
    schema = pa.schema(fields)
    filled = [
        {f.name: row.get(f.name, i if f.name == "_row" else None) for f in schema}
        for i, row in enumerate(rows)
    ]
    for row in filled:
        for c in spec.date_columns:
            if isinstance(row[c], str):
                row[c] = d(row[c])
    return pa.Table.from_pylist(filled, schema=schema)


def build_tables(
    population: list[dict[str, Any]] | None = None, **records: list[dict[str, Any]]
) -> dict[str, ir.Table]:
    """The canonical-name mapping, in a fresh in-memory DuckDB, from lists of records."""
    con = ibis.duckdb.connect()
    spec = load_spec(LATEST)
    out: dict[str, ir.Table] = {}
    for name in spec.tables:
        out[name] = _create(con, name.lower(), _arrow(name, records.get(name, [])))
    pop_schema = pa.schema(
        [("la", pa.string()), ("year", pa.int32()), ("age", pa.int32()), ("sex", pa.string()),
         ("ethnic", pa.string()), ("population", pa.int64())]
    )  # fmt: skip
    out["population"] = _create(
        con, "population", pa.Table.from_pylist(population or [], schema=pop_schema)
    )
    return out


@pytest.fixture
def make_tables() -> Callable[..., dict[str, ir.Table]]:
    """Build the canonical-name mapping from lists of records: make_tables(Episodes=[...], ...)."""
    return build_tables


def _create(con: Any, name: str, data: pa.Table) -> ir.Table:
    """A DuckDB table holding `data` (create-then-insert: ibis 12 cannot create from Arrow on duckdb 2)."""
    con.create_table(name, schema=ibis.Schema.from_pyarrow(data.schema))
    if data.num_rows:
        con.insert(name, data)
    return con.table(name)

"""The store's tables: one per 903 table (latest layout), provenance, kept files, population."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

import pyarrow as pa
import pyarrow.compute as pc

from carestat.model import Return
from carestat.spec import SUPPORTED_YEARS, TABLE_NAMES, load_spec
from carestat.spec.model import ColumnType

SCHEMA_VERSION = "1"
KEY_COLUMNS = ("load_id", "la", "year", "_row")
POPULATION_COLUMNS = ("la", "year", "age", "sex", "ethnic", "population")

# Plain SQL that DuckDB and PostgreSQL both accept, so one definition serves both.
META_DDL = "CREATE TABLE IF NOT EXISTS carestat_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
LOADS_DDL = """CREATE TABLE IF NOT EXISTS loads (
  load_id TEXT PRIMARY KEY, la TEXT NOT NULL, year INTEGER NOT NULL,
  content_hash TEXT NOT NULL, files TEXT NOT NULL, loaded_at TIMESTAMP WITH TIME ZONE NOT NULL,
  carestat_version TEXT NOT NULL, warnings TEXT NOT NULL, rows TEXT NOT NULL,
  superseded_by TEXT)"""
FILES_DDL = (
    "CREATE TABLE IF NOT EXISTS files (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, "
    "content BYTEA NOT NULL)"
)
POPULATION_DDL = """CREATE TABLE IF NOT EXISTS population (
  la TEXT NOT NULL, year INTEGER NOT NULL, age INTEGER NOT NULL, sex TEXT NOT NULL,
  ethnic TEXT NOT NULL, population BIGINT NOT NULL)"""


# Ages derived on load from the exact dates of birth (filled by a pooled load, whose DOB is then
# coarsened; null in local stores, where the statistics use the exact DOB): name -> SQL type.
DERIVED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "Header": (("age_years_31_march", "INTEGER"),),
    "Episodes": (
        ("age_days_decom", "INTEGER"), ("age_years_decom", "INTEGER"),
        ("age_days_dec", "INTEGER"), ("age_years_dec", "INTEGER"),
        ("entered_within_7_days_of_birth", "BOOLEAN"),
    ),
    "OC3": (("age_years_31_march", "INTEGER"),),
}  # fmt: skip
ARROW_TYPES = {"INTEGER": pa.int32(), "BOOLEAN": pa.bool_()}

STORE_NAMES = {
    "Header": "header", "Episodes": "episodes", "Reviews": "reviews", "UASC": "uasc",
    "OC2": "oc2", "OC3": "oc3", "AD1": "ad1", "PlacedAdoption": "placed_adoption",
    "PrevPerm": "prev_perm", "Missing": "missing", "SocialWorker": "social_worker", "DoLo": "dolo",
}  # fmt: skip


@cache
def layout_fingerprint() -> str:
    """A hash of everything the DDL is made from (the spec's data files and this module's layout).

    Recorded in the store once its tables match; an unchanged fingerprint lets opening a store
    skip reading the spec (parsing its YAML costs more than the rest of opening).
    """
    digest = hashlib.sha256(f"{SCHEMA_VERSION} {sorted(DERIVED_COLUMNS.items())}".encode())
    folder = resources.files("carestat.spec").joinpath("data")
    for name in ("tables.yaml", "codelists.yaml"):
        digest.update(folder.joinpath(name).read_bytes())
    return digest.hexdigest()[:32]


def store_name(table: str) -> str:
    """The store table of a canonical 903 table name: `PlacedAdoption` → `placed_adoption`."""
    return STORE_NAMES[table]


@cache
def store_columns(table: str) -> tuple[tuple[str, ColumnType], ...]:
    """The spec columns a store table holds: the latest layout, then columns only earlier years had."""
    columns: dict[str, ColumnType] = {}
    for year in reversed(SUPPORTED_YEARS):
        spec = load_spec(year)
        if table in spec.tables:
            for column in spec.table(table).columns:
                columns.setdefault(column.name, column.type)
    return tuple(columns.items())


def data_ddl(table: str) -> str:
    """CREATE TABLE for one 903 table's store table."""
    parts = ["load_id TEXT NOT NULL", "la TEXT NOT NULL", "year INTEGER NOT NULL"]
    parts.append("_row BIGINT NOT NULL")
    parts += [
        f'"{name}" {"DATE" if kind is ColumnType.DATE else "TEXT"}'
        for name, kind in store_columns(table)
    ]
    parts += [f'"{name}" {kind}' for name, kind in DERIVED_COLUMNS.get(table, ())]
    return f"CREATE TABLE IF NOT EXISTS {store_name(table)} ({', '.join(parts)})"


def derived_ddl(table: str) -> list[str]:
    """ALTER statements adding derived columns to a store made before they existed (idempotent)."""
    return [
        f'ALTER TABLE {store_name(table)} ADD COLUMN IF NOT EXISTS "{name}" {kind}'
        for name, kind in DERIVED_COLUMNS.get(table, ())
    ]


def all_ddl(postgres: bool) -> list[str]:
    """Every statement that creates the store's tables (idempotent)."""
    statements = [META_DDL, LOADS_DDL, POPULATION_DDL]
    statements += [data_ddl(name) for name in TABLE_NAMES]
    statements += [sql for name in TABLE_NAMES for sql in derived_ddl(name)]
    if postgres:  # DuckDB stores keep files beside the database file instead
        statements.append(FILES_DDL)
        statements.append(
            "CREATE UNIQUE INDEX IF NOT EXISTS loads_one_current ON loads (la, year) "
            "WHERE superseded_by IS NULL"
        )
    return statements


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of rows as they go into a store table."""
    fields = [
        pa.field("load_id", pa.string(), nullable=False),
        pa.field("la", pa.string(), nullable=False),
        pa.field("year", pa.int32(), nullable=False),
        pa.field("_row", pa.int64(), nullable=False),
    ]
    fields += [
        pa.field(name, pa.date32() if kind is ColumnType.DATE else pa.string())
        for name, kind in store_columns(table)
    ]
    fields += [pa.field(name, ARROW_TYPES[kind]) for name, kind in DERIVED_COLUMNS.get(table, ())]
    return pa.schema(fields)


def rows_for_store(ret: Return, table: str, load_id: str) -> pa.Table:
    """A return's table in its store shape: keys first, missing columns null, raw texts dropped."""
    source = ret.tables[table]
    n = source.num_rows
    schema = arrow_schema(table)
    arrays: list[pa.Array | pa.ChunkedArray] = [
        pa.repeat(load_id, n).cast(pa.string()) if n else pa.array([], pa.string()),
        pa.repeat(ret.la, n).cast(pa.string()) if n else pa.array([], pa.string()),
        pa.repeat(pa.scalar(ret.year, pa.int32()), n),
        pc.cast(source.column("_row"), pa.int64()),
    ]
    for field in list(schema)[4:]:
        if field.name in source.column_names:
            arrays.append(pc.cast(source.column(field.name), field.type))
        else:
            arrays.append(pa.nulls(n, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)

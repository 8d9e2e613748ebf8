"""The same statistics from every path: in memory, DuckDB and PostgreSQL stores, local and pooled."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from carestat.model import Return, table_schema
from carestat.spec import load_spec
from carestat.stats.compute import compute
from carestat.store import StoreError, open_store

from .conftest import build_tables
from .fixture_2026 import LEEDS, Y, e, h, records

KEY = "a-test-key-of-enough-length"
POSTGRES_ENV = "CARESTAT_TEST_POSTGRES"
# Children whose ages come out differently from a DOB moved to the first of the month: P1 is 9
# on starting (10 by the coarsened DOB), P2 starts 2 days old (21 days by the coarsened DOB).
NEAR_BIRTHDAYS = {
    "Header": [h("P1", "2015-05-20", "F", "WBRI"), h("P2", "2025-06-20", "M", "WBRI")],
    "Episodes": [e("P1", "2025-05-10", "S", "C2", "N1", "U1"),
                 e("P2", "2025-06-22", "S", "V2", "N1", "U1")],
}  # fmt: skip


def all_records() -> dict:
    """The hand-built fixture plus the near-birthday children."""
    out = records()
    for name, rows in NEAR_BIRTHDAYS.items():
        out[name] = out[name] + rows
    return out


def as_returns(recs: dict) -> list[Return]:
    """The records as one `Return` per council and year."""
    spec = load_spec(Y)
    grouped: dict[tuple[str, int], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for name, rows in recs.items():
        if name != "population":
            for row in rows:
                grouped[row["la"], row["year"]][name].append(row)
    return [
        Return(year, la, {name: _arrow(spec, name, rows) for name, rows in tables.items()})
        for (la, year), tables in sorted(grouped.items())
    ]


def _arrow(spec, name: str, rows: list[dict]) -> pa.Table:  # type: ignore[no-untyped-def]
    """Rows as a table in the `Return` schema (dates parsed, positions numbered)."""
    schema = table_schema(spec, name)
    dates = set(spec.table(name).date_columns)
    filled = [
        {f.name: _value(row.get(f.name), f.name in dates) for f in schema} | {"_row": i}
        for i, row in enumerate(rows)
    ]
    return pa.Table.from_pylist(filled, schema=schema)


def _value(value: object, is_date: bool) -> object:
    return dt.date.fromisoformat(value) if is_date and isinstance(value, str) else value


def stats_of(url: str, policy: str | None = None) -> list[dict]:
    """Load the records into a store at `url` and compute every measure there."""
    recs = all_records()
    with open_store(url, policy=policy) as store:
        store.load_returns([(ret, []) for ret in as_returns(recs)])
        store.load_population(pa.Table.from_pylist(recs["population"]))
        return compute(store.current()).to_pylist()


@pytest.fixture(scope="module")
def in_memory() -> list[dict]:
    """Every measure computed straight from the records in an in-memory DuckDB."""
    return compute(build_tables(**all_records())).to_pylist()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema on the test server, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to test against")
    import psycopg

    schema = f"carestat_stats_{uuid.uuid4().hex[:12]}"
    yield f"{base.rstrip('/')}/{schema}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_the_ibis_expression_and_the_compiled_plan_agree(in_memory: list[dict]) -> None:
    direct = compute(build_tables(**all_records()), materialise=False).to_pylist()
    assert direct == in_memory
    starts = [r for r in in_memory if r["measure"] == "started_during_year" and r["la"] == LEEDS]
    newborn = {
        r["category"]: r["numerator"] for r in starts if r["breakdown"] == "age_under_7_days"
    }
    assert newborn["Under 7 days"] == 2  # K1 and P2


def test_a_duckdb_store_gives_the_in_memory_figures(tmp_path: Path, in_memory: list[dict]) -> None:
    assert stats_of(f"duckdb://{tmp_path / 'local.duckdb'}") == in_memory


def test_postgresql_gives_the_duckdb_figures(postgres_url: str, in_memory: list[dict]) -> None:
    assert stats_of(postgres_url) == in_memory


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_a_pooled_store_gives_the_exact_figures_without_exact_births(
    engine: str, tmp_path: Path, in_memory: list[dict], monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    monkeypatch.setenv("CARESTAT_PSEUDONYM_KEY", KEY)
    url = (
        f"duckdb://{tmp_path / 'pooled.duckdb'}"
        if engine == "duckdb"
        else request.getfixturevalue("postgres_url")
    )
    assert stats_of(url, policy="pooled") == in_memory
    with open_store(url) as store:
        assert store.policy == "pooled"
        header = store.current()["Header"].to_pyarrow().to_pylist()
    births = {row["DOB"] for row in header}
    assert all(day is None or day.day == 1 for day in births)  # no exact date of birth kept
    assert not {"K1", "P1", "P2"} & {row["CHILD"] for row in header}  # identifiers hashed
    assert dt.date(2015, 5, 1) in births  # P1, whose coarsened DOB alone would make her 10


def test_a_pooled_store_needs_the_key_and_keeps_its_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"duckdb://{tmp_path / 'pooled.duckdb'}"
    monkeypatch.delenv("CARESTAT_PSEUDONYM_KEY", raising=False)
    with open_store(url, policy="pooled") as store, pytest.raises(Exception, match="PSEUDONYM"):
        store.check_can_load()
    with pytest.raises(StoreError, match="'pooled' privacy policy, not 'local'"):
        open_store(url, policy="local")
    with open_store(url) as store:
        assert store.policy == "pooled"
    local = f"duckdb://{tmp_path / 'local.duckdb'}"
    stats_of(local)  # loads without a policy named: the store is local from its first load
    with pytest.raises(StoreError, match="'local' privacy policy, not 'pooled'"):
        open_store(local, policy="pooled")

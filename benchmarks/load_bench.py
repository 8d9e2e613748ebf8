"""Store load speed at national scale: 150 councils x 10 years (~3M episode rows) into DuckDB.

Returns are made here with numpy (random values of the right types, not realistic journeys) so the
benchmark measures the store alone. Set CARESTAT_BENCH_POSTGRES to a server URL to time PostgreSQL
too, and CARESTAT_BENCH_SCALE (e.g. 0.1) for a quicker run.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from carestat.cli.load_command import BATCH_ROWS
from carestat.model import Return, table_schema
from carestat.spec import load_spec
from carestat.spec.model import ColumnType
from carestat.store import LoadResult, Store, open_store

COUNCILS, YEARS = 150, range(2017, 2027)
ROWS = {
    "Header": 1300,
    "Episodes": 2000,
    "Reviews": 2200,
    "Missing": 300,
    "OC2": 500,
    "OC3": 250,
    "SocialWorker": 1600,
    "AD1": 20,
    "PlacedAdoption": 20,
    "PrevPerm": 60,
    "UASC": 40,
}  # fmt: skip  (mean rows per return; Episodes x 1500 returns = 3M)
CODES = pa.array([f"C{i}" for i in range(40)])


def fake_table(spec_year: int, name: str, n: int, rng: np.random.Generator) -> pa.Table:
    """A table in the `Return` schema with n rows of random values of each column's type."""
    spec = load_spec(spec_year)
    schema = table_schema(spec, name)
    arrays: list[pa.Array] = [pa.array(np.arange(n)), pa.array(np.arange(2, n + 2))]
    for column in spec.table(name).columns:
        if column.type is ColumnType.DATE:
            days = rng.integers(15000, 20500, n).astype("int32")
            arrays.append(pa.array(days, pa.int32()).cast(pa.date32()))
        elif column.name == "CHILD":
            arrays.append(pa.array(rng.integers(0, 10**7, n).astype(str)))
        else:
            arrays.append(CODES.take(pa.array(rng.integers(0, len(CODES), n))))
    arrays += [pa.nulls(n, pa.string()) for _ in spec.table(name).date_columns]
    return pa.Table.from_arrays(arrays, schema=schema)


def fake_returns(scale: float, seed: int = 903) -> Iterator[Return]:
    """One return per council and year, generated on demand to keep memory flat."""
    rng = np.random.default_rng(seed)
    for council in range(int(COUNCILS * scale) or 1):
        la = f"E08{council:06d}"
        size = rng.uniform(0.2, 2.5)  # councils differ in size about as much as in life
        for year in YEARS:
            spec = load_spec(year)
            tables = {
                name: fake_table(year, name, int(ROWS.get(name, 0) * size), rng)
                for name in spec.tables
            }
            yield Return(year=year, la=la, tables=tables)


def load_in_batches(store: Store, returns: Iterator[Return]) -> tuple[list[str], float, float]:
    """Load as `carestat load` does (about BATCH_ROWS records per transaction); time in the store."""
    statuses: list[str] = []
    batch: list[tuple[Return, list[Path]]] = []
    seconds = cpu = 0.0
    for ret in _with_end(returns):
        if ret is not None:
            batch.append((ret, []))
        if batch and (ret is None or sum(sum(r.rows().values()) for r, _ in batch) >= BATCH_ROWS):
            started, started_cpu = time.perf_counter(), time.process_time()
            results = store.load_returns(batch)
            seconds += time.perf_counter() - started
            cpu += time.process_time() - started_cpu  # all threads: honest on a busy machine
            statuses += [r.status if isinstance(r, LoadResult) else repr(r) for r in results]
            batch = []
    return statuses, seconds, cpu


def _with_end(returns: Iterator[Return]) -> Iterator[Return | None]:
    yield from returns
    yield None


def time_engine(url: str, scale: float) -> dict[str, float]:
    """Load every return, reload them all (no-ops), and count the current episodes."""
    started = time.perf_counter()
    with open_store(url) as store:
        opened = time.perf_counter()
        statuses, load_seconds, load_cpu = load_in_batches(store, fake_returns(scale))
        again, reload_seconds, _ = load_in_batches(store, fake_returns(scale))
        before_count = time.perf_counter()
        episodes = int(store.current()["Episodes"].count().execute())
        counted = time.perf_counter()
    assert set(statuses) == {"loaded"} and set(again) == {"already loaded"}
    return {
        "returns": len(statuses),
        "episode_rows": episodes,
        "open_seconds": round(opened - started, 2),
        "load_seconds": round(load_seconds, 2),
        "load_cpu_seconds": round(load_cpu, 2),
        "reload_noop_seconds": round(reload_seconds, 2),
        "count_current_seconds": round(counted - before_count, 2),
        "episode_rows_per_second": round(episodes / load_seconds),
    }


def main() -> None:
    """Print the measurements, last line as one JSON object."""
    scale = float(os.environ.get("CARESTAT_BENCH_SCALE", "1"))
    results: dict[str, object] = {"scale": scale}
    with tempfile.TemporaryDirectory() as folder:
        results["duckdb"] = duck = time_engine(str(Path(folder) / "bench.duckdb"), scale)
        print(f"duckdb: {duck}")
    if server := os.environ.get("CARESTAT_BENCH_POSTGRES"):
        schema = f"carestat_bench_{os.getpid()}"
        results["postgres"] = pg = time_engine(f"{server.rstrip('/')}/{schema}", scale)
        print(f"postgres: {pg}")
        import psycopg

        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f'DROP SCHEMA "{schema}" CASCADE')
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

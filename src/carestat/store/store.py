"""The store: returns loaded atomically and idempotently, with provenance, read back through Ibis."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa

from carestat import __version__
from carestat.model import InputError, Return
from carestat.spec import TABLE_NAMES
from carestat.store.backend import Writer
from carestat.store.population import check_population
from carestat.store.provenance import (
    LOADS_COLUMNS,
    LoadRecord,
    LoadResult,
    SourceFile,
    content_hash,
    data_hash,
)
from carestat.store.schema import rows_for_store, store_columns, store_name
from carestat.store.url import StoreLocation


class Store:
    """A carestat store on one engine: write through `Writer`, read through Ibis."""

    def __init__(self, location: StoreLocation, con: Any, writer: Writer) -> None:
        self.location = location
        self.con = con  # the Ibis backend
        self.writer = writer

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.con.disconnect()

    def load_return(self, ret: Return, files: Sequence[Path | str] = ()) -> LoadResult:
        """Load a return atomically; a no-op if its content is already the current load."""
        if not ret.la:
            where = next(iter(ret.sources.values()), f"the {ret.year} return")
            raise InputError(
                f"{where}: cannot tell the council; pass --la or keep the return "
                "in a folder named <GSS code>/<YYYY>"
            )
        sources = [SourceFile.read(Path(f)) for f in files]
        digest = content_hash(sources) if sources else data_hash(ret)
        with self.writer.transaction():
            current = self._current_load(ret.la, ret.year)
            if current and current[1] == digest:
                return LoadResult(current[0], ret.la, ret.year, "already loaded", digest)
            load_id = uuid.uuid4().hex
            for source in sources:  # before commit: an orphan file is harmless, a lost one is not
                self.writer.keep_file(source.sha256, source.content)
            for name in TABLE_NAMES:
                if name in ret.tables:
                    self.writer.insert(store_name(name), rows_for_store(ret, name, load_id))
            if current:
                self.writer.execute(
                    "UPDATE loads SET superseded_by = ? WHERE load_id = ?", (load_id, current[0])
                )
            self._record_load(load_id, ret, digest, sources)
        if current:
            return LoadResult(
                load_id, ret.la, ret.year, "superseded", digest, current[0], ret.rows()
            )
        return LoadResult(load_id, ret.la, ret.year, "loaded", digest, None, ret.rows())

    def _current_load(self, la: str, year: int) -> tuple[str, str] | None:
        """The current load of a council-year (locked on PostgreSQL against a parallel load)."""
        lock = " FOR UPDATE" if self.writer.postgres else ""
        rows = self.writer.execute(
            "SELECT load_id, content_hash FROM loads "
            f"WHERE la = ? AND year = ? AND superseded_by IS NULL{lock}",
            (la, year),
        )
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    def _record_load(
        self, load_id: str, ret: Return, digest: str, sources: Sequence[SourceFile]
    ) -> None:
        assert ret.la is not None
        self.writer.execute(
            f"INSERT INTO loads ({LOADS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (
                load_id, ret.la, ret.year, digest,
                json.dumps([s.describe() for s in sources]), datetime.now(UTC), __version__,
                json.dumps([str(p) for p in ret.problems]), json.dumps(ret.rows()),
            ),
        )  # fmt: skip

    def history(self, la: str, year: int) -> list[LoadRecord]:
        """Every load of a council-year, oldest first, superseded ones included."""
        rows = self.writer.execute(
            f"SELECT {LOADS_COLUMNS} FROM loads WHERE la = ? AND year = ? ORDER BY loaded_at",
            (la, year),
        )
        return [LoadRecord.from_row(row) for row in rows]

    def loads(self) -> list[LoadRecord]:
        """Every load in the store, oldest first."""
        rows = self.writer.execute(f"SELECT {LOADS_COLUMNS} FROM loads ORDER BY loaded_at")
        return [LoadRecord.from_row(row) for row in rows]

    def original(self, sha256: str) -> bytes | None:
        """An original file's bytes by its sha256, or None if the store does not hold it."""
        return self.writer.kept_file(sha256)

    def current(self) -> dict[str, ibis.Table]:
        """The non-superseded data, keyed by canonical table name, plus `population`."""
        loads = self.con.table("loads")
        live = loads.filter(loads.superseded_by.isnull()).select("load_id")
        tables: dict[str, ibis.Table] = {}
        for name in TABLE_NAMES:
            table = self.con.table(store_name(name))
            columns = ["la", "year", "_row", *(c for c, _ in store_columns(name))]
            tables[name] = table.semi_join(live, "load_id").select(*columns)
        tables["population"] = self.con.table("population")
        return tables

    def load_population(self, rows: pa.Table, where: str = "population") -> int:
        """Load denominators, replacing the rows of each council-year given; returns rows loaded."""
        rows = check_population(rows, where)
        with self.writer.transaction():
            with self.writer.stage(rows, "population") as staged:
                self.writer.execute(
                    f"DELETE FROM population WHERE EXISTS (SELECT 1 FROM {staged} AS s "
                    "WHERE s.la = population.la AND s.year = population.year)"
                )
            self.writer.insert("population", rows)
        return rows.num_rows

"""The store: returns loaded atomically and idempotently, with provenance, read back through Ibis."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa

from carestat.model import Return
from carestat.privacy.pseudonymise import Policy, apply_policy, pseudonym_key
from carestat.spec import TABLE_NAMES
from carestat.store.backend import Writer
from carestat.store.history import HISTORY_TABLE, ensure_history, refresh_history
from carestat.store.load import prepare, write_batch
from carestat.store.population import check_population
from carestat.store.provenance import (
    LOADS_COLUMNS,
    LoadRecord,
    LoadResult,
    SourceFile,
    content_hash,
)
from carestat.store.schema import store_name
from carestat.store.url import StoreLocation


class Store:
    """A carestat store on one engine: write through `Writer`, read through Ibis."""

    def __init__(
        self, location: StoreLocation, con: Any, writer: Writer, policy: Policy = "local"
    ) -> None:
        self.location = location
        self.con = con  # the Ibis backend
        self.writer = writer
        self.policy: Policy = policy  # privacy policy, recorded in the store when it was created
        self._key: bytes | None = None

    def check_can_load(self) -> None:
        """InputError now, rather than at the first return, if loads here cannot be made."""
        self._prepare_policy()

    def _prepare_policy(self) -> bytes | None:
        """The pseudonymisation key of a pooled store, read once from the environment."""
        if self.policy == "pooled" and self._key is None:
            self._key = pseudonym_key()
        return self._key

    def _record_policy(self) -> None:
        """Record the policy with the first load (a no-op once recorded)."""
        self.writer.execute(
            "INSERT INTO carestat_meta (key, value) VALUES ('privacy_policy', ?) "
            "ON CONFLICT (key) DO NOTHING",
            (self.policy,),
        )

    def _as_stored(self, ret: Return) -> Return:
        """The return as this store's privacy policy keeps it."""
        return apply_policy(ret, self.policy, self._prepare_policy())

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.con.disconnect()

    def load_return(self, ret: Return, files: Sequence[Path | str] = ()) -> LoadResult:
        """Load a return atomically; a no-op if its content is already the current load."""
        pending = prepare(self._as_stored(ret), files)
        with self.writer.transaction():
            self._record_policy()
            [result] = write_batch(self.writer, [pending])
            self._refresh_history([result])
        return result

    def load_returns(
        self, items: Sequence[tuple[Return, Sequence[Path | str]]]
    ) -> list[LoadResult | Exception]:
        """Load several returns in one transaction; if that fails, one by one, so a bad one fails alone.

        Much faster than `load_return` in a loop (one bulk insert per table, one commit), and
        every return is still all-or-nothing. Returns for the same council-year go one by one.
        """
        try:
            batch = [prepare(self._as_stored(ret), files) for ret, files in items]
            with self.writer.transaction():
                self._record_policy()
                written = write_batch(self.writer, batch)
                self._refresh_history(written)
                return list(written)
        except Exception:
            if len(items) == 1:
                raise
        results: list[LoadResult | Exception] = []
        for ret, files in items:
            try:
                results.append(self.load_return(ret, files))
            except Exception as error:
                results.append(error)
        return results

    def _refresh_history(self, results: Sequence[LoadResult]) -> None:
        """Recompute the stored history of the councils whose returns changed (same transaction)."""
        changed = {r.la for r in results if r.status != "already loaded"}
        if changed:
            refresh_history(self.writer, self.con, changed)

    def is_current(self, la: str, year: int, files: Sequence[Path | str]) -> bool:
        """Whether these files are already the current load of the council-year (no read needed)."""
        digest = content_hash([SourceFile.read(Path(f)) for f in files])
        rows = self.writer.execute(
            "SELECT 1 FROM loads WHERE la = ? AND year = ? AND content_hash = ? "
            "AND superseded_by IS NULL",
            (la, year, digest),
        )
        return bool(rows)

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
        """The non-superseded data, keyed by canonical table name, plus `population` and
        `EpisodeHistory` (the repaired episodes with periods, `carestat.store.history`)."""
        loads = self.con.table("loads")
        live = loads.filter(loads.superseded_by.isnull()).select("load_id")
        tables: dict[str, ibis.Table] = {}
        for name in TABLE_NAMES:
            table = self.con.table(store_name(name))
            columns = [c for c in table.columns if c != "load_id"]  # the spec's, without reading it
            tables[name] = table.semi_join(live, "load_id").select(*columns)
        tables["population"] = self.con.table("population")
        ensure_history(self.writer, self.con)  # stores made before it was kept: built once
        tables["EpisodeHistory"] = self.con.table(HISTORY_TABLE)
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

"""Writing returns: several in one transaction, each compared with its council-year's current load."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from carestat import __version__
from carestat.model import InputError, Return
from carestat.spec import TABLE_NAMES
from carestat.store.backend import Writer
from carestat.store.provenance import (
    LOADS_COLUMNS,
    LoadResult,
    SourceFile,
    Status,
    content_hash,
    data_hash,
)
from carestat.store.schema import rows_for_store, store_name


@dataclass(frozen=True)
class Pending:
    """A return ready to write: its council, original files and content hash."""

    ret: Return
    la: str
    sources: tuple[SourceFile, ...]
    digest: str

    @property
    def key(self) -> tuple[str, int]:
        """The council-year this return is for."""
        return (self.la, self.ret.year)


def prepare(ret: Return, files: Sequence[Path | str]) -> Pending:
    """Hash a return's files (or, with none, its data); InputError if its council is unknown."""
    if not ret.la:
        where = next(iter(ret.sources.values()), f"the {ret.year} return")
        raise InputError(
            f"{where}: cannot tell the council; pass --la or keep the return "
            "in a folder named <GSS code>/<YYYY>"
        )
    sources = tuple(SourceFile.read(Path(f)) for f in files)
    digest = content_hash(sources) if sources else data_hash(ret)
    return Pending(ret, ret.la, sources, digest)


def current_loads(
    writer: Writer, keys: set[tuple[str, int]]
) -> dict[tuple[str, int], tuple[str, str]]:
    """The current load id and hash of each council-year (rows locked on PostgreSQL)."""
    councils = sorted({la for la, _ in keys})
    marks = ", ".join("?" for _ in councils)
    lock = " FOR UPDATE" if writer.postgres else ""
    rows = writer.execute(
        "SELECT la, year, load_id, content_hash FROM loads "
        f"WHERE superseded_by IS NULL AND la IN ({marks}){lock}",
        councils,
    )
    found = {(str(la), int(year)): (str(i), str(h)) for la, year, i, h in rows}
    return {key: found[key] for key in keys if key in found}


def write_batch(writer: Writer, batch: Sequence[Pending]) -> list[LoadResult]:
    """Write returns for distinct council-years; call inside one transaction."""
    if len({p.key for p in batch}) != len(batch):
        raise ValueError("a batch holds two returns for the same council and year")
    current = current_loads(writer, {p.key for p in batch})
    results: list[LoadResult] = []
    parts: dict[str, list[pa.Table]] = defaultdict(list)
    for pending in batch:
        old = current.get(pending.key)
        if old and old[1] == pending.digest:
            results.append(LoadResult(old[0], *pending.key, "already loaded", pending.digest))
            continue
        load_id = uuid.uuid4().hex
        for source in pending.sources:  # before commit: an orphan is harmless, a lost file not
            writer.keep_file(source.sha256, source.content)
        for name in TABLE_NAMES:
            if name in pending.ret.tables and pending.ret.tables[name].num_rows:
                parts[name].append(rows_for_store(pending.ret, name, load_id))
        if old:
            writer.execute(
                "UPDATE loads SET superseded_by = ? WHERE load_id = ?", (load_id, old[0])
            )
        record_load(writer, load_id, pending)
        status: Status = "superseded" if old else "loaded"
        rows = pending.ret.rows()
        results.append(
            LoadResult(load_id, *pending.key, status, pending.digest, old[0] if old else None, rows)
        )
    for name, tables in parts.items():  # one bulk insert per table for the whole batch
        writer.insert(store_name(name), pa.concat_tables(tables))
    return results


def record_load(writer: Writer, load_id: str, pending: Pending) -> None:
    """Add the provenance row of a new load."""
    ret = pending.ret
    writer.execute(
        f"INSERT INTO loads ({LOADS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        (
            load_id, pending.la, ret.year, pending.digest,
            json.dumps([s.describe() for s in pending.sources]), datetime.now(UTC), __version__,
            json.dumps([str(p) for p in ret.problems]), json.dumps(ret.rows()),
        ),
    )  # fmt: skip

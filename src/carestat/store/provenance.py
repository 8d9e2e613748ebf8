"""Provenance of loads: file and content hashes, and the records kept in the `loads` table."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import pyarrow as pa

from carestat.model import Return

Status = Literal["loaded", "superseded", "already loaded"]


@dataclass(frozen=True)
class SourceFile:
    """One original file of a return, read once for hashing and keeping."""

    name: str
    sha256: str
    content: bytes

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        """Read and hash a file."""
        content = Path(path).read_bytes()
        return cls(str(path), hashlib.sha256(content).hexdigest(), content)

    def describe(self) -> dict[str, object]:
        """Name, hash and size, as recorded in `loads.files`."""
        return {"name": self.name, "sha256": self.sha256, "bytes": len(self.content)}


def content_hash(files: Sequence[SourceFile]) -> str:
    """sha256 over the sorted file hashes: the same files give the same hash whatever their names."""
    joined = "\n".join(sorted(f.sha256 for f in files))
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


def data_hash(ret: Return) -> str:
    """A content hash for a return held only in memory (no files): its tables as Arrow IPC."""
    digest = hashlib.sha256()
    for name in sorted(ret.tables):
        table = ret.data(name) if name in ret.spec.tables else ret.tables[name]
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table.combine_chunks())
        digest.update(name.encode() + b"\0" + sink.getvalue())
    return digest.hexdigest()


@dataclass(frozen=True)
class LoadResult:
    """What happened to one return: loaded (new council-year), superseded an older load, or a no-op."""

    load_id: str
    la: str
    year: int
    status: Status
    content_hash: str
    superseded: str | None = None
    rows: dict[str, int] | None = None


@dataclass(frozen=True)
class LoadRecord:
    """One row of the `loads` provenance table."""

    load_id: str
    la: str
    year: int
    content_hash: str
    files: list[dict[str, object]]
    loaded_at: datetime
    carestat_version: str
    warnings: list[str]
    rows: dict[str, int]
    superseded_by: str | None

    @classmethod
    def from_row(cls, row: Sequence[object]) -> LoadRecord:
        """Build from a `SELECT` of the `loads` columns in table order."""
        load_id, la, year, digest, files, loaded_at, version, warnings, rows, superseded = row
        return cls(
            str(load_id), str(la), int(str(year)), str(digest), json.loads(str(files)),
            loaded_at if isinstance(loaded_at, datetime) else datetime.fromisoformat(str(loaded_at)),
            str(version), json.loads(str(warnings)), json.loads(str(rows)),
            None if superseded is None else str(superseded),
        )  # fmt: skip


LOADS_COLUMNS = (
    "load_id, la, year, content_hash, files, loaded_at, carestat_version, warnings, rows, "
    "superseded_by"
)

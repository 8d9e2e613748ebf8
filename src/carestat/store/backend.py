"""Write access to each engine: transactions, bulk Arrow inserts and kept original files.

Ibis gives every engine the same read side (`Store.current()`); writing needs each engine's own
transaction and bulk-copy calls, which Ibis does not abstract, so they live here, one class each.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.csv as pacsv


class Writer(Protocol):
    """The write operations a store needs from its engine."""

    postgres: bool

    def transaction(self) -> Any:
        """A context manager: commit on success, roll back on any exception."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (`?` placeholders) and return its rows, if any."""

    def insert(self, table: str, rows: pa.Table) -> None:
        """Append Arrow rows to a table in bulk (columns matched by name)."""

    def keep_file(self, sha256: str, content: bytes) -> None:
        """Keep an original file content-addressed (a no-op if already kept)."""

    def kept_file(self, sha256: str) -> bytes | None:
        """A kept file's bytes, or None."""

    def stage(self, rows: pa.Table, like: str) -> Any:
        """A context manager giving the name of a transient table holding `rows` (shaped as `like`)."""


def _column_list(rows: pa.Table) -> str:
    return ", ".join(f'"{name}"' for name in rows.column_names)


class DuckDbWriter:
    """Writes to a DuckDB file; original files go under `<file>.files/<hash[:2]>/<hash>`."""

    postgres = False

    def __init__(self, con: Any, path: Path) -> None:
        self.con = con  # the duckdb.DuckDBPyConnection behind the Ibis backend
        self.files_dir = Path(str(path) + ".files")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN … COMMIT on the DuckDB connection, ROLLBACK on error."""
        self.con.begin()
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement with `?` placeholders."""
        cursor = self.con.execute(sql, list(params))
        return cursor.fetchall() if cursor.description else []

    def insert(self, table: str, rows: pa.Table) -> None:
        """Append by scanning the Arrow table in place (no copy through Python)."""
        if rows.num_rows == 0:
            return
        view = f"_carestat_in_{table}"
        self.con.register(view, rows)
        try:
            columns = _column_list(rows)
            self.con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {view}")
        finally:
            self.con.unregister(view)

    @contextmanager
    def stage(self, rows: pa.Table, like: str) -> Iterator[str]:
        """The Arrow table registered as a view for the duration."""
        view = f"_carestat_stage_{like}"
        self.con.register(view, rows)
        try:
            yield view
        finally:
            self.con.unregister(view)

    def keep_file(self, sha256: str, content: bytes) -> None:
        """Write the file once, atomically (temp file then rename), before the load commits."""
        target = self.files_dir / sha256[:2] / sha256
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temp, target)

    def kept_file(self, sha256: str) -> bytes | None:
        """The file under the files folder, if there."""
        target = self.files_dir / sha256[:2] / sha256
        return target.read_bytes() if target.is_file() else None


class PostgresWriter:
    """Writes to PostgreSQL through psycopg; original files go into the `files` table."""

    postgres = True

    def __init__(self, con: Any) -> None:
        self.con = con  # the psycopg.Connection behind the Ibis backend (autocommit outside)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A psycopg transaction block: commits on exit, rolls back on exception."""
        with self.con.transaction():
            yield

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement, turning `?` placeholders into psycopg's `%s`."""
        with self.con.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), list(params))
            return cursor.fetchall() if cursor.description else []

    def insert(self, table: str, rows: pa.Table) -> None:
        """COPY the rows as CSV written by Arrow: unquoted empty = NULL, quoted "" = empty text."""
        if rows.num_rows == 0:
            return
        buffer = io.BytesIO()
        options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
        pacsv.write_csv(rows, buffer, write_options=options)
        sql = f"COPY {table} ({_column_list(rows)}) FROM STDIN WITH (FORMAT csv)"
        with self.con.cursor() as cursor, cursor.copy(sql) as copy:
            view = buffer.getbuffer()
            step = 1 << 20
            for start in range(0, len(view), step):  # 1 MB blocks keep memory flat
                copy.write(view[start : start + step])

    @contextmanager
    def stage(self, rows: pa.Table, like: str) -> Iterator[str]:
        """A temporary table (dropped at commit) filled by COPY; call inside a transaction."""
        name = f"_carestat_stage_{like}"
        self.execute(f"CREATE TEMPORARY TABLE {name} (LIKE {like}) ON COMMIT DROP")
        self.insert(name, rows)
        yield name

    def keep_file(self, sha256: str, content: bytes) -> None:
        """Insert the file's bytes inside the load's transaction (kept once per content)."""
        self.execute(
            "INSERT INTO files (sha256, size, content) VALUES (?, ?, ?) "
            "ON CONFLICT (sha256) DO NOTHING",
            (sha256, len(content), content),
        )

    def kept_file(self, sha256: str) -> bytes | None:
        """The file's bytes from the `files` table, if there."""
        rows = self.execute("SELECT content FROM files WHERE sha256 = ?", (sha256,))
        return bytes(rows[0][0]) if rows else None

"""Open a store from its URL: connect through Ibis and create the schema on first use."""

from __future__ import annotations

from typing import Any, cast

import ibis

from carestat.privacy.pseudonymise import POLICIES, Policy
from carestat.store.backend import DuckDbWriter, PostgresWriter, Writer
from carestat.store.schema import SCHEMA_VERSION, all_ddl, layout_fingerprint
from carestat.store.store import Store
from carestat.store.url import StoreError, StoreLocation, parse_store_url, resolve_url


def open_store(url: str | None = None, policy: str | None = None) -> Store:
    """The store at `url` (else `CARESTAT_DB`, else ./carestat.duckdb), its schema ensured.

    `policy` (`local` or `pooled`) is recorded when the store is created (default `local`);
    naming a policy that contradicts the one recorded is a StoreError.
    """
    if policy is not None and policy not in POLICIES:
        raise StoreError(f"unknown privacy policy {policy!r}: use one of {', '.join(POLICIES)}")
    location = parse_store_url(resolve_url(url))
    con, writer = _connect(location)
    try:
        ensure_schema(writer)
        recorded = ensure_policy(writer, policy)
    except Exception:
        con.disconnect()
        raise
    if policy is not None and policy != recorded:
        con.disconnect()
        raise StoreError(
            f"the store {location} keeps data under the {recorded!r} privacy policy, "
            f"not {policy!r}: a store's policy is chosen when it is created; use another store"
        )
    return Store(location, con, writer, cast(Policy, recorded))


def ensure_policy(writer: Writer, policy: str | None) -> str:
    """The store's privacy policy; the first load, or the first `policy` named, records it.

    An empty store with none recorded is still open to either policy; a store that holds loads
    but has none recorded predates policies and is `local`.
    """
    with writer.transaction():
        rows = writer.execute("SELECT value FROM carestat_meta WHERE key = 'privacy_policy'")
        if rows:
            return str(rows[0][0])
        [(loads,)] = writer.execute("SELECT COUNT(*) FROM loads")
        if not loads and policy is None:
            return "local"
        chosen = "local" if loads else str(policy)
        writer.execute(
            "INSERT INTO carestat_meta (key, value) VALUES ('privacy_policy', ?)", (chosen,)
        )
    return chosen


def _connect(location: StoreLocation) -> tuple[Any, Writer]:
    try:
        if location.kind == "duckdb":
            con = ibis.duckdb.connect(location.target)
            return con, DuckDbWriter(con.con, location.path)
        return _connect_postgres(location)
    except StoreError:
        raise
    except Exception as error:  # driver errors name the cause; keep them, hide the password
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise StoreError(f"cannot open the store {location}: {first_line}") from None


def _connect_postgres(location: StoreLocation) -> tuple[Any, Writer]:
    """Connect; a `/database/schema` URL path selects (and creates) a PostgreSQL schema."""
    from urllib.parse import urlsplit

    path = urlsplit(location.target).path.strip("/")
    _, _, schema = path.partition("/")
    con = ibis.connect(location.target)
    if schema:
        writer = PostgresWriter(con.con)
        with writer.transaction():
            writer.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        return con, writer
    return con, PostgresWriter(con.con)


def ensure_schema(writer: Writer) -> None:
    """Create the tables if missing and check the recorded schema version, in one transaction."""
    if _layout_is_current(writer):
        return
    with writer.transaction():
        for statement in all_ddl(writer.postgres):
            writer.execute(statement)
        writer.execute(
            "INSERT INTO carestat_meta (key, value) VALUES ('schema_version', ?) "
            "ON CONFLICT (key) DO NOTHING",
            (SCHEMA_VERSION,),
        )
        [(version,)] = writer.execute(
            "SELECT value FROM carestat_meta WHERE key = 'schema_version'"
        )
        if version == SCHEMA_VERSION:
            writer.execute("DELETE FROM carestat_meta WHERE key = 'layout'")
            writer.execute(
                "INSERT INTO carestat_meta (key, value) VALUES ('layout', ?)",
                (layout_fingerprint(),),
            )
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"the store has schema version {version}; this carestat ({SCHEMA_VERSION}) "
            "cannot use it"
        )


def _layout_is_current(writer: Writer) -> bool:
    """Whether the store's tables were made from this very layout (then no DDL is needed)."""
    try:
        with writer.transaction():
            rows = writer.execute(
                "SELECT key, value FROM carestat_meta WHERE key IN ('schema_version', 'layout')"
            )
    except Exception:  # a new store: no carestat_meta yet
        return False
    found = {str(key): str(value) for key, value in rows}
    return found == {"schema_version": SCHEMA_VERSION, "layout": layout_fingerprint()}

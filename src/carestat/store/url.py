"""Turn a store URL (`--db`, `CARESTAT_DB` or the default) into where and how to connect."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_STORE = "carestat.duckdb"
ENV_VARIABLE = "CARESTAT_DB"


class StoreError(Exception):
    """The store cannot be opened or used; the message says why."""


@dataclass(frozen=True)
class StoreLocation:
    """A parsed store URL: the backend kind and its target (a file path or a server URL)."""

    kind: Literal["duckdb", "postgres"]
    target: str

    @property
    def path(self) -> Path:
        """The DuckDB file (only for DuckDB stores)."""
        return Path(self.target)

    def __str__(self) -> str:
        return f"duckdb://{self.path}" if self.kind == "duckdb" else _hide_password(self.target)


def resolve_url(url: str | None) -> str:
    """The URL to use: the one given, else `CARESTAT_DB`, else `./carestat.duckdb`."""
    return url or os.environ.get(ENV_VARIABLE) or DEFAULT_STORE


def parse_store_url(url: str) -> StoreLocation:
    """Parse the store URL forms of DESIGN.md §5; StoreError for anything else."""
    text = url.strip()
    if text.startswith(("postgresql://", "postgres://")):
        return StoreLocation("postgres", "postgresql://" + text.split("://", 1)[1])
    if text.startswith("duckdb://"):
        rest = text[len("duckdb://") :]
        # duckdb:///abs/path has an empty host, so the rest starts with the absolute path's "/"
        path = Path(rest) if rest.startswith("/") else Path.cwd() / rest
        return _duckdb(path, url)
    if "://" not in text and text.lower().endswith(".duckdb"):
        return _duckdb(Path(text).expanduser().absolute(), url)
    raise StoreError(
        f"store URL {_hide_password(url)!r} is not understood: use duckdb:///abs/path.duckdb, "
        "duckdb://relative.duckdb, a path ending .duckdb, or postgresql://user:password@host/db"
    )


def _duckdb(path: Path, url: str) -> StoreLocation:
    if path.name in ("", ".duckdb") or path.is_dir():
        raise StoreError(f"store URL {url!r}: name a DuckDB file such as carestat.duckdb")
    if not path.parent.is_dir():
        raise StoreError(f"store URL {url!r}: the folder {path.parent} does not exist")
    return StoreLocation("duckdb", str(path))


def _hide_password(url: str) -> str:
    """The URL with any password replaced by ***, for messages."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user, colon, _ = credentials.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}"

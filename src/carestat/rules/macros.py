"""Rule queries kept parsed: a DuckDB file per year holding each compiled query as a table macro.

DuckDB parses a year's rule queries for ~0.15 s of CPU on every validation, whatever the
return's size: about a quarter of what the queries cost for a council return. A macro is stored
parsed, so a validation attaches the year's file (~15 ms, on a thread while the returns are
read) and calls each rule's macro instead of sending its text; binding, planning and running
are the same as for the text. `make rules` writes the files beside the compiled SQL; where
DuckDB or the rules differ from those a file was written for, it is built once into the user
cache, and a validation that cannot attach one sends the SQL text as before.
"""

from __future__ import annotations

import hashlib
import threading
from functools import cache
from pathlib import Path
from typing import Any

from carestat.cache import rules_cache, temporary_path
from carestat.rules.compile import COMPILED_DIR, compiled_rules, rules_hash

FORMAT = 1  # bump when what a macro holds changes (e.g. how shared windows are read)
_LOCK = threading.Lock()
_ATTACHED: dict[int, str | None] = {}  # year -> catalog in the engine's one database per process


def file_name(year: int, duckdb_version: str) -> str:
    """The macro file of `year` for these rules and this DuckDB (whose storage it is written in)."""
    return f"duckdb-{year}-{rules_hash()}-v{FORMAT}-duckdb{duckdb_version}.duckdb"


def macro_name(sql: str) -> str:
    """The macro holding a compiled query, named by its text."""
    return "q" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:24]


@cache
def compiled_texts(year: int) -> frozenset[str]:
    """The queries of `year` the file has macros for: each part's form without messages.

    Every part runs in that form; the few that flag rows run again with their messages, and
    parsing those few costs less than attaching twice the macros.
    """
    parts = [part for found in compiled_rules(year).values() for part in found]
    return frozenset(part.get("rows", part["sql"]) for part in parts)


def call(catalog: str, sql: str) -> str:
    """The FROM source calling the macro of a compiled query."""
    return f'"{catalog}"."{macro_name(sql)}"()'


def attached(con: Any, year: int) -> str | None:
    """The catalog of `year`'s macro file, attached to `con`'s database on first use (or None)."""
    import duckdb

    with _LOCK:
        if year not in _ATTACHED:
            _ATTACHED[year] = _attach(con, year, duckdb.__version__)
        return _ATTACHED[year]


def _attach(con: Any, year: int, version: str) -> str | None:
    """Attach the year's macro file read-only, building it into the cache if there is none."""
    import duckdb

    path = _find(year, version)
    catalog = f"carestat_rules_{year}"
    try:
        if path is None:
            path = build(year, rules_cache())
        con.execute(f"ATTACH '{_literal(path)}' AS \"{catalog}\" (READ_ONLY)")
    except (duckdb.Error, OSError):
        return None  # the queries' text still runs
    return catalog


def _find(year: int, version: str) -> Path | None:
    """The macro file for `year` in the package or the user cache, if one was written."""
    for folder in (COMPILED_DIR, rules_cache()):
        path = folder / file_name(year, version)
        if path.is_file():
            return path
    return None


def build(year: int, folder: Path) -> Path:
    """Write `year`'s macro file into `folder` (atomically) and return its path.

    Each macro is bound when it is made, so it is made in a schema holding every table the rules
    read, empty; it holds the query as the engine runs it there (see `engine.empty_schema`).
    """
    import duckdb

    from carestat.rules.engine import empty_schema

    path = folder / file_name(year, duckdb.__version__)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    try:
        with empty_schema(year) as (con, run_as):
            con.execute(f"ATTACH '{_literal(temporary)}' AS build")
            try:
                for text in sorted(compiled_texts(year)):
                    name = macro_name(text)
                    con.execute(f'CREATE MACRO build.main."{name}"() AS TABLE {run_as(text)}')
            finally:
                con.execute("DETACH build")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_package_files(years: list[int], folder: Path | None = None) -> list[Path]:
    """Write each year's macro file into the package (`make rules`), removing older ones."""
    folder = folder or COMPILED_DIR
    written = []
    for year in years:
        path = build(year, folder)
        for old in folder.glob(f"duckdb-{year}-*.duckdb"):
            if old != path:
                old.unlink()
        written.append(path)
    return written


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")

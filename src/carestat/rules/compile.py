"""Compile the rules of a year to SQL once and cache it, so validation never builds Ibis.

DESIGN.md §3 measured ~9 ms to compile each rule; compiled SQL is keyed by a hash of the rule
sources, the specification data and the Ibis version, and looked up first in the package
(`rules/compiled/`, written by `make rules`), then in the user cache directory.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import carestat
from carestat.rules.registry import rules_for

PACKAGE_DIR = Path(carestat.__file__).parent
COMPILED_DIR = PACKAGE_DIR / "rules" / "compiled"
DIALECTS = ("duckdb",)  # postgres is compiled on first use and cached


@cache
def rules_hash() -> str:
    """A hash of everything the compiled SQL depends on."""
    digest = hashlib.sha256()
    rules = PACKAGE_DIR / "rules"
    sources = sorted((rules / "builtin").glob("*.py"))
    sources += [rules / name for name in ("expr.py", "model.py", "registry.py", "compile.py")]
    sources += sorted((PACKAGE_DIR / "spec" / "data").glob("*.yaml"))
    sources.append(PACKAGE_DIR / "model.py")
    for path in sources:
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(metadata.version("ibis-framework").encode())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Where compiled rule sets are cached (CARESTAT_CACHE_DIR, else the user cache dir)."""
    if os.environ.get("CARESTAT_CACHE_DIR"):
        return Path(os.environ["CARESTAT_CACHE_DIR"])
    import platformdirs

    return Path(platformdirs.user_cache_dir("carestat")) / "rules"


def _file_name(year: int, dialect: str) -> str:
    return f"{dialect}-{year}.json"


def compiled_rules(year: int, dialect: str = "duckdb") -> dict[str, list[dict[str, str]]]:
    """SQL per rule key for `year`: [{"table": ..., "sql": ...}] per flagged table."""
    return _compiled_rules(year, dialect, rules_hash())


@cache
def _compiled_rules(year: int, dialect: str, key: str) -> dict[str, list[dict[str, str]]]:
    for folder in (COMPILED_DIR, cache_dir()):
        path = folder / _file_name(year, dialect)
        data = _read(path)
        if data is not None and data.get("hash") == key:
            return data["rules"]
    rules = compile_year(year, dialect)
    _write(cache_dir() / _file_name(year, dialect), {"hash": key, "rules": rules})
    return rules


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write atomically; a cache that cannot be written only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass


def compile_year(year: int, dialect: str = "duckdb") -> dict[str, list[dict[str, str]]]:
    """Build every rule in force in `year` as Ibis and compile it to SQL for `dialect`."""
    import ibis

    from carestat.rules.expr import Env

    env = Env(year)
    built = {declared.key: declared.check(env) for declared in rules_for(year)}
    schema: dict[str, object] = {
        name: {column: str(kind) for column, kind in table.schema().items()}
        for name, table in env._tables.items()
    }
    return {
        key: [
            {
                "table": table,
                "sql": compact(str(ibis.to_sql(expr, dialect=dialect)), schema, dialect),
            }
            for table, expr in flagged.items()
        ]
        for key, flagged in built.items()
    }


def compact(sql: str, schema: dict[str, object], dialect: str = "duckdb") -> str:
    """The same query with the columns no outer query reads left out of each subquery.

    Ibis carries every column of a table through each nested SELECT; the engine parses and
    binds all of them in every run: pruned, a council return's rules take ~15% less CPU.
    Unchanged when the optimiser cannot follow the query (sqlglot, which Ibis uses, does it).
    """
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.pushdown_projections import pushdown_projections
    from sqlglot.optimizer.qualify import qualify

    # Names keep their case: the engine finds the tables a query reads by their exact names.
    exact = f"{dialect}, normalization_strategy = case_sensitive"
    try:
        tree = qualify(sqlglot.parse_one(sql, read=exact), schema=schema, dialect=exact,
                       quote_identifiers=True)  # fmt: skip
        return str(pushdown_projections(tree).sql(dialect=dialect, pretty=True))
    except (SqlglotError, ValueError, KeyError):
        return sql


def precompile(years: list[int], folder: Path = COMPILED_DIR) -> list[Path]:
    """Write compiled rule sets into the package (the `make rules` build step)."""
    written = []
    for year in years:
        for dialect in DIALECTS:
            path = folder / _file_name(year, dialect)
            data = {"hash": rules_hash(), "rules": compile_year(year, dialect)}
            _write(path, data)
            written.append(path)
    return written


if __name__ == "__main__":
    from carestat.spec import SUPPORTED_YEARS

    for written_path in precompile(list(SUPPORTED_YEARS)):
        print(written_path)

"""Compile the rules of a year to SQL once and cache it, so validation never builds Ibis.

DESIGN.md §3 measured ~9 ms to compile each rule; compiled SQL is keyed by a hash of the rule
sources, the specification data and the Ibis version, and looked up first in the package
(`rules/compiled/`, written by `make rules`), then in the user cache directory.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import carestat
from carestat.cache import rules_cache, write_json
from carestat.rules.derive import DERIVED
from carestat.rules.expr import LAST
from carestat.rules.model import Rule

PACKAGE_DIR = Path(carestat.__file__).parent
COMPILED_DIR = PACKAGE_DIR / "rules" / "compiled"
DIALECTS = ("duckdb",)  # postgres is compiled on first use and cached
SHARED = "__w"  # suffix of a table with its shared window columns: Episodes -> Episodes__w
LAST_TABLE = re.compile(rf'"(\w+_last)(?:{SHARED}|{DERIVED})?" AS "t\d+"')  # last year's tables


@cache
def rules_hash() -> str:
    """A hash of everything the compiled SQL depends on."""
    digest = hashlib.sha256()
    rules = PACKAGE_DIR / "rules"
    sources = sorted((rules / "builtin").glob("*.py"))
    sources += [
        rules / name for name in ("expr.py", "model.py", "registry.py", "compile.py", "sharing.py")
    ]
    sources.append(rules / "data" / "severity.yaml")
    sources += sorted((PACKAGE_DIR / "spec" / "data").glob("*.yaml"))
    sources.append(PACKAGE_DIR / "model.py")
    for path in sources:
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(metadata.version("ibis-framework").encode())
    return digest.hexdigest()[:16]


def shared_name(table: str) -> str:
    """The name of `table` with its shared window columns (`sharing.share_windows`)."""
    return table + SHARED


def _file_name(year: int, dialect: str) -> str:
    return f"{dialect}-{year}.json"


def compiled_rules(year: int, dialect: str = "duckdb") -> dict[str, list[dict[str, str]]]:
    """SQL per rule key for `year`: [{"table": ..., "sql": ...}] per flagged table."""
    rules: dict[str, list[dict[str, str]]] = _compiled(year, dialect, rules_hash())["rules"]
    return rules


def compiled_windows(year: int, dialect: str = "duckdb") -> dict[str, dict[str, str]]:
    """The shared window columns of `year`'s rules: SQL by table, then column name."""
    windows: dict[str, dict[str, str]] = _compiled(year, dialect, rules_hash()).get("windows", {})
    return windows


def compiled_window_specs(year: int, dialect: str = "duckdb") -> dict[str, dict[str, Any]]:
    """How Arrow computes the shared windows of `year` (`window_columns`), by table then column."""
    specs: dict[str, dict[str, Any]] = _compiled(year, dialect, rules_hash()).get("specs", {})
    return specs


@cache
def previous_tables(year: int) -> frozenset[str]:
    """The tables of last year's return that `year`'s rules read, or count as examined."""
    compiled = _compiled(year, "duckdb", rules_hash())
    read = {
        name.removesuffix(LAST)
        for parts in compiled["rules"].values()
        for part in parts
        for name in LAST_TABLE.findall(part["sql"] + part.get("rows", ""))
    }
    counted = {t for d in compiled["declared"] if "previous" in d["needs"] for t in d["tables"]}
    return frozenset(read | counted)


@cache
def compiled_declarations(year: int) -> tuple[tuple[Rule, ...], dict[str, str]]:
    """The rules in force in `year` as declared, and each code's severity, without importing them.

    Importing the rule modules (330 declarations with their examples) cost ~0.1 s of each
    validation; what the engine needs of them is kept beside their SQL. The rules carry no
    check: they run only as compiled SQL.
    """
    declared = _compiled(year, "duckdb", rules_hash())["declared"]
    rules = tuple(
        Rule(code=d["code"], tables=tuple(d["tables"]), fields=tuple(d["fields"]),
             message=d["message"], check=_compiled_only, years=(d["years"][0], d["years"][1]),
             needs=tuple(d["needs"]))
        for d in declared
    )  # fmt: skip
    return rules, {d["code"]: d["severity"] for d in declared}


def _compiled_only(_: Any) -> dict[str, Any]:
    raise RuntimeError("a rule read from its compiled SQL has no Ibis check: use the registry")


def _declarations(year: int) -> list[dict[str, Any]]:
    """What the engine needs of each rule in force in `year` (see `compiled_declarations`)."""
    from carestat.rules.registry import rules_for, severity

    return [
        {"code": r.code, "tables": list(r.tables), "fields": list(r.fields), "message": r.message,
         "years": list(r.years), "needs": list(r.needs), "severity": severity(r.code)}
        for r in rules_for(year)
    ]  # fmt: skip


def _compile_all(year: int, dialect: str) -> dict[str, Any]:
    """Everything the compiled file of a year holds (see `precompile`)."""
    from carestat.rules.sharing import window_specs  # imports sqlglot: compile time only

    rules, windows = compile_year_shared(year, dialect)
    return {"hash": rules_hash(), "rules": rules, "windows": windows,
            "specs": window_specs(windows, dialect), "declared": _declarations(year)}  # fmt: skip


@cache
def _compiled(year: int, dialect: str, key: str) -> dict[str, Any]:
    for folder in (COMPILED_DIR, rules_cache()):
        path = folder / _file_name(year, dialect)
        data = _read(path)
        if data is not None and data.get("hash") == key and "declared" in data:
            return data
    data = _compile_all(year, dialect)
    write_json(rules_cache() / _file_name(year, dialect), data)
    return data


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data


def compile_year(year: int, dialect: str = "duckdb") -> dict[str, list[dict[str, str]]]:
    """Build every rule in force in `year` as Ibis and compile it to SQL for `dialect`."""
    return compile_year_shared(year, dialect)[0]


def compile_year_shared(
    year: int, dialect: str = "duckdb", share: bool = True
) -> tuple[dict[str, list[dict[str, str]]], dict[str, dict[str, str]]]:
    """The rules' SQL, and the window columns they share (DuckDB), by table then column name."""
    import ibis

    from carestat.rules.expr import Env
    from carestat.rules.registry import rules_for

    env = Env(year)
    built = {declared.key: declared.check(env) for declared in rules_for(year)}
    schema: dict[str, dict[str, str]] = {
        name: {column: str(kind) for column, kind in table.schema().items()}
        for name, table in env._tables.items()
    }
    windows: dict[str, dict[str, str]] = {} if share and dialect == "duckdb" else None  # type: ignore[assignment]
    rules = {
        key: [
            _both_forms(table, compact(str(ibis.to_sql(e, dialect=dialect)), schema, dialect, windows),
                        dialect)
            for table, e in flagged.items()
        ]
        for key, flagged in built.items()
    }  # fmt: skip
    return rules, windows or {}


def _both_forms(table: str, sql: str, dialect: str) -> dict[str, str]:
    """A flagged table's query with its messages ("sql") and without ("rows")."""
    return {"table": table, "sql": sql, "rows": rows_only(sql, dialect)}


def rows_only(sql: str, dialect: str = "duckdb") -> str:
    """The query with a blank message: the rows it flags, planned at less cost.

    Building the messages is half of the rules' SQL text, and the engine parses and binds it for
    every rule in every validation; it first runs this form, then the full one only for the
    rules that flagged rows (~18% less CPU on a council return with few failing rules).
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.pushdown_projections import pushdown_projections

    exact = f"{dialect}, normalization_strategy = case_sensitive"
    try:
        tree = sqlglot.parse_one(sql, read=exact)
        if not isinstance(tree, exp.Select):
            return sql
        for projection in tree.expressions:
            if projection.alias_or_name == "message":
                blank = exp.cast(exp.null(), exp.DataType.build("varchar"))
                projection.replace(exp.alias_(blank, "message", quoted=True))
        return str(pushdown_projections(tree).sql(dialect=dialect, pretty=True))
    except (SqlglotError, ValueError, KeyError):
        return sql


def compact(
    sql: str,
    schema: dict[str, dict[str, str]],
    dialect: str = "duckdb",
    windows: dict[str, dict[str, str]] | None = None,
) -> str:
    """The same query with the columns no outer query reads left out, and subqueries merged.

    Ibis carries every column of a table through each nested SELECT; the engine parses and
    binds all of them in every run: pruned, a council return's rules take ~15% less CPU, and
    with simple nested SELECTs merged into the query reading them, ~15% less again.
    With `windows`, the windows it can share read shared columns (`sharing.share_windows`).
    Unchanged when the optimiser cannot follow the query (sqlglot, which Ibis uses, does it).
    """
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.merge_subqueries import merge_subqueries
    from sqlglot.optimizer.pushdown_projections import pushdown_projections
    from sqlglot.optimizer.qualify import qualify

    # Names keep their case: the engine finds the tables a query reads by their exact names.
    exact = f"{dialect}, normalization_strategy = case_sensitive"
    try:
        tree = qualify(sqlglot.parse_one(sql, read=exact), schema=dict(schema), dialect=exact,
                       quote_identifiers=True)  # fmt: skip
        pruned = pushdown_projections(tree)
        merged = merge_subqueries(pruned.copy())
        # Windows are shared after merging: a filter merged in beside them may keep them shareable.
        forms = [_shared(form, schema, windows, dialect) for form in (merged, pruned)]
    except (SqlglotError, ValueError, KeyError):
        return sql
    # Merging repeats an inner column's expression at each use: keep it only where it is shorter.
    text, used = min(forms, key=lambda form: len(form[0]))
    if windows is not None:
        for table, columns in used.items():
            windows.setdefault(table, {}).update(columns)
    return text


def _shared(
    tree: Any, schema: dict[str, Any], windows: dict[str, dict[str, str]] | None, dialect: str
) -> tuple[str, dict[str, dict[str, str]]]:
    """A form of a query as SQL, with its windows shared if `windows` is given, and those windows."""
    from carestat.rules.sharing import share_windows  # imports sqlglot: compile time only

    used: dict[str, dict[str, str]] = {}
    if windows is not None:
        tree = share_windows(tree, schema, used, dialect)
    return str(tree.sql(dialect=dialect, pretty=True)), used


def precompile(years: list[int], folder: Path = COMPILED_DIR) -> list[Path]:
    """Write compiled rule sets into the package (the `make rules` build step)."""
    written = []
    for year in years:
        for dialect in DIALECTS:
            path = folder / _file_name(year, dialect)
            write_json(path, _compile_all(year, dialect))
            written.append(path)
    return written


if __name__ == "__main__":
    from carestat.rules.macros import write_package_files
    from carestat.spec import SUPPORTED_YEARS

    for written_path in precompile(list(SUPPORTED_YEARS)):
        print(written_path)
    for written_path in write_package_files(list(SUPPORTED_YEARS)):
        print(written_path)

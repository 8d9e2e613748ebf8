"""Run the compiled rules of a year on a `Return` in an in-memory DuckDB, in one batch."""

from __future__ import annotations

import itertools
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, TypeVar

import pyarrow as pa

from carestat import kernels as pc
from carestat.model import LINE, ROW, Return, empty_return
from carestat.rules import macros
from carestat.rules.compile import (
    SHARED,
    compiled_declarations,
    compiled_rules,
    compiled_window_specs,
    compiled_windows,
    shared_name,
)
from carestat.rules.derive import DERIVED, PROVIDERS, extra_tables, flag_tables
from carestat.rules.expr import LAST
from carestat.rules.model import Rule, only_codes
from carestat.rules.postcodes import forget as forget_postcodes
from carestat.rules.report import Issue, Report, Severity, SkippedRule
from carestat.rules.window_columns import window_table

QUOTED = re.compile(r'"(\w+)"')
TABLE_REF = re.compile(r'"(\w+)" AS "t\d+"')
BATCH = 25  # rules per query: planning one huge UNION costs more than a few smaller ones
# National returns: a union holds its parts' join and window state at once, and two run at a
# time; at 100k children 5 rules a query peak at ~0.8 GB (10: ~0.87 GB).
NATIONAL_BATCH = 5
NATIONAL_ROWS = 400_000  # input rows beyond which queries hold fewer rules each
WORKERS = 2  # queries at a time (the machines this must be fast on have two cores)
_SCHEMAS = itertools.count()
T = TypeVar("T")
# Rule results are a few rows: the copy DuckDB warns about when a DB-API result goes to Arrow
# costs nothing next to the Python-side relation building that its recommended `sql()` does.
warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
EMPTY = pa.table(
    {
        "rule_key": pa.array([], pa.string()),
        "flagged_table": pa.array([], pa.string()),
        ROW: pa.array([], pa.int64()),
        "message": pa.array([], pa.string()),
    }
)
NEED_REASONS = {
    "previous": "needs the previous year's return (--previous)",
    "providers": "needs the Ofsted provider lists (--providers)",
}


def validate(
    ret: Return,
    previous: Return | None = None,
    providers: Sequence[object] | None = None,
    codes: Iterable[str] | None = None,
) -> Report:
    """Check `ret` against every rule in force in its year (or only `codes`)."""
    report = Report(
        year=ret.year, la=ret.la, rows=ret.rows(), read_problems=[str(p) for p in ret.problems]
    )
    available = {"previous": previous is not None, "providers": bool(providers)}
    runnable = []
    for declared in rules_for(ret.year, codes):
        missing = [n for n in declared.needs if not available[n]]
        if missing:
            report.rules_skipped.append(SkippedRule(declared.code, NEED_REASONS[missing[0]]))
        else:
            runnable.append(declared)
    sql = compiled_rules(ret.year)
    # A rule that reads last year's tables without needing them (392a: "not UASC last year")
    # sees a last year with no records when no previous return is given.
    last = previous if previous is not None else empty_return(ret.year - 1, ret.la)
    flagged, failed = _run(ret, last, providers, runnable, sql)
    report.rules_skipped += failed
    broken = {s.rule for s in failed}
    ran = [r for r in runnable if r.code not in broken]
    report.rules_run = len(ran)
    report.rows_examined = {r.code: _examined(r, ret, previous) for r in ran}
    report.issues = _issues(ret, ran, flagged)
    return report


def rules_for(year: int, codes: Iterable[str] | None = None) -> list[Rule]:
    """The rules in force in `year` (or only `codes`), read with their compiled SQL."""
    return only_codes(list(compiled_declarations(year)[0]), codes)


def _severity(year: int, code: str) -> Severity:
    """A rule code's declared severity (kept with the compiled SQL)."""
    found = compiled_declarations(year)[1].get(code)
    if found is None:  # a rule not in force this year (tests run rules in any year)
        from carestat.rules.registry import severity

        return severity(code)
    return found  # type: ignore[return-value]


def _examined(declared: Rule, ret: Return, previous: Return | None) -> int:
    """Rows a rule looked at: the records of its tables (this year's and last year's)."""
    rows = sum(ret.tables[t].num_rows for t in declared.tables if t in ret.tables)
    if previous is not None and "previous" in declared.needs:
        rows += sum(previous.tables[t].num_rows for t in declared.tables if t in previous.tables)
    return rows


@cache
def _database() -> Any:
    """One in-memory DuckDB per process (connecting costs ~0.1 s); validations get a schema each."""
    import duckdb

    return duckdb.connect()


def open_database(year: int) -> str | None:
    """Open the process's database with the year's rule macros attached: their catalog, if any.

    `carestat validate` calls it while the returns are read; a validation calls it again.
    """
    cursor = _database().cursor()
    try:
        return macros.attached(cursor, year)
    finally:
        cursor.close()


def _connect() -> tuple[Any, str]:
    """A cursor on a fresh schema of the process's database, and the schema's name."""
    con = _database().cursor()
    schema = f"validation_{next(_SCHEMAS)}"
    con.execute(f'CREATE SCHEMA "{schema}"')
    # WORKERS queries at a time, each on one thread: splitting a query over threads costs more in
    # co-ordination than it gains on a few thousand rows (~20% CPU), and at 100k children two
    # single-threaded queries at a time finish ~0.7 s sooner than one on both cores.
    con.execute("SET threads = 1")
    con.execute(f'SET schema = "{schema}"')
    return con, schema


def _copy(
    cursors: list[Any], schema: str, tables: dict[str, pa.Table], columns: dict[str, set[str]]
) -> None:
    """Copy into the schema those of `tables` the SQL reads, largest first, two at a time.

    Only the `columns` named for a table are copied (the queries reading it name them).
    Queries on DuckDB's own tables plan and run about twice as fast as on registered Arrow
    tables; copying on two cursors takes ~40% less time than on one.
    """
    wanted = {n: _columns(t, columns[n]) for n, t in tables.items() if n in columns}
    order = sorted(wanted, key=lambda n: -wanted[n].nbytes)
    _in_turn(cursors, [partial(_create, name=f'"{schema}"."{n}"', table=wanted[n]) for n in order])


def _columns(table: pa.Table, names: set[str]) -> pa.Table:
    """The table with only the columns named (all of them if it names none)."""
    kept = [column for column in table.schema.names if column in names]
    return table.select(kept) if kept else table


def _create(con: Any, name: str, table: pa.Table) -> None:
    """Copy one Arrow table into a DuckDB table."""
    con.from_arrow(table).create(name)  # ~25% faster than register + CTAS


def _cursor(con: Any, schema: str) -> Any:
    """Another cursor (one per thread) reading what `con` reads."""
    cursor = con.cursor()
    cursor.execute(f'SET schema = "{schema}"')
    return cursor


def _columns_read(queries: list[str], year: int) -> dict[str, set[str]]:
    """Each table the queries read (Ibis writes `"Name" AS "tN"`), with the names its readers quote.

    Those include the columns it reads of the table (a query qualifies every column); the
    table under a shared window table also keeps those its windows read.
    """
    read: dict[str, set[str]] = {}
    for sql in queries:
        for name in TABLE_REF.findall(sql):
            read.setdefault(name, set()).update(_quoted(sql))
    windows = compiled_windows(year)
    for name in [n for n in read if n.endswith(SHARED)]:
        base = name.removesuffix(SHARED)
        used = [_quoted(sql) for c, sql in windows.get(base, {}).items() if c in read[name]]
        read.setdefault(base, set()).update(read[name], *used)
    return read


def _inputs(ret: Return, previous: Return | None) -> dict[str, pa.Table]:
    """The return's tables (and last year's) by the name the SQL reads them under."""
    tables = dict(ret.tables)
    if previous is not None:
        tables |= {name + LAST: table for name, table in previous.tables.items()}
    return tables


def _windowed_table(
    name: str,
    read: dict[str, set[str]],
    tables: dict[str, pa.Table],
    windows: dict[str, dict[str, str]],
) -> str:
    """SQL creating `<table>__w`: the columns and shared window columns its readers use."""
    base = name.removesuffix(SHARED)
    used = read[name]
    kept = [f'"{column}"' for column in tables[base].schema.names if column in used]
    computed = [f'{sql} AS "{column}"' for column, sql in windows[base].items() if column in used]
    return f'CREATE TABLE "{name}" AS SELECT {", ".join(kept + computed)} FROM "{base}"'


@cache
def _quoted(sql: str) -> frozenset[str]:
    """The quoted names in a query, found once however many shared tables it reads."""
    return frozenset(QUOTED.findall(sql))


def _arrow_specs(
    year: int, read: dict[str, set[str]], tables: dict[str, pa.Table]
) -> dict[str, dict[str, Any]]:
    """By table, the specs of the shared windows its readers use, if Arrow computes them all."""
    specs, windows = compiled_window_specs(year), compiled_windows(year)
    found = {}
    for name in [n for n in read if n.endswith(SHARED)]:
        base = name.removesuffix(SHARED)
        wanted = {column: specs.get(base, {}).get(column) for column in windows.get(base, {})
                  if column in read[name]}  # fmt: skip
        if base in tables and all(wanted.values()):
            found[base] = wanted
    return found


def _read_for_shared(sql: str, specs: dict[str, dict[str, Any]]) -> str:
    """The query reading each table Arrow adds its shared window columns to for `<table>__w`."""
    for table in specs:
        sql = sql.replace(f'"{shared_name(table)}"', f'"{table}"')
    return sql


def _arrow_windows(
    specs: dict[str, dict[str, Any]], tables: dict[str, pa.Table], read: dict[str, set[str]]
) -> dict[str, pa.Table]:
    """The tables of `specs` with the columns their readers use and their window columns."""
    return {base: window_table(tables[base], sorted(read[base] & set(tables[base].schema.names)),
                               wanted) for base, wanted in specs.items()}  # fmt: skip


def _build_windows(
    cursors: list[Any], year: int, names: set[str], read: dict[str, set[str]],
    tables: dict[str, pa.Table],
) -> None:  # fmt: skip
    """Create the tables of shared window columns named with DuckDB, two at a time."""
    windows = compiled_windows(year)
    statements = [_windowed_table(n, read, tables, windows) for n in sorted(names)]
    _in_turn(cursors, [partial(_execute, sql=statement) for statement in statements])


def _union(items: list[tuple[str, str, str]]) -> str:
    """One query of the items' rows, each item a (rule key, table, FROM source)."""
    parts = [
        f"SELECT '{key}' AS rule_key, '{table}' AS flagged_table, _row, message FROM {source} AS q{i}"
        for i, (key, table, source) in enumerate(items)
    ]
    return "\nUNION ALL\n".join(parts)


def _extra(
    ret: Return, previous: Return | None, providers: Sequence[object] | None, needed: set[str]
) -> dict[str, pa.Table]:
    """The derived tables the SQL reads, and only those (postcode look-ups are not free)."""
    flags = flag_tables(ret, previous, needed)
    if not needed & {"Episodes" + DERIVED, "Episodes" + LAST + DERIVED, PROVIDERS}:
        return flags
    last = previous if "Episodes" + LAST + DERIVED in needed else None
    try:
        return flags | extra_tables(ret, last, providers if PROVIDERS in needed else None)
    finally:
        forget_postcodes()  # the derived tables hold copies of what they found


def _run(
    ret: Return,
    previous: Return | None,
    providers: Sequence[object] | None,
    rules: list[Rule],
    sql: dict[str, list[dict[str, str]]],
) -> tuple[pa.Table, list[SkippedRule]]:
    """Rules in a few UNION ALL batches; a failing batch is rerun rule by rule to isolate it.

    Rules run first without their messages ("rows" SQL, half the text to parse and bind); the
    few that flag rows run again with them. Should that second run fail, the rows stand and
    their issues take the rule's own message.
    """
    parts = _parts((r.key, sql.get(r.key, [])) for r in rules)
    if not parts:
        return EMPTY, []
    opened = _open(ret, previous, providers, parts)
    try:
        sources = _sources(opened, ret.year, parts)
        national = sum(t.num_rows for n, t in opened.tables.items() if n in opened.read)
        size = NATIONAL_BATCH if national > NATIONAL_ROWS else BATCH
        items = [(key, table, rows) for key, table, rows, _ in sources]
        # A macro call's text says nothing of its query's cost: weigh each by the query's length.
        weights = {source[2]: len(part[2]) for part, source in zip(parts, sources, strict=True)}
        found, failed = _run_all(opened.cursors, items, size, weights)
        flagged = _once(opened.cursors[0], _with_messages(opened.cursors, sources, found, size))
    finally:
        _close(opened)
    return flagged, failed


def _parts(compiled: Iterable[tuple[str, list[dict[str, str]]]]) -> list[tuple[str, str, str, str]]:
    """(rule key, flagged table, SQL without messages, SQL with them) of each rule's parts."""
    return [(key, part["table"], part.get("rows", part["sql"]), part["sql"])
            for key, found in compiled for part in found]  # fmt: skip


@dataclass
class _Opened:
    """A validation's schema: its cursors (one per worker), tables, what the SQL reads, and the
    year's rule macros being attached (their catalog to come; None if they are not used)."""

    schema: str
    cursors: list[Any]
    tables: dict[str, pa.Table]
    read: dict[str, set[str]]
    specs: dict[str, dict[str, Any]]
    macros: Future[str | None] | None = None


def _open(
    ret: Return, previous: Return | None, providers: Sequence[object] | None,
    parts: list[tuple[str, str, str, str]], use_macros: bool = True,
) -> _Opened:  # fmt: skip
    """A fresh schema holding the tables, window columns and derived tables `parts` read."""
    read = _columns_read([text for *_, rows, full in parts for text in (rows, full)], ret.year)
    tables = _inputs(ret, previous)
    specs = _arrow_specs(ret.year, read, tables)
    # The window columns and the derived tables (postcode look-ups) are computed in Arrow while
    # DuckDB opens and copies the return: each leaves a core mostly idle on its own.
    pool = ThreadPoolExecutor(3)
    computed = pool.submit(_arrow_windows, specs, tables, read)
    derived = pool.submit(_extra, ret, previous, providers, set(read))
    con, schema = _connect()
    opened = _Opened(schema, [con], tables, read, specs)
    if use_macros and _as_macros_read(opened, ret.year):  # the file is attached meanwhile too
        opened.macros = pool.submit(open_database, ret.year)
    pool.shutdown(wait=False)  # they run on: their results are awaited below
    try:
        opened.cursors += [_cursor(con, schema) for _ in range(WORKERS - 1)]
        opened.tables = _fill(opened.cursors, schema, ret.year, tables, (computed, derived), read,
                              specs)  # fmt: skip
    except BaseException:
        _close(opened)
        raise
    return opened


def _close(opened: _Opened) -> None:
    for cursor in opened.cursors[1:]:
        cursor.close()
    opened.cursors[0].execute(f'DROP SCHEMA "{opened.schema}" CASCADE')
    opened.cursors[0].close()


def _sources(
    opened: _Opened, year: int, parts: list[tuple[str, str, str, str]]
) -> list[tuple[str, str, str, str]]:
    """Each part with its two queries as FROM sources: a call of the query's macro where the
    year's macro file holds it (`rules.macros`), else the query's text.

    A table whose shared windows Arrow computes gets them as columns of its own, and the queries
    read it for `<table>__w`; the macros were made so, for every table that has window specs.
    """
    known = macros.compiled_texts(year)
    catalog = opened.macros.result() if opened.macros is not None else None

    def source(sql: str) -> str:
        if catalog is not None and sql in known:
            return macros.call(catalog, sql)
        return f"({_read_for_shared(sql, opened.specs)})"

    return [(key, table, source(rows), source(full)) for key, table, rows, full in parts]


def _as_macros_read(opened: _Opened, year: int) -> bool:
    """Whether every shared window table read is read from its base table, as the macros do."""
    return set(opened.specs) == {t for t in _arrow_tables(year) if shared_name(t) in opened.read}


@cache
def _arrow_tables(year: int) -> frozenset[str]:
    """The tables whose shared windows all have specs: Arrow computes them when they are read."""
    specs = compiled_window_specs(year)
    return frozenset(table for table, windows in compiled_windows(year).items()
                     if all(specs.get(table, {}).get(column) for column in windows))  # fmt: skip


@contextmanager
def empty_schema(year: int) -> Iterator[tuple[Any, Callable[[str], str]]]:
    """A cursor on a schema holding every table the rules of `year` read, with no records, and
    how the engine runs each compiled query there (for making the macros of `rules.macros`)."""
    from carestat.readers.providers import PROVIDERS_SCHEMA

    parts = _parts(compiled_rules(year).items())
    providers = [PROVIDERS_SCHEMA.empty_table()]
    opened = _open(empty_return(year), empty_return(year - 1), providers, parts, use_macros=False)
    try:
        assert _as_macros_read(opened, year), "every windowed table should be read with Arrow's"
        yield opened.cursors[0], partial(_read_for_shared, specs=opened.specs)
    finally:
        _close(opened)


def _fill(
    cursors: list[Any], schema: str, year: int, tables: dict[str, pa.Table],
    futures: tuple[Future[dict[str, pa.Table]], Future[dict[str, pa.Table]]],
    read: dict[str, set[str]], specs: dict[str, dict[str, Any]],
) -> dict[str, pa.Table]:  # fmt: skip
    """Copy the return (with Arrow's window columns), DuckDB's window tables and derived tables.

    `futures` are the tables of `specs` with their window columns, and the derived tables;
    `read` the tables the SQL reads, with the columns it names. Returns the tables, the derived
    ones included.
    """
    computed, derived = futures
    _copy(cursors, schema, {n: t for n, t in tables.items() if n not in specs}, read)
    arrow = computed.result()
    _copy(cursors, schema, arrow, read)  # a table's readers name its window columns too
    left = {n for n in read if n.endswith(SHARED) and n.removesuffix(SHARED) not in arrow}
    early = {n for n in left if n.removesuffix(SHARED) in tables}
    _build_windows(cursors, year, early, read, tables)
    extra = derived.result()
    _copy(cursors, schema, extra, read)
    tables = tables | extra
    _build_windows(cursors, year, left - early, read, tables)
    return tables


def _once(con: Any, found: pa.Table) -> pa.Table:
    """Each flagged row once: a rule joining to a table with repeated children may flag it twice.

    DuckDB, already running, does it; Arrow's `group_by` costs 30 ms to import Acero.
    """
    rows = f"rule_key, flagged_table, {ROW}"
    deduplicated = con.from_arrow(found).aggregate(f"{rows}, min(message) AS message", rows)
    return pc.cast_table(deduplicated.to_arrow_table(), EMPTY.schema)


def _run_all(
    cursors: list[Any], items: list[tuple[str, str, str]], size: int,
    weights: Mapping[str, int] | None = None,
) -> tuple[pa.Table, list[SkippedRule]]:  # fmt: skip
    """What the queries flag, in batches of `size`, and the rules that could not run.

    `weights` gives a source's SQL length where it is not its own text (a macro call).
    """
    batches = [items[start : start + size] for start in range(0, len(items), size)]
    # Longest SQL first: the last batches are short, so neither thread idles long at the end.
    weights = weights or {}
    batches.sort(key=lambda batch: -sum(weights.get(s, len(s)) for _, _, s in batch))
    done = _in_turn(cursors, [partial(_run_batch, batch=batch) for batch in batches])
    found = pa.concat_tables([EMPTY] + [pc.cast_table(t, EMPTY.schema) for t, _ in done])
    return found, [skipped for _, broken in done for skipped in broken]


def _with_messages(
    cursors: list[Any], parts: list[tuple[str, str, str, str]], found: pa.Table, size: int
) -> pa.Table:
    """`found` with the messages of the rules that flagged rows (their full SQL run again)."""
    fired = set(zip(found["rule_key"].to_pylist(), found["flagged_table"].to_pylist(), strict=True))
    again = [(key, table, full) for key, table, rows, full in parts
             if (key, table) in fired and full != rows]  # fmt: skip
    if not again:
        return found
    messages, broken = _run_all(cursors, again, size)
    lost = {skipped.rule for skipped in broken}
    redone = {(key, table) for key, table, _ in again if key.split("@")[0] not in lost}
    keep = [(key, table) not in redone for key, table in zip(
        found["rule_key"].to_pylist(), found["flagged_table"].to_pylist(), strict=True)]  # fmt: skip
    return pa.concat_tables([pc.filter(found, pa.array(keep, pa.bool_())), messages])


def _in_turn(cursors: list[Any], tasks: list[Callable[[Any], T]]) -> list[T]:
    """Each task's result, in order; each cursor (one per thread) takes the next task when free.

    DuckDB releases the GIL. Planning a query is single-threaded and most rule queries are
    small, so two queries at a time keep both cores busy where one at a time mostly does not.
    """
    if len(cursors) <= 1 or len(tasks) <= 1:
        return [task(cursors[0]) for task in tasks]
    pending = iter(range(len(tasks)))
    lock = threading.Lock()
    done: dict[int, T] = {}

    def work(cursor: Any) -> None:
        while True:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            done[index] = tasks[index](cursor)

    with ThreadPoolExecutor(len(cursors)) as pool:
        list(pool.map(work, cursors))
    return [done[i] for i in range(len(tasks))]


def _execute(con: Any, sql: str) -> None:
    con.execute(sql)


def _query(con: Any, sql: str) -> pa.Table:
    """Run SQL; `execute` skips the Python-side relation building that `sql` does."""
    return con.execute(sql).to_arrow_table()


def _run_batch(con: Any, batch: list[tuple[str, str, str]]) -> tuple[pa.Table, list[SkippedRule]]:
    try:
        return _query(con, _union(batch)), []
    except Exception:
        pass
    results, failed = [EMPTY], []
    for key in dict.fromkeys(k for k, _, _ in batch):
        try:
            results.append(_query(con, _union([i for i in batch if i[0] == key])))
        except Exception as error:
            reason = f"could not run: {str(error).splitlines()[0]}"
            failed.append(SkippedRule(key.split("@")[0], reason))
    return pa.concat_tables([pc.cast_table(t, EMPTY.schema) for t in results]), failed


def _issues(ret: Return, rules: list[Rule], flagged: pa.Table) -> list[Issue]:
    """Issues in rule order, then table, then row, with child and line looked up by `_row`."""
    order = {r.code: i for i, r in enumerate(rules)}
    by_key = {r.key: r for r in rules}
    issues: list[Issue] = []
    severities = {r.code: _severity(ret.year, r.code) for r in rules}
    for table_name in sorted(set(flagged.column("flagged_table").to_pylist())):
        part = pc.filter(flagged, pc.equal(flagged["flagged_table"], table_name))
        source = ret.tables[table_name]
        rows = part[ROW]
        # `_row` is the record's place in the file, which skips comma-only rows: look it up.
        at = pc.index_in(rows, value_set=source[ROW].combine_chunks())
        children = pc.take(source["CHILD"], at).to_pylist()
        lines = pc.take(source[LINE], at).to_pylist()
        for key, row, message, child, line in zip(
            part["rule_key"].to_pylist(), rows.to_pylist(), part["message"].to_pylist(),
            children, lines, strict=True,
        ):  # fmt: skip
            declared = by_key[key]
            issues.append(
                Issue(declared.code, severities[declared.code], table_name, row, line, child,
                      declared.fields, message or declared.message)
            )  # fmt: skip
    issues.sort(key=lambda i: (order[i.rule], i.table, i.row or 0))
    return issues

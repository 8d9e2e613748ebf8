"""Compile the statistics once per engine and code version, then run the SQL straight on the engine.

Building the measures as Ibis expressions and compiling them costs seconds of Python; running
the SQL costs far less. So the whole computation is compiled once into a plan: a list of staged
steps (the shared derived tables: repaired episodes, periods, starts ...) and one final `SELECT`,
over input views with fixed names. On DuckDB the steps run as materialised common table
expressions of one statement; on PostgreSQL as temporary tables, analysed for its planner. The plan is cached on disk under a key
made of the engine's SQL dialect, the input schemas and a fingerprint of this package's code and
of Ibis, so a change to any of them compiles afresh. Each run then creates the input views over
the tables given (one small compile each), runs the steps and fetches the result as Arrow.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.csv as pacsv

from carestat.cache import cache_folder, write_json

PREFIX = "_carestat_stats_"  # names of the input views and staged tables
PLAN_FORMAT = "1"


@dataclass(frozen=True)
class Plan:
    """Compiled statistics: input names, staged steps (name, SELECT) and the final SELECT."""

    inputs: list[str]
    steps: list[tuple[str, str]]
    final: str
    schema: list[tuple[str, str]]  # result column name and Ibis type

    def arrow_schema(self) -> pa.Schema:
        """The result's Arrow schema."""
        return ibis.schema(dict(self.schema)).to_pyarrow()


def input_name(table: str) -> str:
    """The view a canonical input table is read through."""
    return f"{PREFIX}in_{table.lower()}"


def compile_plan(schemas: Mapping[str, ibis.Schema], dialect: str) -> Plan:
    """Build every measure over unbound input tables and compile the steps and result to SQL."""
    from carestat.stats.compute import council_measures
    from carestat.stats.context import build_context

    unbound = {name: ibis.table(schema, name=input_name(name)) for name, schema in schemas.items()}
    staged: list[tuple[str, ir.Table]] = []

    def stage(name: str, table: ir.Table) -> ir.Table:
        staged.append((f"{PREFIX}{name}", table))
        return ibis.table(table.schema(), name=f"{PREFIX}{name}")

    result = council_measures(build_context(unbound, stage=stage))
    steps = [(name, str(ibis.to_sql(table, dialect=dialect))) for name, table in staged]
    return Plan(
        inputs=sorted(schemas),
        steps=steps,
        final=str(ibis.to_sql(result, dialect=dialect)),
        schema=[(name, str(dtype)) for name, dtype in result.schema().items()],
    )


def cached_plan(schemas: Mapping[str, ibis.Schema], dialect: str) -> Plan:
    """The compiled plan from the cache, compiling (and caching) it when missing."""
    key = plan_key(schemas, dialect)
    path = cache_dir() / f"stats-{dialect}-{key}.json"
    try:
        data = json.loads(path.read_text("utf-8"))
        steps = [(str(name), str(sql)) for name, sql in data["steps"]]
        schema = [(str(name), str(kind)) for name, kind in data["schema"]]
        return Plan(list(data["inputs"]), steps, str(data["final"]), schema)
    except (OSError, ValueError, KeyError):
        pass
    plan = compile_plan(schemas, dialect)
    write_json(path, asdict(plan))
    return plan


def plan_key(schemas: Mapping[str, ibis.Schema], dialect: str) -> str:
    """A hash of what the compiled SQL depends on: dialect, input schemas, code and Ibis versions."""
    described = {name: [(c, str(t)) for c, t in schema.items()] for name, schema in schemas.items()}
    text = json.dumps([PLAN_FORMAT, dialect, described, code_fingerprint()], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@cache
def code_fingerprint() -> str:
    """A hash of the statistics code and data files and of the Ibis and sqlglot versions."""
    import sqlglot

    digest = hashlib.sha256(f"{ibis.__version__} {sqlglot.__version__}".encode())
    root = resources.files("carestat.stats")
    for path in sorted(Path(str(root)).rglob("*")):
        if path.suffix in (".py", ".yaml") and path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path:
    """Where compiled plans are kept: the "sql" folder beside the compiled rules' (`carestat.cache`)."""
    return cache_folder("sql")


def run_plan(tables: Mapping[str, ir.Table]) -> pa.Table:
    """Run the statistics on the engine holding `tables` and return the result as Arrow."""
    backend = tables["Episodes"].get_backend()
    dialect = backend.name
    plan = cached_plan({name: t.schema() for name, t in tables.items()}, dialect)
    runner = _Runner(backend)
    if runner.kind == "duckdb":
        runner.execute("SET enable_progress_bar = false")  # drawn on stdout, where CSV may go
    views = [(input_name(name), backend.compile(tables[name])) for name in plan.inputs]
    try:
        for name, sql in views:
            runner.execute(f"CREATE TEMPORARY VIEW {name} AS {sql}")
        if runner.kind == "duckdb":
            return runner.fetch(one_statement(plan), plan.arrow_schema())
        return _run_steps(runner, plan)
    finally:
        for name, _ in views:
            runner.execute(f"DROP VIEW IF EXISTS {name}")
        if runner.kind == "duckdb":
            runner.execute("RESET enable_progress_bar")  # also after a failure


def one_statement(plan: Plan) -> str:
    """The whole plan as one query: each staged step a materialised common table expression.

    DuckDB keeps a materialised CTE in its in-memory result format, several times cheaper than
    writing the same rows into a table (which compresses and checkpoints them), and plans the
    whole computation at once. The final query's own CTEs follow the steps.
    """
    steps = ",\n".join(f"{name} AS MATERIALIZED (\n{sql}\n)" for name, sql in plan.steps)
    final = plan.final.lstrip()
    if final[:5].upper() == "WITH ":
        return f"WITH {steps},\n{final[5:]}"
    return f"WITH {steps}\n{final}"


def _run_steps(runner: _Runner, plan: Plan) -> pa.Table:
    """Run the steps as temporary tables (analysed for the planner), then the final query."""
    try:
        for name, sql in plan.steps:
            runner.execute(f"CREATE TEMPORARY TABLE {name} AS {sql}")
            runner.analyse(name)
        return runner.fetch(plan.final, plan.arrow_schema())
    finally:
        for name, _ in reversed(plan.steps):
            runner.execute(f"DROP TABLE IF EXISTS {name}")


class _Runner:
    """Runs SQL on DuckDB or PostgreSQL through their own drivers (Ibis would re-parse it)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.kind = backend.name

    def execute(self, sql: str) -> None:
        """Run one statement."""
        if self.kind == "duckdb":
            self.backend.con.execute(sql)
        elif self.kind == "postgres":
            with self.backend.con.cursor() as cursor:
                cursor.execute(sql)
        else:
            self.backend.raw_sql(sql)

    def analyse(self, table: str) -> None:
        """Give PostgreSQL's planner statistics on a staged table (DuckDB keeps its own)."""
        if self.kind == "postgres":
            self.execute(f"ANALYZE {table}")

    def fetch(self, sql: str, schema: pa.Schema) -> pa.Table:
        """The result of a SELECT as an Arrow table with the plan's schema."""
        if self.kind == "duckdb":
            table = self.backend.con.sql(sql).to_arrow_table()
        elif self.kind == "postgres":
            buffer = io.BytesIO()
            copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)"
            with self.backend.con.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for block in copy:
                    buffer.write(block)
            buffer.seek(0)
            table = pacsv.read_csv(buffer, convert_options=_csv_types(schema))
        else:
            table = self.backend.sql(sql).to_pyarrow()
        return table.select(schema.names).cast(schema)


def _csv_types(schema: pa.Schema) -> pacsv.ConvertOptions:
    """Read PostgreSQL's CSV back with the plan's types: unquoted empty = NULL, "" = empty text."""
    return pacsv.ConvertOptions(
        column_types={f.name: f.type for f in schema},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )

"""Window functions over a whole table are computed once and give the rules the same results."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from carestat.model import Return
from carestat.rules import engine
from carestat.rules.compile import compact, compile_year_shared, compiled_rules
from carestat.rules.engine import validate
from carestat.rules.report import Report

SCHEMA = {"Episodes": {"CHILD": "string", "DECOM": "date", "_row": "int64"}}
NUMBERED = (
    'SELECT "t1"."_row" AS "_row", \'x\' AS "message" FROM (SELECT "t0"."_row" AS "_row", '
    'ROW_NUMBER() OVER (PARTITION BY "t0"."CHILD" ORDER BY "t0"."DECOM") AS "n" '
    'FROM "Episodes" AS "t0"{where}) AS "t1" WHERE "t1"."n" = 2'
)


def test_a_window_over_a_whole_table_reads_a_shared_column() -> None:
    windows: dict[str, dict[str, str]] = {}
    sql = compact(NUMBERED.format(where=""), SCHEMA, windows=windows)
    assert '"Episodes__w"' in sql and "OVER" not in sql
    [(name, window)] = windows["Episodes"].items()
    assert f'"{name}"' in sql and window.startswith('ROW_NUMBER() OVER (PARTITION BY "CHILD"')
    # the same window in another rule is the same shared column
    again: dict[str, dict[str, str]] = {}
    compact(NUMBERED.format(where=""), SCHEMA, windows=again)
    assert again == windows


def test_a_window_over_rows_with_its_order_not_blank_reads_a_shared_column() -> None:
    # Blank start dates sort last in each child's episodes: numbering the others is unchanged.
    windows: dict[str, dict[str, str]] = {}
    where = ' WHERE NOT "t0"."DECOM" IS NULL AND NOT "t0"."CHILD" IS NULL'
    sql = compact(NUMBERED.format(where=where), SCHEMA, windows=windows)
    assert '"Episodes__w"' in sql and "OVER" not in sql and 'NOT "t0"."DECOM" IS NULL' in sql
    assert list(windows) == ["Episodes"]


@pytest.mark.parametrize(("join", "shared"), [("LEFT OUTER", True), ("INNER", False)])
def test_a_window_beside_the_tables_derived_facts_is_shared_if_every_row_stays(
    join: str, shared: bool
) -> None:
    # a left join on `_row` keeps each episode once; an inner join drops those without facts
    schema = SCHEMA | {"EpisodesDerived": {"_row": "int64", "PL_LA": "string"}}
    joined = (f' {join} JOIN "EpisodesDerived" AS "d" ON "t0"."_row" = "d"."_row"'
              ' WHERE NOT "t0"."DECOM" IS NULL')  # fmt: skip
    query = NUMBERED.replace('"t0"."_row" AS "_row", ', '"t0"."_row" AS "_row", "d"."PL_LA", ')
    windows: dict[str, dict[str, str]] = {}
    sql = compact(query.format(where=joined), schema, windows=windows)
    assert ('"Episodes__w"' in sql) is shared and bool(windows) is shared


@pytest.mark.parametrize(
    ("window", "where"),
    [
        # any other filter changes which rows come before a row
        ('ROW_NUMBER() OVER (PARTITION BY "t0"."CHILD" ORDER BY "t0"."DECOM")',
         ' WHERE "t0"."DECOM" > DATE \'2020-01-01\''),
        # the next row may be one the filter drops
        ('LEAD("t0"."_row") OVER (PARTITION BY "t0"."CHILD" ORDER BY "t0"."DECOM")',
         ' WHERE NOT "t0"."DECOM" IS NULL'),
        # blanks first: the dropped rows come before the kept ones
        ('ROW_NUMBER() OVER (PARTITION BY "t0"."CHILD" ORDER BY "t0"."DECOM" NULLS FIRST)',
         ' WHERE NOT "t0"."DECOM" IS NULL'),
        # the filtered column does not lead the order
        ('ROW_NUMBER() OVER (PARTITION BY "t0"."CHILD" ORDER BY "t0"."_row", "t0"."DECOM")',
         ' WHERE NOT "t0"."DECOM" IS NULL'),
        # a total over the whole partition counts the dropped rows too
        ('COUNT("t0"."_row") OVER (PARTITION BY "t0"."CHILD" ORDER BY "t0"."DECOM" '
         "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
         ' WHERE NOT "t0"."DECOM" IS NULL'),
    ],
)  # fmt: skip
def test_a_window_the_filter_changes_is_left_in_the_rule(window: str, where: str) -> None:
    query = NUMBERED.replace(
        'ROW_NUMBER() OVER (PARTITION BY "t0"."CHILD" ORDER BY "t0"."DECOM")', window
    )
    windows: dict[str, dict[str, str]] = {}
    sql = compact(query.format(where=where), SCHEMA, windows=windows)
    assert windows == {} and "OVER" in sql and '"Episodes__w"' not in sql
    assert sqlglot.parse_one(sql, read="duckdb") is not None


def test_shared_and_unshared_windows_number_filtered_rows_alike() -> None:
    """Run both forms on DuckDB: blank start dates and blank children among the episodes."""
    import duckdb

    con = duckdb.connect()
    con.execute('CREATE TABLE "Episodes" (CHILD VARCHAR, DECOM DATE, _row BIGINT)')
    rows = [
        ("1", "2020-01-05", 0),
        ("1", None, 1),
        ("1", "2020-01-01", 2),
        ("1", "2020-01-09", 3),
        (None, "2020-01-01", 4),
        ("2", None, 5),
        ("2", "2020-02-01", 6),
        (None, None, 7),
    ]
    con.executemany('INSERT INTO "Episodes" VALUES (?, ?, ?)', rows)
    where = ' WHERE NOT "t0"."DECOM" IS NULL'
    plain = NUMBERED.format(where=where)
    windows: dict[str, dict[str, str]] = {}
    shared = compact(plain, SCHEMA, windows=windows)
    [(name, window)] = windows["Episodes"].items()
    con.execute(f'CREATE TABLE "Episodes__w" AS SELECT *, {window} AS "{name}" FROM "Episodes"')
    expected = sorted(con.execute(plain).fetchall())
    assert expected == [(0, "x")]  # child 1's second start (5 January), numbered from 1
    assert sorted(con.execute(shared).fetchall()) == expected


def _issues(report: Report) -> list[tuple[object, ...]]:
    return [(i.rule, i.table, i.row, i.message) for i in report.issues]


def test_rules_give_the_same_issues_with_and_without_shared_windows(
    faulty_inputs: tuple[Return, Return, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ret, previous, providers = faulty_inputs
    shared = compiled_rules(2026)
    sharing = [k for k, parts in shared.items() if any("__w" in p["sql"] for p in parts)]
    assert len(sharing) >= 20  # about a third of the windowed rules share
    found = validate(ret, previous, providers, codes=None)
    unshared, _ = compile_year_shared(2026, share=False)
    monkeypatch.setattr(engine, "compiled_rules", lambda year: unshared)
    expected = validate(ret, previous, providers, codes=None)
    assert found.rules_skipped == expected.rules_skipped
    assert set(_issues(found)) == set(_issues(expected))
    assert {i.rule for i in expected.issues} & {k.split("@")[0] for k in sharing}


def test_windows_arrow_cannot_compute_are_built_by_duckdb_with_the_same_issues(
    faulty_inputs: tuple[Return, Return, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ret, previous, providers = faulty_inputs
    expected = validate(ret, previous, providers, codes=None)
    built: list[str] = []
    monkeypatch.setattr(engine, "compiled_window_specs", lambda year: {})  # as if none could
    execute = engine._execute

    def recorded(con: object, sql: str) -> None:
        built.append(sql)
        execute(con, sql)

    monkeypatch.setattr(engine, "_execute", recorded)
    found = validate(ret, previous, providers, codes=None)
    assert any(sql.startswith('CREATE TABLE "Episodes__w"') for sql in built)
    assert _issues(found) == _issues(expected)

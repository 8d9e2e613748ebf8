"""Window functions over a whole table are computed once and give the rules the same results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from carestat.readers import read_return
from carestat.rules import engine
from carestat.rules.compile import (
    _qualified,
    compact,
    compile_year_shared,
    compiled_rules,
    share_windows,
)
from carestat.rules.engine import validate

SCHEMA = {"Episodes": {"CHILD": "string", "DECOM": "date", "_row": "int64"}}
NUMBERED = (
    'SELECT "t1"."_row" AS "_row", \'x\' AS "message" FROM (SELECT "t0"."_row" AS "_row", '
    'ROW_NUMBER() OVER (PARTITION BY "t0"."CHILD" ORDER BY "t0"."_row") AS "n" '
    'FROM {source} AS "t0") AS "t1" WHERE "t1"."n" = 2'
)
WHOLE = '"Episodes"'
FILTERED = '(SELECT "e"."CHILD" AS "CHILD", "e"."DECOM" AS "DECOM", "e"."_row" AS "_row" FROM "Episodes" AS "e" WHERE NOT "e"."DECOM" IS NULL)'
ROWS = [("A", "2024-05-01", 0), ("A", None, 1), ("A", "2024-06-01", 2), ("B", "2024-01-01", 3),
        ("A", "2024-04-01", 4), ("B", None, 5), ("B", "2024-02-01", 6)]  # fmt: skip


def _run(sql: str, windows: dict[str, dict[str, Any]]) -> list[int]:
    """The rows a query flags on ROWS, its shared window tables built first."""
    import duckdb

    con = duckdb.connect()
    con.execute('CREATE TABLE "Episodes" ("CHILD" TEXT, "DECOM" DATE, "_row" BIGINT)')
    con.executemany('INSERT INTO "Episodes" VALUES (?, ?, ?)', ROWS)
    columns = {"Episodes": ["CHILD", "DECOM", "_row"]}
    for name, spec in windows.items():
        con.execute(engine._windowed_table(name, [("r", "Episodes", sql)], columns, spec))
    return sorted(row for (row, _) in con.execute(sql).fetchall())


def test_a_window_over_a_whole_table_reads_a_shared_column() -> None:
    windows: dict[str, dict[str, Any]] = {}
    sql = compact(NUMBERED.format(source=WHOLE), SCHEMA, windows=windows)
    assert '"Episodes__w"' in sql and "OVER" not in sql
    [(name, window)] = windows["Episodes__w"]["columns"].items()
    assert f'"{name}"' in sql and window.startswith('ROW_NUMBER() OVER (PARTITION BY "CHILD"')
    assert _run(sql, windows) == _run(NUMBERED.format(source=WHOLE), {}) == [1, 5]
    # the same window in another rule is the same shared column
    again: dict[str, dict[str, Any]] = {}
    compact(NUMBERED.format(source=WHOLE), SCHEMA, windows=again)
    assert again == windows


def test_a_window_over_filtered_rows_is_shared_only_when_others_filter_alike() -> None:
    alone: dict[str, dict[str, Any]] = {}
    sql = compact(NUMBERED.format(source=FILTERED), SCHEMA, windows=alone)
    assert alone == {} and "OVER" in sql
    shared: dict[str, dict[str, Any]] = {}
    tree = share_windows(_qualified(NUMBERED.format(source=FILTERED), SCHEMA, "duckdb"), shared,
                         {("Episodes", 'NOT "DECOM" IS NULL')}, "duckdb")  # fmt: skip
    rewritten = tree.sql(dialect="duckdb")
    [(name, spec)] = shared.items()
    assert spec["where"] == 'NOT "DECOM" IS NULL' and f'"{name}"' in rewritten
    assert "OVER" not in rewritten and "WHERE NOT" not in rewritten
    # second of each child's dated episodes (undated rows 1 and 5 are left out first)
    assert _run(rewritten, shared) == _run(NUMBERED.format(source=FILTERED), {}) == [2, 6]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic council's 2025 and 2026 returns with planted faults in 8% of records."""
    from carestat.synth import generate, write

    root = tmp_path_factory.mktemp("faulty")
    write(generate(las=["E08000035"], years=(2025, 2026), seed=5, children=60), root, errors=0.08)
    return root / "E08000035"


def test_rules_give_the_same_issues_with_and_without_shared_windows(
    faulty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ret = read_return([faulty / "2026"], year=2026, la="E08000035")
    previous = read_return([faulty / "2025"], year=2025, la="E08000035")
    providers = [faulty.parent / "providers.xlsx"]
    shared = compiled_rules(2026)
    sharing = [k for k, parts in shared.items() if any("__w" in p["sql"] for p in parts)]
    assert len(sharing) >= 20  # about a third of the windowed rules share
    found = validate(ret, previous, providers, codes=None)
    unshared, _ = compile_year_shared(2026, share=False)
    monkeypatch.setattr(engine, "compiled_rules", lambda year: unshared)
    expected = validate(ret, previous, providers, codes=None)

    def issues(report: object) -> set[tuple[object, ...]]:
        return {(i.rule, i.table, i.row, i.message) for i in report.issues}  # type: ignore[attr-defined]

    assert found.rules_skipped == expected.rules_skipped
    assert issues(found) == issues(expected)
    assert {i.rule for i in expected.issues} & {k.split("@")[0] for k in sharing}

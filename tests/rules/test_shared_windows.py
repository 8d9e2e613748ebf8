"""Window functions over a whole table are computed once and give the rules the same results."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from carestat.readers import read_return
from carestat.rules import engine
from carestat.rules.compile import compact, compile_year_shared, compiled_rules
from carestat.rules.engine import validate

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


def test_a_window_over_filtered_rows_is_left_in_the_rule() -> None:
    windows: dict[str, dict[str, str]] = {}
    where = ' WHERE NOT "t0"."DECOM" IS NULL'
    sql = compact(NUMBERED.format(where=where), SCHEMA, windows=windows)
    assert windows == {} and "OVER" in sql and '"Episodes__w"' not in sql
    assert sqlglot.parse_one(sql, read="duckdb") is not None


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

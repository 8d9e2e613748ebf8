"""The engine: never crashes on odd input, skips what it cannot run, flags each table's rows."""

from __future__ import annotations

import pytest

from carestat.model import Return
from carestat.rules.engine import validate
from carestat.rules.examples import example_return
from carestat.rules.registry import rules_for
from carestat.spec import SUPPORTED_YEARS, load_spec

JUNK = [
    "",
    "  ",
    "X",
    "31/02/2020",
    "2020-13-45",
    "99999",
    "NULL",
    "ÄÖ",
    "1.5",
    "'; DROP TABLE x; --",
]


def _junk_return(year: int) -> Return:
    """Every table holds rows of junk in every column (and one plausible child)."""
    spec = load_spec(year)
    tables = {}
    for name, table in spec.tables.items():
        rows = [
            {c: JUNK[(i + j) % len(JUNK)] for j, c in enumerate(table.column_names)}
            for i in range(10)
        ]
        rows.append({c: "1" for c in table.column_names})
        tables[name] = rows
    return example_return(year, tables)


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_every_rule_runs_on_junk(year: int) -> None:
    ret = _junk_return(year)
    report = validate(ret, previous=_junk_return(year - 1))
    crashed = [s for s in report.rules_skipped if s.reason.startswith("could not run")]
    assert not crashed
    assert report.rules_run == len(rules_for(year)) - sum(
        "providers" in r.needs for r in rules_for(year)
    )


def test_rules_needing_last_year_are_skipped_without_it() -> None:
    report = validate(example_return(2025, {"Header": [{"CHILD": "1"}]}))
    skipped = {s.rule: s.reason for s in report.rules_skipped}
    assert "202" in skipped and "previous" in skipped["202"]
    assert "202" not in report.rows_examined and report.rows_examined["101"] == 1


def test_a_rule_spanning_tables_flags_each_table() -> None:
    ret = example_return(
        2025,
        {"AD1": [{"CHILD": "1", "DATE_MATCH": "02/01/2022"}],
         "Episodes": [{"CHILD": "1", "DECOM": "01/01/2022", "REC": "E11"}]},
    )  # fmt: skip
    report = validate(ret, codes=["331"])
    assert [(i.rule, i.table, i.row) for i in report.issues] == [
        ("331", "AD1", 0),
        ("331", "Episodes", 0),
    ]
    assert all(i.child == "1" for i in report.issues)


def test_only_requested_codes_run() -> None:
    report = validate(
        example_return(2025, {"Header": [{"CHILD": "1", "SEX": "Q"}]}), codes=["101", "103"]
    )
    assert report.rules_run == 2
    assert report.flatten() == [("101", "Header", 0), ("103", "Header", 0)]


def _issues_of(ret: Return, previous: Return | None) -> list[tuple[object, ...]]:
    return [(i.rule, i.table, i.row, i.message) for i in validate(ret, previous=previous).issues]


def test_council_and_national_ways_of_running_give_the_same_issues(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from carestat.rules import engine

    ret, previous = _junk_return(2026), _junk_return(2025)
    council = _issues_of(ret, previous)
    monkeypatch.setattr(engine, "NATIONAL_ROWS", 0)  # 5 rules a query
    assert _issues_of(ret, previous) == council and council
    monkeypatch.setattr(engine, "NATIONAL_ROWS", 10**9)
    monkeypatch.setattr(engine, "WORKERS", 1)
    assert _issues_of(ret, previous) == council


def test_each_validation_cleans_up_its_schema() -> None:
    from carestat.rules.engine import _database

    validate(example_return(2025, {"Header": [{"CHILD": "1", "SEX": "Q"}]}), codes=["101"])
    schemas = _database().execute("SELECT schema_name FROM information_schema.schemata").fetchall()
    assert not [s for (s,) in schemas if s.startswith("validation_")]


def test_compacted_sql_reads_fewer_columns_and_finds_the_same_rows() -> None:
    import duckdb

    from carestat.rules.compile import compact

    sql = (
        'SELECT "t1"."_row" FROM (SELECT "t0"."_row", "t0"."CHILD", "t0"."DECOM", '
        'LAG("t0"."DECOM") OVER (PARTITION BY "t0"."CHILD" ORDER BY "t0"."DECOM") AS "prev" '
        'FROM "Episodes" AS "t0") AS "t1" WHERE "t1"."prev" = "t1"."DECOM"'
    )
    schema: dict[str, object] = {"Episodes": {"_row": "int64", "CHILD": "string", "DECOM": "date"}}
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE Episodes AS SELECT * FROM (VALUES (0, 'A', DATE '2025-01-01'), "
        "(1, 'A', DATE '2025-01-01'), (2, 'B', DATE '2025-01-01')) AS t(_row, CHILD, DECOM)"
    )
    compacted = compact(sql, schema)
    # CHILD is still partitioned by, but no longer carried out of the subquery
    assert 'PARTITION BY "t0"."CHILD"' in compacted and 'FROM "Episodes"' in compacted
    assert '"t0"."CHILD" AS' not in compacted and '"t0"."CHILD",' in sql
    assert con.execute(compacted).fetchall() == con.execute(sql).fetchall() == [(1,)]
    assert compact("SELECT FROM WHERE (", schema) == "SELECT FROM WHERE ("  # kept as it was


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_the_engine_reads_the_rules_as_the_registry_declares_them(year: int) -> None:
    from carestat.rules import engine
    from carestat.rules.registry import severity

    def facts(rule: object) -> tuple[object, ...]:
        r = rule  # the fields a validation reads of a rule
        return (r.key, r.tables, r.fields, r.message, r.years, r.needs)  # type: ignore[attr-defined]

    compiled = engine.rules_for(year)
    assert [facts(r) for r in compiled] == [facts(r) for r in rules_for(year)]
    assert {r.code: engine._severity(year, r.code) for r in compiled} == {
        r.code: severity(r.code) for r in rules_for(year)
    }
    assert [r.code for r in engine.rules_for(year, [" 103 ", "ep"])] == [
        r.code for r in rules_for(year, ["103", "EP"])
    ]


def test_rules_run_without_messages_first_and_keep_their_rows_if_messages_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from carestat.rules import engine

    ret = example_return(2025, {"Header": [{"CHILD": "1", "SEX": "Q"}, {"CHILD": "2", "SEX": "F"}]})
    declared = engine.rules_for(2025, ["101"])[0]
    found = engine.validate(ret, codes=["101"]).issues
    # The full query ran again for the rule that flagged a row: the message shows the value.
    assert [(i.row, "Q" in i.message) for i in found] == [(0, True)]
    rows = (
        'SELECT "_row", CAST(NULL AS TEXT) AS "message" FROM "Header" AS "t0" WHERE "SEX" = \'Q\''
    )
    broken = {declared.key: [{"table": "Header", "rows": rows, "sql": "SELECT nonsense"}]}
    monkeypatch.setattr(engine, "compiled_rules", lambda year: broken)
    report = engine.validate(ret, codes=["101"])
    assert not report.rules_skipped
    assert [(i.row, i.message) for i in report.issues] == [(0, declared.message)]


def test_batches_run_heaviest_first_by_their_queries_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from carestat.rules import engine

    ran: list[str] = []
    monkeypatch.setattr(
        engine, "_run_batch", lambda con, batch: ran.append(batch[0][0]) or (engine.EMPTY, [])
    )
    items = [
        ("light", "Header", "(SELECT 1)"),
        ("macro", "Header", '"m"."q1"()'),
        ("text", "Header", "(SELECT 22)"),
    ]
    engine._run_all([object()], items, 1, {'"m"."q1"()': 500})
    assert ran == ["macro", "text", "light"]  # a macro call weighs what its query's text does

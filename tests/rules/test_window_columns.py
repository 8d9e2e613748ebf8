"""Shared window columns computed in Arrow equal DuckDB's windows, blanks and ties included."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carestat.model import Return
from carestat.rules.compile import compiled_window_specs, compiled_windows
from carestat.rules.sharing import window_spec
from carestat.rules.window_columns import window_table
from carestat.spec import SUPPORTED_YEARS

BY_START = 'PARTITION BY "CHILD" ORDER BY "DECOM" ASC, "_row" ASC'
D = dt.date


def _episodes() -> pa.Table:
    """Two children's episodes in no order, a blank start, and a blank child."""
    return pa.table({
        "CHILD": ["1", "2", "1", None, "1", "2", None],
        "DECOM": [D(2020, 3, 1), D(2021, 1, 1), D(2020, 1, 1), D(2020, 5, 5), None,
                  D(2020, 6, 1), D(2020, 2, 2)],
        "DEC": [D(2020, 4, 1), None, D(2020, 3, 1), None, None, D(2021, 1, 1), D(2020, 3, 3)],
        "_row": pa.array([0, 1, 2, 3, 4, 5, 6], pa.int64()),
    })  # fmt: skip


def _duckdb(table: pa.Table, windows: dict[str, str]) -> pa.Table:
    con = duckdb.connect()
    con.register("t", table)
    columns = ", ".join(f'{sql} AS "{name}"' for name, sql in windows.items())
    return con.sql(f'SELECT "_row", {columns} FROM t ORDER BY "_row"').to_arrow_table()


def _arrow(table: pa.Table, windows: dict[str, str]) -> pa.Table:
    specs = {name: window_spec(sql) for name, sql in windows.items()}
    assert all(specs.values()), specs
    return window_table(table, ["_row"], specs).sort_by("_row")  # type: ignore[arg-type]


HAND_CHECKED = {
    # child 1 by start: row 2 (1 Jan), row 0 (1 Mar), row 4 (blank start, last); a blank
    # child is a partition of its own: row 6, then row 3
    "n": (f"ROW_NUMBER() OVER ({BY_START})", [2, 2, 1, 2, 3, 1, 1]),
    "before": (f'LAG("_row") OVER ({BY_START})', [2, 5, None, 6, 0, None, None]),
    "two_before": (f'LAG("_row", 2) OVER ({BY_START})', [None, None, None, None, 2, None, None]),
    "next_end": (f'LEAD("DEC") OVER ({BY_START})',
                 [None, None, D(2020, 4, 1), None, None, None, None]),
    # newest first: blank starts still last (ties on a date: see the property test below)
    "newest": ('ROW_NUMBER() OVER (PARTITION BY "CHILD" ORDER BY "DECOM" DESC, "_row" DESC)',
               [1, 1, 2, 1, 3, 2, 2]),
    # a blank start counts as 1 January 1901 here, so it comes first
    "blank_first": ('ROW_NUMBER() OVER (PARTITION BY "CHILD" ORDER BY '
                    'COALESCE("DECOM", MAKE_DATE(1901, 1, 1)) ASC, "_row" ASC)',
                    [3, 2, 2, 2, 1, 1, 1]),
    "ends": ('COUNT("DEC") OVER (PARTITION BY "CHILD" ROWS BETWEEN UNBOUNDED PRECEDING '
             "AND UNBOUNDED FOLLOWING)", [2, 1, 2, 1, 2, 1, 1]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(HAND_CHECKED))
def test_each_kind_of_window_gives_the_hand_checked_values(name: str) -> None:
    sql, expected = HAND_CHECKED[name]
    found = _arrow(_episodes(), {name: sql})
    assert found[name].to_pylist() == expected
    assert found[name].to_pylist() == _duckdb(_episodes(), {name: sql})[name].to_pylist()


def test_windows_keep_the_type_duckdb_gives_them() -> None:
    windows = {name: sql for name, (sql, _) in HAND_CHECKED.items()}
    assert _arrow(_episodes(), windows).schema == _duckdb(_episodes(), windows).schema


def test_an_empty_table_has_empty_window_columns() -> None:
    windows = {name: sql for name, (sql, _) in HAND_CHECKED.items()}
    empty = _episodes().slice(0, 0)
    assert _arrow(empty, windows).num_rows == 0


@pytest.mark.parametrize(
    "sql",
    [
        f'LAG("_row", 1, 0) OVER ({BY_START})',  # a default for rows with none before
        'ROW_NUMBER() OVER (PARTITION BY "CHILD" ORDER BY "DECOM")',  # rows may tie
        'ROW_NUMBER() OVER (PARTITION BY "CHILD" ORDER BY "DECOM" NULLS FIRST, "_row")',
        f'COUNT("_row") OVER ({BY_START})',  # a running count
        f'SUM("_row") OVER ({BY_START})',
        'ROW_NUMBER() OVER (PARTITION BY "CHILD" ORDER BY "DECOM" + 1, "_row")',
    ],
)
def test_windows_arrow_cannot_compute_are_left_to_duckdb(sql: str) -> None:
    assert window_spec(sql) is None


ORDERS = [
    'ORDER BY "DECOM" ASC, "_row" ASC',
    'ORDER BY "DECOM" DESC, "_row" ASC',
    'ORDER BY "DECOM" DESC, "_row" DESC',
    'ORDER BY COALESCE("DEC", "DECOM") ASC, "DECOM" ASC, "_row" ASC',
    'ORDER BY COALESCE("DECOM", MAKE_DATE(1901, 1, 1)) ASC, "_row" ASC',
    'ORDER BY "_row" ASC',
]
FUNCTIONS = ["ROW_NUMBER()", 'LAG("_row")', 'LAG("DEC", 2)', 'LEAD("DECOM")', 'LEAD("CHILD", 3)']


@st.composite
def _tables(draw: Any) -> pa.Table:
    """Small tables of few children and few dates, so that blanks and ties are common."""
    size = draw(st.integers(0, 30))
    child = st.sampled_from(["1", "2", "3", None])
    day = st.one_of(st.none(), st.integers(0, 5).map(lambda n: D(2020, 1, 1) + dt.timedelta(n)))
    rows = draw(st.permutations(list(range(size))))
    return pa.table({
        "CHILD": pa.array(draw(st.lists(child, min_size=size, max_size=size)), pa.string()),
        "DECOM": pa.array(draw(st.lists(day, min_size=size, max_size=size)), pa.date32()),
        "DEC": pa.array(draw(st.lists(day, min_size=size, max_size=size)), pa.date32()),
        "_row": pa.array(rows, pa.int64()),
    })  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=_tables(), partition=st.sampled_from(['"CHILD"', '"CHILD", "DECOM"']))
def test_any_table_gets_the_windows_duckdb_computes(table: pa.Table, partition: str) -> None:
    windows = {
        f"w{i}_{j}": f"{function} OVER (PARTITION BY {partition} {order})"
        for i, function in enumerate(FUNCTIONS)
        for j, order in enumerate(ORDERS)
    }
    windows["count"] = f'COUNT("DEC") OVER (PARTITION BY {partition})'
    assert _arrow(table, windows).to_pylist() == _duckdb(table, windows).to_pylist()


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_every_shared_window_of_the_rules_is_computed_as_duckdb_computes_it(
    year: int, faulty_inputs: tuple[Return, Return, Any]
) -> None:
    ret, previous, _ = faulty_inputs
    tables = ret.tables | {name + "_last": t for name, t in previous.tables.items()}
    specs, windows = compiled_window_specs(year), compiled_windows(year)
    # Arrow computes every window the rules share now
    assert {t: set(c) for t, c in specs.items()} == {t: set(c) for t, c in windows.items()}
    for table, columns in windows.items():
        if table not in tables:
            continue
        found = window_table(tables[table], ["_row"], specs[table]).sort_by("_row")
        assert found.to_pylist() == _duckdb(tables[table], columns).to_pylist(), table

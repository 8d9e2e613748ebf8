"""Rule queries kept parsed as DuckDB table macros: complete, current, and the same issues."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from carestat.model import Return
from carestat.rules import engine, macros
from carestat.rules.compile import COMPILED_DIR, rules_hash
from carestat.spec import SUPPORTED_YEARS


def _macro_names(path: Path) -> set[str]:
    con = duckdb.connect()
    con.execute(f"ATTACH '{path}' AS m (READ_ONLY)")
    found = con.execute(
        "SELECT function_name FROM duckdb_functions() WHERE database_name = 'm'"
    ).fetchall()
    return {name for (name,) in found}


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_the_package_holds_each_years_macros_for_the_current_rules(year: int) -> None:
    written = list(COMPILED_DIR.glob(f"duckdb-{year}-{rules_hash()}-v{macros.FORMAT}-*.duckdb"))
    assert written, "run `make rules`: the rules changed since the macro files were written"


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_a_macro_file_holds_a_macro_for_every_query_run_first(year: int, tmp_path: Path) -> None:
    path = macros._find(year, duckdb.__version__) or macros.build(year, tmp_path)
    assert _macro_names(path) == {macros.macro_name(t) for t in macros.compiled_texts(year)}


def _issues(ret: Return, previous: Return, providers: list[Path]) -> list[tuple[Any, ...]]:
    report = engine.validate(ret, previous=previous, providers=providers)
    return [(i.rule, i.table, i.row, i.message) for i in report.issues]


def test_the_macros_find_what_the_queries_text_finds(
    faulty_inputs: tuple[Return, Return, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    called: list[str] = []
    call = macros.call
    monkeypatch.setattr(macros, "call", lambda c, sql: called.append(sql) or call(c, sql))
    with_macros = _issues(*faulty_inputs)
    assert len(set(called)) == len(macros.compiled_texts(2026))  # every query ran as its macro
    monkeypatch.setattr(engine, "_as_macros_read", lambda opened, year: False)
    called.clear()
    as_text = _issues(*faulty_inputs)
    assert not called
    assert with_macros == as_text
    assert len({rule for rule, *_ in as_text}) > 20  # the planted faults fire many rules


@pytest.fixture
def no_macro_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty package folder and cache (returned), and no year attached yet."""
    monkeypatch.setattr(macros, "COMPILED_DIR", tmp_path / "package")
    monkeypatch.setenv("CARESTAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(macros, "_ATTACHED", {})
    return tmp_path / "cache"


def test_a_missing_macro_file_is_built_into_the_cache(no_macro_files: Path) -> None:
    con = duckdb.connect()
    catalog = macros.attached(con, 2024)
    assert catalog == "carestat_rules_2024"
    assert (no_macro_files / macros.file_name(2024, duckdb.__version__)).is_file()
    assert con.execute(f"SELECT count(*) FROM duckdb_functions() WHERE database_name = '{catalog}'"
                       ).fetchone() == (len(macros.compiled_texts(2024)),)  # fmt: skip


def test_a_macro_file_that_cannot_be_read_leaves_the_queries_as_text(no_macro_files: Path) -> None:
    broken = no_macro_files / macros.file_name(2025, duckdb.__version__)
    broken.parent.mkdir()
    broken.write_bytes(b"not a DuckDB file" * 300)
    assert macros.attached(duckdb.connect(), 2025) is None


def test_the_database_can_be_opened_with_a_years_macros_before_the_return_is_read() -> None:
    engine.open_database(2027)
    catalogs = engine._database().execute("SELECT database_name FROM duckdb_databases()").fetchall()
    assert ("carestat_rules_2027",) in catalogs

"""Store URLs: the forms DESIGN.md §5 allows, the default, and clear errors for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from carestat.store import StoreError, open_store, parse_store_url
from carestat.store.url import resolve_url


@pytest.mark.parametrize(
    ("url", "kind", "target"),
    [
        ("duckdb:///{tmp}/a.duckdb", "duckdb", "{tmp}/a.duckdb"),
        ("duckdb://rel.duckdb", "duckdb", "{cwd}/rel.duckdb"),
        ("{tmp}/bare.duckdb", "duckdb", "{tmp}/bare.duckdb"),
        ("bare.duckdb", "duckdb", "{cwd}/bare.duckdb"),
        ("postgresql://u:p@h:5432/db", "postgres", "postgresql://u:p@h:5432/db"),
        ("postgres://u@h/db", "postgres", "postgresql://u@h/db"),
    ],
)
def test_url_forms(
    url: str, kind: str, target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    tmp = str(tmp_path).lstrip("/")
    location = parse_store_url(url.format(tmp=tmp if url.startswith("duckdb") else tmp_path))
    assert location.kind == kind
    assert location.target == target.format(tmp=tmp_path, cwd=tmp_path)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "not understood"),
        ("store.db", "not understood"),
        ("sqlite:///x.duckdb", "not understood"),
        ("duckdb:///no/such/folder/x.duckdb", "does not exist"),
        ("duckdb://", "name a DuckDB file"),
    ],
)
def test_bad_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        parse_store_url(url)


def test_passwords_never_appear_in_messages() -> None:
    with pytest.raises(StoreError) as raised:
        parse_store_url("mysql://user:secret@host/db")
    assert "secret" not in str(raised.value)
    assert "user:***@host" in str(raised.value)


def test_default_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARESTAT_DB", raising=False)
    assert resolve_url(None) == "carestat.duckdb"
    monkeypatch.setenv("CARESTAT_DB", "postgresql://h/db")
    assert resolve_url(None) == "postgresql://h/db"
    assert resolve_url("x.duckdb") == "x.duckdb"


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match=r"cannot open the store postgresql://u:\*\*\*@127.0.0.1"):
        open_store("postgresql://u:secret@127.0.0.1:1/db?connect_timeout=2")


def test_first_use_creates_the_file_and_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with open_store(str(path)) as store:
        # (Ibis 12's DuckDB list_tables() fails with duckdb 2.0, so ask the catalogue directly)
        rows = store.writer.execute("SELECT table_name FROM information_schema.tables")
        tables = {name for (name,) in rows}
    assert path.is_file()
    assert {"loads", "population", "header", "episodes", "dolo", "carestat_meta"} <= tables

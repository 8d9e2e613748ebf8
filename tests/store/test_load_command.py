"""`carestat load` end to end: trees of returns, population, summaries, failures and exit codes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carestat.cli.main import app
from carestat.store import open_store

runner = CliRunner()


@pytest.fixture
def tree(
    tmp_path: Path, make_return: Callable[..., Path], make_population: Callable[..., Path]
) -> Path:
    """ROOT/<GSS>/<YYYY>/ for two councils and two years, with population.csv at the root."""
    root = tmp_path / "root"
    for la in ("E08000035", "E09000001"):
        for year in (2025, 2026):
            make_return(root / la / str(year), children=2 + year % 2)
    make_population(root / "population.csv", "E08000035", 2026, 40)
    return root


def test_loading_a_tree_then_again(tree: Path, store_url: str) -> None:
    first = runner.invoke(app, ["load", str(tree), "--db", store_url])
    assert first.exit_code == 0, first.output
    assert "4 loaded, 0 already loaded, 0 superseded, 0 failed, 2 population rows" in first.output
    again = runner.invoke(app, ["load", str(tree), "--db", store_url])
    assert again.exit_code == 0, again.output
    assert "0 loaded, 4 already loaded, 0 superseded, 0 failed" in again.output
    with open_store(store_url) as store:
        current = store.current()
        assert current["Header"].count().execute() == 2 * (2 + 3)
        assert current["population"].count().execute() == 2
        assert len(store.loads()) == 4


def test_a_resubmission_is_reported_as_superseding(
    tree: Path, store_url: str, make_return: Callable[..., Path]
) -> None:
    runner.invoke(app, ["load", str(tree), "--db", store_url])
    make_return(tree / "E09000001" / "2026", children=4, variant="b")
    result = runner.invoke(app, ["load", str(tree), "--db", store_url])
    assert "0 loaded, 3 already loaded, 1 superseded, 0 failed" in result.output


def test_a_broken_return_fails_alone(tree: Path, tmp_path: Path) -> None:
    (tree / "E09000001" / "2025" / "episodes.csv").write_bytes(b"\x00\x01\x02binary")
    db = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["load", str(tree), "--db", str(db)])
    assert result.exit_code == 2
    assert "3 loaded, 0 already loaded, 0 superseded, 1 failed" in result.output
    assert "E09000001/2025" in result.output
    assert "Traceback" not in result.output
    with open_store(str(db)) as store:
        assert store.history("E09000001", 2025) == []
        assert len(store.history("E09000001", 2026)) == 1


def test_a_single_return_with_council_and_year(
    tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    folder = make_return(tmp_path / "export")
    db = tmp_path / "s.duckdb"
    args = ["load", str(folder), "--db", f"duckdb://{db}", "--la", "E06000001", "--year", "2026"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    with open_store(str(db)) as store:
        [record] = store.history("E06000001", 2026)
        assert len(record.files) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--la", "E08000035"], "apply to a single return"),
        (["--db", "mysql://h/db"], "not understood"),
        (["--db", "/no/such/folder/x.duckdb"], "does not exist"),
    ],
)
def test_unusable_arguments_exit_2(tree: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["load", str(tree), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_nothing_to_load_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = runner.invoke(
        app, ["load", str(tmp_path / "empty"), "--db", str(tmp_path / "s.duckdb")]
    )
    assert result.exit_code == 2
    assert "no returns found" in result.output


def test_the_store_comes_from_the_environment(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("CARESTAT_DB", str(db))
    result = runner.invoke(app, ["load", str(tree / "E08000035" / "2026")])
    assert result.exit_code == 0, result.output
    assert db.is_file()


def test_a_rerun_does_not_read_unchanged_returns(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["load", str(tree), "--db", db]).exit_code == 0

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged return was read again")

    monkeypatch.setattr("carestat.cli.load_command.read_return", no_reading)
    result = runner.invoke(app, ["load", str(tree), "--db", db])
    assert result.exit_code == 0, result.output
    assert "0 loaded, 4 already loaded" in result.output


def test_a_pooled_store_from_the_command_line(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "pooled.duckdb")
    monkeypatch.delenv("CARESTAT_PSEUDONYM_KEY", raising=False)
    refused = runner.invoke(app, ["load", str(tree), "--db", db, "--policy", "pooled"])
    assert refused.exit_code == 2 and "CARESTAT_PSEUDONYM_KEY" in refused.output
    monkeypatch.setenv("CARESTAT_PSEUDONYM_KEY", "a-test-key-of-enough-length")
    loaded = runner.invoke(app, ["load", str(tree), "--db", db, "--policy", "pooled"])
    assert loaded.exit_code == 0, loaded.output
    with open_store(db) as store:
        assert store.policy == "pooled"
        header = store.current()["Header"].to_pyarrow()
    assert "1000" not in header["CHILD"].to_pylist()  # identifiers hashed
    assert {d.day for d in header["DOB"].to_pylist()} == {1}  # DOB to the first of the month
    assert None not in header["age_years_31_march"].to_pylist()
    contradicted = runner.invoke(app, ["load", str(tree), "--db", db, "--policy", "local"])
    assert contradicted.exit_code == 2 and "'pooled' privacy policy" in contradicted.output
    assert "Traceback" not in contradicted.output

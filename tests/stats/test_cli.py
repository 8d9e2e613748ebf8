"""`carestat population load` and `carestat stats` end to end on a hand-made DuckDB store."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from carestat.cli.main import app
from carestat.model import InputError
from carestat.stats.population import read_population

runner = CliRunner()


def test_population_layouts(tmp_path: Path):
    ons = tmp_path / "mye.csv"
    ons.write_text("ladcode21,laname21,sex,age,population_2024,population_2025\n"
                   "E08000035,Leeds,1,0,4000,4100\nE08000035,Leeds,2,90+,10,11\n")  # fmt: skip
    table, layout = read_population(ons)
    assert layout == "ONS mid-year estimates"
    rows = table.to_pylist()
    assert rows[0] == dict(la="E08000035", year=2025, age=0, sex="M", ethnic="ALL", population=4000)
    assert {(r["year"], r["age"], r["sex"], r["population"]) for r in rows[1:]} == {
        (2025, 90, "F", 10), (2026, 0, "M", 4100), (2026, 90, "F", 11)}  # fmt: skip
    census = tmp_path / "census.csv"
    census.write_text(
        "Lower tier local authorities Code,Lower tier local authorities,Ethnic group (20 categories) Code,"
        "Ethnic group (20 categories),Age (101 categories) Code,Age (101 categories),Observation\n"
        "E08000035,Leeds,13,White: English, Welsh, Scottish, Northern Irish or British,0,Aged under 1 year,5000\n"
        .replace("White: English, Welsh, Scottish, Northern Irish or British", '"White: English, Welsh, Scottish, Northern Irish or British"')
        + "E08000035,Leeds,1,Asian, Asian British or Asian Welsh: Bangladeshi,5,Aged 5 years,70\n"
        .replace("Asian, Asian British or Asian Welsh: Bangladeshi", '"Asian, Asian British or Asian Welsh: Bangladeshi"')
        + "E08000035,Leeds,-8,Does not apply,5,Aged 5 years,0\n"
    )  # fmt: skip
    table, layout = read_population(census)
    assert layout.startswith("Census")
    assert sorted((r["ethnic"], r["age"], r["population"]) for r in table.to_pylist()) == [
        ("ABAN", 5, 70), ("WBRI", 0, 5000)]  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not a population file"):
        read_population(bad)


def test_stats_command_fails_cleanly_on_empty_store(tmp_path: Path):
    result = runner.invoke(app, ["stats", "--db", str(tmp_path / "empty.duckdb")])
    assert result.exit_code == 2
    assert "no returns" in result.output


def test_stats_command_json_and_bad_format(tmp_path: Path):
    result = runner.invoke(app, ["stats", "--db", str(tmp_path / "x.duckdb"), "--format", "pdf"])
    assert result.exit_code == 2 and "--format" in result.output
    out = runner.invoke(
        app,
        ["population", "load", str(tmp_path / "missing.csv"), "--db", str(tmp_path / "x.duckdb")],
    )
    assert out.exit_code == 2 and "missing.csv" in out.output

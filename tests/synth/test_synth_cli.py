"""`carestat synth`: the output layout, reproducibility, planted effects and clear errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from carestat.cli.main import app
from carestat.spec import load_spec
from carestat.synth import generate
from carestat.synth.population import ETHNIC_CODES
from carestat.synth.scenario import load_scenario

runner = CliRunner()


def _synth(out: Path, *extra: str) -> None:
    args = [
        "synth",
        str(out),
        "--las",
        "2",
        "--years",
        "2024-2025",
        "--seed",
        "5",
        "--children",
        "40",
    ]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output


def test_cli_writes_the_layout(tmp_path: Path) -> None:
    _synth(tmp_path)
    councils = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert len(councils) == 2
    for la in councils:
        for year in (2024, 2025):
            names = {p.name for p in (tmp_path / la / str(year)).iterdir()}
            assert names == {t.file for t in load_spec(year).tables.values()}
    population = pd.read_csv(tmp_path / "population.csv")
    assert list(population.columns) == ["la", "year", "age", "sex", "ethnic", "population"]
    assert set(population["la"]) == set(councils) and set(population["year"]) == {2024, 2025}
    assert set(population["ethnic"]) == set(ETHNIC_CODES) and population["age"].max() == 17
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["seed"] == 5 and truth["faults"] == [] and truth["effects"] == []


def test_same_seed_same_files(tmp_path: Path) -> None:
    _synth(tmp_path / "a")
    _synth(tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    assert files
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--years", "2026-2020"], "--years"),
        (["--years", "twenty"], "--years"),
        (["--format", "json"], "--format"),
        (["--errors", "2"], "--errors"),
        (["--las", "0"], "--las"),
        (["--children", "0"], "--children"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["synth", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_scenario_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ethnicity:\n  - groups: [XXXX]\n    rate_ratio: 2\n")
    result = runner.invoke(app, ["synth", str(tmp_path / "out"), "--scenario", str(bad)])
    assert result.exit_code == 2
    assert "XXXX" in result.output and "bad.yaml" in result.output


def test_scenario_multipliers_are_exact_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "infant_growth:\n  - councils: all\n    percent_per_year: 10\n    from_year: 2024\n"
        "ethnicity:\n  - groups: [MWBC]\n    rate_ratio: 1.5\n"
        "outliers:\n  - councils: [E08000035]\n    rate_multiplier: 3\n"
    )
    scenario = load_scenario(path)
    m = scenario.multiplier("E08000035", 2026, 2024)
    mwbc = ETHNIC_CODES.index("MWBC")
    assert m[0, 0, 0] == pytest.approx(3 * 1.1**2)
    assert m[5, 1, mwbc] == pytest.approx(3 * 1.5)
    assert np.allclose(scenario.multiplier("E06000001", 2024, 2024)[3, :, 0], 1.0)
    effects = scenario.effects(["E08000035", "E06000001"], 2024)
    assert [e["kind"] for e in effects] == [
        "infant_entry_growth",
        "ethnicity_rate_ratio",
        "outlier_council",
    ]
    assert effects[2]["councils"] == ["E08000035"] and effects[2]["rate_multiplier"] == 3.0


def test_outlier_council_has_more_starts() -> None:
    from carestat.synth.scenario import Scenario

    plain = generate(las=["E06000001"], years=(2026,), seed=1)
    tripled = generate(las=["E06000001"], years=(2026,), seed=1,
                       scenario=Scenario(outliers=({"councils": ["E06000001"], "rate_multiplier": 3},)))  # fmt: skip
    count = lambda s: next(iter(s.returns())).tables["PrevPerm"].num_rows  # noqa: E731
    assert count(tripled) > 2 * count(plain)


def _cell_text(table: Any, field: str, row: int) -> str | None:
    raw = (
        table.column(field + "__raw")[row].as_py()
        if field + "__raw" in table.column_names
        else None
    )
    value = table.column(field)[row].as_py()
    if raw is not None:
        return str(raw)
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else value


def test_xml_format_writes_return_xml_with_carried_faults(tmp_path: Path) -> None:
    """--format xml: one return.xml per council-year; every recorded fault is in the file."""
    from carestat.readers import read_return

    _synth(tmp_path, "--format", "xml", "--errors", "0.05")
    files = sorted(tmp_path.glob("*/*/return.xml"))
    assert len(files) == 4 and not list(tmp_path.glob("*/*/*.csv"))
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["faults"] and "skipped_faults" in truth
    assert all(s["why"] for s in truth["skipped_faults"])
    returns = {f.parent: read_return([f]) for f in files}
    checked = 0
    for fault in truth["faults"]:
        ret = returns[tmp_path / fault["la"] / str(fault["year"])]
        if fault["field"] == "UASC":  # the child's XML flag, kept beside the Header
            assert ret.uasc_flags is not None
            assert ret.uasc_flags[fault["row"]].as_py() == fault["new"], fault
            continue
        if fault["field"] == "CHILD" or fault["new"] is None:
            continue  # duplicated rows and blanks: the round-trip test covers them
        table = ret.tables[fault["table"]]
        found = _cell_text(table, fault["field"], fault["row"])
        assert (found or "").upper() == fault["new"].strip().upper(), fault
        checked += 1
    assert checked > 0

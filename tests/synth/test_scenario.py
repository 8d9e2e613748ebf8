"""Scenario outliers: a council's entry rate multiplied in every year, or from `from_year` on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from carestat.cli.main import app
from carestat.model import InputError
from carestat.synth.scenario import Scenario, load_scenario

runner = CliRunner()
STEP = Scenario(outliers=({"councils": ["E06000001"], "rate_multiplier": 1.5, "from_year": 2023},))


@pytest.mark.parametrize(
    ("council", "year", "expected"),
    [
        ("E06000001", 2021, 1.0),  # before the step
        ("E06000001", 2022, 1.0),
        ("E06000001", 2023, 1.5),  # the step year itself
        ("E06000001", 2026, 1.5),
        ("E08000035", 2026, 1.0),  # another council
    ],
)
def test_outlier_from_year_is_a_step(council: str, year: int, expected: float) -> None:
    assert np.allclose(STEP.multiplier(council, year, 2019), expected)


def test_outlier_without_from_year_applies_in_every_year() -> None:
    always = Scenario(outliers=({"councils": ["E06000001"], "rate_multiplier": 2.5},))
    for year in (2019, 2022, 2026):
        assert np.allclose(always.multiplier("E06000001", year, 2019), 2.5)
    (effect,) = always.effects(["E06000001", "E08000035"], 2019)
    assert effect == {
        "kind": "outlier_council",
        "councils": ["E06000001"],
        "rate_multiplier": 2.5,
        "from_year": 2019,  # the first year: every year
    }


def test_step_outlier_is_recorded_in_truth_json(tmp_path: Path) -> None:
    scenario = tmp_path / "step.yaml"
    scenario.write_text(
        "outliers:\n  - councils: all\n    rate_multiplier: 1.5\n    from_year: 2025\n"
    )
    out = tmp_path / "out"
    args = ["synth", str(out), "--las", "1", "--years", "2024-2025", "--seed", "3",
            "--children", "20", "--scenario", str(scenario)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (effect,) = json.loads((out / "truth.json").read_text())["effects"]
    assert effect["kind"] == "outlier_council" and effect["from_year"] == 2025
    assert effect["rate_multiplier"] == 1.5 and len(effect["councils"]) == 1


def test_from_year_must_be_a_year(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("outliers:\n  - councils: all\n    rate_multiplier: 2\n    from_year: soon\n")
    with pytest.raises(InputError, match="from_year"):
        load_scenario(bad)

"""Small calibration study (the CI version of `make calibrate`): planted effects found, nulls quiet."""

from __future__ import annotations

import pandas as pd
import pytest

from carestat.evidence.calibration import run, summarise
from carestat.evidence.calibration_records import records_seed

SEEDS = range(20)


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """Twenty seeds at 30 councils x 8 years, drawn from the synthetic generator's model."""
    return pd.DataFrame(list(run(SEEDS)))


def test_planted_effects_have_the_right_sign_and_are_covered(rows: pd.DataFrame) -> None:
    # outlier: a council's rate x1.3-1.7 from the 5th of 8 years, by its step-change ratio
    for name in ("trend", "interaction", "ethnicity", "outlier"):
        assert rows[f"{name}_right_sign"].all(), name
        assert rows[f"{name}_covered"].sum() >= 17, name  # nominal 19 of 20; 17 allows MC error


def test_planted_outlier_council_stands_out(rows: pd.DataFrame) -> None:
    assert (rows["outlier_z"] > 0).all()
    assert rows["outlier_found_95"].sum() >= 8  # a 2.5x council among councils that vary 25-190


def test_null_runs_give_at_most_two_false_positives_in_twenty(rows: pd.DataFrame) -> None:
    for name in ("trend", "interaction", "ethnicity", "outlier"):
        assert rows[f"null_{name}_fp"].sum() <= 2, name


def test_summary_reports_rates_with_monte_carlo_error(rows: pd.DataFrame) -> None:
    summary = summarise(rows)
    assert summary["seeds"] == len(SEEDS)
    assert summary["trend_covered"] == pytest.approx(rows["trend_covered"].mean(), abs=1e-4)
    assert 0 <= summary["null_trend_fp_mc_se"] <= 0.12


def test_funnel_flags_null_councils_at_about_the_nominal_rates(rows: pd.DataFrame) -> None:
    # 20 seeds x 30 councils whose true rates differ (synth's model) and 30 with one rate
    assert 0.025 <= rows["null_funnel_flag_95"].mean() <= 0.08
    assert rows["null_funnel_flag_998"].mean() <= 0.01
    assert abs(rows["poisson_funnel_phi"].mean() - 1) < 0.15
    assert rows["poisson_funnel_adjusted"].sum() <= 4
    assert 0.02 <= rows["poisson_funnel_flag_95"].mean() <= 0.08


def test_records_path_agrees_with_the_count_path() -> None:
    # one seed through synth records, a DuckDB store and the evidence inputs
    row = records_seed(1, las=6)
    assert row["same_population"]  # the same councils and population cube as the count path
    assert 0.95 < row["starts_ratio"] < 1.10  # re-entries add a few starts to the entry model's
    assert 0.9 < row["infant_ratio"] < 1.1
    assert row["dispersion"] < 1.6  # Poisson about the model's expectation: about 1
    for name in ("trend", "interaction", "ethnicity"):
        assert row[f"{name}_agree"], name

"""Relative rate index: hand-computed example, complements, strata and planted ratios."""

import numpy as np
import pandas as pd
import pytest

from carestat.evidence.disparity import composition, dispersion_factor, relative_rate_index

Z95 = 1.959963985
HAND = pd.DataFrame(
    {
        "la": ["A"] * 3,
        "year": [2025] * 3,
        "ethnic": ["WBRI", "BAFR", "MWBC"],
        "count": [60, 30, 0],
        "population": [40_000, 10_000, 5_000],
    }
)


def test_rri_against_a_named_reference_by_hand():
    table = relative_rate_index(HAND, phi=1.0).table.set_index("group")
    assert table.loc["BAFR", "rate"] == pytest.approx(30.0)  # per 10,000
    assert table.loc["BAFR", "rri"] == pytest.approx(2.0)  # 30/10000 over 60/40000
    se = np.sqrt(1 / 30 + 1 / 60)
    assert table.loc["BAFR", "lower"] == pytest.approx(2.0 * np.exp(-Z95 * se))
    assert table.loc["BAFR", "upper"] == pytest.approx(2.0 * np.exp(Z95 * se))
    assert table.loc["WBRI", "rri"] == 1.0 and np.isnan(table.loc["WBRI", "lower"])
    # zero count: Haldane's 0.5 keeps the interval finite and wide
    assert table.loc["MWBC", "rri"] == pytest.approx((0.5 / 5000) / (60.5 / 40000))


def test_rri_against_all_other_groups_by_hand():
    table = relative_rate_index(HAND, reference=None, phi=1.0).table.set_index("group")
    assert table.loc["BAFR", "rri"] == pytest.approx((30 / 10_000) / (60 / 45_000))


def test_overdispersion_widens_the_interval():
    narrow = relative_rate_index(HAND, phi=1.0).table.set_index("group").loc["BAFR"]
    wide = relative_rate_index(HAND, phi=4.0).table.set_index("group").loc["BAFR"]
    assert np.log(wide["upper"] / wide["rri"]) == pytest.approx(
        2 * np.log(narrow["upper"] / narrow["rri"])
    )


def simulate(seed: int, ratio: float, spread: float) -> pd.DataFrame:
    """30 councils x 5 years x 2 groups with a planted rate ratio and council-year noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for council in range(30):
        base = 50e-4 * rng.lognormal(0, 0.3)
        for year in range(2020, 2025):
            for group, pop, rr in (("WBRI", 30_000, 1.0), ("BCRB", 4_000, ratio)):
                mean = pop * base * rr * rng.lognormal(0, spread)
                rows.append((f"C{council}", year, group, rng.poisson(mean), pop))
    return pd.DataFrame(rows, columns=["la", "year", "ethnic", "count", "population"])


def test_planted_ratio_recovered_and_dispersion_estimated():
    data = simulate(5, 2.0, 0.25)
    ratios = relative_rate_index(data)
    finding = ratios.finding("BCRB", "starts per 10,000")
    assert finding.lower < 2.0 < finding.upper and finding.excludes_null
    assert ratios.phi > 1.5
    assert finding.n_councils == 30 and finding.first_year == 2020
    assert dispersion_factor(simulate(6, 1.0, 0.0), "ethnic") == pytest.approx(1.0, abs=0.25)


def test_rri_by_council_has_one_row_per_council_and_group():
    table = relative_rate_index(simulate(7, 1.5, 0.1), by=["la"]).table
    assert len(table) == 60 and set(table["group"]) == {"WBRI", "BCRB"}


def test_unknown_reference_is_refused():
    with pytest.raises(ValueError, match="reference group"):
        relative_rate_index(HAND, reference="WXYZ")


def test_composition_shares_sum_to_one_within_group():
    data = pd.DataFrame(
        {"ethnic": ["A", "A", "B"], "age": ["under 1", "1 to 4", "under 1"], "count": [3, 1, 5]}
    )
    table = composition(data, group="ethnic", part="age")
    assert table.groupby("ethnic")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    row = table[(table["ethnic"] == "A") & (table["age"] == "under 1")].iloc[0]
    assert row["share"] == 0.75 and row["lower"] < 0.75 < row["upper"]

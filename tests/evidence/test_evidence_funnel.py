"""Funnel plot limits, overdispersion estimates and neighbour comparison."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from carestat.evidence.funnel import funnel, overdispersion, winsorised_normal_moment
from carestat.evidence.neighbours import compare_with_neighbours

# Worked example with a published answer: the six-unit example in the test suite of the NHS-R
# community's R package FunnelPlotR (tests/testthat/test-classes_methods.R), numerators
# 100,150,180,80,120,225 over expected counts 108,112,165,95,100,220, "SHMI" method (log ratio,
# 10% truncation), documents phi = 2.948033 (to 6 decimal places).
EXAMPLE = pd.DataFrame(
    {
        "la": list("abcdef"),
        "count": [100, 150, 180, 80, 120, 225],
        "population": [108, 112, 165, 95, 100, 220],
    }
)


def test_phi_matches_the_published_worked_example():
    result = funnel(EXAMPLE, transform="log", target=1.0, trim_method="truncate")
    assert round(result.phi, 6) == 2.948033


def test_tau2_is_the_dersimonian_laird_value_by_hand():
    result = funnel(EXAMPLE, transform="log", target=1.0, trim_method="truncate")
    # By hand: w = 1/s^2 = E; sum w = 800; sum w^2 = 118858; I = 6.
    expected = (6 * 2.948033175 - 5) / (800 - 118858 / 800)
    assert result.tau2 == pytest.approx(expected, rel=1e-8)
    assert result.tau2 == pytest.approx(0.0194775, abs=1e-7)


def test_no_overdispersion_gives_tau2_zero_and_exact_poisson_limits():
    z = np.array([0.1, -0.2, 0.3, -0.1, 0.0])
    phi, tau2 = overdispersion(z, np.full(5, 0.1))
    assert phi < 1 and tau2 == 0.0
    data = pd.DataFrame({"la": ["x", "y"], "count": [40, 60], "population": [10_000, 10_000]})
    result = funnel(data, adjust=False)
    expected = 100 / 20_000 * 10_000  # 50 events expected in each council
    # by hand: the 97.5% point lies between 63 and 64 events: P(O <= 63) < 0.975 <= P(O <= 64)
    below, at = stats.poisson.cdf(63, expected), stats.poisson.cdf(64, expected)
    assert below < 0.975 <= at
    upper = 64 - (at - 0.975) / (at - below)
    assert result.units["upper_95"].iloc[0] * 10_000 == pytest.approx(upper)
    assert 63 < upper < 64
    assert result.units["lower_95"].iloc[0] * 10_000 < expected < upper
    assert list(result.units["flag"]) == ["", ""]  # 40 and 60 are inside 50's limits


def test_exact_limits_keep_rare_event_funnels_at_or_below_nominal():
    rng = np.random.default_rng(5)
    exact, normal = [], []
    for _ in range(200):
        population = rng.integers(2_000, 20_000, 30).astype(float)  # about 2 to 20 events
        data = pd.DataFrame({"la": range(30), "count": rng.poisson(population * 1e-3),
                             "population": population})  # fmt: skip
        result = funnel(data, adjust=False)  # plain limits: exact Poisson
        exact.append((result.units["flag"] != "").mean())
        normal.append((result.units["z"].abs() > 1.959964).mean())  # normal, square-root scale
    assert np.mean(exact) <= 0.05 < np.mean(normal)


def test_winsorising_caps_the_extremes_at_the_centiles():
    z = np.array([-10.0, -1.0, 0.0, 1.0, 10.0])
    low, high = np.quantile(z, [0.1, 0.9])
    phi, _ = overdispersion(z, np.ones(5), consistent=False)
    assert phi == pytest.approx(np.mean(np.clip(z, low, high) ** 2))
    assert phi < np.mean(z**2)
    corrected, _ = overdispersion(z, np.ones(5))
    assert corrected == pytest.approx(phi / winsorised_normal_moment(0.1))


def test_consistency_factor_is_the_winsorised_normal_second_moment():
    draws = np.random.default_rng(0).standard_normal(400_000)
    low, high = np.quantile(draws, [0.1, 0.9])
    assert winsorised_normal_moment(0.1) == pytest.approx(np.mean(np.clip(draws, low, high) ** 2),
                                                          rel=5e-3)  # fmt: skip
    assert winsorised_normal_moment(0.1) == pytest.approx(0.67865, abs=1e-5)
    assert winsorised_normal_moment(0.0) == 1.0


def test_pure_poisson_gives_phi_near_one_no_adjustment_and_nominal_flags():
    rng = np.random.default_rng(11)
    flagged, wide, adjusted, phis = [], [], 0, []
    for _ in range(100):
        population = rng.integers(20_000, 150_000, 150).astype(float)
        data = pd.DataFrame({"la": range(150), "count": rng.poisson(population * 25e-4),
                             "population": population})  # fmt: skip
        result = funnel(data)
        phis.append(result.phi)
        adjusted += result.tau2 > 0
        flagged.append((result.units["flag"] != "").mean())
        wide.append(result.units["flag"].str.contains("99.8").mean())
    assert abs(np.mean(phis) - 1) < 0.05
    assert adjusted <= 12  # the 5% overdispersion test: about 5 of 100
    assert 0.04 < np.mean(flagged) < 0.06  # MC se about 0.0018
    assert np.mean(wide) < 0.004


def test_random_effects_nulls_are_flagged_at_about_the_nominal_rates():
    # 30 councils whose true rates differ (log-normal, as synth's): none is an outlier
    rng = np.random.default_rng(12)
    flagged, wide = [], []
    for _ in range(150):
        population = np.exp(rng.normal(np.log(70_000), 0.6, 30))
        rate = 25e-4 * np.exp(rng.normal(0, 0.38, 30))
        data = pd.DataFrame({"la": range(30), "count": rng.poisson(population * rate),
                             "population": population})  # fmt: skip
        result = funnel(data)
        assert result.df == 28
        flagged.append((result.units["flag"] != "").mean())
        wide.append(result.units["flag"].str.contains("99.8").mean())
    assert 0.035 < np.mean(flagged) < 0.065  # nominal 5%; uncorrected Winsorising gave 11%
    assert np.mean(wide) < 0.006  # nominal 0.2%; normal quantiles gave about 0.4-0.5%


def planted(seed: int, outlier_ratio: float) -> pd.DataFrame:
    """150 councils with overdispersed rates and council 'OUT' at `outlier_ratio` times the rate."""
    rng = np.random.default_rng(seed)
    population = rng.integers(20_000, 150_000, 150).astype(float)
    rate = 60e-4 * rng.lognormal(0, 0.1, 150)
    rate[0] *= outlier_ratio
    names = ["OUT"] + [f"L{i:03d}" for i in range(1, 150)]
    return pd.DataFrame(
        {"la": names, "count": rng.poisson(population * rate), "population": population}
    )


def test_planted_outlier_is_named_and_overdispersion_is_detected():
    result = funnel(planted(3, 1.8))
    assert result.phi > 1.5 and result.tau2 > 0
    assert "OUT" in result.outliers(0.998)
    assert result.units.set_index("unit").loc["OUT", "flag"] == "high 99.8%"
    assert len(result.outliers(0.998)) <= 3  # adjusted limits: few false alarms


def test_adjustment_removes_false_alarms_that_poisson_limits_raise():
    data = planted(4, 1.0)
    assert len(funnel(data, adjust=False).outliers(0.998)) > len(funnel(data).outliers(0.998))


def test_limits_grid_widen_for_small_denominators_and_proportions_stay_in_range():
    data = pd.DataFrame({"la": ["a", "b", "c"], "count": [5, 30, 12], "population": [50, 200, 80]})
    result = funnel(data, transform="arcsine")
    grid = result.limits([10, 100, 1000])
    width = grid["upper_99.8"] - grid["lower_99.8"]
    assert list(width) == sorted(width, reverse=True)
    assert grid[["lower_95", "lower_99.8"]].min().min() >= 0
    assert grid[["upper_95", "upper_99.8"]].max().max() <= 1
    assert (grid["lower_95"] <= result.target).all() and (grid["upper_95"] >= result.target).all()


def test_unknown_transform_is_refused():
    with pytest.raises(ValueError, match="transform"):
        funnel(EXAMPLE, transform="logit")


def test_neighbour_rate_ratio_by_hand():
    data = pd.DataFrame(
        {
            "la": ["A", "B", "C", "D"],
            "year": [2025] * 4,
            "count": [40, 10, 10, 999],
            "population": [10_000, 10_000, 10_000, 1],
        }
    )
    result = compare_with_neighbours(data, "A", ["B", "C", "Z"], "starts per 10,000")
    assert result.finding.estimate == pytest.approx(4.0)  # 40/10000 vs 20/20000
    se = np.sqrt(1 / 40 + 1 / 20)
    assert result.finding.upper == pytest.approx(4.0 * np.exp(1.959963985 * se))
    assert list(result.table["la"]) == ["A", "B", "C"] or result.table["la"].iloc[0] == "A"
    assert "no data for neighbours Z" in result.finding.limits
    assert result.finding.excludes_null


def test_the_method_note_says_how_the_limits_were_set():
    from carestat.evidence.analyses import _funnel_method

    widened = _funnel_method("starts", funnel(planted(3, 1.0)))
    assert "p < 0.001" in widened and "t quantiles on 148 df" in widened
    data = pd.DataFrame({"la": ["x", "y", "z"], "count": [50, 52, 48], "population": [1e4] * 3})
    plain = _funnel_method("starts", funnel(data))
    # sum z^2 = 4(sqrt 52 - sqrt 50)^2 + 4(sqrt 48 - sqrt 50)^2 = 0.160; chi2(2) tail exp(-0.08)
    assert "exact Poisson limits" in plain and "p = 0.92" in plain

"""Trend and interaction tests on seeded negative-binomial simulations with known truth."""

import numpy as np
import pandas as pd
import pytest

from carestat.evidence.trend import rate_trend, trend_difference

YEARS = np.arange(2019, 2027)


def simulate(seed: int, trend: float, councils: int = 30, alpha: float = 0.05) -> pd.DataFrame:
    """Council x year counts: gamma-Poisson (negative binomial) around a log-linear trend."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(np.log(3000), 0.6, councils)  # children aged 0 per council
    base = rng.lognormal(np.log(80e-4), 0.3, councils)  # councils' own rates differ
    la = np.repeat([f"E0{6000000 + i}" for i in range(councils)], len(YEARS))
    year = np.tile(YEARS, councils)
    population = np.repeat(size, len(YEARS))
    mu = population * np.repeat(base, len(YEARS)) * (1 + trend) ** (year - YEARS[0])
    count = rng.poisson(rng.gamma(1 / alpha, mu * alpha))
    return pd.DataFrame({"la": la, "year": year, "count": count, "population": population})


def test_planted_trend_is_found_with_right_sign_and_covered():
    results = [rate_trend(simulate(seed, 0.05), "infant starts") for seed in range(20)]
    assert all(r.estimate > 0 for r in results)
    covered = sum(r.lower <= 5.0 <= r.upper for r in results)
    assert covered >= 17  # nominal 95%: 19 of 20 expected, 17 allows Monte Carlo error
    assert abs(np.mean([r.estimate for r in results]) - 5.0) < 1.0


def test_no_trend_gives_few_false_positives():
    results = [rate_trend(simulate(100 + seed, 0.0)) for seed in range(20)]
    assert sum(r.excludes_null for r in results) <= 2
    assert all(0 <= r.p_value <= 1 for r in results)


@pytest.mark.parametrize("dispersion", ["quasi", "negbin", "cluster"])
def test_each_dispersion_option_estimates_the_trend(dispersion):
    result = rate_trend(simulate(7, 0.04), dispersion=dispersion)
    assert result.lower < result.estimate < result.upper
    assert 1.0 < result.estimate < 7.0
    assert result.n_councils == 30 and (result.first_year, result.last_year) == (2019, 2026)
    words = {"quasi": "quasi-Poisson", "negbin": "negative binomial", "cluster": "clustered"}
    assert words[dispersion] in result.test


def test_profiled_fixed_effects_match_a_dense_statsmodels_glm():
    import statsmodels.api as sm

    data = simulate(11, 0.03, councils=8)
    data["_year"] = data["year"] - data["year"].mean()
    design = pd.concat([pd.get_dummies(data["la"], dtype=float), data[["_year"]]], axis=1)
    offset = np.log(data["population"].to_numpy())
    dense = sm.GLM(data["count"], design, family=sm.families.Poisson(), offset=offset)
    expected = dense.fit(scale="X2")
    ours = rate_trend(data, dispersion="quasi")
    assert ours.estimate == pytest.approx(100 * np.expm1(expected.params["_year"]), rel=1e-6)
    assert ours.p_value == pytest.approx(expected.pvalues["_year"], rel=1e-4)


def test_unknown_dispersion_is_refused():
    with pytest.raises(ValueError, match="dispersion"):
        rate_trend(simulate(1, 0.0), dispersion="gaussian")


def two_groups(seed: int, infant_trend: float, older_trend: float) -> pd.DataFrame:
    """Infant and older-child counts in the same councils, each with its own trend."""
    infants = simulate(seed, infant_trend).assign(group="under 1")
    older = simulate(seed + 5000, older_trend).assign(group="1 to 17")
    older["population"] *= 17
    return pd.concat([infants, older], ignore_index=True)


def test_interaction_recovers_a_faster_infant_trend():
    results = [trend_difference(two_groups(s, 0.05, 0.0), "under 1") for s in range(10)]
    assert all(r.estimate > 0 for r in results)
    assert sum(r.lower <= 5.0 <= r.upper for r in results) >= 8
    assert "interaction" in results[0].test


def test_interaction_null_when_trends_are_equal():
    results = [trend_difference(two_groups(200 + s, 0.03, 0.03), "under 1") for s in range(20)]
    assert sum(r.excludes_null for r in results) <= 2


def test_interaction_needs_the_focus_group():
    with pytest.raises(ValueError, match="not in column"):
        trend_difference(two_groups(1, 0.0, 0.0), "newborn")

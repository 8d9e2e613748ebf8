"""Council step-change ratio (Poisson difference-in-differences): hand-checked on tiny fixtures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from carestat.evidence.analyses import council_variation
from carestat.evidence.inputs import EvidenceInputs
from carestat.evidence.sentences import describe
from carestat.evidence.step_change import step_change


def frame(counts: dict[str, list[int]], years: list[int], population: dict[str, list[int]]):
    """Council x year cells from per-council lists."""
    return pd.DataFrame(
        [
            {"la": la, "year": y, "count": c, "population": p}
            for la in counts
            for y, c, p in zip(years, counts[la], population[la], strict=True)
        ]
    )


def test_three_councils_four_years_is_a_ratio_of_ratios_of_counts() -> None:
    # B and C are noisy, but their year totals are 40, 60, 80, 100; council A's counts follow
    # that pattern within each period (8, 12 = 0.2 x; 48, 60 = 0.6 x). With council and year
    # fixed effects A then fits exactly and the year effects are the others' totals, so the MLE
    # is the ratio of ratios: (A from 2025 / A before) / (others from 2025 / others before)
    #   = ((48 + 60) / (8 + 12)) / ((80 + 100) / (40 + 60)) = 5.4 / 1.8 = 3.
    counts = {"A": [8, 12, 48, 60], "B": [10, 25, 30, 45], "C": [30, 35, 50, 55]}
    population = {"A": [2000] * 4, "B": [1000] * 4, "C": [3000] * 4}
    data = frame(counts, [2023, 2024, 2025, 2026], population)
    for dispersion in ("negbin", "quasi"):
        result = step_change(data, "A", 2025, "starts per 10,000", dispersion=dispersion)
        assert result.estimate == pytest.approx(3.0, rel=1e-6), dispersion
        assert result.lower < 3.0 < result.upper
    assert result.n_councils == 3 and (result.first_year, result.last_year) == (2023, 2026)
    assert result.effect == "step change in A from 2025" and result.scale == "ratio"


def test_two_years_interval_by_hand() -> None:
    # A's rate rises from 20/1000 to 45/1500 (x1.5) while the others' counts rise from 80 to 90
    # (x1.125, constant populations): ratio (45/1500 / 20/1000) / (90/80) = 4/3.
    # Poisson variance of log(ratio): 1/20 + 1/45 + 1/80 + 1/90 (A's two cells, the others'
    # year totals). Quasi-Poisson scale: Pearson X2 of the B, C 2x2 table on 6 - 5 = 1 df; the
    # expected counts are row x column / 170: 32.941, 37.059, 47.059, 52.941, so
    # X2 = (30 - 32.941)^2 (1/32.941 + 1/37.059 + 1/47.059 + 1/52.941) = 0.8433.
    counts = {"A": [20, 45], "B": [30, 40], "C": [50, 50]}
    population = {"A": [1000, 1500], "B": [2000, 2000], "C": [3000, 3000]}
    result = step_change(frame(counts, [2025, 2026], population), "A", 2026, dispersion="quasi")
    x2 = (30 - 70 * 80 / 170) ** 2 * sum(170 / (r * c) for r in (70, 100) for c in (80, 90))
    assert x2 == pytest.approx(0.8433, abs=1e-4)
    se = math.sqrt(x2 * (1 / 20 + 1 / 45 + 1 / 80 + 1 / 90))
    assert result.estimate == pytest.approx(4 / 3)
    assert result.lower == pytest.approx(4 / 3 * math.exp(-1.959964 * se), rel=1e-5)
    assert result.upper == pytest.approx(4 / 3 * math.exp(1.959964 * se), rel=1e-5)
    assert result.p_value == pytest.approx(2 * (1 - _normal_cdf(math.log(4 / 3) / se)), rel=1e-4)


def _normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_quasi_poisson_matches_a_statsmodels_glm_with_dummies() -> None:
    rng = np.random.default_rng(3)
    councils, years = [f"E0{i}" for i in range(8)], list(range(2019, 2025))
    population = {la: list(rng.integers(20_000, 90_000, len(years))) for la in councils}
    counts = {
        la: list(rng.poisson(np.array(population[la]) * 0.003 * (1.4 if la == "E00" else 1.0)))
        for la in councils
    }
    data = frame(counts, years, population)
    result = step_change(data, "E00", 2022, dispersion="quasi")
    design = pd.get_dummies(data["la"], dtype=float)
    for y in years[1:]:
        design[f"y{y}"] = (data["year"] == y).astype(float)
    design["step"] = ((data["la"] == "E00") & (data["year"] >= 2022)).astype(float)
    glm = GLM(data["count"], design, family=families.Poisson(), offset=np.log(data["population"]))
    fit = glm.fit(scale="X2")
    assert result.estimate == pytest.approx(math.exp(fit.params["step"]), rel=1e-6)
    assert result.upper == pytest.approx(math.exp(fit.conf_int().loc["step", 1]), rel=1e-6)


def test_negative_binomial_widens_a_large_councils_interval_under_council_year_noise() -> None:
    # gamma noise per council-year (sd 15%): a single quasi-Poisson scale averages it over
    # councils of every size and so understates it for the largest
    rng = np.random.default_rng(11)
    councils, years = [f"E0{i:02d}" for i in range(30)], list(range(2019, 2027))
    size = {la: int(rng.integers(10_000, 60_000)) for la in councils} | {"E000": 250_000}
    population = {la: [size[la]] * len(years) for la in councils}
    counts = {la: list(rng.poisson(size[la] * 0.004 * rng.gamma(44.4, 1 / 44.4, 8)))
              for la in councils}  # fmt: skip
    data = frame(counts, years, population)
    negbin = step_change(data, "E000", 2023)
    quasi = step_change(data, "E000", 2023, dispersion="quasi")
    assert negbin.upper / negbin.lower > 1.15 * quasi.upper / quasi.lower


@pytest.mark.parametrize(
    ("council", "since", "message"),
    [
        ("Z", 2025, "no rows"),
        ("A", 2023, "before 2023"),  # no years before the step
        ("A", 2027, "from 2027 on"),  # no years after it
    ],
)
def test_unusable_requests_are_clear_errors(council: str, since: int, message: str) -> None:
    counts = {"A": [8, 12, 48, 60], "B": [10, 25, 30, 45], "C": [30, 35, 50, 55]}
    data = frame(counts, [2023, 2024, 2025, 2026], {la: [1000] * 4 for la in counts})
    with pytest.raises(ValueError, match=message):
        step_change(data, council, since)


def test_clustered_errors_are_refused_for_one_councils_effect() -> None:
    counts = {"A": [8, 12, 48, 60], "B": [10, 25, 30, 45], "C": [30, 35, 50, 55]}
    data = frame(counts, [2023, 2024, 2025, 2026], {la: [1000] * 4 for la in counts})
    with pytest.raises(ValueError, match="clustered"):
        step_change(data, "A", 2025, dispersion="cluster")


def test_sentence_is_generated_from_the_numbers() -> None:
    counts = {"A": [8, 12, 48, 60], "B": [10, 25, 30, 45], "C": [30, 35, 50, 55]}
    data = frame(counts, [2023, 2024, 2025, 2026], {la: [1000] * 4 for la in counts})
    result = step_change(data, "A", 2025, "starts per 10,000 children", dispersion="quasi")
    text = describe(result)
    assert text.startswith(
        "In A, starts per 10,000 children from 2025 to 2026 were 3.00 times what the council's "
        "own earlier rate and the other councils' change predict (95% CI "
        f"{result.lower:.2f} to {result.upper:.2f}), from 3 councils, 2023 to 2026."
    )
    assert "excludes no difference" in text and "A limit: the other councils'" in text


def small_inputs() -> EvidenceInputs:
    """Twelve councils x five years of starts; council E12 starts three times the others' rate."""
    rng = np.random.default_rng(8)
    councils, years = [f"E{i:02d}" for i in range(1, 13)], range(2022, 2027)
    starts, population = [], []
    for la in councils:
        for year in years:
            rate = 0.012 if la == "E12" else 0.004 * rng.gamma(400, 1 / 400)
            n = rng.poisson(20_000 * rate)
            starts += [{"la": la, "year": year, "child": f"{la}{year}{k}", "age": k % 18,
                        "newborn": False} for k in range(n)]  # fmt: skip
            population += [{"la": la, "year": year, "age": age, "ethnic": "ALL",
                            "population": 20_000 // 18} for age in range(18)]  # fmt: skip
    empty = pd.DataFrame({"la": [], "year": [], "count": []})
    return EvidenceInputs(pd.DataFrame(starts), pd.DataFrame(population), empty, empty,
                          pd.DataFrame(), pd.DataFrame(), pd.Timestamp(2026, 3, 31))  # fmt: skip


def test_council_variation_reports_step_changes_of_outliers_and_configured_councils() -> None:
    inputs = small_inputs()
    section = council_variation(inputs, {"E03": ["E04", "E05"]}, since=2024)
    steps = {f.effect: f for f in section.findings if f.effect.startswith("step change")}
    assert set(steps) == {"step change in E12 from 2024", "step change in E03 from 2024"}
    assert (
        steps["step change in E12 from 2024"].lower
        < 1
        < steps["step change in E12 from 2024"].upper
    )
    assert any(s.startswith("In E12, starts per 10,000 children from 2024 to 2026") for s in
               section.sentences)  # fmt: skip
    latest = council_variation(inputs)  # no neighbours: the outlier, from the latest year
    assert [f.effect for f in latest.findings] == ["step change in E12 from 2026"]
    early = council_variation(inputs, since=2022)  # no year before: a note, no finding
    assert not early.findings and any("E12: no step-change ratio" in n for n in early.notes)
